/**
 * A hand-written checker of the X-Ray segment document rules (XRAY-REFERENCE §1, §3,
 * §7.3), written independently of the translator so it can judge it. Reusable by any
 * test that produces or receives documents: `validateDocument` lists every violation,
 * `assertValidDocument` throws with all of them.
 */

const HEX16 = /^[0-9a-f]{16}$/;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const NAME_CHARS = /^[\p{L}\p{Nd}\s_.:/%&#=+\-@]+$/u;
const ANNOTATION_KEY = /^[A-Za-z0-9_]{1,500}$/;
// Epoch seconds between 2001 and 2286: catches milliseconds or nanoseconds passed as seconds.
const MIN_EPOCH_S = 1e9;
const MAX_EPOCH_S = 1e10;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): boolean => typeof v === 'string' && HEX16.test(v) && v !== '0000000000000000';

/** Options of validateDocument. */
export interface ValidateOptions {
  /** Maximum UTF-8 size of the serialized document; default 64 000. */
  maxBytes?: number;
}

/** Every rule the document breaks, as readable strings; empty when valid. */
export function validateDocument(doc: unknown, options: ValidateOptions = {}): string[] {
  const errors: string[] = [];
  const fail = (msg: string): void => void errors.push(msg);
  if (!isObj(doc)) return ['document is not a JSON object'];

  const json = JSON.stringify(doc);
  const bytes = Buffer.byteLength(json);
  if (bytes > (options.maxBytes ?? 64000)) fail(`document is ${bytes} bytes, over ${options.maxBytes ?? 64000}`);
  checkJsonSafe(doc, '', fail);

  // Identity (§3.1, §1.1, §1.2)
  const name = doc.name;
  if (typeof name !== 'string' || name.length === 0) fail('name: required non-empty string');
  else {
    if (Array.from(name).length > 200) fail(`name: ${Array.from(name).length} chars, over 200`);
    if (!NAME_CHARS.test(name)) fail(`name: "${name}" has characters outside letters, digits, whitespace and _.:/%&#=+-@`);
  }
  if (!isId(doc.id)) fail(`id: "${String(doc.id)}" is not 16 lowercase hex, non-zero`);
  if (typeof doc.trace_id !== 'string' || !TRACE_ID.test(doc.trace_id)) fail(`trace_id: "${String(doc.trace_id)}" is not 1-<8 hex>-<24 hex>`);

  // Times (§3.1, §3.3)
  const start = doc.start_time;
  if (typeof start !== 'number' || start < MIN_EPOCH_S || start > MAX_EPOCH_S) fail(`start_time: ${String(start)} is not epoch seconds`);
  const hasEnd = doc.end_time !== undefined;
  if (hasEnd === (doc.in_progress === true)) fail('exactly one of end_time and in_progress:true is required');
  if (doc.in_progress !== undefined && doc.in_progress !== true) fail('in_progress: only `true` is meaningful');
  if (hasEnd) {
    if (typeof doc.end_time !== 'number' || doc.end_time < MIN_EPOCH_S || doc.end_time > MAX_EPOCH_S) fail(`end_time: ${String(doc.end_time)} is not epoch seconds`);
    else if (typeof start === 'number' && doc.end_time < start) fail('end_time is before start_time');
  }

  // Segment vs independent subsegment (§3.2)
  const isSub = doc.type !== undefined;
  if (isSub && doc.type !== 'subsegment') fail(`type: "${String(doc.type)}" (only "subsegment" exists)`);
  if (isSub && !isId(doc.parent_id)) fail('independent subsegment needs parent_id (16 hex)');
  if (!isSub && doc.parent_id !== undefined && !isId(doc.parent_id)) fail('parent_id: not 16 hex');
  if (doc.namespace !== undefined) {
    if (!isSub) fail('namespace: only subsegments have one');
    if (doc.namespace !== 'aws' && doc.namespace !== 'remote') fail(`namespace: "${String(doc.namespace)}" is not aws or remote`);
  }
  if (isSub && (doc.origin !== undefined || doc.service !== undefined)) fail('origin/service are segment fields');
  if (doc.sql !== undefined && !isSub) fail('sql: subsegment field');

  // Flags (§3.6)
  for (const flag of ['error', 'throttle', 'fault']) {
    if (doc[flag] !== undefined && typeof doc[flag] !== 'boolean') fail(`${flag}: not a boolean`);
  }
  if (doc.throttle === true && doc.error !== true) fail('throttle without error (429 sets both)');

  if (doc.user !== undefined && (typeof doc.user !== 'string' || doc.user.length > 250)) fail('user: string of at most 250 chars');
  if (doc.service !== undefined && (!isObj(doc.service) || (doc.service.version !== undefined && typeof doc.service.version !== 'string'))) fail('service: {version: string}');
  if (doc.http !== undefined) checkHttp(doc.http, isSub, fail);
  if (doc.cause !== undefined) checkCause(doc.cause, fail);
  if (doc.annotations !== undefined) checkAnnotations(doc.annotations, fail);
  if (doc.metadata !== undefined) checkMetadata(doc.metadata, fail);
  if (doc.sql !== undefined) checkSql(doc.sql, fail);
  if (doc.aws !== undefined && !isObj(doc.aws)) fail('aws: not an object');
  if (doc.links !== undefined) {
    if (!Array.isArray(doc.links)) fail('links: not an array');
    else doc.links.forEach((l, i) => {
      if (!isObj(l) || typeof l.trace_id !== 'string' || !TRACE_ID.test(l.trace_id) || !isId(l.id)) fail(`links[${i}]: needs trace_id and 16-hex id`);
    });
  }
  if (doc.subsegments !== undefined) checkEmbedded(doc, fail);
  return errors;
}

/**
 * Subsegments inside a document (§3.1, §3.2): each has the fields of a subsegment but
 * neither `type`, `trace_id` nor `parent_id` (its trace and parent are the enclosing ones).
 * Judged by the independent-subsegment rules with those three supplied.
 */
function checkEmbedded(doc: Obj, fail: (msg: string) => void): void {
  const subs = doc.subsegments;
  if (!Array.isArray(subs) || subs.length === 0) return fail('subsegments: a non-empty array');
  subs.forEach((sub, i) => {
    const at = `subsegments[${i}]`;
    if (!isObj(sub)) return fail(`${at}: not an object`);
    for (const k of ['type', 'trace_id', 'parent_id']) if (sub[k] !== undefined) fail(`${at}.${k}: not written inside a parent document`);
    const independent = { ...sub, type: 'subsegment', trace_id: doc.trace_id, parent_id: doc.id };
    for (const e of validateDocument(independent, { maxBytes: Infinity })) fail(`${at}: ${e}`);
  });
}

/** Throws one Error listing every violation. */
export function assertValidDocument(doc: unknown, options?: ValidateOptions): void {
  const errors = validateDocument(doc, options);
  if (errors.length > 0) throw new Error(`invalid X-Ray document:\n  ${errors.join('\n  ')}\n${JSON.stringify(doc, null, 1).slice(0, 2000)}`);
}

function checkJsonSafe(value: unknown, path: string, fail: (m: string) => void): void {
  if (typeof value === 'number' && !Number.isFinite(value)) fail(`${path}: ${value} is not valid JSON`);
  else if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') fail(`${path}: ${typeof value} is not JSON`);
  else if (Array.isArray(value)) value.forEach((v, i) => checkJsonSafe(v, `${path}[${i}]`, fail));
  else if (isObj(value)) for (const k in value) checkJsonSafe(value[k], path === '' ? k : `${path}.${k}`, fail);
}

function checkHttp(http: unknown, isSub: boolean, fail: (m: string) => void): void {
  if (!isObj(http)) return fail('http: not an object');
  const req = http.request;
  if (req !== undefined) {
    if (!isObj(req)) return fail('http.request: not an object');
    for (const k of ['method', 'url', 'user_agent', 'client_ip']) {
      if (req[k] !== undefined && typeof req[k] !== 'string') fail(`http.request.${k}: not a string`);
    }
    // The old schema caps these at 250; URLs and user agents are left to the service.
    for (const k of ['method', 'client_ip']) {
      if (typeof req[k] === 'string' && (req[k] as string).length > 250) fail(`http.request.${k}: over 250 chars`);
    }
    if (req.x_forwarded_for !== undefined && (typeof req.x_forwarded_for !== 'boolean' || isSub)) fail('http.request.x_forwarded_for: boolean, segments only');
    if (req.traced !== undefined && (typeof req.traced !== 'boolean' || !isSub)) fail('http.request.traced: boolean, subsegments only');
  }
  const res = http.response;
  if (res !== undefined) {
    if (!isObj(res)) return fail('http.response: not an object');
    if (res.status !== undefined && !Number.isInteger(res.status)) fail('http.response.status: not an integer');
    if (res.content_length !== undefined && !Number.isInteger(res.content_length)) fail('http.response.content_length: not an integer');
  }
}

function checkCause(cause: unknown, fail: (m: string) => void): void {
  if (typeof cause === 'string') {
    if (!isId(cause)) fail('cause: string form must be a 16-hex exception id');
    return;
  }
  if (!isObj(cause)) return fail('cause: neither an id nor an object');
  if (cause.exceptions === undefined) return;
  if (!Array.isArray(cause.exceptions)) return fail('cause.exceptions: not an array');
  cause.exceptions.forEach((e, i) => {
    const p = `cause.exceptions[${i}]`;
    if (!isObj(e)) return fail(`${p}: not an object`);
    if (!isId(e.id)) fail(`${p}.id: not 16 hex`);
    for (const k of ['message', 'type', 'cause']) if (e[k] !== undefined && typeof e[k] !== 'string') fail(`${p}.${k}: not a string`);
    if (e.remote !== undefined && typeof e.remote !== 'boolean') fail(`${p}.remote: not a boolean`);
    for (const k of ['truncated', 'skipped']) if (e[k] !== undefined && !Number.isInteger(e[k])) fail(`${p}.${k}: not an integer`);
    if (e.stack !== undefined) {
      if (!Array.isArray(e.stack)) return fail(`${p}.stack: not an array`);
      e.stack.forEach((f, j) => {
        if (!isObj(f)) return fail(`${p}.stack[${j}]: not an object`);
        if (f.path !== undefined && typeof f.path !== 'string') fail(`${p}.stack[${j}].path: not a string`);
        if (f.label !== undefined && typeof f.label !== 'string') fail(`${p}.stack[${j}].label: not a string`);
        if (f.line !== undefined && !Number.isInteger(f.line)) fail(`${p}.stack[${j}].line: not an integer`);
      });
    }
  });
}

function checkAnnotations(annotations: unknown, fail: (m: string) => void): void {
  if (!isObj(annotations)) return fail('annotations: not an object');
  const keys = Object.keys(annotations);
  if (keys.length > 50) fail(`annotations: ${keys.length} keys, X-Ray indexes 50`);
  for (const k of keys) {
    if (!ANNOTATION_KEY.test(k)) fail(`annotations: key "${k}" is not [A-Za-z0-9_]{1,500}`);
    const v = annotations[k];
    if (typeof v === 'string') {
      if (v.length > 1000) fail(`annotations.${k}: string over 1000 chars`);
    } else if (typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
      fail(`annotations.${k}: ${JSON.stringify(v)} is not a string, number or boolean`);
    }
  }
}

function checkMetadata(metadata: unknown, fail: (m: string) => void): void {
  if (!isObj(metadata)) return fail('metadata: not an object');
  for (const ns in metadata) {
    if (!isObj(metadata[ns])) fail(`metadata.${ns}: namespace value must be an object`);
    if (ns.startsWith('AWS.')) fail(`metadata.${ns}: AWS.* namespaces are reserved`);
  }
}

function checkSql(sql: unknown, fail: (m: string) => void): void {
  if (!isObj(sql)) return fail('sql: not an object');
  for (const k in sql) if (k !== 'preparation' && typeof sql[k] !== 'string') fail(`sql.${k}: not a string`);
  for (const k of ['url', 'connection_string']) {
    const v = sql[k];
    if (typeof v === 'string' && (/\/\/[^/@]*:[^/@]*@/.test(v) || /password\s*=/i.test(v))) fail(`sql.${k}: contains a password`);
  }
}
