/**
 * GetTimeSeriesServiceStatistics: per Period (60 s multiples), the counts X-Ray charts. With
 * no EntitySelectorExpression the series is the group's traces (each trace one request, its
 * response time and status); with `service("name")` it is the calls into that service, as the
 * service map counts them. ForecastStatistics adds a fault-count band from the earlier
 * periods (mean ± 2 standard deviations), standing in for X-Ray's forecast model.
 */
import { aggregateGraph, histogram, toXRayServices } from '../api/service-graph.ts';
import { findTraces } from '../api/query.ts';
import type { TraceRow } from '../store/summary.ts';
import { groupQuery, requestGroup } from './groups.ts';
import { InvalidRequest, str, timeRange, type XRayFamily } from './operation.ts';
import { MAX_GROUP_TRACES } from './traces.ts';

const MAX_POINTS = 1440;

interface Point {
  Timestamp: number;
  ServiceSummaryStatistics: Record<string, unknown>;
  ResponseTimeHistogram: { Value: number; Count: number }[];
  ServiceForecastStatistics?: { FaultCountHigh: number; FaultCountLow: number };
}

/** `service("name")` (the forms X-Ray's console sends); undefined for none. */
function entityService(expression: string | undefined): string | undefined {
  if (expression === undefined || expression.trim() === '') return undefined;
  const m = /^\s*service\(\s*(?:"((?:[^"\\]|\\.)*)"|id\(\s*name\s*:\s*"((?:[^"\\]|\\.)*)"[^)]*\))\s*\)\s*$/.exec(expression);
  if (!m) throw new InvalidRequest('EntitySelectorExpression must be service("name") or service(id(name: "name", type: "type"))');
  return (m[1] ?? m[2]!).replace(/\\(.)/g, '$1');
}

function traceStats(rows: TraceRow[]): Omit<Point, 'Timestamp'> {
  const errors = rows.filter((r) => r.error).length;
  const throttles = rows.filter((r) => r.throttle).length;
  const faults = rows.filter((r) => r.fault).length;
  const times = rows.map((r) => r.response_time);
  return {
    ServiceSummaryStatistics: {
      OkCount: rows.filter((r) => r.ok).length,
      ErrorStatistics: { ThrottleCount: throttles, OtherCount: errors - throttles, TotalCount: errors },
      FaultStatistics: { OtherCount: faults, TotalCount: faults },
      TotalCount: rows.length,
      TotalResponseTime: Math.round(times.reduce((a, b) => a + b, 0) * 1000) / 1000,
    },
    ResponseTimeHistogram: histogram(times),
  };
}

export const timeSeriesOperations: XRayFamily = ({ store, state }) => [
  {
    name: 'GetTimeSeriesServiceStatistics',
    path: '/TimeSeriesServiceStatistics',
    handler: (body) => {
      const { start, end } = timeRange(body);
      const group = requestGroup(state, body, false);
      const service = entityService(str(body, 'EntitySelectorExpression', 1, 500));
      const period = body.Period ?? 60;
      if (typeof period !== 'number' || !Number.isInteger(period) || period < 60 || period % 60 !== 0) throw new InvalidRequest('Period must be a multiple of 60 seconds');
      if (body.ForecastStatistics !== undefined && typeof body.ForecastStatistics !== 'boolean') throw new InvalidRequest('ForecastStatistics must be a boolean');
      const first = Math.floor(start / period) * period;
      const count = Math.ceil((end - first) / period) || 1;
      if (count > MAX_POINTS) throw new InvalidRequest(`the window holds ${count} periods of ${period} s; at most ${MAX_POINTS}`);
      const { rows } = findTraces(store, { since: start, until: end }, groupQuery(state, group), MAX_GROUP_TRACES);
      const buckets = new Map<number, TraceRow[]>();
      for (const row of rows) {
        const at = first + Math.floor((row.start_time - first) / period) * period;
        let b = buckets.get(at);
        if (b === undefined) buckets.set(at, (b = []));
        b.push(row);
      }
      const points: Point[] = [];
      for (const [at, bucket] of [...buckets].sort((a, b) => a[0] - b[0])) {
        if (service === undefined) {
          points.push({ Timestamp: at, ...traceStats(bucket) });
          continue;
        }
        const node = toXRayServices(aggregateGraph(store.graphs(0, 0, bucket.map((r) => r.id)))).find((s) => s.Name === service && s.SummaryStatistics !== undefined);
        if (node === undefined) continue;
        points.push({ Timestamp: at, ServiceSummaryStatistics: node.SummaryStatistics as Record<string, unknown>, ResponseTimeHistogram: node.ResponseTimeHistogram as Point['ResponseTimeHistogram'] });
      }
      if (body.ForecastStatistics === true) {
        const faults: number[] = [];
        for (const p of points) {
          const mean = faults.length ? faults.reduce((a, b) => a + b, 0) / faults.length : 0;
          const sd = faults.length ? Math.sqrt(faults.reduce((a, b) => a + (b - mean) ** 2, 0) / faults.length) : 0;
          p.ServiceForecastStatistics = { FaultCountHigh: Math.ceil(mean + 2 * sd), FaultCountLow: Math.max(0, Math.floor(mean - 2 * sd)) };
          faults.push((p.ServiceSummaryStatistics.FaultStatistics as { TotalCount: number }).TotalCount);
        }
      }
      return { TimeSeriesServiceStatistics: points, ContainsOldGroupVersions: false };
    },
  },
];
