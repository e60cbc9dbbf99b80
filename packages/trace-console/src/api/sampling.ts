/**
 * The console's sampling routes: `GET /api/sampling` (every rule, in matching order, with
 * what the SDKs reported for it through GetSamplingTargets) and `POST /api/sampling/explain`
 * (which rule a request matches, why the ones before it did not, and the reservoir and rate
 * that apply now). Rules change through the X-Ray API (CreateSamplingRule and the rest).
 */
import type { App } from '@tfa/service-kit/http';
import { routeSchemas } from './contract.ts';
import { explainSampling, type SamplingExplanation, type SamplingRequest } from '../sampling/explain.ts';
import type { ReservoirGrant, SamplingService } from '../sampling/service.ts';

/** The explanation with what the console grants now for the matching rule. */
export interface SamplingAnswer extends SamplingExplanation {
  /** The quota each client active for the rule gets now (the rule's reservoir split among them). */
  grants: { active_clients: number; clients: { client_id: string; reservoir_quota: number }[] };
}

/** Explains a request against the console's current rules (also the MCP tool's answer). */
export function explainNow(sampling: SamplingService, request: SamplingRequest): SamplingAnswer {
  const explanation = explainSampling(sampling.getSamplingRules({}).SamplingRuleRecords.map((r) => r.SamplingRule), request);
  const grants: ReservoirGrant[] = explanation.rule ? sampling.grants(explanation.rule) : [];
  return { ...explanation, grants: { active_clients: grants.length, clients: grants.map((g) => ({ client_id: g.ClientID, reservoir_quota: g.ReservoirQuota })) } };
}

/** Every rule (GetSamplingRules' record) with its counters: the current 1-minute window and the totals since start. */
export function samplingOverview(sampling: SamplingService) {
  const windows = new Map(sampling.statisticSummaries().map((s) => [s.RuleName, s]));
  const totals = new Map(sampling.statistics().map((s) => [s.RuleName, s]));
  return {
    rules: sampling.getSamplingRules({}).SamplingRuleRecords.map((record) => {
      const w = windows.get(record.SamplingRule.RuleName);
      const t = totals.get(record.SamplingRule.RuleName);
      return {
        ...record,
        window: w ? { start: w.Timestamp, requests: w.RequestCount, sampled: w.SampledCount, borrowed: w.BorrowCount } : null,
        totals: { requests: t?.RequestCount ?? 0, sampled: t?.SampledCount ?? 0, borrowed: t?.BorrowCount ?? 0 },
        active_clients: t?.ActiveClients ?? 0,
      };
    }),
  };
}

/** Registers the routes. */
export function registerSamplingRoutes(app: App, sampling: SamplingService): void {
  app.get('/api/sampling', { schema: routeSchemas.sampling }, async () =>
    samplingOverview(sampling),
  );
  app.post('/api/sampling/explain', { schema: routeSchemas.samplingExplain }, async (req) =>
    explainNow(sampling, (req.body ?? {}) as SamplingRequest),
  );
}
