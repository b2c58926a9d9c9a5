// A job's GITHUB_TOKEN permissions as GitHub computes them: the job's `permissions:`, else the
// workflow's, else the repository default; `read-all`/`write-all`/`{}`; every scope not named is
// `none`; in a called workflow the caller's grant is the ceiling (permissions only shrink).
// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { WorkflowError } from './load-workflow.ts';
import { literal } from './tokens.ts';

export type Access = 'none' | 'read' | 'write';

export const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;

export type Scope = (typeof SCOPES)[number];
export type PermissionSet = Readonly<Record<Scope, Access>>;

const RANK: Record<Access, number> = { none: 0, read: 1, write: 2 };

function uniform(access: Access): PermissionSet {
  return Object.fromEntries(
    SCOPES.map((scope) => [
      scope,
      // id-token and models have no `write`/`read` in the other sense: write-all grants write.
      scope === 'id-token' && access === 'read' ? 'none' : access,
    ]),
  ) as Record<Scope, Access>;
}

export const NO_PERMISSIONS: PermissionSet = uniform('none');

/** The repository's default for jobs without `permissions:`. */
export function defaultPermissions(kind: 'restricted' | 'permissive'): PermissionSet {
  if (kind === 'permissive') return { ...uniform('write'), 'id-token': 'none' };
  return { ...NO_PERMISSIONS, contents: 'read', packages: 'read' };
}

/** `permissions:` as written, or undefined when the key is absent. */
export function parsePermissions(
  token: TemplateToken | undefined,
  where: string,
): PermissionSet | undefined {
  if (token === undefined) return undefined;
  const value = literal(token);
  if (value === 'read-all') return uniform('read');
  if (value === 'write-all') return uniform('write');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WorkflowError(
      `${where}: permissions must be read-all, write-all or a mapping of scopes`,
    );
  }
  const result: Record<Scope, Access> = { ...NO_PERMISSIONS };
  for (const [scope, access] of Object.entries(value as Record<string, unknown>)) {
    if (!(SCOPES as readonly string[]).includes(scope)) {
      throw new WorkflowError(`${where}: unknown permission scope '${scope}'`);
    }
    if (access !== 'none' && access !== 'read' && access !== 'write') {
      throw new WorkflowError(`${where}: permission '${scope}' must be none, read or write`);
    }
    if (scope === 'id-token' && access === 'read') {
      throw new WorkflowError(`${where}: id-token takes write or none`);
    }
    result[scope as Scope] = access;
  }
  return result;
}

/**
 * A called workflow's job may ask for no more than its caller holds; GitHub refuses the whole
 * run otherwise ("The nested job … is requesting …, but is only allowed …").
 */
export function checkWithinCeiling(
  wanted: PermissionSet,
  ceiling: PermissionSet,
  where: string,
): PermissionSet {
  const over = SCOPES.filter((scope) => RANK[wanted[scope]] > RANK[ceiling[scope]]);
  if (over.length > 0) {
    const list = (set: PermissionSet) =>
      over.map((scope) => `'${scope}: ${set[scope]}'`).join(', ');
    throw new WorkflowError(
      `The nested job '${where}' is requesting ${list(wanted)}, but is only allowed ${list(ceiling)}.`,
    );
  }
  return wanted;
}

/** Only the scopes granted, for assertions and logs: `{ contents: 'read' }`. */
export function granted(permissions: PermissionSet): Partial<Record<Scope, Access>> {
  return Object.fromEntries(
    SCOPES.filter((s) => permissions[s] !== 'none').map((s) => [s, permissions[s]]),
  );
}
