/** The one guard decision: connect to this address, or refuse with `blocked_destination`. */
import { appError } from '@tfa/service-kit/errors';
import type { AllowList, Destination } from './allowlist.ts';
import { classifyAddress } from './classify.ts';
import { bareAddress } from './ip.ts';

/** Throws `blocked_destination` unless the address is public or the allow list exempts the destination. */
export function checkDestination(allow: AllowList, destination: Destination): void {
  const verdict = classifyAddress(destination.address);
  if (!verdict.blocked || allow.allows(destination)) return;
  const host = bareAddress(destination.hostname);
  // Name the host only when it differs from the address, so "localhost" shows where it led.
  const detail = host === bareAddress(destination.address) ? verdict.reason : `${host}: ${verdict.reason}`;
  throw appError('blocked_destination', detail);
}
