/**
 * SigV4 verification for `POST /v1/traces`, as X-Ray's OTLP endpoint does it: the console
 * started with credentials recomputes each request's signature with AWS's own signer
 * (@smithy/signature-v4) over the headers the client signed and the body bytes as sent,
 * and refuses a missing, stale or wrong one with X-Ray's error shape (403, `__type` and
 * `x-amzn-ErrorType`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

import { XRayError } from '../xray/params.ts';
import type { AwsCredentials } from './sigv4-error.ts';

export type { AwsCredentials } from './sigv4-error.ts';

/** What verification needs from a request. */
export interface SignedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** SigV4 allows 15 minutes of clock skew. */
const MAX_SKEW_MS = 15 * 60_000;

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Returns a verifier for `credentials`; it resolves when the request is signed by them and throws an XRayError (AWS's `__type` and status) otherwise. */
export function sigv4Verifier(credentials: AwsCredentials, service = 'xray', nowMs: () => number = Date.now): (req: SignedRequest) => Promise<void> {
  return async (req) => {
    const authorization = header(req.headers, 'authorization');
    if (!authorization || !authorization.startsWith('AWS4-')) throw new XRayError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token');
    const m = AUTH.exec(authorization.trim());
    if (!m) throw new XRayError('IncompleteSignatureException', 400, 'Authorization header requires Credential, SignedHeaders and Signature parameters (AWS4-HMAC-SHA256)');
    const [, accessKeyId, day, region, scopeService, signedList, signature] = m as unknown as string[];
    if (accessKeyId !== credentials.accessKeyId) throw new XRayError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.');
    if (scopeService !== service) throw new XRayError('InvalidSignatureException', 403, `Credential should be scoped to correct service: '${service}'.`);
    const amzDate = header(req.headers, 'x-amz-date') ?? '';
    const d = AMZ_DATE.exec(amzDate);
    if (!d || amzDate.slice(0, 8) !== day) throw new XRayError('IncompleteSignatureException', 400, 'the request needs an X-Amz-Date header (YYYYMMDDTHHMMSSZ) matching the credential scope date');
    const signingDate = new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!));
    if (Math.abs(nowMs() - signingDate.getTime()) > MAX_SKEW_MS) {
      throw new XRayError('InvalidSignatureException', 403, `Signature expired: ${amzDate} is outside 15 minutes of the server's time ${new Date(nowMs()).toISOString()}.`);
    }
    const signed = signedList!.split(';');
    if (!signed.includes('host') || !signed.includes('x-amz-date')) throw new XRayError('InvalidSignatureException', 403, 'the signed headers must include host and x-amz-date');
    // A declared payload hash replaces the body in the signature: it must be the body's.
    const declared = header(req.headers, 'x-amz-content-sha256');
    if (declared !== undefined && declared !== createHash('sha256').update(req.body).digest('hex')) {
      throw new XRayError('InvalidSignatureException', 403, 'The provided x-amz-content-sha256 header does not match what was computed.');
    }
    // Recompute over exactly the headers the client signed.
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const value = header(req.headers, name);
      if (value === undefined) throw new XRayError('InvalidSignatureException', 403, `signed header ${name} is missing from the request`);
      headers[name] = value;
    }
    const url = new URL(req.url, 'http://x');
    const sessionToken = headers['x-amz-security-token'];
    const signer = new SignatureV4({ service, region: region!, credentials: { ...credentials, ...(sessionToken ? { sessionToken } : {}) }, sha256: Sha256, applyChecksum: false });
    const expected = await signer.sign(
      new HttpRequest({ method: req.method, hostname: headers.host ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: req.body }),
      { signingDate, signingRegion: region, signingService: service, signableHeaders: new Set(signed) },
    );
    const recomputed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? '';
    if (recomputed.length !== 64 || !timingSafeEqual(Buffer.from(recomputed), Buffer.from(signature!))) {
      throw new XRayError('InvalidSignatureException', 403, 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
  };
}
