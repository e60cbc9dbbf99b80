/**
 * What a filter is evaluated against, independent of storage: one trace summarised the way
 * X-Ray's GetTraceSummaries describes it, plus the nodes and edges of its trace graph.
 * The store builds these with `buildFilterTrace` (build.ts) from raw segment documents;
 * tests build them the same way. Times are seconds (floats), like the documents.
 */
/** An annotation value; X-Ray allows only these three types. */
export type AnnotationValue = string | number | boolean;

/** Annotations by key; every value seen for the key (deduplicated), in arrival order. */
export type FilterAnnotations = Record<string, AnnotationValue[]>;

/** X-Ray's response classes. Derived from the document's flags OR its http.response.status. */
export interface FilterFlags {
  /** None of error, throttle, fault (X-Ray: "2xx"). */
  ok: boolean;
  /** Client error: `error: true` or a 4xx status (429 included, like the SDKs do). */
  error: boolean;
  /** `throttle: true` or status 429. */
  throttle: boolean;
  /** Server error: `fault: true` or a 5xx status. */
  fault: boolean;
}

/** The HTTP request/response recorded on a segment or subsegment (`http.request.*`, `http.response.status`). */
export interface FilterHttp {
  url?: string;
  method?: string;
  status?: number;
  useragent?: string;
  clientip?: string;
}

/** One exception from a `cause.exceptions[]` entry. */
export interface FilterException {
  /** The exception's `type` (X-Ray's root-cause `Name`). */
  name: string;
  message: string;
  /** The error came from a downstream service. */
  remote: boolean;
}

/**
 * A node of the trace graph: all segments with the same name and type, or an inferred node
 * made from a `remote`/`aws` subsegment whose callee sent no segment. Flags are "any of its
 * segments" (so a node called twice can be both ok and fault).
 */
export interface FilterNode extends FilterFlags {
  /** Segment name (service name), or the subsegment name for an inferred node (host, `DynamoDB`). */
  name: string;
  /**
   * Segment `origin` (`AWS::EC2::Instance`…), else `service`; inferred: `remote` for the
   * `remote` namespace, `AWS::<name>` for `aws` (`AWS::DynamoDB::Table` with a table name).
   */
  type: string;
  /** The node holds the trace's root segment (entry point). */
  root: boolean;
  /** Made from a subsegment: the callee sent no segment. */
  inferred: boolean;
  /** One of its segments is still `in_progress`. */
  partial: boolean;
  /** Longest end − start of its segments (the slowest call to it). */
  responseTime: number;
  /** Earliest start to latest end over its segments. */
  duration: number;
  /** The HTTP data of its earliest segment. */
  http: FilterHttp;
  /** Annotations of its segments and their subsegments. */
  annotations: FilterAnnotations;
  /** `user` values of its segments. */
  users: string[];
  /** Exceptions recorded on its segments and their subsegments. */
  exceptions: FilterException[];
  /** `aws.account_id`. */
  accountId?: string;
  /** `aws.ec2.availability_zone`. */
  availabilityZone?: string;
  /** `aws.ec2.instance_id`. */
  instanceId?: string;
  /** `resource_arn`. */
  resourceArn?: string;
}

/**
 * One call between two nodes (not aggregated: a trace that calls a node twice has two).
 * Flags, time and HTTP come from the caller's subsegment (round trip), or from the callee's
 * segment when there is none (the `client` edge into a root segment).
 */
export interface FilterEdge extends FilterFlags {
  /** Caller node name; `client` for the caller of a root segment. */
  source: string;
  /** Caller node type; `client` for the caller of a root segment. */
  sourceType: string;
  destination: string;
  destinationType: string;
  /** Seconds, end − start of the call. */
  responseTime: number;
  http: FilterHttp;
}

/** The service a root cause is attributed to. */
export interface FilterRootCauseService {
  name: string;
  type: string;
  inferred: boolean;
  accountId?: string;
  /** Response-time root causes only: the service's time / root response time. */
  coverage?: number;
}

/** One step of a root cause's entity path (segment, then subsegments down to the culprit). */
export interface FilterRootCauseEntity {
  name: string;
  /** A `remote`/`aws` subsegment, or an entity whose exceptions are remote. */
  remote: boolean;
  /** 0-based position in the path. */
  index: number;
  /** The last entity of the path (the culprit). */
  last: boolean;
  /** Response-time root causes only: the entity's time / root response time. */
  coverage?: number;
  exceptions: FilterException[];
}

/** A root cause: a service and the entity path inside it. */
export interface FilterRootCause {
  service: FilterRootCauseService;
  entities: FilterRootCauseEntity[];
}

/** A trace as filters see it. Top-level keywords refer to these fields. */
export interface FilterTrace extends FilterFlags {
  /** `1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx`. */
  id: string;
  /** Earliest start_time in the trace (epoch seconds). */
  startTime: number;
  /** Earliest start → latest end over every segment and subsegment (seconds). */
  duration: number;
  /** Root segment end − start (seconds); for an in-progress root, a lower bound. */
  responseTime: number;
  /** Some segment or subsegment is `in_progress`. */
  partial: boolean;
  /** The root segment's HTTP data. (`ok`/`error`/`fault` are the root segment's; `throttle` is any segment's.) */
  http: FilterHttp;
  /** Annotations of every segment and subsegment. */
  annotations: FilterAnnotations;
  /** Every `user` set on a segment. */
  users: string[];
  /** Every node: segments grouped by name + type, plus inferred nodes. */
  services: FilterNode[];
  /** Every call: client → root, caller → joined callee segment, caller → inferred node. */
  edges: FilterEdge[];
  /** Deepest faulted entities (5xx); missing means none. */
  faultRootCauses?: FilterRootCause[];
  /** Deepest errored entities (4xx); missing means none. */
  errorRootCauses?: FilterRootCause[];
  /** The entity path that dominates the response time; missing means none. */
  responseTimeRootCauses?: FilterRootCause[];
}
