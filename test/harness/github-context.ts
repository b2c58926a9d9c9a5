// The facts about a workflow run that both the OIDC token and the runner's GITHUB_* variables
// are derived from, so a job and its token always agree unless a test makes them disagree.

export interface GitHubContext {
  owner: string;
  repo: string;
  repositoryId: string;
  ownerId: string;
  repositoryVisibility: 'public' | 'private' | 'internal';
  ref: string;
  sha: string;
  /** Deployment environment of the job; `undefined` for a job without `environment:`. */
  environment: string | undefined;
  eventName: string;
  headRef: string;
  baseRef: string;
  workflow: string;
  /** Path of the workflow file inside the repository. */
  workflowPath: string;
  /** `owner/repo/path@ref` of a reusable workflow; `undefined` means the caller's workflow. */
  jobWorkflowRef: string | undefined;
  job: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  actor: string;
  actorId: string;
  runnerEnvironment: 'github-hosted' | 'self-hosted';
  /**
   * GitHub's customisable subject (`include_claim_keys`): e.g. `['repo', 'context',
   * 'job_workflow_ref']`. `undefined` gives the default subject.
   */
  subjectClaimKeys: readonly string[] | undefined;
}

export type GitHubContextOverrides = Partial<GitHubContext>;

export const defaultGitHubContext: Readonly<GitHubContext> = Object.freeze({
  owner: 'octo-org',
  repo: 'octo-app',
  repositoryId: '710094417',
  ownerId: '152071384',
  repositoryVisibility: 'private',
  ref: 'refs/heads/main',
  sha: 'a3f1c9e07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f',
  environment: 'staging',
  eventName: 'push',
  headRef: '',
  baseRef: '',
  workflow: 'Deploy',
  workflowPath: '.github/workflows/deploy.yml',
  jobWorkflowRef: undefined,
  job: 'deploy',
  runId: '9876543210',
  runNumber: '42',
  runAttempt: '1',
  actor: 'octocat',
  actorId: '583231',
  runnerEnvironment: 'github-hosted',
  subjectClaimKeys: undefined,
});

export function resolveContext(...overrides: GitHubContextOverrides[]): GitHubContext {
  return Object.assign({}, defaultGitHubContext, ...overrides) as GitHubContext;
}

export function repositoryOf(context: GitHubContext): string {
  return `${context.owner}/${context.repo}`;
}

export function workflowRefOf(context: GitHubContext): string {
  return `${repositoryOf(context)}/${context.workflowPath}@${context.ref}`;
}

export function jobWorkflowRefOf(context: GitHubContext): string {
  return context.jobWorkflowRef ?? workflowRefOf(context);
}

export function refTypeOf(ref: string): 'branch' | 'tag' {
  return ref.startsWith('refs/tags/') ? 'tag' : 'branch';
}

export function refNameOf(ref: string): string {
  return ref.replace(/^refs\/(heads|tags|pull)\//, '');
}

/** The part of `sub` GitHub calls "context": environment, else pull_request, else ref. */
export function subjectContextOf(context: GitHubContext): string {
  if (context.environment !== undefined) return `environment:${context.environment}`;
  if (context.eventName === 'pull_request' || context.eventName === 'pull_request_target') {
    return 'pull_request';
  }
  return `ref:${context.ref}`;
}

export function subjectOf(context: GitHubContext, claims: Record<string, unknown>): string {
  const keys = context.subjectClaimKeys ?? ['repo', 'context'];
  return keys
    .map((key) => {
      if (key === 'repo') return `repo:${repositoryOf(context)}`;
      if (key === 'context') return subjectContextOf(context);
      return `${key}:${String(claims[key] ?? '')}`;
    })
    .join(':');
}
