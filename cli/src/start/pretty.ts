/** Turns a pino JSON line into one readable line: time, level, message, the fields that matter. */

const LEVELS: Record<string, string> = { trace: 'TRC', debug: 'DBG', info: 'INF', warn: 'WRN', error: 'ERR', fatal: 'FTL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'span_id']);

/** A readable form of a log line; non-JSON lines come back unchanged. */
export function prettyLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(line);
  } catch {
    return line;
  }
  const time = typeof j.time === 'string' ? j.time.slice(11, 19) : '';
  const level = LEVELS[String(j.level)] ?? String(j.level ?? '');
  const fields: string[] = [];
  for (const [k, v] of Object.entries(j)) {
    if (HIDDEN.has(k) || k === 'trace_id' || k === 'err') continue;
    fields.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  const err = j.err as { message?: string } | undefined;
  if (err?.message) fields.push(`err=${JSON.stringify(err.message)}`);
  if (typeof j.trace_id === 'string') fields.push(`trace=${j.trace_id}`);
  return `${time} ${level} ${String(j.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}
