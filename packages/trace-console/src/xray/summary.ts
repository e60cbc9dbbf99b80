/**
 * X-Ray's `TraceSummary` (XRAY-REFERENCE §7.2) from a stored summary row and the trace's
 * filter model: the same facts the console list shows, in AWS's member names.
 */
import type { AnnotationValue, FilterNode, FilterRootCause, FilterTrace } from '../model/index.ts';
import type { TraceRow } from '../store/summary.ts';

type ServiceId = { Name: string; Names: string[]; Type: string; AccountId?: string };

function serviceId(node: { name: string; type: string; accountId?: string }): ServiceId {
  return { Name: node.name, Names: [node.name], Type: node.type, ...(node.accountId ? { AccountId: node.accountId } : {}) };
}

function annotationValue(v: AnnotationValue): Record<string, unknown> {
  if (typeof v === 'number') return { NumberValue: v };
  if (typeof v === 'boolean') return { BooleanValue: v };
  return { StringValue: v };
}

function rootCauses(list: FilterRootCause[] | undefined, withExceptions: boolean): unknown[] {
  return (list ?? []).map((rc) => ({
    Services: [
      {
        Name: rc.service.name,
        Names: [rc.service.name],
        Type: rc.service.type,
        ...(rc.service.accountId ? { AccountId: rc.service.accountId } : {}),
        Inferred: rc.service.inferred,
        EntityPath: rc.entities.map((e) => ({
          Name: e.name,
          ...(withExceptions ? { Exceptions: e.exceptions.map((x) => ({ Name: x.name, Message: x.message })), Remote: e.remote } : { Coverage: e.coverage ?? 0, Remote: e.remote }),
        })),
      },
    ],
    ClientImpacting: true,
  }));
}

/** The TraceSummary of one trace. */
export function toTraceSummary(row: TraceRow, trace: FilterTrace | undefined): Record<string, unknown> {
  const nodes: FilterNode[] = trace?.services ?? [];
  const annotations: Record<string, unknown[]> = {};
  for (const [key, values] of Object.entries(row.annotations)) {
    annotations[key] = values.map((v) => ({
      AnnotationValue: annotationValue(v),
      ServiceIds: nodes.filter((n) => n.annotations[key]?.includes(v)).map(serviceId),
    }));
  }
  const http: Record<string, unknown> = {};
  if (row.http_url !== null) http.HttpURL = row.http_url;
  if (row.http_status !== null) http.HttpStatus = row.http_status;
  if (row.http_method !== null) http.HttpMethod = row.http_method;
  if (trace?.http.useragent !== undefined) http.UserAgent = trace.http.useragent;
  if (trace?.http.clientip !== undefined) http.ClientIp = trace.http.clientip;
  const entry = nodes.find((n) => n.root);
  const summary: Record<string, unknown> = {
    Id: row.id,
    StartTime: row.start_time,
    Duration: row.duration,
    ResponseTime: row.response_time,
    HasFault: row.fault === 1,
    HasError: row.error === 1,
    HasThrottle: row.throttle === 1,
    IsPartial: row.partial === 1,
    Http: http,
    Annotations: annotations,
    Users: (trace?.users ?? []).map((u) => ({ UserName: u, ServiceIds: nodes.filter((n) => n.users.includes(u)).map(serviceId) })),
    ServiceIds: nodes.map(serviceId),
    ResourceARNs: [...new Set(nodes.flatMap((n) => (n.resourceArn ? [n.resourceArn] : [])))].map((ARN) => ({ ARN })),
    InstanceIds: [...new Set(nodes.flatMap((n) => (n.instanceId ? [n.instanceId] : [])))].map((Id) => ({ Id })),
    AvailabilityZones: [...new Set(nodes.flatMap((n) => (n.availabilityZone ? [n.availabilityZone] : [])))].map((Name) => ({ Name })),
    FaultRootCauses: rootCauses(trace?.faultRootCauses, true),
    ErrorRootCauses: rootCauses(trace?.errorRootCauses, true),
    ResponseTimeRootCauses: rootCauses(trace?.responseTimeRootCauses, false),
    Revision: row.revision,
    MatchedEventTime: row.start_time,
  };
  if (entry) summary.EntryPoint = serviceId(entry);
  return summary;
}
