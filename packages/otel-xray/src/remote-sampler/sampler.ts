/**
 * `OTEL_TRACES_SAMPLER=xray`: X-Ray centralized sampling as an OTel Sampler, like OTel's
 * sampler-aws-xray and aws-xray-sdk-node. Rules come from `POST /GetSamplingRules` on the
 * daemon address's TCP endpoint every 5 minutes; every 10 s the per-rule statistics go to
 * `POST /SamplingTargets`, which answers with this process's reservoir quota. Until rules
 * arrive, or when they are over an hour old, the SDKs' local default applies (1/s + 5 %).
 * Sampling never throws and never waits: polling runs on unref'd timers in the root
 * context (so the undici instrumentation does not trace it), and a failure only logs.
 * Decides root spans only: setup wraps it so that parents' decisions are honoured.
 */
import { randomBytes } from 'node:crypto';
import { context, ROOT_CONTEXT, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import type { Endpoint } from '../wire/daemon-address.ts';
import { createSamplingClient } from './client.ts';
import { createFallbackSampler } from '../wire/sampling/fallback.ts';
import { CentralRule, type SampleRequest } from '../wire/sampling/rule.ts';
import type { SamplingStatisticsDocument } from '../wire/sampling/wire.ts';

/** Rules are re-fetched this often (plus up to 1/60 of it as jitter, 5 s by default). */
export const DEFAULT_RULES_INTERVAL_MS = 300_000;
/** Statistics are reported this often (plus up to 1 % jitter). */
export const DEFAULT_TARGETS_INTERVAL_MS = 10_000;
/** Rules older than this are no longer trusted and the local default applies. */
export const RULE_CACHE_TTL_MS = 3_600_000;
/** GetSamplingTargets takes at most this many statistics documents per call. */
const MAX_DOCUMENTS_PER_CALL = 25;

/** The subset of a pino logger the sampler uses. */
export interface SamplerLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Options of createXRayRemoteSampler. */
export interface XRayRemoteSamplerOptions {
  /** The daemon address's TCP endpoint (trace-console, or the X-Ray daemon's proxy). */
  endpoint: Endpoint;
  /** The resource's service.name, matched against each rule's ServiceName. */
  serviceName: string;
  pollingIntervalMs?: number;
  targetIntervalMs?: number;
  logger?: SamplerLogger;
  /** Clock in epoch ms for decisions and rule age (tests simulate time; timers stay real). */
  now?: () => number;
  /** Uniform [0, 1) source for fixed-rate decisions. */
  random?: () => number;
}

/** The sampler plus its lifecycle. */
export interface XRayRemoteSampler extends Sampler {
  /** This process's 24-hex-digit ClientID in statistics documents. */
  readonly clientId: string;
  /** Settles (never rejects) when the first rules fetch has succeeded or failed. */
  readonly ready: Promise<void>;
  /** Fetches the rules now (the timer does this every pollingIntervalMs). */
  refreshRules(): Promise<void>;
  /** Reports statistics and loads quotas now (the timer does this every targetIntervalMs). */
  reportStatistics(): Promise<void>;
  /** Stops the timers and aborts calls in flight. */
  shutdown(): void;
}

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
const SILENT: SamplerLogger = { warn() {}, info() {}, debug() {} };

/** Starts polling the sampling API and returns the sampler. */
export function createXRayRemoteSampler(options: XRayRemoteSamplerOptions): XRayRemoteSampler {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? SILENT;
  const rulesEvery = options.pollingIntervalMs ?? DEFAULT_RULES_INTERVAL_MS;
  const targetsEvery = options.targetIntervalMs ?? DEFAULT_TARGETS_INTERVAL_MS;
  const stop = new AbortController();
  const client = createSamplingClient(options.endpoint, { signal: stop.signal });
  const clientId = randomBytes(12).toString('hex');
  const fallback = createFallbackSampler();
  const where = `${options.endpoint.host}:${options.endpoint.port}`;

  let rules: CentralRule[] = [];
  let fetchedAt: number | undefined;
  let rulesInFlight: Promise<void> | undefined;
  let targetsInFlight: Promise<void> | undefined;
  let failing = false;
  const timers = new Set<NodeJS.Timeout>();

  const failed = (call: string, err: unknown) => {
    if (stop.signal.aborted) return;
    const fields = { endpoint: where, call, err: (err as Error).message };
    // One warning per outage; the console is optional, so the rest is debug noise.
    if (!failing) logger.warn(fields, 'X-Ray sampling API unavailable; keeping the last rules, or 1 request/s + 5 % without them');
    else logger.debug(fields, 'X-Ray sampling call failed');
    failing = true;
  };
  const succeeded = () => {
    if (failing) logger.info({ endpoint: where }, 'X-Ray sampling API reachable again');
    failing = false;
  };

  function refreshRules(): Promise<void> {
    rulesInFlight ??= context
      .with(ROOT_CONTEXT, () => client.getSamplingRules())
      .then((fetched) => {
        const old = new Map(rules.map((r) => [r.rule.RuleName, r]));
        const next = fetched.map((rule) => new CentralRule(rule));
        for (const rule of next) {
          const previous = old.get(rule.rule.RuleName);
          if (previous) rule.inherit(previous);
        }
        next.sort((a, b) => a.rule.Priority - b.rule.Priority || (a.rule.RuleName < b.rule.RuleName ? -1 : 1));
        rules = next;
        fetchedAt = now();
        succeeded();
      }, (err) => failed('GetSamplingRules', err))
      .finally(() => (rulesInFlight = undefined));
    return rulesInFlight;
  }

  function reportStatistics(): Promise<void> {
    targetsInFlight ??= context.with(ROOT_CONTEXT, sendStatistics).finally(() => (targetsInFlight = undefined));
    return targetsInFlight;
  }

  async function sendStatistics(): Promise<void> {
    const nowMs = now();
    const docs = rules.map((r) => r.report(clientId, nowMs)).filter((d): d is SamplingStatisticsDocument => d !== undefined);
    for (let i = 0; i < docs.length; i += MAX_DOCUMENTS_PER_CALL) {
      let answer;
      try {
        answer = await client.getSamplingTargets(docs.slice(i, i + MAX_DOCUMENTS_PER_CALL));
      } catch (err) {
        failed('GetSamplingTargets', err);
        return;
      }
      succeeded();
      const byName = new Map(rules.map((r) => [r.rule.RuleName, r]));
      for (const target of answer.targets) byName.get(target.RuleName)?.applyTarget(target);
      // The service changed its rules since we fetched them: fetch again now, not in 5 minutes.
      if (fetchedAt !== undefined && answer.lastRuleModification * 1000 > fetchedAt) void refreshRules();
    }
  }

  const every = (run: () => Promise<void>, intervalMs: number, jitterMs: number) => {
    const arm = () => {
      if (stop.signal.aborted) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        run()
          .catch((err: unknown) => logger.debug({ err: (err as Error).message }, 'X-Ray sampling poll failed'))
          .finally(arm);
      }, intervalMs + Math.random() * jitterMs);
      timer.unref();
      timers.add(timer);
    };
    arm();
  };

  const ready = context.with(ROOT_CONTEXT, () => {
    every(refreshRules, rulesEvery, rulesEvery / 60);
    every(reportStatistics, targetsEvery, targetsEvery / 100);
    return refreshRules();
  });

  return {
    clientId,
    ready,
    refreshRules,
    reportStatistics,
    shutdown() {
      stop.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    shouldSample(_ctx, _traceId, _name, _kind, attributes): SamplingResult {
      try {
        const nowMs = now();
        if (fetchedAt === undefined || nowMs - fetchedAt > RULE_CACHE_TTL_MS) return fallback(nowMs, random) ? SAMPLED : NOT_SAMPLED;
        const request = sampleRequest(options.serviceName, attributes);
        for (const rule of rules) if (rule.matches(request)) return rule.sample(nowMs, random) ? SAMPLED : NOT_SAMPLED;
        return fallback(nowMs, random) ? SAMPLED : NOT_SAMPLED;
      } catch (err) {
        logger.debug({ err: (err as Error).message }, 'X-Ray sampling decision failed; using the local default');
        return fallback(Date.now(), Math.random) ? SAMPLED : NOT_SAMPLED;
      }
    },
    toString() {
      return `XRayRemoteSampler{endpoint=${where}, rules=${rules.length}}`;
    },
  };
}

/** What rules match on, from the span's start attributes (current and older HTTP semantic conventions). */
export function sampleRequest(serviceName: string, attributes: Attributes): SampleRequest {
  const method = text(attributes['http.request.method']) ?? text(attributes['http.method']);
  const url = text(attributes['url.full']) ?? text(attributes['http.url']);
  // Without any URL the path is taken as "/" (OTel's sampler-aws-xray does the same).
  const path = text(attributes['url.path']) ?? (url !== undefined ? pathOf(url) : undefined) ?? '/';
  const host = text(attributes['server.address']) ?? text(attributes['http.host']);
  return { serviceName, method, path, host };
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The path of an absolute URL without query or fragment; cheaper than `new URL` per request. */
function pathOf(url: string): string | undefined {
  const scheme = url.indexOf('://');
  if (scheme < 0) return undefined;
  const start = url.slice(scheme + 3).search(/[/?#]/);
  if (start < 0 || url[scheme + 3 + start] !== '/') return '/';
  const rest = url.slice(scheme + 3 + start);
  const end = rest.search(/[?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}
