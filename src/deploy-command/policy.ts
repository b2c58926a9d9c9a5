// Who may ask for what, where: the settings the adapter parses, their invariants, and the
// authorisation decision for one commenter and one environment.
import { UserError } from '../lib/errors.ts';
import { ENVIRONMENT_NAME, PREFIX } from './grammar.ts';
import type { Collaborator, PermissionLevel } from './ports.ts';

export const PERMISSION_LEVELS: readonly PermissionLevel[] = ['admin', 'write', 'read', 'none'];

export interface CommandPolicy {
  readonly prefix: string;
  /** The environments a comment may name: /deploy, /rollback, /lock, /unlock, /status. */
  readonly environments: readonly string[];
  /** /promote's target, reached only through its job's `environment:` and required reviewers. */
  readonly production: string;
  /** /promote's source. */
  readonly promoteFrom: string;
  /** Permission levels that may use commands, unless an environment says otherwise. */
  readonly permissions: readonly PermissionLevel[];
  readonly environmentPermissions: ReadonlyMap<string, readonly PermissionLevel[]>;
  /** Per environment, the only logins (lower case) that may deploy there, on top of the level. */
  readonly environmentUsers: ReadonlyMap<string, readonly string[]>;
  /** Bot logins (lower case) whose commands count; every other bot is refused. */
  readonly allowedBots: readonly string[];
  readonly allowForks: boolean;
  /** Environments where an admin's --force skips red checks. */
  readonly forceEnvironments: readonly string[];
  /** 'all': every check run and status on the commit; else the names that must be green. */
  readonly requiredChecks: 'all' | readonly string[];
}

export const DEFAULT_POLICY: CommandPolicy = {
  prefix: '/',
  environments: ['staging'],
  production: 'production',
  promoteFrom: 'staging',
  permissions: ['write', 'admin'],
  environmentPermissions: new Map(),
  environmentUsers: new Map(),
  allowedBots: [],
  allowForks: false,
  forceEnvironments: [],
  requiredChecks: 'all',
};

/** The policy's own invariants, in the engine's words. */
export function checkPolicy(policy: CommandPolicy): void {
  if (!PREFIX.test(policy.prefix)) {
    throw new UserError(
      `The command prefix must be 1 to 8 punctuation characters such as / or .; got ${JSON.stringify(policy.prefix)}.`,
    );
  }
  const names = [...policy.environments, policy.production, policy.promoteFrom];
  for (const name of names) {
    if (!ENVIRONMENT_NAME.test(name)) {
      throw new UserError(
        `${JSON.stringify(name)} is not an environment name a command can use: letters, digits, '.', '_' and '-', at most 63.`,
      );
    }
  }
  if (policy.environments.length === 0) {
    throw new UserError('No environment is reachable from a comment: name at least one (staging).');
  }
  if (policy.environments.includes(policy.production)) {
    throw new UserError(
      `${policy.production} cannot be reached by a comment deploy: /promote hands it to the workflow's environment: ${policy.production} job and its required reviewers. Leave it out of the environments.`,
    );
  }
  if (policy.promoteFrom === policy.production) {
    throw new UserError(`Promotion cannot go from ${policy.production} to itself.`);
  }
  for (const env of [...policy.environmentPermissions.keys(), ...policy.environmentUsers.keys()]) {
    if (!names.includes(env)) {
      throw new UserError(
        `A rule names the environment ${JSON.stringify(env)}, which no command reaches: use one of ${[...new Set(names)].join(', ')}.`,
      );
    }
  }
  for (const env of policy.forceEnvironments) {
    if (!policy.environments.includes(env)) {
      throw new UserError(
        `--force is allowed in ${JSON.stringify(env)}, which no comment reaches: use one of ${policy.environments.join(', ')}.`,
      );
    }
  }
}

export type Authorisation =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: 'permission' | 'not-allowed-for-environment';
      readonly reason: string;
    };

/** May `login`, with `collaborator`'s permission, act on `environment`? */
export function authorise(
  policy: CommandPolicy,
  login: string,
  collaborator: Collaborator,
  environment: string | undefined,
): Authorisation {
  const levels =
    (environment && policy.environmentPermissions.get(environment)) || policy.permissions;
  if (!levels.includes(collaborator.permission)) {
    const where = environment ? ` in ${environment}` : '';
    return {
      allowed: false,
      code: 'permission',
      reason: `@${login} has ${describeRole(collaborator)} access to this repository; commands${where} need ${levels.join(' or ')}.`,
    };
  }
  const users = environment ? policy.environmentUsers.get(environment) : undefined;
  if (users !== undefined && !users.includes(login.toLowerCase())) {
    return {
      allowed: false,
      code: 'not-allowed-for-environment',
      reason: `@${login} is not on the list of who may deploy to ${environment}.`,
    };
  }
  return { allowed: true };
}

function describeRole(c: Collaborator): string {
  if (c.permission === 'none') return 'no';
  return /^[a-z_-]{1,40}$/i.test(c.roleName) && c.roleName !== c.permission
    ? `${c.roleName} (${c.permission})`
    : c.permission;
}

export type CheckVerdict =
  | { readonly green: true }
  | {
      readonly green: false;
      readonly failing: string[];
      readonly pending: string[];
      readonly missing: string[];
    };

/** Whether the commit's checks let a deploy go. */
export function judgeChecks(
  required: CommandPolicy['requiredChecks'],
  checks: readonly { name: string; outcome: string }[],
): CheckVerdict {
  const relevant = required === 'all' ? checks : checks.filter((c) => required.includes(c.name));
  const failing = relevant.filter((c) => c.outcome === 'failure').map((c) => c.name);
  const pending = relevant.filter((c) => c.outcome === 'pending').map((c) => c.name);
  const missing =
    required === 'all' ? [] : required.filter((name) => !checks.some((c) => c.name === name));
  return failing.length + pending.length + missing.length === 0
    ? { green: true }
    : { green: false, failing, pending, missing };
}
