// What a route handler sees and returns, and the access check every repository route starts with.
import type { Accounts } from './accounts.ts';
import { GitHubError, notAccessible, notFound, requiresAuthentication } from './errors.ts';
import type { Repository, Store } from './store.ts';
import { allows, reaches, type PermissionName, type Token } from './tokens.ts';

export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body; undefined without one. */
  readonly body: unknown;
  /** The authenticated token; undefined for an anonymous request. */
  readonly token: Token | undefined;
  /** The API root as clients call it, e.g. http://127.0.0.1:PORT or …/api/v3 for GHES. */
  readonly apiUrl: string;
  readonly store: Store;
  readonly accounts: Accounts;
  readonly clock: () => Date;
}

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** A path with `{name}` parameters, e.g. /repos/{owner}/{repo}/pulls/{pull_number}. */
  readonly path: string;
  /** The operation's name in GitHub's REST docs (the call log shows it). */
  readonly operation: string;
  handle(context: RouteContext): RouteResult;
}

/**
 * The repository a request names, after GitHub's checks: a private repository the caller cannot
 * see is 404 (GitHub never confirms it exists); reading a private one needs `read` on one of
 * `permissions`, writing needs `write` on one of them, else 403 "Resource not accessible by
 * integration". A public repository is readable by anyone.
 * https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps
 */
export function accessRepository(
  context: RouteContext,
  mode: 'read' | 'write',
  permissions: readonly PermissionName[],
  documentationUrl: string,
): Repository {
  const { owner = '', repo = '' } = context.params;
  const repository = context.store.repository(owner, repo);
  const { token } = context;
  if (repository === undefined) throw notFound(documentationUrl);
  const visible =
    !repository.private || (token !== undefined && reaches(token, repository.fullName));
  if (!visible) throw notFound(documentationUrl);
  if (token === undefined) {
    if (mode === 'write') throw requiresAuthentication();
    return repository;
  }
  if (mode === 'read' && !repository.private) return repository;
  if (!reaches(token, repository.fullName)) throw notAccessible(documentationUrl);
  if (!permissions.some((p) => allows(token, p, mode))) throw notAccessible(documentationUrl);
  return repository;
}

export function integerParam(
  context: RouteContext,
  name: string,
  documentationUrl: string,
): number {
  const value = context.params[name] ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw notFound(documentationUrl);
  return Number(value);
}

/** A JSON object body, or 400 "Problems parsing JSON" / 422 the way GitHub answers. */
export function objectBody(context: RouteContext): Record<string, unknown> {
  const { body } = context;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GitHubError(400, 'Problems parsing JSON');
  }
  return body as Record<string, unknown>;
}

/**
 * The repository, for endpoints that need only the `metadata` permission every installation
 * token has: visible and reached by the token, else 404.
 */
export function metadataRepository(context: RouteContext, documentationUrl: string): Repository {
  const { owner = '', repo = '' } = context.params;
  const repository = context.store.repository(owner, repo);
  const { token } = context;
  if (repository === undefined) throw notFound(documentationUrl);
  const visible =
    !repository.private || (token !== undefined && reaches(token, repository.fullName));
  if (!visible) throw notFound(documentationUrl);
  return repository;
}
