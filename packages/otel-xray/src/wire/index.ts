/**
 * The wire part of @tfa/otel-xray: X-Ray's segment documents, the OTel-span-to-segment
 * translator, the size fit for a datagram, X-Ray trace ids, the daemon address and the
 * sampling API's wire shapes. No OpenTelemetry import: receivers (trace-console) use it
 * without the SDK.
 */
export type * from './types.ts';
export { spanToDocument, roundSeconds, type TranslatorSpan, type TranslatorEvent, type TranslatorLink, type TranslateOptions } from './translate.ts';
export { fitDocument, DEFAULT_BUDGET, type FitResult } from './fit.ts';
export { parseDaemonAddress, DEFAULT_DAEMON_ADDRESS, type DaemonAddress, type Endpoint } from './daemon-address.ts';
export { compileWildcard, type Matcher } from './sampling/wildcard.ts';
export { DEFAULT_RULE_NAME } from './sampling/wire.ts';
export type * from './sampling/wire.ts';
