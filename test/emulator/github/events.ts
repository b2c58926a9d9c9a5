// Webhook payloads the harness writes to GITHUB_EVENT_PATH, from the emulator's own state, in the
// shapes of GitHub's published schemas (@octokit/webhooks-types). They carry the fields a step
// reads and the usual neighbours, not every field of the schema: the type checks the names.
import type { IssueCommentEvent, PullRequestClosedEvent, User } from '@octokit/webhooks-types';
import type { Account } from './accounts.ts';
import type { GitHubEmulator } from './server.ts';
import type { IssueComment, Repository } from './store.ts';

type Partial_<T> = T extends object ? { [K in keyof T]?: Partial_<T[K]> } : T;

function user(account: Account, apiUrl: string): Partial_<User> {
  return {
    login: account.login,
    id: account.id,
    type: account.type === 'Organization' ? 'Organization' : account.type,
    url: `${apiUrl}/users/${encodeURIComponent(account.login)}`,
    html_url: `https://github.com/${account.login.replace(/\[bot\]$/, '')}`,
    site_admin: false,
  };
}

function repositoryJson(github: GitHubEmulator, repository: Repository) {
  return {
    id: repository.id,
    name: repository.name,
    full_name: repository.fullName,
    private: repository.private,
    owner: user(github.accounts.get(repository.owner), github.url),
    default_branch: repository.defaultBranch,
    url: `${github.url}/repos/${repository.fullName}`,
  };
}

/** An `issue_comment` event for `comment` (created, edited with the body before, or deleted). */
export function issueCommentEvent(
  github: GitHubEmulator,
  comment: IssueComment,
  action: IssueCommentEvent['action'] = 'created',
  bodyBefore?: string,
): Partial_<IssueCommentEvent> {
  const { repository } = comment;
  const issue = repository.issues.get(comment.issueNumber);
  if (issue === undefined) throw new TypeError(`no issue #${comment.issueNumber}`);
  const repoUrl = `${github.url}/repos/${repository.fullName}`;
  const htmlKind = issue.pull === undefined ? 'issues' : 'pull';
  return {
    action,
    ...(action === 'edited' ? { changes: { body: { from: bodyBefore ?? '' } } } : {}),
    issue: {
      id: repository.id * 1000 + issue.number,
      number: issue.number,
      title: issue.title,
      user: user(issue.author, github.url),
      state: issue.state,
      locked: false,
      labels: [],
      comments: github.store.comments(repository, issue.number).length,
      url: `${repoUrl}/issues/${issue.number}`,
      html_url: `https://github.com/${repository.fullName}/${htmlKind}/${issue.number}`,
      created_at: issue.createdAt.toISOString(),
      ...(issue.pull === undefined
        ? {}
        : {
            pull_request: {
              url: `${repoUrl}/pulls/${issue.number}`,
              html_url: `https://github.com/${repository.fullName}/pull/${issue.number}`,
              diff_url: `https://github.com/${repository.fullName}/pull/${issue.number}.diff`,
              patch_url: `https://github.com/${repository.fullName}/pull/${issue.number}.patch`,
              merged_at: null,
            },
          }),
    },
    comment: {
      id: comment.id,
      node_id: Buffer.from(`012:IssueComment${comment.id}`).toString('base64'),
      url: `${repoUrl}/issues/comments/${comment.id}`,
      html_url: `https://github.com/${repository.fullName}/${htmlKind}/${issue.number}#issuecomment-${comment.id}`,
      issue_url: `${repoUrl}/issues/${issue.number}`,
      body: comment.body,
      user: user(comment.author, github.url),
      created_at: comment.createdAt.toISOString(),
      updated_at: comment.updatedAt.toISOString(),
      author_association:
        comment.author.login.toLowerCase() === repository.owner.toLowerCase() ? 'OWNER' : 'NONE',
      performed_via_github_app: null,
    },
    repository: repositoryJson(github, repository),
    sender: user(comment.author, github.url),
  };
}

/** A `pull_request` event with action `closed`. */
export function pullRequestClosedEvent(
  github: GitHubEmulator,
  repository: Repository,
  number: number,
  by: Account,
): Partial_<PullRequestClosedEvent> {
  const issue = repository.issues.get(number);
  if (issue?.pull === undefined) throw new TypeError(`no pull request #${number}`);
  return {
    action: 'closed',
    number,
    pull_request: {
      number,
      state: 'closed',
      title: issue.title,
      user: user(issue.author, github.url),
      head: { ref: issue.pull.headRef, sha: issue.pull.headSha },
      base: { ref: issue.pull.baseRef },
      merged: false,
    },
    repository: repositoryJson(github, repository),
    sender: user(by, github.url),
  };
}
