/**
 * The archiver's app factory: registers the contract's routes over a store.
 * It never listens; main.ts (or a test) decides where it runs.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { appError } from '@tfa/service-kit/errors';
import { requestTracing } from '@tfa/service-tracing/server';
import { createHttpApp, type App } from '@tfa/service-kit/http';
import { bearerChecker } from '@tfa/service-kit/auth';
import { etagOf, noneMatch, parseRange } from './body.ts';
import { CreateArchiveSchema, INLINE_BODY_LIMIT, archiveHref, parseArchiveId, rawHeaders, routes, type CreateArchive } from './contract.ts';
import { ReadCache } from './read-cache.ts';
import { toMedia } from './media.ts';
import type { ArchiveMeta, ArchiveRecord, ArchiveStore } from './store/types.ts';
import { packageVersion } from '@tfa/service-kit/config';

/** What the archiver app needs. */
export interface ArchiverOptions {
  store: ArchiveStore;
  logger: Logger;
  /** Bearer token for writes; without one, writes are open (main.ts allows that on loopback only). */
  token?: string;
  /** Largest body accepted, in bytes. */
  maxBody: number;
  /** The current request's X-Ray trace id, when tracing is on. */
  traceId?: () => string | null;
  /** Traces each request when given (see @tfa/service-tracing). */
  tracer?: Tracer;
  /** Bytes of serialised media kept for repeat reads (archives never change). */
  readCacheBytes?: number;
}

/** The content type a raw upload arrived with, before routing rewrote it. */
const rawType = new WeakMap<IncomingMessage, string | undefined>();

/** Builds the archiver app. */
export async function buildApp(options: ArchiverOptions): Promise<App> {
  const { store, maxBody } = options;
  const app = await createHttpApp({
    logger: options.logger,
    instrumentation: options.tracer ? requestTracing(options.tracer) : undefined,
    title: 'archiver',
    description: 'Stores HTTP responses durably and serves them back.',
    version: packageVersion(import.meta.url),
    bodyLimit: Math.ceil(maxBody * 1.4) + 64 * 1024,
    bearerAuth: true,
  });
  const checkToken = options.token ? bearerChecker(options.token) : undefined;
  const traceId = options.traceId ?? (() => null);
  const cache = new ReadCache(options.readCacheBytes ?? 32 * 1024 * 1024);

  app.register(async (scope) => {
    // The JSON form is parsed; every other body (and any request with X-Archive-Status) streams raw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: Math.ceil(maxBody * 1.4) + 64 * 1024 }, (req, text, done) => {
      try {
        done(null, JSON.parse(text as string));
      } catch {
        done(appError('invalid_json', 'the request body is not valid JSON'), undefined);
      }
    });
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    scope.addHook('preParsing', async (req, _reply, payload) => {
      // X-Archive-Status marks the raw form whatever the content type (a fetched JSON document
      // is archived raw too): remember the type, then make sure no parser consumes the stream.
      rawType.set(req.raw, req.headers['content-type']);
      if (req.headers[rawHeaders.status] !== undefined) req.headers['content-type'] = 'application/octet-stream';
      return payload;
    });

    scope.route({
      ...routes.create,
      // Only the JSON form has a body schema: raw uploads (streamed, never parsed) skip body
      // validation instead of failing it and paying for an error they then ignore.
      schema: { ...routes.create.schema, body: { content: { 'application/json': { schema: CreateArchiveSchema } } } },
      attachValidation: true,
      onRequest: async (req) => checkToken?.(req.headers.authorization),
      handler: async (req, reply) => {
        const raw = req.body === undefined;
        let record: ArchiveRecord;
        let bytes: Buffer | undefined;
        if (raw) {
          record = await createRaw(req.raw, rawType.get(req.raw), store, maxBody, traceId());
        } else {
          if (req.validationError) throw req.validationError;
          const input = req.body as CreateArchive;
          bytes = Buffer.from(input.body, input.body_encoding === 'base64' ? 'base64' : 'utf8');
          if (bytes.length > maxBody) throw appError('body_too_large', `the body is larger than the limit of ${maxBody} bytes`);
          const contentType = input.content_type ?? (input.body_encoding === 'base64' ? 'application/octet-stream' : 'text/plain; charset=utf-8');
          const meta: ArchiveMeta = { status: input.status, url: input.url ?? null, contentType, headers: lowerKeys(input.headers ?? {}), traceId: traceId() };
          record = await store.create(meta, [bytes], { maxBytes: maxBody });
        }
        req.log.info({ archive_id: record.id, size: record.size }, 'archived');
        return reply.code(201).header('location', archiveHref(record.id)).send(toMedia(record, bytes && bytes.length <= INLINE_BODY_LIMIT ? bytes : undefined, !!bytes && bytes.length > INLINE_BODY_LIMIT));
      },
    });
  });

  app.route({
    ...routes.get,
    // Archives never change: a cached answer is sent as stored bytes before validation runs.
    // A callback hook: an async one costs a promise and a microtask hop on every read.
    onRequest: (req, reply, done) => {
      const id = parseArchiveId((req.params as { id: string }).id);
      const cached = id === undefined ? undefined : cache.get(id);
      if (cached) sendBytes(reply, cached, 'application/json; charset=utf-8');
      else done();
    },
    handler: async (req, reply) => {
      // Cache hits were answered in onRequest; this is a miss.
      const id = requireId(req.params.id);
      const record = await requireRecord(store, id);
      let bytes: Buffer | undefined;
      if (record.size <= INLINE_BODY_LIMIT) bytes = await collect(store.readBody(record));
      const json = Buffer.from(JSON.stringify(toMedia(record, bytes, bytes === undefined)));
      cache.set(id, json);
      return sendBytes(reply, json, 'application/json; charset=utf-8');
    },
  });

  app.route({
    ...routes.body,
    handler: async (req, reply) => {
      const record = await requireRecord(store, requireId(req.params.id));
      const etag = etagOf(record.sha256);
      reply.headers({
        etag,
        'accept-ranges': 'bytes',
        'content-security-policy': 'sandbox',
        'x-content-type-options': 'nosniff',
        'cache-control': 'public, max-age=31536000, immutable',
      });
      const r = reply as unknown as FastifyReply;
      if (noneMatch(req.headers['if-none-match'], etag)) return r.code(304).send();
      const range = parseRange(req.headers.range, record.size, req.headers['if-range'] as string | undefined, etag);
      if (range.kind === 'unsatisfiable') {
        reply.header('content-range', `bytes */${record.size}`);
        throw appError('range_not_satisfiable', `the body has ${record.size} bytes`);
      }
      const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, record.size - 1];
      r.type(record.contentType ?? 'application/octet-stream');
      r.header('content-length', String(Math.max(0, end - start + 1)));
      if (range.kind === 'partial') r.code(206).header('content-range', `bytes ${start}-${end}/${record.size}`);
      if (record.size === 0) return r.send(Buffer.alloc(0));
      return r.send(Readable.from(store.readBody(record, start, end)));
    },
  });

  app.route({
    ...routes.list,
    handler: async (req) => {
      const limit = req.query.limit ?? 50;
      const beforeId = req.query.cursor !== undefined ? decodeCursor(req.query.cursor) : undefined;
      const records = await store.list({ limit, beforeId, url: req.query.url });
      const last = records.at(-1);
      return { items: records.map((r) => toMedia(r)), next_cursor: records.length === limit && last ? encodeCursor(last.id) : null };
    },
  });

  app.route({
    ...routes.health,
    config: { quiet: true, trace: false },
    handler: async (_req, reply) => {
      const ok = await store.ping();
      return reply.code(ok ? 200 : 503).type('text/plain; charset=utf-8').send(ok ? 'OK' : (store.problem?.() ?? 'database unavailable'));
    },
  });

  return app;
}

/** Sends bytes that already are the serialised answer (the response schema describes them). */
function sendBytes(reply: unknown, bytes: Buffer, type: string): FastifyReply {
  return (reply as FastifyReply).type(type).send(bytes);
}

/** Streams a raw-form body into the store, metadata from the X-Archive-* headers. */
async function createRaw(raw: IncomingMessage, contentType: string | undefined, store: ArchiveStore, maxBody: number, traceId: string | null): Promise<ArchiveRecord> {
  const headers = raw.headers;
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBody) throw appError('body_too_large', `the body is larger than the limit of ${maxBody} bytes`);
  const meta: ArchiveMeta = {
    status: parseStatus(headers[rawHeaders.status]),
    url: oneHeader(headers[rawHeaders.url], 'X-Archive-Url', 8192) ?? null,
    contentType: oneHeader(headers[rawHeaders.contentType], 'X-Archive-Content-Type', 256) ?? contentType ?? null,
    headers: parseHeaderMap(headers[rawHeaders.headers]),
    traceId,
  };
  return store.create(meta, raw, { maxBytes: maxBody });
}

function oneHeader(v: string | string[] | undefined, name: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) || v.length > max) throw appError('validation_failed', `headers.${name} must be one value of at most ${max} characters`);
  return v;
}

function parseStatus(v: string | string[] | undefined): number {
  if (v === undefined) return 200;
  const s = oneHeader(v, 'X-Archive-Status', 3)!;
  if (!/^[1-5]\d\d$/.test(s)) throw appError('validation_failed', 'headers.X-Archive-Status must be an HTTP status 100..599');
  return Number(s);
}

function parseHeaderMap(v: string | string[] | undefined): Record<string, string> {
  const text = oneHeader(v, 'X-Archive-Headers', 16384);
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw appError('validation_failed', 'headers.X-Archive-Headers must be a JSON object of strings');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((x) => typeof x === 'string')) {
    throw appError('validation_failed', 'headers.X-Archive-Headers must be a JSON object of strings');
  }
  return lowerKeys(parsed as Record<string, string>);
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function requireId(raw: string): number {
  const id = parseArchiveId(raw);
  if (id === undefined) throw appError('invalid_id', `archive ids are positive integers, got ${JSON.stringify(raw.slice(0, 40))}`);
  return id;
}

async function requireRecord(store: ArchiveStore, id: number): Promise<ArchiveRecord> {
  const record = await store.get(id);
  if (!record) throw appError('not_found', `archive ${id} does not exist`);
  return record;
}

async function collect(parts: AsyncIterable<Buffer>): Promise<Buffer> {
  const list: Buffer[] = [];
  for await (const p of parts) list.push(p);
  return list.length === 1 ? list[0]! : Buffer.concat(list);
}

function encodeCursor(id: number): string {
  return Buffer.from(`a:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^a:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  const id = m ? parseArchiveId(m[1]!) : undefined;
  if (id === undefined) throw appError('validation_failed', 'querystring.cursor is not a cursor this archiver issued');
  return id;
}
