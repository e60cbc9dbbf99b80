/**
 * Groups: CreateGroup, GetGroup, GetGroups, UpdateGroup, DeleteGroup, and what a group does
 * elsewhere: `group.name = "x"` / `group.arn = "x"` in a filter expression stand for the
 * group's own FilterExpression (GetTraceSummaries), and GetServiceGraph /
 * GetTimeSeriesServiceStatistics narrow to a group's traces by GroupName or GroupARN.
 * The Default group always exists and matches every trace, as in X-Ray.
 */
import { randomUUID } from 'node:crypto';
import { FilterSyntaxError, parseFilter, type Expr } from '../filter/index.ts';
import { compileExpr, type CompiledQuery } from '../api/query.ts';
import { InvalidRequest, page, ResourceNotFound, str, type Body, type XRayFamily } from './operation.ts';
import { ARN_PREFIX, type XRayState } from './state.ts';
import { addTags, dropTags, parseTags } from './tags.ts';

export interface Group {
  GroupName: string;
  GroupARN: string;
  FilterExpression?: string;
  InsightsConfiguration: { InsightsEnabled: boolean; NotificationsEnabled: boolean };
}

export const DEFAULT_GROUP: Readonly<Group> = Object.freeze({
  GroupName: 'Default',
  GroupARN: `${ARN_PREFIX}group/Default`,
  InsightsConfiguration: Object.freeze({ InsightsEnabled: false, NotificationsEnabled: false }),
});

/** AWS's per-account group limit. */
const MAX_GROUPS = 25;
const GROUPS_PAGE = 100;

/** Every group, the Default group first. */
export function allGroups(state: XRayState): Group[] {
  return [state.get<Group>('group', DEFAULT_GROUP.GroupName) ?? DEFAULT_GROUP, ...state.list<Group>('group').filter((g) => g.GroupName !== DEFAULT_GROUP.GroupName)];
}

/** The group a GroupName or GroupARN member names, if any. */
export function findGroup(state: XRayState, by: { name?: string; arn?: string }): Group | undefined {
  return allGroups(state).find((g) => (by.name === undefined || g.GroupName === by.name) && (by.arn === undefined || g.GroupARN === by.arn));
}

/** The group a request names (GroupName and/or GroupARN), ResourceNotFoundException when none; undefined when it names none and need not. */
export function requestGroup(state: XRayState, body: Body, required: boolean): Group | undefined {
  const name = str(body, 'GroupName', 1, 32);
  const arn = str(body, 'GroupARN', 1, 400);
  if (name === undefined && arn === undefined) {
    if (required) throw new InvalidRequest('GroupName or GroupARN is required');
    return undefined;
  }
  const group = findGroup(state, { name, arn });
  if (group === undefined) throw new ResourceNotFound(`group ${name ?? arn} not found`, name ?? arn);
  return group;
}

/**
 * Compiles a filter expression whose `group.name` / `group.arn` terms are replaced by the
 * groups' own expressions (`!=` negates one); an unknown group is InvalidRequestException.
 */
export function compileWithGroups(state: XRayState, expression: string | undefined): CompiledQuery {
  try {
    return compileExpr(expression === undefined ? null : resolveGroups(state, parseFilter(expression), 0));
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new InvalidRequest(`Invalid filter expression ${err.message}`);
    throw err;
  }
}

/** The compiled expression of a group (matches everything for the Default group or a group without one). */
export function groupQuery(state: XRayState, group: Group | undefined): CompiledQuery {
  return compileWithGroups(state, group?.FilterExpression);
}

function resolveGroups(state: XRayState, node: Expr | null, depth: number): Expr | null {
  if (node === null) return null;
  return walk(node) as Expr;
  function walk(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    if (o.kind === 'group') {
      const g = o as unknown as Extract<Expr, { kind: 'group' }>;
      const group = findGroup(state, g.field === 'name' ? { name: g.value } : { arn: g.value });
      if (group === undefined) throw new InvalidRequest(`Invalid filter expression: group ${g.value} does not exist`);
      // A group's expression cannot name groups itself (CreateGroup refuses it), so one level suffices.
      const inner: Expr = group.FilterExpression && depth === 0 ? (resolveGroups(state, parseFilter(group.FilterExpression), depth + 1) ?? everything(g)) : everything(g);
      return g.op === '=' ? inner : ({ kind: 'not', expr: inner, start: g.start, end: g.end } as Expr);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  }
}

/** An expression true for every trace: `and` of nothing. */
function everything(at: { start: number; end: number }): Expr {
  return { kind: 'and', items: [], start: at.start, end: at.end } as unknown as Expr;
}

/** A group's FilterExpression member: valid X-Ray filter syntax without group terms. */
function filterExpression(state: XRayState, body: Body): string | undefined {
  const expression = str(body, 'FilterExpression', 0, 2000);
  if (expression === undefined || expression.trim() === '') return expression === undefined ? undefined : '';
  if (/\bgroup\.(name|arn)\b/.test(expression)) throw new InvalidRequest('Invalid filter expression: a group filter expression cannot refer to groups');
  compileWithGroups(state, expression);
  return expression;
}

function insights(body: Body, previous?: Group['InsightsConfiguration']): Group['InsightsConfiguration'] {
  const raw = body.InsightsConfiguration as { InsightsEnabled?: unknown; NotificationsEnabled?: unknown } | undefined;
  const base = previous ?? { InsightsEnabled: false, NotificationsEnabled: false };
  if (raw === undefined || raw === null) return base;
  if (typeof raw !== 'object') throw new InvalidRequest('InsightsConfiguration must be {InsightsEnabled, NotificationsEnabled}');
  for (const k of ['InsightsEnabled', 'NotificationsEnabled'] as const) {
    if (raw[k] !== undefined && typeof raw[k] !== 'boolean') throw new InvalidRequest(`InsightsConfiguration.${k} must be a boolean`);
  }
  const out = { InsightsEnabled: (raw.InsightsEnabled as boolean | undefined) ?? base.InsightsEnabled, NotificationsEnabled: (raw.NotificationsEnabled as boolean | undefined) ?? base.NotificationsEnabled };
  if (out.NotificationsEnabled && !out.InsightsEnabled) throw new InvalidRequest('InsightsConfiguration: notifications need InsightsEnabled');
  return out;
}

function view(group: Group): Group {
  return { ...group, InsightsConfiguration: { ...group.InsightsConfiguration } };
}

export const groupOperations: XRayFamily = ({ state }) => [
  {
    name: 'CreateGroup',
    path: '/CreateGroup',
    write: true,
    handler: (body) => {
      const name = str(body, 'GroupName', 1, 32, true);
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InvalidRequest('GroupName may hold letters, digits, "_", "-" and "." only');
      if (findGroup(state, { name })) throw new InvalidRequest(`Group ${name} already exists`);
      if (state.count('group') >= MAX_GROUPS) throw new InvalidRequest(`at most ${MAX_GROUPS} groups may exist`);
      const expression = filterExpression(state, body);
      const tags = parseTags(body.Tags);
      const group: Group = {
        GroupName: name,
        GroupARN: `${ARN_PREFIX}group/${name}/${randomUUID().replaceAll('-', '').toUpperCase()}`,
        ...(expression ? { FilterExpression: expression } : {}),
        InsightsConfiguration: insights(body),
      };
      addTags(state, group.GroupARN, tags);
      state.put('group', name, group);
      return { Group: view(group) };
    },
  },
  {
    name: 'GetGroup',
    path: '/GetGroup',
    handler: (body) => ({ Group: view(requestGroup(state, body, true)!) }),
  },
  {
    name: 'GetGroups',
    path: '/Groups',
    handler: (body) => {
      const { items, NextToken } = page(allGroups(state), body.NextToken, GROUPS_PAGE);
      return { Groups: items.map(view), ...(NextToken ? { NextToken } : {}) };
    },
  },
  {
    name: 'UpdateGroup',
    path: '/UpdateGroup',
    write: true,
    handler: (body) => {
      const group = requestGroup(state, body, true)!;
      const expression = filterExpression(state, body);
      if (group.GroupName === DEFAULT_GROUP.GroupName && expression) throw new InvalidRequest('the Default group matches every trace; its FilterExpression cannot be set');
      const updated: Group = { ...group, InsightsConfiguration: insights(body, group.InsightsConfiguration) };
      if (expression !== undefined) {
        delete updated.FilterExpression;
        if (expression) updated.FilterExpression = expression;
      }
      state.put('group', group.GroupName, updated);
      return { Group: view(updated) };
    },
  },
  {
    name: 'DeleteGroup',
    path: '/DeleteGroup',
    write: true,
    handler: (body) => {
      const group = requestGroup(state, body, true)!;
      if (group.GroupName === DEFAULT_GROUP.GroupName) throw new InvalidRequest('the Default group cannot be deleted');
      state.delete('group', group.GroupName);
      dropTags(state, group.GroupARN);
      return {};
    },
  },
];
