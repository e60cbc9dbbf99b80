/**
 * Why one trace is incomplete (`GET /api/traces/{id}/diagnosis`): each finding with its
 * evidence and the fix. Read from the trace's documents (missing parents and downstream
 * segments, in-progress segments, children outside their parent's time, trimmed documents)
 * and from what ingest recorded for the id (refusals, unsampled spans, late arrivals), so an
 * id that never arrived gets an answer too. Pure: the route passes documents and events.
 */
import { buildEntityGraph, obj, str, type Entity } from '../model/graph.ts';
import type { TraceEvent } from '../ingest/diagnostics.ts';
import { fixes, type ProblemKind } from '../ingest/validate.ts';
import type { Diagnosis, Finding } from './contract.ts';

export type { Diagnosis, Finding } from './contract.ts';

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
/** Children may stick out of their parent by this much before it is called skew (timer resolution, rounding). */
const SKEW_TOLERANCE_S = 0.001;
const ms = (s: number) => Math.round(s * 1e6) / 1e3;
/** Two spans each started up to 1 ms early (whole-millisecond starts) differ by up to this. */
const WHOLE_MS_SKEW_S = 0.002;
/** A time (seconds) on a whole millisecond, to the microsecond documents carry. */
const onWholeMillisecond = (s: number) => Math.abs(s * 1e3 - Math.round(s * 1e3)) < 1e-3;

/** Diagnoses trace `id` from its documents (undefined when none is stored) and its ingest events. */
export function diagnose(id: string, docs: readonly object[] | undefined, events: readonly TraceEvent[], knownServices: ReadonlySet<string> = new Set()): Diagnosis {
  const findings: Finding[] = [];
  const stored = docs !== undefined && docs.length > 0;
  const unsampled = events.filter((e) => e.kind === 'unsampled');
  const explained = new Set<TraceEvent>();
  if (stored) fromDocuments(docs, unsampled, explained, knownServices, findings);
  fromEvents(events, explained, findings);
  if (!stored) notStored(id, events, findings);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const summary = findings.length === 0 ? 'Nothing wrong found: every parent arrived, nothing is in progress, times nest, nothing was refused or trimmed.' : `${findings.length} finding${findings.length === 1 ? '' : 's'}${errors ? ` (${errors} error${errors === 1 ? '' : 's'})` : ''}`;
  return { id, stored, summary, findings, events: [...events] };
}

function fromDocuments(docs: readonly object[], unsampled: readonly TraceEvent[], explained: Set<TraceEvent>, known: ReadonlySet<string>, out: Finding[]): void {
  const graph = buildEntityGraph(docs);
  const byId = new Map(graph.entities.map((e) => [e.id, e]));
  const services = new Set([...graph.segments.map((s) => s.name), ...known]);
  // Segments whose parent_id points at nothing in the trace.
  for (const s of graph.segments) {
    const parent = str(s.doc.parent_id);
    if (parent === undefined || byId.has(parent)) continue;
    const change = unsampled.find((e) => e.id === parent);
    const namer = graph.entities.find((e) => !e.isSegment && e.remote && e.callees.length === 0 && e.name === s.name);
    if (change) {
      explained.add(change);
      out.push({
        kind: 'sampling_changed',
        severity: 'warning',
        title: `${change.service ?? 'the caller'} did not sample the request that called ${s.name}`,
        evidence: [`segment ${s.id} (${s.name}) names parent ${parent}`, `span ${parent} of ${change.service ?? change.sender} arrived as not sampled (${change.sender})`],
        fix: `the sampling decision changed between ${change.service ?? 'the caller'} and ${s.name}: propagate the caller's X-Amzn-Trace-Id Sampled flag and honour it downstream instead of deciding again`,
        service: change.service,
        span: s.id,
      });
      continue;
    }
    out.push({
      kind: 'missing_parent',
      severity: 'error',
      title: `the caller of ${s.name} never sent the document with id ${parent}`,
      evidence: [
        `segment ${s.id} (${s.name}) has parent_id ${parent}; no segment or subsegment of the trace has that id`,
        namer ? `${namer.segment.name}'s subsegment ${namer.id} names ${s.name} but has id ${namer.id}: the caller propagated a different parent id than it recorded` : `no document of the trace calls ${s.name}: the caller's segment is missing`,
      ],
      fix: namer
        ? `${namer.segment.name} should put the id of the subsegment that makes the call (${namer.id}) in the Parent= of the X-Amzn-Trace-Id header it sends`
        : `the service that called ${s.name} should send its segment to this console (check its AWS_XRAY_DAEMON_ADDRESS and that it sampled the request)`,
      service: namer?.segment.name,
      span: s.id,
    });
  }
  // Independent subsegments whose parent never arrived (the graph drops them).
  for (const raw of docs) {
    const d = obj(raw);
    if (d.type !== 'subsegment' || byId.has(str(d.id) ?? '')) continue;
    out.push({
      kind: 'missing_parent',
      severity: 'error',
      title: `subsegment ${str(d.name) ?? ''} waits for parent ${str(d.parent_id) ?? '?'}, which never arrived`,
      evidence: [`independent subsegment ${str(d.id)} (${str(d.name)}) has parent_id ${str(d.parent_id)}; no document of the trace has that id`],
      fix: fixes.orphan_subsegment,
    });
  }
  // Calls to a traced service that no downstream segment answers.
  for (const e of graph.entities) {
    if (e.isSegment || !e.remote || e.callees.length > 0) continue;
    const traced = obj(obj(e.doc.http).request).traced === true;
    const change = unsampled.find((u) => u.parent === e.id || (u.service !== undefined && u.service === e.name && !explained.has(u)));
    if (change) {
      explained.add(change);
      out.push({
        kind: 'sampling_changed',
        severity: 'warning',
        title: `sampling changed at ${e.segment.name} → ${change.service ?? e.name}: the caller sampled, the callee sent Sampled=0`,
        evidence: [`${e.segment.name}'s subsegment ${e.id} (${e.name}) was sampled`, `${change.service ?? change.sender} sent span ${change.id} as not sampled (${change.sender})`],
        fix: `${change.service ?? e.name} decided again instead of following the caller: honour the incoming X-Amzn-Trace-Id Sampled=1 (parent-based sampling)`,
        service: change.service ?? e.name,
        span: e.id,
      });
    } else if (traced || services.has(e.name)) {
      out.push({
        kind: 'missing_downstream',
        severity: 'warning',
        title: `${e.name} should have sent a segment for the call from ${e.segment.name}`,
        evidence: [`${e.segment.name}'s subsegment ${e.id} calls ${e.name}${traced ? ' (http.request.traced is true)' : ' (a service this console has seen)'}`, `no segment has parent_id ${e.id}`],
        fix: `check that ${e.name} is instrumented, sends to this console and follows the caller's sampling decision; the caller's header should carry Parent=${e.id}`,
        service: e.name,
        span: e.id,
      });
    }
  }
  for (const e of graph.entities) {
    if (e.doc.in_progress === true) {
      out.push({
        kind: 'in_progress',
        severity: 'warning',
        title: `${e.isSegment ? 'segment' : 'subsegment'} ${e.name} is still in progress`,
        evidence: [`${e.id} was sent with in_progress: true and no completed version arrived`, `started ${new Date(e.start * 1000).toISOString()}`],
        fix: fixes.in_progress,
        service: e.segment.name,
        span: e.id,
      });
    }
    skew(e, out);
    const trimmed = obj(obj(e.doc.metadata).exporter).trimmed;
    if (Array.isArray(trimmed) && trimmed.length > 0) {
      out.push({
        kind: 'trimmed',
        severity: 'info',
        title: `${e.name}'s document was trimmed to fit 64 kB`,
        evidence: [`${e.id}: trimmed ${trimmed.slice(0, 8).map(String).join(', ')}${trimmed.length > 8 ? ` and ${trimmed.length - 8} more` : ''}`],
        fix: 'record less in metadata, or send large values elsewhere and link them (the exporter trims the largest values first)',
        service: e.segment.name,
        span: e.id,
      });
    }
  }
}

/** A child lying outside its parent's time: clock skew across services, an early end within one. */
function skew(child: Entity, out: Finding[]): void {
  const parent: Entity | null = child.isSegment ? child.caller : child.parent;
  if (parent === null || parent.inProgress || child.inProgress) return;
  const before = parent.start - child.start;
  const after = child.end - parent.end;
  const offset = Math.max(before, after);
  if (offset <= SKEW_TOLERANCE_S) return;
  const cross = child.isSegment;
  // The OpenTelemetry JS SDK starts each span at a whole Date.now() millisecond and measures
  // its end from there, so one process's child can stick out of its parent by up to ~2 ms.
  const rounded = !cross && offset <= WHOLE_MS_SKEW_S && onWholeMillisecond(child.start) && onWholeMillisecond(parent.start);
  const how = before > after ? `starts ${ms(before)} ms before` : `ends ${ms(after)} ms after`;
  out.push({
    kind: 'clock_skew',
    severity: rounded ? 'info' : 'warning',
    title: cross
      ? `${child.name}'s clock is off by at least ${ms(offset)} ms from ${parent.segment.name}'s`
      : `${child.name} lies ${ms(offset)} ms outside its parent ${parent.name}${rounded ? ': both start on a whole millisecond' : ''}`,
    evidence: rounded
      ? [
          `${parent.name} (${parent.id}) starts at ${new Date(parent.start * 1000).toISOString()}, ${child.name} (${child.id}) at ${new Date(child.start * 1000).toISOString()}: both on a whole millisecond`,
          `${child.name} ${how} it, within the 2 ms two millisecond-rounded starts allow`,
        ]
      : [`${parent.name} (${parent.id}): ${new Date(parent.start * 1000).toISOString()} – ${new Date(parent.end * 1000).toISOString()}`, `${child.name} (${child.id}) ${how} it`],
    fix: cross
      ? `synchronise the clocks of ${child.name}'s and ${parent.segment.name}'s hosts (NTP, chrony); each service stamps its own times`
      : rounded
        ? `${parent.segment.name} rounds span starts down to the millisecond (the OpenTelemetry JS SDK starts spans at Date.now()): add PreciseTimeSpanProcessor from @tfa/otel-xray first among the tracer provider's span processors, or pass startTime from performance.timeOrigin + performance.now()`
        : `${parent.segment.name} ends ${parent.name} before its child: end the child first (await the call before closing the parent)`,
    service: child.segment.name,
    span: child.id,
    offset_ms: ms(offset),
  });
}

const refusalTitles: Partial<Record<ProblemKind, string>> = {
  oversized: 'a document was refused for its size',
  rejected_trace_id: 'a document was refused for its trace id',
  missing_fields: 'a document was refused for missing fields',
  malformed: 'a malformed document mentioned this trace',
  invalid_header: 'a datagram with a bad header mentioned this trace',
  dropped: 'a document was dropped: the console could not keep up',
  unsupported: 'an unsupported frame mentioned this trace',
};

function fromEvents(events: readonly TraceEvent[], explained: Set<TraceEvent>, out: Finding[]): void {
  for (const e of events) {
    if (explained.has(e)) continue;
    const who = `${e.service ? `${e.service} via ` : ''}${e.sender}`;
    if (e.kind === 'late') {
      out.push({ kind: 'late', severity: 'info', title: `${e.service ?? 'a document'} arrived after the settle window`, evidence: [`${e.detail} (${who}, ${e.at})`], fix: 'flush spans when they end (a batch exporter with a short delay), or raise --settle for long requests', service: e.service, span: e.id });
    } else if (e.kind === 'unsampled') {
      out.push({ kind: 'sampling_changed', severity: 'warning', title: `${e.service ?? e.sender} sent spans of this trace as not sampled`, evidence: [`${e.detail} (${who}, ${e.at})`], fix: 'follow the caller\'s sampling decision (parent-based sampling) so a sampled trace stays whole', service: e.service, span: e.id });
    } else if (e.kind in refusalTitles) {
      const kind = e.kind as ProblemKind;
      out.push({ kind: 'refused', severity: 'error', title: refusalTitles[kind]!, evidence: [`${e.id ? `document ${e.id}` : 'a document'} from ${who} at ${e.at}: ${e.detail}`], fix: fixes[kind], service: e.service, span: e.id });
    }
    // orphan_subsegment and in_progress events repeat what the documents show (or showed before retention).
  }
}

function notStored(id: string, events: readonly TraceEvent[], out: Finding[]): void {
  if (!TRACE_ID.test(id)) {
    const otel = /^[0-9a-f]{32}$/.test(id) ? `1-${id.slice(0, 8)}-${id.slice(8)}` : undefined;
    out.push({
      kind: 'invalid_id',
      severity: 'error',
      title: `${id} is not an X-Ray trace id`,
      evidence: [otel ? `it looks like an OpenTelemetry trace id; in X-Ray form it is ${otel}` : 'X-Ray trace ids look like 1-<8 hex epoch seconds>-<24 hex>'],
      fix: otel ? `open ${otel}` : 'copy the id from the X-Amzn-Trace-Id header (Root=...) or from the service\'s log',
    });
    return;
  }
  const stamped = parseInt(id.slice(2, 10), 16) * 1000;
  out.push({
    kind: 'not_received',
    severity: 'error',
    title: events.length > 0 ? 'no document of this trace was stored; what arrived was refused' : 'nothing of this trace reached the console',
    evidence: [
      `the id was stamped ${new Date(stamped).toISOString()}`,
      events.length > 0 ? `${events.length} ingest event${events.length === 1 ? '' : 's'} mention it (below)` : 'no datagram or document that mentioned it was refused, and none was stored (or retention pruned it)',
    ],
    fix: events.length > 0
      ? 'fix the refusals below and send the trace again'
      : 'check that the service sends to this console (AWS_XRAY_DAEMON_ADDRESS or the OTLP endpoint) and that it sampled the request (X-Amzn-Trace-Id Sampled=1); the ingest record keeps the latest 5 000 trace ids',
  });
}

