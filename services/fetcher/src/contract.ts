/**
 * The fetcher's contract: routes, schemas, OpenAPI and the typed client all
 * follow from this module (DESIGN.md "Interface").
 */
import Type, { type Static } from 'typebox';
import { ErrorSchema } from '@tfa/service-kit/errors';

export { ErrorSchema };
export type { ErrorBody } from '@tfa/service-kit/errors';

export const FetchRequestSchema = Type.Object(
  { url: Type.String({ minLength: 1, maxLength: 8192, description: 'absolute http(s) URL to fetch', examples: ['https://example.com/'] }) },
  { additionalProperties: false },
);
export type FetchRequest = Static<typeof FetchRequestSchema>;

export const FetchResultSchema = Type.Object(
  {
    status: Type.Integer({ description: 'the upstream status (a 404 page is archived and reported as 404)' }),
    archive_href: Type.String({ pattern: '^/archive/[0-9]+$', description: "the archive's path at the archiver (the original's contract)", examples: ['/archive/1'] }),
    archive_url: Type.String({ description: 'absolute URL of the archive, as the fetcher reaches the archiver (may be an address only the fetcher can reach)', examples: ['http://127.0.0.1:8080/archive/1'] }),
    trace_id: Type.Optional(Type.String({ description: 'X-Ray trace id of this fetch' })),
    url: Type.String({ description: 'final URL after redirects' }),
    size: Type.Integer({ description: 'bytes archived' }),
  },
  { $id: 'FetchResult' },
);
export type FetchResult = Static<typeof FetchResultSchema>;

const errors = {
  400: ErrorSchema,
  403: ErrorSchema,
  413: ErrorSchema,
  502: ErrorSchema,
  503: ErrorSchema,
  504: ErrorSchema,
  507: ErrorSchema,
};

const description =
  'Errors: 400 invalid_url / unsupported_scheme, 403 blocked_destination, 413 body_too_large, ' +
  '502 upstream_unreachable / too_many_redirects, 503 archiver_unavailable / busy (Retry-After), 504 upstream_timeout, 507 insufficient_storage (the archiver\'s disk is full; Retry-After).';

/** The route table. */
export const routes = {
  fetchGet: {
    method: 'GET',
    url: '/fetch/*',
    schema: {
      summary: 'Fetch the URL that makes up the rest of the path and archive it',
      description: `The target is taken from the raw request line, so its own query string and // survive: /fetch/https://example.com/a?b=1 fetches https://example.com/a?b=1. A percent-encoded target works too. ${description}`,
      response: { 200: FetchResultSchema, ...errors },
    },
  },
  fetchPost: {
    method: 'POST',
    url: '/fetch',
    schema: { summary: 'Fetch a URL and archive it', description, body: FetchRequestSchema, response: { 200: FetchResultSchema, ...errors } },
  },
  health: {
    method: 'GET',
    url: '/health',
    schema: { summary: 'OK only while the archiver answers its own health check', response: { 200: Type.String(), 503: Type.String() } },
  },
} as const;

/** Extracts the fetch target from a raw request URL such as `/fetch/https://h/a?b=1`. */
export function targetFromRawUrl(rawUrl: string): string {
  const rest = rawUrl.replace(/^\/fetch\//, '');
  // A fully percent-encoded target (https%3A%2F%2F...) is decoded once; anything else is taken verbatim.
  if (/^[a-z][a-z0-9+.-]*%3a/i.test(rest)) {
    try {
      return decodeURIComponent(rest);
    } catch {
      return rest;
    }
  }
  return rest;
}
