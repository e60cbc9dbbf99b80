/**
 * The console API's contract (DESIGN.md, trace-console `/api/*` rows): one TypeBox module
 * from which the routes' validation and serialisation, `/openapi.json` and the web console's
 * types (`import type` + `Static`, so the UI bundle carries no TypeBox) all follow.
 *
 * Fastify serialises answers with these schemas and drops what they do not list: a field the
 * server sends must be declared here (test/console/api/contract.test.ts checks real answers).
 * Open-ended records (annotations, raw segment documents) say so with `additionalProperties`.
 */
import Type, { type Static } from 'typebox';
import { ErrorSchema } from '@tfa/service-kit/errors';

export { ErrorSchema };
export type { ErrorBody } from '@tfa/service-kit/errors';

// ---------------------------------------------------------------- shared pieces

/**
 * An open JSON object kept as sent (annotations, segment documents). Deliberately without
 * `type`: fast-json-stringify then hands it to JSON.stringify whole instead of walking its
 * keys one by one (measured interleaved on the loaded 2-core machine: the 1000-row list and
 * a 50-document trace serialise in 0.6-1.1x JSON.stringify's time, against 1.1-3.8x when
 * these were typed records).
 */
const OpenRecord = (description: string) => Type.Unsafe<Record<string, unknown>>({ description: `${description} (a JSON object)` });

const TraceIdString = Type.String({ maxLength: 64, description: 'X-Ray trace id, e.g. 1-5f84c7a1-0123456789abcdef01234567' });

export const TraceIdParamsSchema = Type.Object({ id: TraceIdString });

const TimeBound = (description: string) => Type.String({ description: `epoch seconds (fractions allowed) or ISO 8601; ${description}` });

/** A bad filter's 400: the project's error plus where the parser stopped and what it expected. */
export const FilterErrorSchema = Type.Object(
  {
    ...ErrorSchema.properties,
    position: Type.Optional(Type.Integer({ minimum: 0, description: 'offset in the filter where parsing failed (code invalid_filter)' })),
    expected: Type.Optional(Type.Array(Type.String(), { description: 'what the parser expected there (code invalid_filter)' })),
  },
  { description: 'every 4xx/5xx answer; invalid_filter adds position and expected' },
);
export type FilterErrorBody = Static<typeof FilterErrorSchema>;

const errors = { 404: ErrorSchema, 500: ErrorSchema } as const;

// ---------------------------------------------------------------- /api/traces, /api/events

export const TraceListQuerySchema = Type.Object({
  filter: Type.Optional(Type.String({ maxLength: 4096, description: 'X-Ray filter expression' })),
  since: Type.Optional(TimeBound('traces starting at or after')),
  until: Type.Optional(TimeBound('traces starting at or before')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  group: Type.Optional(Type.String({ maxLength: 32, description: "a group's name: its filter expression is ANDed with `filter`" })),
});
export type TraceListQuery = Static<typeof TraceListQuerySchema>;

export const TraceSummarySchema = Type.Object(
  {
    id: Type.String(),
    duration: Type.Number({ description: 'seconds: earliest start to latest end over every segment' }),
    response_time: Type.Number({ description: "seconds: the root segment's own time (X-Ray's responsetime)" }),
    method: Type.Union([Type.String(), Type.Null()]),
    url: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Integer(), Type.Null()]),
    services: Type.Array(Type.String(), { description: 'names of the services that sent segments' }),
    ok: Type.Boolean(),
    error: Type.Boolean(),
    fault: Type.Boolean(),
    throttle: Type.Boolean(),
    partial: Type.Boolean({ description: 'some segment is in progress or a parent is missing' }),
    annotations: OpenRecord('annotation values by key (a list when segments disagree)'),
    start_time: Type.Number({ description: 'epoch seconds' }),
  },
  { description: 'a row of GET /api/traces and the data of an /api/events `trace` event' },
);
export type TraceSummary = Static<typeof TraceSummarySchema>;

export const TraceListSchema = Type.Object({ traces: Type.Array(TraceSummarySchema) }, { description: 'traces, newest first' });
export type TraceList = Static<typeof TraceListSchema>;

export const TraceDocumentsSchema = Type.Object(
  {
    id: Type.String(),
    duration: Type.Number({ description: 'seconds' }),
    segments: Type.Array(OpenRecord('a segment document as received'), { description: 'every document of the trace, as received' }),
  },
  { description: 'GET /api/traces/{id} (also the export)' },
);
export type TraceDocuments = Static<typeof TraceDocumentsSchema>;

// ---------------------------------------------------------------- /api/service-graph

export const WindowQuerySchema = Type.Object({
  since: Type.Optional(TimeBound('traces starting at or after (default: every stored trace)')),
  until: Type.Optional(TimeBound('traces starting at or before')),
  group: Type.Optional(Type.String({ maxLength: 32, description: "a group's name: only its traces make the map" })),
});

const NodeKindSchema = Type.Union([Type.Literal('service'), Type.Literal('remote'), Type.Literal('client')]);

export const GraphEdgeSchema = Type.Object({
  to: Type.String(),
  to_type: NodeKindSchema,
  count: Type.Integer(),
  errors: Type.Integer(),
  faults: Type.Integer(),
  throttles: Type.Integer(),
  latency: Type.Object({ p50: Type.Number(), p90: Type.Number(), p99: Type.Number() }, { description: 'seconds, nearest-rank percentiles' }),
  start: Type.Number({ description: 'epoch seconds: the earliest start of the calls' }),
  end: Type.Number({ description: 'epoch seconds: the latest end of the calls' }),
});
export type GraphEdge = Static<typeof GraphEdgeSchema>;

export const GraphServiceSchema = Type.Object({ name: Type.String(), type: NodeKindSchema, edges: Type.Array(GraphEdgeSchema) });
export type GraphService = Static<typeof GraphServiceSchema>;

export const ServiceGraphSchema = Type.Object({ services: Type.Array(GraphServiceSchema) }, { description: 'service map of the traces starting within the window' });
export type ServiceGraphBody = Static<typeof ServiceGraphSchema>;

// ---------------------------------------------------------------- /api/diagnostics

export const ProblemReportSchema = Type.Object({
  count: Type.Integer(),
  sample: Type.String({ description: 'the latest offending input (truncated)' }),
  detail: Type.String({ description: 'what exactly was wrong with the sample' }),
  fix: Type.String(),
  last_at: Type.String({ format: 'date-time' }),
});
export type ProblemReport = Static<typeof ProblemReportSchema>;

export const SenderReportSchema = Type.Object({
  sender: Type.String({ description: '`udp 127.0.0.1:53012`, `http 127.0.0.1`, `import FILE`' }),
  received: Type.Integer({ description: 'datagrams (UDP) or documents (HTTP, import) received' }),
  accepted: Type.Integer({ description: 'documents accepted into the store' }),
  services: Type.Array(Type.String(), { description: 'service names of the accepted documents (the first few)' }),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'count per problem kind (0 when none)' }),
  problems: Type.Record(Type.String(), ProblemReportSchema, { description: 'details of the kinds that occurred' }),
  first_seen: Type.String({ format: 'date-time' }),
  last_seen: Type.String({ format: 'date-time' }),
  per_minute: Type.Number({ description: 'received per minute since first seen (over at least one minute)' }),
});
export type SenderReport = Static<typeof SenderReportSchema>;

export const StoreStatsSchema = Type.Object({
  traces: Type.Integer(),
  documents: Type.Integer(),
  queued: Type.Integer(),
  dropped: Type.Integer(),
  committed: Type.Integer(),
  pruned: Type.Integer(),
  writeErrors: Type.Integer({ description: 'documents lost to failed writes' }),
  lastWriteError: Type.Union([Type.String(), Type.Null()]),
});

export const UdpStatsSchema = Type.Object({
  address: Type.Optional(Type.String({ description: 'host:port the UDP daemon listens on' })),
  relay_dropped: Type.Integer({ description: 'datagrams not relayed (forward queue full)' }),
  forward: Type.Union([Type.String(), Type.Null()], { description: 'host:port datagrams are relayed to' }),
});

export const DiagnosticsSchema = Type.Object({
  senders: Type.Array(SenderReportSchema, { description: 'most recently seen first' }),
  store: StoreStatsSchema,
  udp: Type.Optional(UdpStatsSchema),
  xray: Type.Optional(OpenRecord('counters of the X-Ray API, e.g. `telemetry`: PutTelemetryRecords totals (xray/settings.ts)')),
  fixes: Type.Record(Type.String(), Type.String(), { description: 'the one-line fix per problem kind' }),
});
export type DiagnosticsBody = Static<typeof DiagnosticsSchema>;

// ---------------------------------------------------------------- /api/traces/{id}/diagnosis

export const TraceEventSchema = Type.Object({
  kind: Type.String({ description: 'a refusal (problem kind), `unsampled` or `late`' }),
  sender: Type.String(),
  id: Type.Optional(Type.String({ description: 'document id, when one could be read' })),
  service: Type.Optional(Type.String()),
  parent: Type.Optional(Type.String({ description: "for unsampled: the span's parent span id" })),
  detail: Type.String(),
  at: Type.String({ format: 'date-time' }),
});

export const FindingSchema = Type.Object({
  kind: Type.Union([Type.Literal('missing_parent'), Type.Literal('missing_downstream'), Type.Literal('sampling_changed'), Type.Literal('in_progress'), Type.Literal('clock_skew'), Type.Literal('trimmed'), Type.Literal('refused'), Type.Literal('late'), Type.Literal('not_received'), Type.Literal('invalid_id')]),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')]),
  title: Type.String(),
  evidence: Type.Array(Type.String(), { description: 'what was seen, one fact a line' }),
  fix: Type.String(),
  service: Type.Optional(Type.String({ description: 'the service that should act' })),
  span: Type.Optional(Type.String({ description: 'the segment or subsegment id it concerns' })),
  offset_ms: Type.Optional(Type.Number({ description: 'clock skew: how far the child lies outside its parent' })),
});
export type Finding = Static<typeof FindingSchema>;

export const DiagnosisSchema = Type.Object({
  id: Type.String(),
  stored: Type.Boolean({ description: 'whether the console has any document of the trace' }),
  summary: Type.String(),
  findings: Type.Array(FindingSchema),
  events: Type.Array(TraceEventSchema, { description: 'what ingest recorded for the id, oldest first' }),
});
export type Diagnosis = Static<typeof DiagnosisSchema>;

// ---------------------------------------------------------------- /api/diff

export const DiffQuerySchema = Type.Object({
  a: Type.String({ maxLength: 64, description: 'trace id' }),
  b: Type.String({ maxLength: 64, description: 'trace id, or `typical`: the trace of the same URL nearest its median duration' }),
});

export const DiffSpanSchema = Type.Object({
  id: Type.String(),
  duration: Type.Number({ description: 'seconds' }),
  offset: Type.Number({ description: "seconds from the trace's start" }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('throttle'), Type.Literal('fault')]),
  http_status: Type.Optional(Type.Integer()),
  critical: Type.Boolean({ description: 'on the critical path' }),
});
export type DiffSpan = Static<typeof DiffSpanSchema>;

export const DiffRowSchema = Type.Object({
  depth: Type.Integer(),
  service: Type.String(),
  name: Type.String(),
  index: Type.Integer({ description: 'which of the siblings with this service and name (0 = the first to start)' }),
  a: Type.Optional(DiffSpanSchema),
  b: Type.Optional(DiffSpanSchema),
  delta: Type.Optional(Type.Number({ description: 'b − a, seconds, when both exist' })),
  only: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
  error_change: Type.Optional(Type.Union([Type.Literal('appeared'), Type.Literal('vanished')], { description: 'appeared: ok in A, not in B; vanished: the reverse' })),
});
export type DiffRow = Static<typeof DiffRowSchema>;

const DiffSideSchema = Type.Object({ id: Type.String(), duration: Type.Number(), spans: Type.Integer(), critical_path: Type.Array(Type.String()) });

export const TraceDiffSchema = Type.Object({
  a: DiffSideSchema,
  b: DiffSideSchema,
  delta: Type.Number({ description: 'b − a, seconds' }),
  rows: Type.Array(DiffRowSchema),
  counts: Type.Object({ matched: Type.Integer(), only_a: Type.Integer(), only_b: Type.Integer(), errors_appeared: Type.Integer(), errors_vanished: Type.Integer() }),
});
export type TraceDiff = Static<typeof TraceDiffSchema>;

// ---------------------------------------------------------------- route schemas

/** Each `/api/*` route's Fastify schema: validation, serialisation and its OpenAPI entry. */
// ---------------------------------------------------------------- /api/sampling

const SamplingField = (max: number, description: string) => Type.Optional(Type.String({ maxLength: max, description }));

export const SamplingExplainBodySchema = Type.Object(
  {
    service_name: SamplingField(64, "the segment's name (ServiceName)"),
    service_type: SamplingField(64, "the segment's origin, e.g. AWS::EC2::Instance (ServiceType)"),
    host: SamplingField(256, 'the Host header (Host)'),
    http_method: SamplingField(16, 'GET, POST, … (HTTPMethod)'),
    url_path: SamplingField(2048, 'the path of the URL (URLPath)'),
    attributes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }), { maxProperties: 50, description: "matched against rules' Attributes" })),
  },
  { additionalProperties: false, description: 'the request a sampler would see' },
);

export const SamplingExplanationSchema = Type.Object(
  {
    rule: Type.String({ description: 'the rule that matches' }),
    reason: Type.String({ description: 'one line: which rule and why' }),
    reservoir: Type.Number({ description: "requests per second sampled before the rate applies (the rule's ReservoirSize)" }),
    fixed_rate: Type.Number({ description: 'share sampled once the reservoir is used up' }),
    tried: Type.Array(
      Type.Object({
        rule: Type.String(),
        priority: Type.Number(),
        matched: Type.Boolean(),
        failed: Type.Array(Type.Object({ field: Type.String(), pattern: Type.String(), value: Type.Union([Type.String(), Type.Null()]), why: Type.String() }), { description: 'each field that failed, with its value and the pattern' }),
      }),
      { description: 'rules in matching order, up to and including the one that matched' },
    ),
    grants: Type.Object({
      active_clients: Type.Integer(),
      clients: Type.Array(Type.Object({ client_id: Type.String(), reservoir_quota: Type.Number() })),
    }, { description: 'the quota each client active for the rule gets now' }),
  },
  { description: 'POST /api/sampling/explain' },
);

export const SamplingOverviewSchema = Type.Object(
  { rules: Type.Array(OpenRecord("a GetSamplingRules record with its counters: window (the current minute), totals since start, active_clients")) },
  { description: 'GET /api/sampling: rules in matching order' },
);

export const routeSchemas = {
  sampling: { summary: "Sampling rules in matching order, each with the SDKs' reports: the current minute (GetSamplingStatisticSummaries) and totals", tags: ['sampling'], response: { 200: SamplingOverviewSchema, 500: ErrorSchema } },
  samplingExplain: { summary: 'Which sampling rule a request matches, why the rules before it did not, and the reservoir and rate that apply now', tags: ['sampling'], body: SamplingExplainBodySchema, response: { 200: SamplingExplanationSchema, 400: ErrorSchema, 500: ErrorSchema } },
  traces: { summary: 'Traces, newest first', querystring: TraceListQuerySchema, response: { 200: TraceListSchema, 400: FilterErrorSchema, 404: ErrorSchema, 500: ErrorSchema } },
  trace: { summary: 'Every document of one trace, as received (also the export)', params: TraceIdParamsSchema, response: { 200: TraceDocumentsSchema, 400: ErrorSchema, ...errors } },
  diagnosis: {
    summary: 'What is wrong with one trace, each finding with evidence and fix (also for an id never stored)',
    params: TraceIdParamsSchema,
    response: { 200: DiagnosisSchema, 400: ErrorSchema, 500: ErrorSchema },
  },
  diff: {
    summary: 'Two traces aligned span by span: durations and deltas, spans only in one, errors that appear or vanish, critical paths',
    querystring: DiffQuerySchema,
    response: { 200: TraceDiffSchema, 400: ErrorSchema, ...errors },
  },
  serviceGraph: {
    summary: 'Service map of the traces starting within the window (default: every stored trace)',
    querystring: WindowQuerySchema,
    response: { 200: ServiceGraphSchema, 400: ErrorSchema, 404: ErrorSchema, 500: ErrorSchema },
  },
  diagnostics: { summary: 'Ingest problems per sender, each with a sample and the fix', response: { 200: DiagnosticsSchema, 500: ErrorSchema } },
  events: {
    summary: 'Server-sent events: summaries of new or updated traces',
    description: 'A `text/event-stream`: one `trace` event per new or updated trace (`id: TRACE:REVISION`, `data`: a TraceSummary as JSON), a `: heartbeat` comment every 15 s; a client that reads too slowly skips events and the next one is preceded by `: missed N events`.',
    response: {
      200: { description: 'the event stream; each `trace` event carries this JSON', content: { 'text/event-stream': { schema: TraceSummarySchema } } },
      503: ErrorSchema,
    },
  },
} as const;
