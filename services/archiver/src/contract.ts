/**
 * The archiver's contract (DESIGN.md "Interface"): one TypeBox module from
 * which the routes' validation and serialisation, /openapi.json, the typed
 * client and archiver-cli all follow. No shape is declared twice.
 */
import Type, { type Static } from 'typebox';
import { ErrorSchema } from '@tfa/service-kit/errors';

/** Bodies at most this large are returned inline in the media; larger ones only at /body. */
export const INLINE_BODY_LIMIT = 1024 * 1024;

/** Metadata headers of the raw `POST /archive` form. */
export const rawHeaders = {
  status: 'x-archive-status',
  url: 'x-archive-url',
  contentType: 'x-archive-content-type',
  headers: 'x-archive-headers',
} as const;

export { ErrorSchema, type ErrorBody } from '@tfa/service-kit/errors';

const HeadersSchema = Type.Record(Type.String(), Type.String(), {
  description: 'response headers worth keeping (lower-case names)',
});

export const CreateArchiveSchema = Type.Object(
  {
    status: Type.Integer({ minimum: 100, maximum: 599, description: 'the archived response status' }),
    body: Type.String({ description: 'the document, as text or base64 (see body_encoding)' }),
    body_encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('base64')], { default: 'utf8' })),
    url: Type.Optional(Type.String({ maxLength: 8192, description: 'where the document came from' })),
    content_type: Type.Optional(Type.String({ maxLength: 256 })),
    headers: Type.Optional(HeadersSchema),
  },
  { additionalProperties: false, description: 'JSON form of POST /archive' },
);
export type CreateArchive = Static<typeof CreateArchiveSchema>;

export const ArchiveSchema = Type.Object(
  {
    href: Type.String({ description: 'path of this archive, e.g. /archive/1' }),
    id: Type.Integer({ minimum: 1 }),
    status: Type.Integer(),
    body: Type.Optional(Type.String({ description: 'left out for documents over 1 MiB and in lists' })),
    body_encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')], {
      description: 'utf8 when the bytes are valid UTF-8 with a textual content type, base64 otherwise',
    }),
    body_truncated: Type.Optional(Type.Boolean({ description: 'true when body is left out because the document is over 1 MiB' })),
    content_type: Type.Union([Type.String(), Type.Null()]),
    url: Type.Union([Type.String(), Type.Null()]),
    headers: HeadersSchema,
    size: Type.Integer({ minimum: 0, description: 'body size in bytes' }),
    sha256: Type.String({ description: 'hex sha256 of the body; also its ETag' }),
    archived_at: Type.String({ format: 'date-time' }),
    trace_id: Type.Union([Type.String(), Type.Null()], { description: 'X-Ray trace id of the request that archived it' }),
  },
  { $id: 'Archive', description: 'archive media' },
);
export type Archive = Static<typeof ArchiveSchema>;

export const ArchivePageSchema = Type.Object(
  {
    items: Type.Array(ArchiveSchema),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as ?cursor= for the next (older) page' }),
  },
  { description: 'page of archives without bodies, newest first' },
);
export type ArchivePage = Static<typeof ArchivePageSchema>;

export const IdParamsSchema = Type.Object({
  id: Type.String({ description: 'positive integer archive id', examples: ['1'] }),
});

export const ListQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    url: Type.Optional(Type.String({ maxLength: 8192, description: 'only archives of this exact URL' })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuerySchema>;

/** The route table: paths and the schemas each route validates and serialises with. */
export const routes = {
  create: {
    method: 'POST',
    url: '/archive',
    schema: {
      summary: 'Archive a document',
      description:
        'JSON form: Content-Type application/json with CreateArchive. Raw form: any other content type, ' +
        'or any request carrying X-Archive-Status; the body is streamed and metadata travels in X-Archive-Status, ' +
        'X-Archive-Url, X-Archive-Content-Type and X-Archive-Headers (JSON object). Needs Authorization: Bearer when a token is set.',
      security: [{ bearer: [] }],
      response: { 201: ArchiveSchema, 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 503: ErrorSchema, 507: ErrorSchema },
    },
  },
  get: {
    method: 'GET',
    url: '/archive/:id',
    schema: {
      summary: 'Read an archive',
      params: IdParamsSchema,
      response: { 200: ArchiveSchema, 400: ErrorSchema, 404: ErrorSchema },
    },
  },
  body: {
    method: 'GET',
    url: '/archive/:id/body',
    schema: {
      summary: 'Raw archived bytes (ETag, If-None-Match, single Range); served sandboxed',
      params: IdParamsSchema,
      response: { 400: ErrorSchema, 404: ErrorSchema, 416: ErrorSchema },
    },
  },
  list: {
    method: 'GET',
    url: '/archive',
    schema: {
      summary: 'List archives, newest first',
      querystring: ListQuerySchema,
      response: { 200: ArchivePageSchema, 400: ErrorSchema },
    },
  },
  health: {
    method: 'GET',
    url: '/health',
    schema: { summary: 'OK when the database answers and takes writes; 503 with the reason (e.g. the disk is full) otherwise', response: { 200: Type.String(), 503: Type.String() } },
  },
} as const;

/** Path of an archive, used as its href and Location. */
export function archiveHref(id: number): string {
  return `/archive/${id}`;
}

/** Parses an id path segment: a positive safe integer, or undefined. */
export function parseArchiveId(raw: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}
