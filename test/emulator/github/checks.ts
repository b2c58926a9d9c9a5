// A commit's checks: its check runs (`checks: read`) and its combined status (`statuses: read`);
// a status is created with `statuses: write`.
// https://docs.github.com/en/rest/commits/statuses#create-a-commit-status
// https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference
// https://docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference
// The combined state is failure when any latest status is error or failure, pending when any is
// pending or there are none, success otherwise. Both look up the ref as a full commit SHA.
import { GitHubError, notFound, validationFailed } from './errors.ts';
import { accessRepository, objectBody, type Route, type RouteContext } from './route.ts';
import type { CommitStatus, Repository } from './store.ts';

const RUNS_DOCS = 'https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference';
const CREATE_STATUS_DOCS = 'https://docs.github.com/rest/commits/statuses#create-a-commit-status';
const STATES = ['error', 'failure', 'pending', 'success'] as const;
const STATUS_DOCS =
  'https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference';

export const checkRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    operation: 'checks/list-for-ref',
    handle(context) {
      const repository = accessRepository(context, 'read', ['checks'], RUNS_DOCS);
      const sha = commit(context, repository, RUNS_DOCS);
      const runs = repository.checks.get(sha)?.checkRuns ?? [];
      // filter=latest (the default): the newest run of each name.
      const latest = [...new Map(runs.map((r) => [r.name, r])).values()];
      return {
        status: 200,
        body: {
          total_count: latest.length,
          check_runs: latest.map((r) => ({
            id: r.id,
            head_sha: sha,
            name: r.name,
            status: r.status,
            conclusion: r.conclusion,
            url: `${context.apiUrl}/repos/${repository.fullName}/check-runs/${r.id}`,
          })),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/status',
    operation: 'repos/get-combined-status-for-ref',
    handle(context) {
      const repository = accessRepository(context, 'read', ['statuses'], STATUS_DOCS);
      const sha = commit(context, repository, STATUS_DOCS);
      const latest = latestStatuses(repository.checks.get(sha)?.statuses ?? []);
      return {
        status: 200,
        body: {
          state: combinedState(latest),
          sha,
          total_count: latest.length,
          statuses: latest.map((s) => ({
            id: s.id,
            context: s.context,
            state: s.state,
            description: s.description,
            created_at: s.createdAt.toISOString(),
          })),
          repository: { full_name: repository.fullName },
        },
      };
    },
  },
];

export const statusRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/statuses/{sha}',
    operation: 'repos/create-commit-status',
    handle(context) {
      const repository = accessRepository(context, 'write', ['statuses'], CREATE_STATUS_DOCS);
      const body = objectBody(context);
      const state = body['state'];
      if (!STATES.includes(state as (typeof STATES)[number])) {
        throw validationFailed(
          [
            {
              resource: 'Status',
              code: 'custom',
              field: 'state',
              message: `state is not included in the list`,
            },
          ],
          CREATE_STATUS_DOCS,
        );
      }
      const sha = context.params.sha ?? '';
      if (!repository.commits.has(sha)) {
        throw new GitHubError(422, `No commit found for SHA: ${sha}`, {
          documentationUrl: CREATE_STATUS_DOCS,
        });
      }
      const description = typeof body['description'] === 'string' ? body['description'] : null;
      const statusContext = typeof body['context'] === 'string' ? body['context'] : 'default';
      const status = context.store.addCommitStatus(
        repository,
        sha,
        statusContext,
        state as (typeof STATES)[number],
        description,
      );
      return {
        status: 201,
        body: {
          id: status.id,
          state: status.state,
          context: status.context,
          description: status.description,
          created_at: status.createdAt.toISOString(),
        },
      };
    },
  },
];

export function latestStatuses(statuses: readonly CommitStatus[]): CommitStatus[] {
  return [...new Map(statuses.map((s) => [s.context, s])).values()];
}

export function combinedState(latest: readonly CommitStatus[]): string {
  if (latest.some((s) => s.state === 'error' || s.state === 'failure')) return 'failure';
  if (latest.length === 0 || latest.some((s) => s.state === 'pending')) return 'pending';
  return 'success';
}

/** A known commit's SHA; GitHub answers 422 "No commit found for SHA" to others. */
function commit(context: RouteContext, repository: Repository, docs: string): string {
  const ref = context.params.ref ?? '';
  if (repository.commits.has(ref)) return ref;
  if (ref === repository.defaultBranch) return repository.defaultBranchSha;
  throw notFound(docs);
}
