/**
 * The light half of SigV4 verification (no AWS signer import, so a console that verifies
 * nothing does not load it): the credentials setting. Refusals are X-Ray errors
 * (xray/params.ts), in AWS's terms: HTTP status and `__type`.
 */

/** The key pair requests must be signed with. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Parses `ACCESS_KEY:SECRET` (`--aws-credentials`). */
export function parseAwsCredentials(raw: string): AwsCredentials {
  const cut = raw.indexOf(':');
  if (cut <= 0 || cut === raw.length - 1) throw new Error('expected ACCESS_KEY_ID:SECRET_ACCESS_KEY');
  return { accessKeyId: raw.slice(0, cut), secretAccessKey: raw.slice(cut + 1) };
}
