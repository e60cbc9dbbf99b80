/**
 * The two sampling API calls against the daemon address's TCP endpoint (the console, or
 * the real daemon's signing proxy), with undici, a 2 s timeout and a bounded response.
 * Responses are checked the way aws-xray-sdk-node checks them (XRAY-REFERENCE §7.2).
 */
import { request } from 'undici';
import type { Endpoint } from '../wire/daemon-address.ts';
import type { SamplingRule, SamplingStatisticsDocument, SamplingTargetDocument } from '../wire/sampling/wire.ts';

/** Every sampling API call gives up after this long. */
export const SAMPLING_CALL_TIMEOUT_MS = 2000;
/** Larger answers are refused (a rules page is a few kB). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** A GetSamplingTargets answer reduced to what the sampler uses. */
export interface TargetsAnswer {
  targets: SamplingTargetDocument[];
  /** Epoch seconds. */
  lastRuleModification: number;
}

/** Calls the sampling API. Both methods reject with an Error that says what failed. */
export interface SamplingClient {
  getSamplingRules(): Promise<SamplingRule[]>;
  getSamplingTargets(docs: SamplingStatisticsDocument[]): Promise<TargetsAnswer>;
}

/** Options of createSamplingClient. */
export interface SamplingClientOptions {
  timeoutMs?: number;
  /** Aborts every call in flight (the sampler's shutdown). */
  signal?: AbortSignal;
}

/** A client for `http://host:port`. */
export function createSamplingClient(endpoint: Endpoint, options: SamplingClientOptions = {}): SamplingClient {
  const timeoutMs = options.timeoutMs ?? SAMPLING_CALL_TIMEOUT_MS;
  const origin = `http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;

  async function post(path: string, body: unknown): Promise<unknown> {
    const res = await request(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    });
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_RESPONSE_BYTES) {
        res.body.destroy();
        throw new Error(`POST ${origin}${path}: response larger than ${MAX_RESPONSE_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (res.statusCode !== 200) throw new Error(`POST ${origin}${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`POST ${origin}${path}: response is not JSON`);
    }
  }

  return {
    async getSamplingRules() {
      const json = (await post('/GetSamplingRules', {})) as { SamplingRuleRecords?: unknown } | null;
      if (json === null || typeof json !== 'object' || !Array.isArray(json.SamplingRuleRecords)) {
        throw new Error(`POST ${origin}/GetSamplingRules: response has no SamplingRuleRecords list`);
      }
      const rules: SamplingRule[] = [];
      for (const record of json.SamplingRuleRecords as { SamplingRule?: unknown }[]) {
        const rule = record?.SamplingRule;
        if (isUsableRule(rule)) rules.push(rule);
      }
      return rules;
    },
    async getSamplingTargets(docs) {
      const json = (await post('/SamplingTargets', { SamplingStatisticsDocuments: docs })) as Record<string, unknown> | null;
      const last = json?.LastRuleModification;
      if (typeof last !== 'number' || !last) throw new Error(`POST ${origin}/SamplingTargets: response has no LastRuleModification`);
      const targets = Array.isArray(json!.SamplingTargetDocuments) ? json!.SamplingTargetDocuments : [];
      return {
        targets: targets.filter((t): t is SamplingTargetDocument => t !== null && typeof t === 'object' && typeof t.RuleName === 'string'),
        lastRuleModification: last,
      };
    },
  };
}

/**
 * aws-xray-sdk-node's rule filter: version 1, any resource, no attributes (we cannot see
 * them), and the fields matching needs. Matchers must be strings so patterns compile.
 */
function isUsableRule(value: unknown): value is SamplingRule {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  const attributes = r.Attributes;
  const strings = ['RuleName', 'ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath'].every((k) => typeof r[k] === 'string' && r[k] !== '');
  return (
    r.Version === 1 &&
    r.ResourceARN === '*' &&
    attributes !== null && typeof attributes === 'object' && Object.keys(attributes).length === 0 &&
    strings &&
    typeof r.Priority === 'number' && r.Priority > 0 &&
    typeof r.FixedRate === 'number' &&
    typeof r.ReservoirSize === 'number'
  );
}
