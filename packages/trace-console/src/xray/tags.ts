/**
 * Tags: TagResource, UntagResource, ListTagsForResource over the taggable resources (groups
 * and sampling rules, by ARN), and the Tags member of CreateGroup / CreateSamplingRule.
 * AWS's limits: 50 tags per resource, keys 1-128 and values 0-256 characters, no `aws:` keys.
 */
import { InvalidRequest, page, ResourceNotFound, str, XRayError, type Body, type XRayFamily } from './operation.ts';
import type { XRayState } from './state.ts';

export interface Tag {
  Key: string;
  Value: string;
}

const MAX_TAGS = 50;

/** Validates a Tags member (a list of {Key, Value}). */
export function parseTags(value: unknown, member = 'Tags'): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidRequest(`${member} must be a list of {Key, Value}`);
  return value.map((t, i) => {
    const tag = t as Partial<Tag> | null;
    if (tag === null || typeof tag !== 'object') throw new InvalidRequest(`${member}[${i}] must be {Key, Value}`);
    if (typeof tag.Key !== 'string' || tag.Key.length < 1 || tag.Key.length > 128) throw new InvalidRequest(`${member}[${i}].Key must be a string of 1 to 128 characters`);
    if (typeof tag.Value !== 'string' || tag.Value.length > 256) throw new InvalidRequest(`${member}[${i}].Value must be a string of at most 256 characters`);
    if (tag.Key.toLowerCase().startsWith('aws:')) throw new InvalidRequest(`${member}[${i}].Key: the aws: prefix is reserved for AWS`);
    return { Key: tag.Key, Value: tag.Value };
  });
}

/** Merges `tags` into the resource's tags (same key: new value); TooManyTagsException past 50. */
export function addTags(state: XRayState, arn: string, tags: Tag[]): void {
  if (tags.length === 0) return;
  const merged = new Map((state.get<Tag[]>('tags', arn) ?? []).map((t) => [t.Key, t.Value]));
  for (const t of tags) merged.set(t.Key, t.Value);
  if (merged.size > MAX_TAGS) {
    throw new XRayError('TooManyTagsException', 400, `a resource may have at most ${MAX_TAGS} tags; this would make ${merged.size}`, arn);
  }
  state.put('tags', arn, [...merged].map(([Key, Value]) => ({ Key, Value })));
}

/** Forgets a deleted resource's tags. */
export function dropTags(state: XRayState, arn: string): void {
  state.delete('tags', arn);
}

/** The ARNs that exist and may carry tags: groups and sampling rules (the Default rule included). */
export type ArnLookup = (arn: string) => boolean;

export function tagOperations(exists: ArnLookup): XRayFamily {
  const resource = (body: Body): string => {
    const arn = str(body, 'ResourceARN', 1, 1011, true);
    if (!exists(arn)) throw new ResourceNotFound(`no group or sampling rule has the ARN ${arn}`, arn);
    return arn;
  };
  return ({ state }) => [
    {
      name: 'TagResource',
      path: '/TagResource',
      write: true,
      handler: (body) => {
        const arn = resource(body);
        if (!Array.isArray(body.Tags)) throw new InvalidRequest('Tags is required');
        addTags(state, arn, parseTags(body.Tags));
        return {};
      },
    },
    {
      name: 'UntagResource',
      path: '/UntagResource',
      write: true,
      handler: (body) => {
        const arn = resource(body);
        const keys = body.TagKeys;
        if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && k.length >= 1 && k.length <= 128)) throw new InvalidRequest('TagKeys must be a list of tag keys');
        const drop = new Set(keys as string[]);
        const left = (state.get<Tag[]>('tags', arn) ?? []).filter((t) => !drop.has(t.Key));
        if (left.length === 0) state.delete('tags', arn);
        else state.put('tags', arn, left);
        return {};
      },
    },
    {
      name: 'ListTagsForResource',
      path: '/ListTagsForResource',
      handler: (body) => {
        const arn = resource(body);
        const { items, NextToken } = page(state.get<Tag[]>('tags', arn) ?? [], body.NextToken, MAX_TAGS);
        return { Tags: items, ...(NextToken ? { NextToken } : {}) };
      },
    },
  ];
}
