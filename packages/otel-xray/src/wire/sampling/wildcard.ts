/**
 * X-Ray rule matching: `*` matches any run of characters, `?` exactly one, everything
 * else literally, case-insensitively (aws-xray-sdk-node's wildcardMatch, OTel's
 * sampler-aws-xray). Patterns are compiled once per rule, not per request.
 */

/** A compiled pattern: true when the text matches. */
export type Matcher = (text: string | undefined) => boolean;

const ANY: Matcher = () => true;

/** Compiles an X-Ray wildcard pattern. `*` alone matches even a missing value. */
export function compileWildcard(pattern: string): Matcher {
  if (pattern === '*') return ANY;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 'is');
  return (text) => text !== undefined && regex.test(text);
}
