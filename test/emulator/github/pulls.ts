// GET /repos/{owner}/{repo}/pulls/{pull_number}: the fields clients read (state, draft, head and
// base with their SHA and repository, the fork flag). Needs `pull-requests: read` on a private
// repository. https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request
import { simpleUser } from './accounts.ts';
import { notFound } from './errors.ts';
import { accessRepository, integerParam, type Route, type RouteContext } from './route.ts';
import type { Issue, Repository } from './store.ts';

const DOCS = 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request';

export const pullRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    operation: 'pulls/get',
    handle(context) {
      const repository = accessRepository(context, 'read', ['pull-requests'], DOCS);
      const issue = repository.issues.get(integerParam(context, 'pull_number', DOCS));
      if (issue?.pull === undefined) throw notFound(DOCS);
      return { status: 200, body: pullRequest(context, repository, issue) };
    },
  },
];

function pullRequest(context: RouteContext, repository: Repository, issue: Issue) {
  const pull = issue.pull!;
  const { apiUrl } = context;
  const repoUrl = `${apiUrl}/repos/${repository.fullName}`;
  const [headOwner = repository.owner, headName = repository.name] = pull.headRepository.split('/');
  const fork = pull.headRepository.toLowerCase() !== repository.fullName.toLowerCase();
  const repo = (owner: string, name: string, isFork: boolean) => ({
    id: isFork ? repository.id + 1_000_000 : repository.id,
    name,
    full_name: `${owner}/${name}`,
    private: repository.private,
    fork: isFork,
    owner: simpleUser(context.accounts.get(owner), apiUrl),
  });
  return {
    url: `${repoUrl}/pulls/${issue.number}`,
    id: repository.id * 1000 + issue.number,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: simpleUser(issue.author, apiUrl),
    draft: pull.draft,
    html_url: `https://github.com/${repository.fullName}/pull/${issue.number}`,
    issue_url: `${repoUrl}/issues/${issue.number}`,
    comments_url: `${repoUrl}/issues/${issue.number}/comments`,
    created_at: issue.createdAt.toISOString(),
    head: {
      label: `${headOwner}:${pull.headRef}`,
      ref: pull.headRef,
      sha: pull.headSha,
      repo: repo(headOwner, headName, fork),
    },
    base: {
      label: `${repository.owner}:${pull.baseRef}`,
      ref: pull.baseRef,
      repo: repo(repository.owner, repository.name, false),
    },
    merged: false,
    mergeable: null,
  };
}
