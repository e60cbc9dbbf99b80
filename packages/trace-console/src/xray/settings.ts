/**
 * Account settings: GetEncryptionConfig / PutEncryptionConfig, GetIndexingRules /
 * UpdateIndexingRule, GetTraceSegmentDestination / UpdateTraceSegmentDestination (persisted;
 * the console stores every trace locally whatever they say, and changes apply at once, so
 * statuses are ACTIVE), and PutTelemetryRecords (the daemons' and agents' own counters,
 * summed under `xray.telemetry` in `GET /api/diagnostics`).
 */
import { InvalidRequest, page, ResourceNotFound, str, time, type Body, type XRayFamily } from './operation.ts';

interface EncryptionConfig {
  KeyId?: string;
  Status: 'ACTIVE';
  Type: 'NONE' | 'KMS';
}

interface IndexingRule {
  Name: string;
  ModifiedAt: number;
  Rule: { Probabilistic: { DesiredSamplingPercentage: number } };
}

/** X-Ray's one indexing rule (Transaction Search indexes 1 % of spans by default). */
const DEFAULT_INDEXING: IndexingRule = { Name: 'Default', ModifiedAt: 0, Rule: { Probabilistic: { DesiredSamplingPercentage: 1 } } };
const DESTINATIONS = ['XRay', 'CloudWatchLogs'] as const;
const MAX_TELEMETRY_RECORDS = 1000;
const MAX_TELEMETRY_SENDERS = 100;

const COUNTS = ['SegmentsReceivedCount', 'SegmentsSentCount', 'SegmentsSpilloverCount', 'SegmentsRejectedCount'] as const;
const BACKEND_ERRORS = ['TimeoutCount', 'ConnectionRefusedCount', 'HTTPCode4XXCount', 'HTTPCode5XXCount', 'UnknownHostCount', 'OtherCount'] as const;

/** What PutTelemetryRecords has brought in since the console started. */
interface TelemetryTotals {
  requests: number;
  records: number;
  segments_received: number;
  segments_sent: number;
  segments_spillover: number;
  segments_rejected: number;
  backend_connection_errors: number;
  last_at: string | null;
  /** Records per sender (Hostname, EC2InstanceId, ResourceARN or the address), most recent senders only. */
  senders: Record<string, number>;
}

function count(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new InvalidRequest(`${name} must be a non-negative integer`);
  return value;
}

export const settingsOperations: XRayFamily = ({ state, stats }) => {
  const telemetry: TelemetryTotals = {
    requests: 0, records: 0, segments_received: 0, segments_sent: 0, segments_spillover: 0, segments_rejected: 0, backend_connection_errors: 0, last_at: null, senders: {},
  };
  stats.telemetry = telemetry;
  const indexingRules = (): IndexingRule[] => [state.get<IndexingRule>('setting', 'indexing:Default') ?? DEFAULT_INDEXING];
  const destination = () => ({ Destination: state.get<string>('setting', 'destination') ?? 'XRay', Status: 'ACTIVE' });
  return [
    {
      name: 'GetEncryptionConfig',
      path: '/EncryptionConfig',
      handler: () => ({ EncryptionConfig: state.get<EncryptionConfig>('setting', 'encryption') ?? { Status: 'ACTIVE', Type: 'NONE' } }),
    },
    {
      name: 'PutEncryptionConfig',
      path: '/PutEncryptionConfig',
      write: true,
      handler: (body) => {
        const type = body.Type;
        if (type !== 'NONE' && type !== 'KMS') throw new InvalidRequest('Type must be NONE or KMS');
        const keyId = str(body, 'KeyId', 1, 3000);
        if (type === 'NONE' && keyId !== undefined) throw new InvalidRequest('KeyId must be left out when Type is NONE');
        const config: EncryptionConfig = { ...(type === 'KMS' ? { KeyId: keyId ?? 'alias/aws/xray' } : {}), Status: 'ACTIVE', Type: type };
        state.put('setting', 'encryption', config);
        return { EncryptionConfig: config };
      },
    },
    {
      name: 'GetIndexingRules',
      path: '/GetIndexingRules',
      handler: (body) => {
        const { items, NextToken } = page(indexingRules(), body.NextToken, 100);
        return { IndexingRules: items, ...(NextToken ? { NextToken } : {}) };
      },
    },
    {
      name: 'UpdateIndexingRule',
      path: '/UpdateIndexingRule',
      write: true,
      handler: (body) => {
        const name = str(body, 'Name', 1, 100, true);
        if (name !== DEFAULT_INDEXING.Name) throw new ResourceNotFound(`indexing rule ${name} not found; the only rule is Default`, name);
        const rule = body.Rule as { Probabilistic?: { DesiredSamplingPercentage?: unknown } } | undefined;
        const pct = rule?.Probabilistic?.DesiredSamplingPercentage;
        if (typeof pct !== 'number' || !(pct >= 0 && pct <= 100)) throw new InvalidRequest('Rule.Probabilistic.DesiredSamplingPercentage must be a number from 0 to 100');
        const updated: IndexingRule = { Name: name, ModifiedAt: Math.floor(Date.now() / 1000), Rule: { Probabilistic: { DesiredSamplingPercentage: pct } } };
        state.put('setting', 'indexing:Default', updated);
        return { IndexingRule: updated };
      },
    },
    { name: 'GetTraceSegmentDestination', path: '/GetTraceSegmentDestination', handler: () => destination() },
    {
      name: 'UpdateTraceSegmentDestination',
      path: '/UpdateTraceSegmentDestination',
      write: true,
      handler: (body) => {
        const d = body.Destination;
        if (d !== undefined && !DESTINATIONS.includes(d as (typeof DESTINATIONS)[number])) throw new InvalidRequest(`Destination must be one of ${DESTINATIONS.join(', ')}`);
        if (d !== undefined) state.put('setting', 'destination', d);
        return destination();
      },
    },
    {
      name: 'PutTelemetryRecords',
      path: '/TelemetryRecords',
      handler: (body: Body, { ip }) => {
        const records = body.TelemetryRecords;
        if (!Array.isArray(records)) throw new InvalidRequest('TelemetryRecords is required');
        if (records.length > MAX_TELEMETRY_RECORDS) throw new InvalidRequest(`TelemetryRecords may hold at most ${MAX_TELEMETRY_RECORDS} records`);
        const sums = { SegmentsReceivedCount: 0, SegmentsSentCount: 0, SegmentsSpilloverCount: 0, SegmentsRejectedCount: 0, errors: 0 };
        records.forEach((raw, i) => {
          if (raw === null || typeof raw !== 'object') throw new InvalidRequest(`TelemetryRecords[${i}] must be an object`);
          const r = raw as Body;
          time(r.Timestamp, `TelemetryRecords[${i}].Timestamp`, true);
          for (const k of COUNTS) sums[k] += count(r[k], `TelemetryRecords[${i}].${k}`);
          const b = (r.BackendConnectionErrors ?? {}) as Body;
          for (const k of BACKEND_ERRORS) sums.errors += count(b[k], `TelemetryRecords[${i}].BackendConnectionErrors.${k}`);
        });
        const sender = str(body, 'Hostname', 0, 255) || str(body, 'EC2InstanceId', 0, 20) || str(body, 'ResourceARN', 0, 500) || ip;
        telemetry.requests++;
        telemetry.records += records.length;
        telemetry.segments_received += sums.SegmentsReceivedCount;
        telemetry.segments_sent += sums.SegmentsSentCount;
        telemetry.segments_spillover += sums.SegmentsSpilloverCount;
        telemetry.segments_rejected += sums.SegmentsRejectedCount;
        telemetry.backend_connection_errors += sums.errors;
        telemetry.last_at = new Date().toISOString();
        const previous = telemetry.senders[sender] ?? 0;
        delete telemetry.senders[sender];
        telemetry.senders[sender] = previous + records.length;
        const names = Object.keys(telemetry.senders);
        if (names.length > MAX_TELEMETRY_SENDERS) delete telemetry.senders[names[0]!];
        return {};
      },
    },
  ];
};
