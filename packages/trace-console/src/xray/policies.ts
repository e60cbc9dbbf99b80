/**
 * Resource policies: PutResourcePolicy, ListResourcePolicies, DeleteResourcePolicy with
 * X-Ray's limits (5 policies, 5 KiB each, a JSON IAM document) and revision ids for
 * optimistic locking. They are kept and listed; the console does not evaluate them (it has
 * no IAM principals).
 */
import { InvalidRequest, nowSeconds, page, str, XRayError, type Body, type XRayFamily } from './operation.ts';

interface ResourcePolicy {
  PolicyName: string;
  PolicyDocument: string;
  PolicyRevisionId: string;
  LastUpdatedTime: number;
}

const MAX_POLICIES = 5;
const MAX_DOCUMENT_BYTES = 5120;

function document(body: Body): string {
  const text = str(body, 'PolicyDocument', 1, 1_000_000, true);
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) throw new XRayError('PolicySizeLimitExceededException', 400, `PolicyDocument is ${Buffer.byteLength(text)} bytes; at most ${MAX_DOCUMENT_BYTES}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new XRayError('MalformedPolicyDocumentException', 400, 'PolicyDocument is not valid JSON');
  }
  const d = doc as { Version?: unknown; Statement?: unknown } | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d) || d.Statement === undefined) throw new XRayError('MalformedPolicyDocumentException', 400, 'PolicyDocument must be an IAM policy object with a Statement');
  const statements = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  for (const s of statements as Array<Record<string, unknown> | null>) {
    if (s === null || typeof s !== 'object' || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) throw new XRayError('MalformedPolicyDocumentException', 400, 'every Statement needs an Effect of Allow or Deny');
  }
  return text;
}

function revisionCheck(policy: ResourcePolicy | undefined, revision: string | undefined, name: string): void {
  if (revision === undefined) return;
  if (policy === undefined) throw new XRayError('InvalidPolicyRevisionIdException', 400, `policy ${name} does not exist, so it has no revision ${revision}`);
  if (policy.PolicyRevisionId !== revision) throw new XRayError('InvalidPolicyRevisionIdException', 400, `policy ${name} is at revision ${policy.PolicyRevisionId}, not ${revision}`);
}

export const policyOperations: XRayFamily = ({ state }) => {
  const name = (body: Body): string => {
    const n = str(body, 'PolicyName', 1, 128, true);
    if (!/^[\w+=,.@-]+$/.test(n)) throw new InvalidRequest('PolicyName may hold letters, digits and +=,.@_- only');
    return n;
  };
  return [
    {
      name: 'PutResourcePolicy',
      path: '/PutResourcePolicy',
      write: true,
      handler: (body) => {
        const policyName = name(body);
        const text = document(body);
        const current = state.get<ResourcePolicy>('policy', policyName);
        revisionCheck(current, str(body, 'PolicyRevisionId', 1, 100), policyName);
        if (body.BypassPolicyLockoutCheck !== undefined && typeof body.BypassPolicyLockoutCheck !== 'boolean') throw new InvalidRequest('BypassPolicyLockoutCheck must be a boolean');
        if (current === undefined && state.count('policy') >= MAX_POLICIES) throw new XRayError('PolicyCountLimitExceededException', 400, `at most ${MAX_POLICIES} resource policies may exist`);
        const policy: ResourcePolicy = {
          PolicyName: policyName,
          PolicyDocument: text,
          PolicyRevisionId: String(current ? Number(current.PolicyRevisionId) + 1 : 1),
          LastUpdatedTime: nowSeconds(),
        };
        state.put('policy', policyName, policy);
        return { ResourcePolicy: policy };
      },
    },
    {
      name: 'ListResourcePolicies',
      path: '/ListResourcePolicies',
      handler: (body) => {
        const { items, NextToken } = page(state.list<ResourcePolicy>('policy'), body.NextToken, 100);
        return { ResourcePolicies: items, ...(NextToken ? { NextToken } : {}) };
      },
    },
    {
      name: 'DeleteResourcePolicy',
      path: '/DeleteResourcePolicy',
      write: true,
      handler: (body) => {
        const policyName = name(body);
        revisionCheck(state.get<ResourcePolicy>('policy', policyName), str(body, 'PolicyRevisionId', 1, 100), policyName);
        state.delete('policy', policyName);
        return {};
      },
    },
  ];
};
