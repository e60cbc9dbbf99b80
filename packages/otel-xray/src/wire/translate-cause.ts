/**
 * error / throttle / fault flags and `cause` (XRAY-REFERENCE §3.6, §4.5). The flags come
 * from the HTTP status when there is one (4xx error, 429 also throttle, 5xx fault), else
 * from the span status (ERROR → fault: e.g. a CLIENT call that never got a response).
 */
import type { Cause, Exception, StackFrame } from './types.ts';
import type { Attrs } from './translate-values.ts';
import { str } from './translate-values.ts';
import { KIND_CLIENT, KIND_PRODUCER } from './translate-name.ts';

/** OTel SpanStatusCode.ERROR (same number in OTLP). */
export const STATUS_ERROR = 2;

/** Stack frames kept per exception; the rest are counted in `truncated`. */
export const MAX_STACK_FRAMES = 50;

/** The three X-Ray flags; always all written (§4.5). */
export interface Flags {
  error: boolean;
  throttle: boolean;
  fault: boolean;
}

/** Flags from the HTTP status (if any) and the span status code (§4.5). */
export function makeFlags(httpStatus: number | undefined, statusCode: number): Flags {
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus <= 499) {
    return { error: true, throttle: httpStatus === 429, fault: false };
  }
  if (httpStatus !== undefined && httpStatus >= 500 && httpStatus <= 599) {
    return { error: false, throttle: false, fault: true };
  }
  return { error: false, throttle: false, fault: statusCode === STATUS_ERROR };
}

/** Minimal event shape the cause mapper reads. */
export interface CauseEvent {
  readonly name: string;
  readonly attributes?: Attrs;
}

/**
 * `cause` from `exception` events (one exception each), else from an ERROR status message
 * (or `http.status_text`); undefined when there is nothing to say. Other events are dropped.
 */
export function makeCause(
  kind: number,
  statusCode: number,
  statusMessage: string | undefined,
  attrs: Attrs,
  events: readonly CauseEvent[],
  language: string | undefined,
  newId: () => string,
): Cause | undefined {
  const remote = kind === KIND_CLIENT || kind === KIND_PRODUCER;
  let exceptions: Exception[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event.name !== 'exception') continue;
    const a = event.attributes ?? {};
    const exception: Exception = { id: newId(), remote };
    const type = str(a['exception.type']);
    if (type !== undefined) exception.type = type;
    const message = str(a['exception.message']);
    if (message !== undefined) exception.message = message;
    const stacktrace = str(a['exception.stacktrace']);
    if (stacktrace !== undefined && isV8Language(language)) addV8Stack(exception, stacktrace);
    (exceptions ??= []).push(exception);
  }
  if (exceptions !== undefined) return { exceptions };
  if (statusCode !== STATUS_ERROR) return undefined;
  const message = str(statusMessage) ?? str(attrs['http.status_text']);
  if (message === undefined) return undefined;
  return { exceptions: [{ id: newId(), message, remote }] };
}

function isV8Language(language: string | undefined): boolean {
  // No language at all: our own SDK and most OTLP senders without it are JS; parsing
  // a non-V8 trace as V8 just finds no frames.
  return language === undefined || language === 'nodejs' || language === 'webjs' || language === 'javascript';
}

// `    at label (path:line:col)`, `    at path:line:col`, `    at label (native)`
const FRAME_WITH_LABEL = /^\s*at (.+?) \((.*)\)$/;
const FRAME_BARE = /^\s*at (.*)$/;
const LOCATION = /^(.*?):(\d+)(?::\d+)?$/;

/** Parses V8 `at …` lines into `stack`, keeping MAX_STACK_FRAMES and counting the rest. */
export function addV8Stack(exception: Exception, stacktrace: string): void {
  const stack: StackFrame[] = [];
  let omitted = 0;
  let start = 0;
  while (start < stacktrace.length) {
    let end = stacktrace.indexOf('\n', start);
    if (end < 0) end = stacktrace.length;
    const line = stacktrace.slice(start, end);
    start = end + 1;
    const frame = parseV8Frame(line);
    if (frame === undefined) continue;
    if (stack.length < MAX_STACK_FRAMES) stack.push(frame);
    else omitted++;
  }
  if (stack.length > 0) exception.stack = stack;
  if (omitted > 0) exception.truncated = omitted;
}

/** One V8 frame line as a StackFrame, or undefined for a non-frame line. */
export function parseV8Frame(line: string): StackFrame | undefined {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  let label: string | undefined;
  let location: string;
  const withLabel = FRAME_WITH_LABEL.exec(trimmed);
  if (withLabel !== null) {
    label = withLabel[1];
    location = withLabel[2];
  } else {
    const bare = FRAME_BARE.exec(trimmed);
    if (bare === null) return undefined;
    location = bare[1];
  }
  const frame: StackFrame = {};
  const loc = LOCATION.exec(location);
  if (loc !== null) {
    frame.path = loc[1];
    frame.line = Number(loc[2]);
  } else {
    frame.path = location;
  }
  frame.label = label ?? 'anonymous';
  return frame;
}
