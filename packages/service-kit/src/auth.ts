/** Bearer-token checks (archiver writes, trace-console routes), in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { appError } from './errors.ts';

/** Returns a checker that throws `unauthorized` unless the Authorization header carries the token; `what` names the guarded thing. */
export function bearerChecker(token: string, what = 'this archiver needs Authorization: Bearer <token> for writes'): (authorization: string | undefined) => void {
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw appError('unauthorized', what, { headers: { 'www-authenticate': 'Bearer' } });
    const given = createHash('sha256').update(m[1]!).digest();
    if (!timingSafeEqual(given, expected)) throw appError('unauthorized', 'the bearer token is wrong', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
  };
}
