/** The one error the OTLP decoders throw, so a receiver can answer 400 without a stack trace. */

/** Malformed or oversized OTLP input; `message` is short and safe to show to the sender. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
  readonly code = 'otlp_decode_error';
  /** The HTTP status a receiver should answer with: 400 malformed, 413 over a size limit. */
  readonly status: 400 | 413;

  constructor(message: string, status: 400 | 413 = 400) {
    super(message);
    this.status = status;
  }
}

/** `err` as an OtlpDecodeError whose message starts with `what` and stays short. */
export function toDecodeError(what: string, err: unknown): OtlpDecodeError {
  if (err instanceof OtlpDecodeError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new OtlpDecodeError(`${what}: ${detail.length > 120 ? detail.slice(0, 120) + '…' : detail}`);
}

/** Runs `fn`, turning anything it throws (protobufjs' RangeError, a stack overflow, ...) into an OtlpDecodeError. */
export function asDecodeError<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toDecodeError(what, err);
  }
}
