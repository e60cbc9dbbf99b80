/**
 * OTLP straight to AWS X-Ray (`https://xray.<region>.amazonaws.com/v1/traces`), AWS's path
 * after the X-Ray daemon: each request signed with SigV4 (service `xray`) by AWS's own
 * signer (@smithy/signature-v4) with the default credential chain
 * (@aws-sdk/credential-provider-node: env, shared files, SSO, web identity, ECS, IMDS).
 * The batches, headers, compression and timeout are the ones OTEL_EXPORTER_OTLP_* give the
 * official exporter; only the transport differs, because a signature covers the body bytes
 * (gzip included) and the official transport compresses while it sends.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { createOtlpNetworkExportDelegate } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExporterMetrics } from '@opentelemetry/otlp-exporter-base/node-http';
import { concatSerializer, type Batch, type BatchExporter } from './otlp-processor.ts';

/** Where a signed export goes and for which region. */
export interface SigV4Target {
  url: string;
  region: string;
}

const MAX_ATTEMPTS = 5;
const MAX_RESPONSE_BYTES = 64 * 1024;

/** One signed POST; the answer as the OTLP exporter base expects it. */
function post(url: URL, headers: Record<string, string>, body: Uint8Array, timeoutMs: number): Promise<ExportResponse> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
      });
      res.on('error', (error) => resolve({ status: 'retryable', error }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks);
        if (status >= 200 && status < 300) return resolve({ status: 'success', data: text });
        const retryAfter = Number(res.headers['retry-after']);
        if ([429, 502, 503, 504].includes(status)) return resolve({ status: 'retryable', retryInMillis: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined });
        const type = res.headers['x-amzn-errortype'];
        resolve({ status: 'failure', error: new Error(`OTLP export refused: HTTP ${status}${type ? ` ${String(type).split(':')[0]}` : ''}: ${text.toString('utf8').slice(0, 300)}`) });
      });
    });
    // The whole exchange, not only idle time, is bounded by the export timeout.
    const timer = setTimeout(() => req.destroy(new Error(`OTLP export timed out after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`OTLP export timed out after ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 'retryable', error }));
    req.end(body);
  });
}

/** Fixed credentials or a provider, as the signer takes them. */
type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** AWS's signer and credential chain, loaded on the first export (they cost about a second of start-up). */
async function loadSigner(region: string, credentials?: Credentials) {
  const [{ SignatureV4 }, { Sha256 }, { HttpRequest }, chain] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@smithy/core/checksum'),
    import('@smithy/protocol-http'),
    credentials ? undefined : import('@aws-sdk/credential-provider-node'),
  ]);
  const signer = new SignatureV4({ service: 'xray', region, credentials: credentials ?? chain!.defaultProvider(), sha256: Sha256 });
  return { signer, HttpRequest };
}

/** A transport that compresses, signs and posts each request, retrying as the official one does (5 attempts, backoff, Retry-After). */
export function sigv4Transport(target: SigV4Target, config: ReturnType<typeof convertLegacyHttpOptions>, credentials?: Credentials): IExporterTransport {
  const url = new URL(target.url);
  let loaded: ReturnType<typeof loadSigner> | undefined;
  const attempt = async (data: Uint8Array, timeoutMs: number): Promise<ExportResponse> => {
    const { signer, HttpRequest } = await (loaded ??= loadSigner(target.region, credentials));
    const headers: Record<string, string> = { ...(await config.headers()), host: url.host };
    let body = data;
    if (config.compression === 'gzip') {
      body = gzipSync(data);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(body.length);
    let signed;
    try {
      signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body }));
    } catch (error) {
      // No credentials anywhere in the chain: retrying will not find them.
      return { status: 'failure', error: new Error(`cannot sign the OTLP export (AWS credentials): ${(error as Error).message}`) };
    }
    return post(url, signed.headers as Record<string, string>, body, timeoutMs);
  };
  return {
    async send(data, timeoutMillis) {
      const deadline = Date.now() + timeoutMillis;
      let backoff = 1000;
      let result = await attempt(data, timeoutMillis);
      for (let n = 1; result.status === 'retryable' && n < MAX_ATTEMPTS; n++) {
        const wait = result.retryInMillis ?? backoff * (0.8 + Math.random() * 0.4);
        backoff = Math.min(backoff * 1.5, 5000);
        if (Date.now() + wait >= deadline) break;
        await new Promise((r) => setTimeout(r, wait).unref());
        result = await attempt(data, deadline - Date.now());
      }
      return result;
    },
    shutdown() {},
  };
}

/** The otlp exporter's batches, signed: OTEL_EXPORTER_OTLP_* for headers, compression and timeout, AWS's signer and credential chain. */
export function sigv4BatchExporter(target: SigV4Target): BatchExporter {
  const config = convertLegacyHttpOptions({ url: target.url }, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  const metrics = createOtlpHttpExporterMetrics('otlp_http_span_exporter', { name: 'span', countItems: (batch: Batch) => batch.spans }, target.url, undefined);
  return createOtlpNetworkExportDelegate(config, concatSerializer, metrics, sigv4Transport(target, config));
}
