/** Archive media: how a stored record is shown to clients. */
import { isUtf8 } from 'node:buffer';
import { archiveHref, type Archive } from './contract.ts';
import type { ArchiveRecord } from './store/types.ts';

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|x-ndjson|yaml|x-yaml|toml|graphql|ld\+json)\b|application\/[\w.+-]+\+(json|xml)\b|image\/svg\+xml\b)/i;

/** True for content types whose bytes are meant to be read as text. */
export function isTextual(contentType: string | null): boolean {
  return contentType !== null && TEXTUAL.test(contentType.trim());
}

/** Chooses how body bytes appear in JSON: UTF-8 text for valid UTF-8 textual documents, base64 otherwise. */
export function encodeBody(bytes: Buffer, contentType: string | null): { body: string; body_encoding: 'utf8' | 'base64' } {
  if (isTextual(contentType) && isUtf8(bytes)) return { body: bytes.toString('utf8'), body_encoding: 'utf8' };
  return { body: bytes.toString('base64'), body_encoding: 'base64' };
}

/** The media of a record; `body` present only when the bytes are given. */
export function toMedia(record: ArchiveRecord, bytes?: Buffer, truncated = false): Archive {
  const media: Archive = {
    href: archiveHref(record.id),
    id: record.id,
    status: record.status,
    body_encoding: isTextual(record.contentType) ? 'utf8' : 'base64',
    content_type: record.contentType,
    url: record.url,
    headers: record.headers,
    size: record.size,
    sha256: record.sha256,
    archived_at: record.archivedAt,
    trace_id: record.traceId,
  };
  if (bytes) Object.assign(media, encodeBody(bytes, record.contentType));
  if (truncated) media.body_truncated = true;
  return media;
}
