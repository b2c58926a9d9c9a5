// Whether an event starts a workflow, by the filters under its `on:` ("Workflow syntax for GitHub
// Actions", on.<event>.types, on.<push|pull_request|pull_request_target>.<branches|tags|paths>
// and their -ignore forms, on.workflow_run.<branches|workflows>; "Events that trigger
// workflows" for the default activity types):
//
// - `types`: the payload's `action` must be one of them; pull_request and pull_request_target
//   default to opened, synchronize and reopened, other events to every type.
// - push: with only branch filters a tag push does not run, with only tag filters a branch push
//   does not; with both, either may match. Path filters are not evaluated for tag pushes.
// - pull_request(_target): branch filters match the base branch.
// - Branch and path filters must both be satisfied when both are given.
// - Patterns: `*` any characters but `/`, `**` any characters, `?` zero or one of the preceding
//   character, `+` one or more of it, `[…]` one character of a set, `\` escapes; a leading `!`
//   negates, and the last pattern that matches decides.
// - Paths: the changed files, only the first 300 of them (GitHub's diff limit); `paths` runs when
//   one file is included, `paths-ignore` unless every file is ignored.
import { asString } from './expressions.ts';
import { WorkflowError } from './load-workflow.ts';

export interface TriggerEvent {
  name: string;
  payload: Record<string, unknown>;
  /** The run's ref (`refs/heads/x`, `refs/tags/v1`) and the pull request's base branch. */
  ref: string;
  baseRef: string;
  /** The files the event changed, for `paths` filters; else taken from a push payload's commits. */
  changedFiles?: readonly string[];
}

const DEFAULT_TYPES: Record<string, readonly string[]> = {
  pull_request: ['opened', 'synchronize', 'reopened'],
  pull_request_target: ['opened', 'synchronize', 'reopened'],
};
const DIFF_LIMIT = 300;

/** Why the event does not start the workflow, or undefined when it does. */
export function notTriggeredBy(
  on: unknown,
  event: TriggerEvent,
  where: string,
): string | undefined {
  // `on: pull_request` and `on: [push, pull_request]` name no filters but keep the default types.
  const raw =
    on !== null && typeof on === 'object' && !Array.isArray(on)
      ? (on as Record<string, unknown>)[event.name]
      : undefined;
  const filters =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : {};
  const key = (name: string) => `on.${event.name}.${name}`;

  const action = event.payload['action'];
  const types = list(filters['types']) ?? DEFAULT_TYPES[event.name];
  if (types !== undefined && typeof action === 'string' && !types.includes(action)) {
    const named = filters['types'] === undefined ? 'the default types of' : 'one of';
    return `${event.name} of type ${action} is not ${named} ${key('types')} (${types.join(', ')})`;
  }

  if (event.name === 'push') {
    const tag = event.ref.startsWith('refs/tags/');
    const name = event.ref.replace(/^refs\/(heads|tags)\//, '');
    const branchFilters = 'branches' in filters || 'branches-ignore' in filters;
    const tagFilters = 'tags' in filters || 'tags-ignore' in filters;
    const what = tag ? `tag ${name}` : `branch ${name}`;
    if (tag && branchFilters && !tagFilters) {
      return `push of ${what}: on.push filters branches only`;
    }
    if (!tag && tagFilters && !branchFilters) {
      return `push to ${what}: on.push filters tags only`;
    }
    const refWhy = refFilter(filters, tag ? 'tags' : 'branches', name, key);
    if (refWhy !== undefined) return `push ${tag ? 'of' : 'to'} ${what} ${refWhy}`;
    if (tag) return undefined;
    const pathWhy = pathsFilter(filters, changedFiles(event, where, filters), key);
    return pathWhy === undefined ? undefined : `push to ${what} ${pathWhy}`;
  }
  if (event.name === 'pull_request' || event.name === 'pull_request_target') {
    const pullRequest = event.payload['pull_request'] as Record<string, unknown> | undefined;
    const base =
      asString((pullRequest?.['base'] as Record<string, unknown> | undefined)?.['ref']) ||
      event.baseRef;
    const refWhy = refFilter(filters, 'branches', base, key);
    if (refWhy !== undefined) return `${event.name} into branch ${base} ${refWhy}`;
    const pathWhy = pathsFilter(filters, changedFiles(event, where, filters), key);
    return pathWhy === undefined ? undefined : `${event.name} into branch ${base} ${pathWhy}`;
  }
  if (event.name === 'workflow_run') {
    const run = (event.payload['workflow_run'] ?? {}) as Record<string, unknown>;
    const workflows = list(filters['workflows']);
    const workflow = asString(run['name']);
    if (workflows !== undefined && !workflows.includes(workflow)) {
      return `workflow_run of ${workflow} is not one of ${key('workflows')} (${workflows.join(', ')})`;
    }
    const refWhy = refFilter(filters, 'branches', asString(run['head_branch']), key);
    if (refWhy !== undefined)
      return `workflow_run on branch ${asString(run['head_branch'])} ${refWhy}`;
  }
  return undefined;
}

function refFilter(
  filters: Record<string, unknown>,
  kind: 'branches' | 'tags',
  name: string,
  key: (name: string) => string,
): string | undefined {
  const include = list(filters[kind]);
  if (include !== undefined && !matchesLast(include, name)) {
    return `matches none of ${key(kind)} (${include.join(', ')})`;
  }
  const ignore = list(filters[`${kind}-ignore`]);
  if (ignore !== undefined && matchesLast(ignore, name)) {
    return `matches ${key(`${kind}-ignore`)} (${ignore.join(', ')})`;
  }
  return undefined;
}

function pathsFilter(
  filters: Record<string, unknown>,
  files: readonly string[] | undefined,
  key: (name: string) => string,
): string | undefined {
  if (files === undefined) return undefined;
  const considered = files.slice(0, DIFF_LIMIT);
  const include = list(filters['paths']);
  if (include !== undefined && !considered.some((file) => matchesLast(include, file))) {
    return `changes no file matching ${key('paths')} (${include.join(', ')})`;
  }
  const ignore = list(filters['paths-ignore']);
  if (ignore !== undefined && considered.every((file) => matchesLast(ignore, file))) {
    return `changes only files matching ${key('paths-ignore')} (${ignore.join(', ')})`;
  }
  return undefined;
}

/** The changed files, when a paths filter needs them. */
function changedFiles(
  event: TriggerEvent,
  where: string,
  filters: Record<string, unknown>,
): readonly string[] | undefined {
  if (!('paths' in filters) && !('paths-ignore' in filters)) return undefined;
  if (event.changedFiles !== undefined) return event.changedFiles;
  const commits = event.payload['commits'];
  if (event.name === 'push' && Array.isArray(commits)) {
    const files = commits.flatMap((commit: Record<string, unknown>) =>
      ['added', 'removed', 'modified'].flatMap((field) => list(commit[field]) ?? []),
    );
    return [...new Set(files)];
  }
  throw new WorkflowError(
    `${where}: on.${event.name} filters paths: pass the changed files as event.changedFiles (or commits with added/removed/modified in a push payload)`,
  );
}

function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value : [value]).map(asString);
}

/** Whether the last pattern that matches `name` is a positive one. */
export function matchesLast(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) matched = !negated;
  }
  return matched;
}

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  let found = cache.get(pattern);
  if (found !== undefined) return found;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\' && i + 1 < pattern.length) {
      source += escape(pattern[++i] ?? '');
    } else if (c === '*') {
      if (pattern[i + 1] === '*' && pattern[i + 2] === '/') {
        source += '(?:.*/)?'; // `**/README.md` is README.md anywhere, the root included
        i += 2;
      } else if (pattern[i + 1] === '*') {
        source += '.*';
        i++;
      } else source += '[^/]*';
    } else if (c === '?' || c === '+') {
      // zero or one / one or more of the preceding character (literal when there is none)
      source += source === '' ? escape(c) : c;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${pattern.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += escape(c);
  }
  found = new RegExp(`^${source}$`);
  cache.set(pattern, found);
  return found;
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
