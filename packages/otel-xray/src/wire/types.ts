/**
 * Wire types of X-Ray segment documents, as sent in daemon datagrams (XRAY-REFERENCE §2.1)
 * and PutTraceSegments. Every field cites the reference section that defines it. Only the
 * fields our translator writes or the console reads are modelled; X-Ray accepts more.
 */

/** Fields shared by segments and subsegments (§3.1, §3.2). */
export interface DocumentBase {
  /** 1–200 chars: letters, digits, whitespace, `_ . : / % & # = + - @` (§3.1). */
  name: string;
  /** 16 lowercase hex, unique within the trace (§1.2). */
  id: string;
  /** `1-<8 hex epoch>-<24 hex>` (§1.1); required on segments and independent subsegments. */
  trace_id: string;
  /** Epoch seconds with fraction, microsecond resolution (§3.1, §3.3). */
  start_time: number;
  /** Epoch seconds; required unless `in_progress` (§3.1). */
  end_time?: number;
  /** `true` instead of `end_time` for work still running (§3.1). */
  in_progress?: boolean;
  /** Id of the parent (sub)segment: the caller's on a segment, the enclosing one on a subsegment (§3.1, §3.2). */
  parent_id?: string;
  /** Outgoing (subsegment) or incoming (segment) HTTP call (§3.4). */
  http?: Http;
  /** AWS resource data: where the app runs (segment) or the AWS call (subsegment) (§3.5). */
  aws?: Aws;
  /** Client error: HTTP 4xx (§3.6). Always written by our translator (§4.5). */
  error?: boolean;
  /** Throttled: HTTP 429, set together with `error` (§3.6). */
  throttle?: boolean;
  /** Server error: HTTP 5xx or a failure without status (§3.6). */
  fault?: boolean;
  /** Exception id string or the cause object (§3.6). */
  cause?: Cause | string;
  /** Indexed key → string|number|boolean; keys `[A-Za-z0-9_]{1,500}` (§3.7). */
  annotations?: Record<string, AnnotationValue>;
  /** Not indexed: namespace → object of any JSON (§3.7); namespaces `AWS.*` reserved. */
  metadata?: Record<string, Record<string, unknown>>;
  /** Span links, a collector extension (§3.2, §4.7). */
  links?: Link[];
  /** Child subsegments sent inside this document (§3.1, §3.2), as the X-Ray SDKs send them. */
  subsegments?: EmbeddedSubsegment[];
}

/** A top-level segment: one service's handling of one request (§3.1). */
export interface Segment extends DocumentBase {
  /** Absent on segments; only independent subsegments carry `type` (§3.2). */
  type?: undefined;
  /** `{version}` of the application (§3.1, §4.7 from `service.version`). */
  service?: { version?: string };
  /** Indexed user id, ≤ 250 chars (§3.1, §4.6 from `enduser.id`). */
  user?: string;
  /** AWS resource type, e.g. `AWS::ECS::Container` (§3.1, §4.7 from `cloud.platform`). */
  origin?: string;
}

/** An independent subsegment document, sent alone (§2.3, §3.2). */
export interface Subsegment extends DocumentBase {
  /** Required on independent subsegments (§3.2). */
  type: 'subsegment';
  /** Required on independent subsegments: the enclosing segment or subsegment id (§3.2). */
  parent_id: string;
  /** `aws` for AWS SDK calls, `remote` for other downstream calls, absent for local work (§3.2, §4.3). */
  namespace?: 'aws' | 'remote';
  /** SQL query data (§3.8). */
  sql?: Sql;
  /** User on a subsegment: allowed by the collector model, rarely used (§4.6). */
  user?: string;
}

/** A subsegment inside its parent's document: no `type`, `trace_id` or `parent_id` (§3.2). */
export type EmbeddedSubsegment = Omit<Subsegment, 'type' | 'trace_id' | 'parent_id'>;

/** One document in a datagram: a segment or an independent subsegment (§2.1). */
export type SegmentDocument = Segment | Subsegment;

/** Annotation values: no objects or arrays; strings ≤ 1000 chars (§3.7). */
export type AnnotationValue = string | number | boolean;

/** HTTP request/response data (§3.4, mapping §4.4). */
export interface Http {
  request?: HttpRequest;
  response?: HttpResponse;
}

/** The request part of `http` (§3.4); strings ≤ 250 per the old schema. */
export interface HttpRequest {
  /** GET, POST, … */
  method?: string;
  /** Full URL: scheme, host, path (and query as recorded). */
  url?: string;
  /** Requester's User-Agent. */
  user_agent?: string;
  /** Source IP or the first X-Forwarded-For entry (segments). */
  client_ip?: string;
  /** Segments only: true when `client_ip` came from X-Forwarded-For. */
  x_forwarded_for?: boolean;
  /** Subsegments only: true ⇒ X-Ray waits for a downstream segment with this parent_id. */
  traced?: boolean;
}

/** The response part of `http` (§3.4). */
export interface HttpResponse {
  /** HTTP status code. */
  status?: number;
  /** Response body length in bytes. */
  content_length?: number;
}

/** AWS data (§3.5, mapping §4.7). */
export interface Aws {
  /** Segments: the SDK that produced the document (§3.5). */
  xray?: { sdk?: string; sdk_version?: string; auto_instrumentation?: boolean };
  /** Segments and subsegments: AWS account id. */
  account_id?: string;
  /** Subsegments: API operation called. */
  operation?: string;
  /** Subsegments: region of the called resource. */
  region?: string;
  /** Subsegments: the AWS request id. */
  request_id?: string;
  /** Subsegments: SQS queue URL. */
  queue_url?: string;
  /** Subsegments: DynamoDB table name. */
  table_name?: string;
  /** Subsegments: several DynamoDB tables (collector extension). */
  table_names?: string[];
}

/** SQL subsegment data (§3.8); never a password. */
export interface Sql {
  /** Connection string without password, for non-URL forms. */
  connection_string?: string;
  /** Connection URL without password. */
  url?: string;
  /** The query with literals replaced. */
  sanitized_query?: string;
  /** Database engine, e.g. `postgresql`, `sqlite`. */
  database_type?: string;
  /** Engine version. */
  database_version?: string;
  /** Driver version. */
  driver_version?: string;
  /** Database user, ≤ 250 chars. */
  user?: string;
  /** `call` or `statement`. */
  preparation?: 'call' | 'statement';
}

/** The object form of `cause` (§3.6). */
export interface Cause {
  /** Full path of the working directory (we leave it out, like the collector). */
  working_directory?: string;
  /** Loaded library paths. */
  paths?: string[];
  /** The recorded exceptions. */
  exceptions?: Exception[];
}

/** One exception in `cause.exceptions` (§3.6). */
export interface Exception {
  /** 16 hex, required, unique within the trace. */
  id: string;
  /** Error message. */
  message?: string;
  /** Error type (class or `err.name`). */
  type?: string;
  /** True when the error came from a downstream service (CLIENT/PRODUCER spans, §4.5). */
  remote?: boolean;
  /** Number of stack frames left out. */
  truncated?: number;
  /** Number of exceptions skipped between this one and its child. */
  skipped?: number;
  /** Id of the exception that caused this one. */
  cause?: string;
  /** Stack frames, innermost first. */
  stack?: StackFrame[];
}

/** One stack frame (§3.6). */
export interface StackFrame {
  /** File path (relative when known). */
  path?: string;
  /** Line number. */
  line?: number;
  /** Function or method name. */
  label?: string;
}

/** A span link (collector extension, §3.2, §4.7). */
export interface Link {
  /** X-Ray form of the linked trace id. */
  trace_id: string;
  /** Linked span id (16 hex). */
  id: string;
  /** Link attributes. */
  attributes?: Record<string, unknown>;
}
