/**
 * Request validation for GetSamplingRules and GetSamplingTargets, as the X-Ray service
 * applies its model's constraints (XRAY-REFERENCE §7.1/§7.2): a request that breaks one
 * is refused whole with InvalidRequestException naming the member.
 */
import type { SamplingStatisticsDocument } from '@tfa/otel-xray/wire/sampling/wire';

/** X-Ray's 400 error; the HTTP layer answers `X-Amzn-Errortype: InvalidRequestException`. */
export class InvalidRequestException extends Error {
  override name = 'InvalidRequestException' as const;
}

/** The most statistics documents one GetSamplingTargets request may carry. */
export const MAX_STATISTICS_DOCUMENTS = 25;

const fail = (message: string): never => {
  throw new InvalidRequestException(message);
};

/** Checks a GetSamplingRules body (`{}` or `{NextToken}`); an absent body counts as `{}`. */
export function parseRulesRequest(body: unknown): { NextToken?: string } {
  if (body === undefined || body === null) return {};
  const obj = object(body, 'request body');
  if (obj.NextToken !== undefined && obj.NextToken !== null && typeof obj.NextToken !== 'string') fail('NextToken must be a string');
  return typeof obj.NextToken === 'string' ? { NextToken: obj.NextToken } : {};
}

/** Checks a GetSamplingTargets body and returns its statistics documents. */
export function parseTargetsRequest(body: unknown): SamplingStatisticsDocument[] {
  const obj = object(body, 'request body');
  const docs = obj.SamplingStatisticsDocuments;
  if (!Array.isArray(docs)) return fail('SamplingStatisticsDocuments is required and must be a list');
  if (docs.length > MAX_STATISTICS_DOCUMENTS) fail(`SamplingStatisticsDocuments has ${docs.length} members; the maximum is ${MAX_STATISTICS_DOCUMENTS}`);
  const boost = obj.SamplingBoostStatisticsDocuments;
  if (boost !== undefined && boost !== null) {
    // Accepted for compatibility with newer SDKs; this stand-in has no sampling boost.
    if (!Array.isArray(boost)) fail('SamplingBoostStatisticsDocuments must be a list');
    else if (boost.length > MAX_STATISTICS_DOCUMENTS) fail(`SamplingBoostStatisticsDocuments has ${boost.length} members; the maximum is ${MAX_STATISTICS_DOCUMENTS}`);
  }
  return docs.map((doc, i) => statisticsDocument(doc, `SamplingStatisticsDocuments[${i}]`));
}

function statisticsDocument(raw: unknown, where: string): SamplingStatisticsDocument {
  const doc = object(raw, where);
  const name = doc.RuleName;
  if (typeof name !== 'string' || name.length < 1 || name.length > 32) fail(`${where}.RuleName must be a string of 1 to 32 characters`);
  const client = doc.ClientID;
  if (typeof client !== 'string' || client.length !== 24) fail(`${where}.ClientID must be a string of exactly 24 characters`);
  const timestamp = doc.Timestamp;
  // Senders use whole or fractional epoch seconds (§7.0); both are fine.
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) fail(`${where}.Timestamp must be a number of epoch seconds`);
  const count = (field: string, required: boolean): number | undefined => {
    const value = doc[field];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(`${where}.${field} must be an integer >= 0`);
    return value as number;
  };
  const result: SamplingStatisticsDocument = {
    RuleName: name as string,
    ClientID: client as string,
    Timestamp: timestamp as number,
    RequestCount: count('RequestCount', true)!,
    SampledCount: count('SampledCount', true)!,
  };
  const borrow = count('BorrowCount', false);
  if (borrow !== undefined) result.BorrowCount = borrow;
  return result;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}
