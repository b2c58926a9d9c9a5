// Tokens the emulator accepts and what they may do, the way GitHub scopes a GITHUB_TOKEN: one
// access level per permission (`write` includes `read`), every permission a job does not name is
// `none`, and the token reaches only its own repository.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token
import type { Account } from './accounts.ts';

export type Access = 'none' | 'read' | 'write';

/** The job-level permission names of `permissions:` (the ones the emulator's endpoints check). */
export type PermissionName =
  'actions' | 'checks' | 'contents' | 'deployments' | 'issues' | 'pull-requests' | 'statuses';

export type Permissions = Readonly<Partial<Record<PermissionName, Access>>>;

export interface TokenSpec {
  /** The secret itself, e.g. `ghs_…` for a GITHUB_TOKEN. */
  readonly token: string;
  /**
   * `installation` (default): a GITHUB_TOKEN or GitHub App token, writing as a bot; `GET /user`
   * answers 403. `user`: a personal access token, writing as that user.
   */
  readonly kind?: 'installation' | 'user';
  /** Who writes with it: default `github-actions[bot]` for installations. */
  readonly login?: string;
  readonly permissions?: Permissions;
  /** `owner/name` of the repositories it reaches; every repository when absent. */
  readonly repositories?: readonly string[];
  /** Primary rate limit per hour: GITHUB_TOKEN 1,000, a PAT 5,000 (GitHub's documented figures). */
  readonly rateLimit?: number;
}

export interface Token {
  readonly kind: 'installation' | 'user';
  readonly account: Account;
  readonly permissions: Permissions;
  readonly repositories: ReadonlySet<string> | undefined;
  readonly rateLimit: number;
  used: number;
  resetAt: number;
}

const RANK: Record<Access, number> = { none: 0, read: 1, write: 2 };

export function allows(token: Token, permission: PermissionName, access: Access): boolean {
  return RANK[token.permissions[permission] ?? 'none'] >= RANK[access];
}

export function reaches(token: Token, fullName: string): boolean {
  return token.repositories === undefined || token.repositories.has(fullName.toLowerCase());
}

/** The `Authorization` header's token: `Bearer x` or `token x`, as GitHub accepts both. */
export function tokenFromHeader(header: string | undefined): string | undefined {
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
