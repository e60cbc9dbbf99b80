/**
 * The console's X-Ray API as the UI calls it: `POST /<Operation path>` on the same origin in
 * AWS's request shapes; a failure carries AWS's error answer (`__type` / X-Amzn-Errortype and Message).
 */

/** An X-Ray error answer. */
export class XRayFailure extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, status: number, message: string) {
    super(`${type}: ${message}`);
    this.type = type;
    this.status = status;
  }
}

/** Calls one operation (`path` as AWS routes it, e.g. `/CreateSamplingRule`, `/Groups`). */
export async function xray<T>(path: string, body: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), signal });
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const type = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? String(answer.__type ?? `HTTP ${res.status}`);
    throw new XRayFailure(type, res.status, String(answer.Message ?? answer.message ?? res.statusText));
  }
  return answer as T;
}

/** X-Ray's Group, as GetGroups lists it. */
export interface XRayGroup {
  GroupName: string;
  GroupARN: string;
  FilterExpression?: string;
}

/** Every group (GetGroups, every page; a bounded number of pages). */
export async function listGroups(signal?: AbortSignal): Promise<XRayGroup[]> {
  const out: XRayGroup[] = [];
  let token: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page: { Groups: XRayGroup[]; NextToken?: string } = await xray('/Groups', token ? { NextToken: token } : {}, signal);
    out.push(...page.Groups);
    token = page.NextToken;
    if (!token) break;
  }
  return out;
}
