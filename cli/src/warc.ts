/** WARC/1.1 records (ISO 28500) for `archiver-cli export --warc`. */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Archive } from '@tfa/archiver/contract';

const CRLF = '\r\n';

function header(fields: [string, string][]): string {
  return `WARC/1.1${CRLF}${fields.map(([k, v]) => `${k}: ${v}`).join(CRLF)}${CRLF}${CRLF}`;
}

/** The warcinfo record that opens the file. */
export function warcinfo(software: string): Buffer {
  const body = Buffer.from(`software: ${software}${CRLF}format: WARC File Format 1.1${CRLF}`);
  return Buffer.concat([
    Buffer.from(
      header([
        ['WARC-Type', 'warcinfo'],
        ['WARC-Record-ID', `<urn:uuid:${randomUUID()}>`],
        ['WARC-Date', new Date().toISOString().replace(/\.\d+Z$/, 'Z')],
        ['Content-Type', 'application/warc-fields'],
        ['Content-Length', String(body.length)],
      ]),
    ),
    body,
    Buffer.from(CRLF + CRLF),
  ]);
}

/** The head of a response record (everything before the body bytes) and its tail. */
export function responseRecord(archive: Archive & { url: string }): { head: Buffer; tail: Buffer } {
  const httpHeaders: string[] = [];
  for (const [k, v] of Object.entries(archive.headers)) {
    if (k === 'content-length' || k === 'transfer-encoding' || k === 'connection') continue;
    httpHeaders.push(`${k}: ${v.replace(/[\r\n]+/g, ' ')}`);
  }
  if (!('content-type' in archive.headers) && archive.content_type) httpHeaders.push(`content-type: ${archive.content_type}`);
  httpHeaders.push(`content-length: ${archive.size}`);
  const httpHead = Buffer.from(`HTTP/1.1 ${archive.status} ${STATUS_CODES[archive.status] ?? ''}${CRLF}${httpHeaders.join(CRLF)}${CRLF}${CRLF}`);
  const head = header([
    ['WARC-Type', 'response'],
    ['WARC-Record-ID', `<urn:uuid:${randomUUID()}>`],
    ['WARC-Date', archive.archived_at.replace(/\.\d+Z$/, 'Z')],
    ['WARC-Target-URI', archive.url],
    ['WARC-Payload-Digest', `sha256:${archive.sha256}`],
    ['Content-Type', 'application/http;msgtype=response'],
    ['Content-Length', String(httpHead.length + archive.size)],
  ]);
  return { head: Buffer.concat([Buffer.from(head), httpHead]), tail: Buffer.from(CRLF + CRLF) };
}
