// The deploy-command engine's ports on GitHub's REST API: the commenter's permission, the pull
// request's head and fork flag, the commit's checks, reactions and replies on the conversation,
// and environment locks kept as git refs (`refs/heads/<env>-deploy-lock`, one commit holding
// lock.json): creating the ref is the atomic claim, as github/branch-deploy does with its lock
// branches.
import type {
  Check,
  CheckOutcome,
  Collaborator,
  CommandPorts,
  Conversation,
  EnvironmentLock,
  Locks,
  PermissionLevel,
  PullRequestState,
} from '../deploy-command/ports.ts';
import { explained } from './api-errors.ts';
import { type RepositoryRef, gitHubDeployments } from './deployments.ts';
import { GitHubApiError, type GitHubRest } from './rest.ts';

const LEVELS: readonly PermissionLevel[] = ['admin', 'write', 'read', 'none'];

export function gitHubConversation(
  rest: GitHubRest,
  repository: RepositoryRef,
  issueNumber: number,
  commentId: number,
): Conversation {
  const base = repoPath(repository);
  return {
    react: (content) =>
      explained('react to the comment', 'pull-requests: write', async () => {
        await rest.request('POST', `${base}/issues/comments/${commentId}/reactions`, { content });
      }),
    reply: (body) =>
      explained('reply on the pull request', 'pull-requests: write', async () => {
        await rest.request('POST', `${base}/issues/${issueNumber}/comments`, { body });
      }),
  };
}

export function gitHubPullRequest(
  rest: GitHubRest,
  repository: RepositoryRef,
): (number: number) => Promise<PullRequestState> {
  return (number) =>
    explained(`read pull request #${number}`, 'pull-requests: read', async () => {
      const { data } = await rest.request<{
        number: number;
        state: 'open' | 'closed';
        head: { sha: string; repo: { full_name: string } | null };
        base: { repo: { full_name: string } };
      }>('GET', `${repoPath(repository)}/pulls/${number}`);
      return {
        number: data.number,
        state: data.state,
        headSha: data.head.sha,
        // A deleted fork leaves head.repo null: still not this repository.
        fromFork:
          data.head.repo?.full_name.toLowerCase() !== data.base.repo.full_name.toLowerCase(),
      };
    });
}

export function gitHubLocks(rest: GitHubRest, repository: RepositoryRef): Locks {
  const base = repoPath(repository);
  const refOf = (env: string) => `heads/${env}-deploy-lock`;
  const write = <T>(what: string, call: () => Promise<T>) =>
    explained(what, 'contents: write', call);

  async function get(environment: string): Promise<EnvironmentLock | undefined> {
    return explained(`read ${environment}'s lock`, 'contents: read', async () => {
      let sha: string;
      try {
        const { data } = await rest.request<{ object: { sha: string } }>(
          'GET',
          `${base}/git/ref/${refOf(environment)}`,
        );
        sha = data.object.sha;
      } catch (error) {
        if (error instanceof GitHubApiError && error.status === 404) return undefined;
        throw error;
      }
      const { data } = await rest.request<{ message: string; author?: { date?: string } }>(
        'GET',
        `${base}/git/commits/${sha}`,
      );
      return (
        parseLock(environment, data.message) ?? {
          // A lock branch someone made by hand still locks; its facts are unknown.
          environment,
          holder: 'unknown',
          reason: 'a lock branch not written by this action',
          since: data.author?.date ?? 'unknown',
          pullRequest: 0,
        }
      );
    });
  }

  return {
    get,
    async claim(lock) {
      const created = await write(`lock ${lock.environment}`, async () => {
        const json = JSON.stringify(lock, null, 2);
        const { data: tree } = await rest.request<{ sha: string }>('POST', `${base}/git/trees`, {
          tree: [{ path: 'lock.json', mode: '100644', type: 'blob', content: `${json}\n` }],
        });
        const { data: commit } = await rest.request<{ sha: string }>(
          'POST',
          `${base}/git/commits`,
          {
            message: `Lock ${lock.environment} for #${lock.pullRequest}\n\n${json}`,
            tree: tree.sha,
            parents: [],
          },
        );
        try {
          await rest.request('POST', `${base}/git/refs`, {
            ref: `refs/${refOf(lock.environment)}`,
            sha: commit.sha,
          });
          return true;
        } catch (error) {
          if (error instanceof GitHubApiError && error.status === 422) return false;
          throw error;
        }
      });
      if (created) return { claimed: true };
      const held = await get(lock.environment);
      // Released between the two calls: claim again.
      return held === undefined ? this.claim(lock) : { claimed: false, held };
    },
    release: (environment) =>
      write(`unlock ${environment}`, async () => {
        try {
          await rest.request('DELETE', `${base}/git/refs/${refOf(environment)}`);
          return true;
        } catch (error) {
          if (error instanceof GitHubApiError && (error.status === 422 || error.status === 404)) {
            return false;
          }
          throw error;
        }
      }),
  };
}

/** The lock.json of a lock commit's message, its fields checked; undefined when it is not one. */
export function parseLock(environment: string, message: string): EnvironmentLock | undefined {
  const start = message.indexOf('\n\n');
  if (start < 0) return undefined;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(message.slice(start + 2)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { holder, reason, since, pullRequest } = json;
  if (
    typeof holder !== 'string' ||
    !/^[A-Za-z0-9-]{1,39}(\[bot\])?$/.test(holder) ||
    typeof reason !== 'string' ||
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    /[\u0000-\u001f\u007f-\u009f`]/.test(reason) ||
    typeof since !== 'string' ||
    Number.isNaN(Date.parse(since)) ||
    typeof pullRequest !== 'number' ||
    !Number.isSafeInteger(pullRequest)
  ) {
    return undefined;
  }
  return { environment, holder, reason: reason.slice(0, 200), since, pullRequest };
}

export function gitHubChecks(
  rest: GitHubRest,
  repository: RepositoryRef,
): (sha: string) => Promise<Check[]> {
  const base = repoPath(repository);
  return async (sha) => {
    const runs = await explained(`read the check runs of ${sha.slice(0, 7)}`, 'checks: read', () =>
      rest.request<{
        check_runs: { name: string; status: string; conclusion: string | null }[];
      }>('GET', `${base}/commits/${sha}/check-runs?per_page=100`),
    );
    const statuses = await explained(
      `read the commit statuses of ${sha.slice(0, 7)}`,
      'statuses: read',
      () =>
        rest.request<{ statuses: { context: string; state: string }[] }>(
          'GET',
          `${base}/commits/${sha}/status?per_page=100`,
        ),
    );
    return [
      ...runs.data.check_runs.map((r) => ({ name: r.name, outcome: runOutcome(r) })),
      ...statuses.data.statuses.map((s) => ({ name: s.context, outcome: statusOutcome(s.state) })),
    ];
  };
}

function runOutcome(run: { status: string; conclusion: string | null }): CheckOutcome {
  if (run.status !== 'completed') return 'pending';
  if (run.conclusion === 'success') return 'success';
  if (run.conclusion === 'neutral') return 'neutral';
  if (run.conclusion === 'skipped') return 'skipped';
  return 'failure';
}

function statusOutcome(state: string): CheckOutcome {
  if (state === 'success') return 'success';
  if (state === 'pending') return 'pending';
  return 'failure';
}

export function gitHubCollaborator(
  rest: GitHubRest,
  repository: RepositoryRef,
): (login: string) => Promise<Collaborator> {
  return (login) =>
    explained(`read @${login}'s permission`, 'metadata: read', async () => {
      try {
        const { data } = await rest.request<{ permission: string; role_name?: string }>(
          'GET',
          `${repoPath(repository)}/collaborators/${encodeURIComponent(login)}/permission`,
        );
        const permission = LEVELS.find((l) => l === data.permission) ?? 'none';
        return { permission, roleName: data.role_name ?? permission };
      } catch (error) {
        // No such user (deleted since commenting): no permission.
        if (error instanceof GitHubApiError && error.status === 404) {
          return { permission: 'none', roleName: 'none' };
        }
        throw error;
      }
    });
}

export interface CommandPortsOptions {
  readonly repository: RepositoryRef;
  readonly issueNumber: number;
  readonly commentId: number;
  readonly now: () => number;
}

export function gitHubCommandPorts(rest: GitHubRest, options: CommandPortsOptions): CommandPorts {
  const { repository } = options;
  return {
    conversation: gitHubConversation(rest, repository, options.issueNumber, options.commentId),
    collaborator: gitHubCollaborator(rest, repository),
    pullRequest: gitHubPullRequest(rest, repository),
    checks: gitHubChecks(rest, repository),
    locks: gitHubLocks(rest, repository),
    deployments: gitHubDeployments(rest, repository),
    now: options.now,
  };
}

function repoPath(repository: RepositoryRef): string {
  return `/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.repo)}`;
}
