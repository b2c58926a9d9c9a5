// The emulator's repositories: issues and pull requests (one number sequence per repository, as
// on GitHub) and the comments on their conversations. Seeded directly by tests, read and written
// through the REST routes.
import { randomBytes } from 'node:crypto';
import type { Account } from './accounts.ts';

export interface Repository {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly fullName: string;
  readonly private: boolean;
  readonly defaultBranch: string;
  readonly issues: Map<number, Issue>;
  nextNumber: number;
  /** Collaborators by lower-case login: their role (admin, maintain, write, triage, read). */
  readonly collaborators: Map<string, Role>;
  /** Commits that exist (PR heads ever pushed, the default branch's head). */
  readonly commits: Set<string>;
  /** The default branch's head commit. */
  defaultBranchSha: string;
  /** Check runs and commit statuses by commit SHA. */
  readonly checks: Map<string, CommitChecks>;
  readonly deployments: Deployment[];
  /** Git refs (`refs/heads/…`) to commit SHAs. */
  readonly refs: Map<string, string>;
  /** Git objects the data API created: trees and commits by SHA. */
  readonly trees: Map<string, TreeEntry[]>;
  readonly gitCommits: Map<string, GitCommit>;
}

export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface CheckRun {
  readonly id: number;
  readonly name: string;
  readonly status: 'queued' | 'in_progress' | 'completed';
  readonly conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | null;
}

export interface CommitStatus {
  readonly id: number;
  readonly context: string;
  readonly state: 'error' | 'failure' | 'pending' | 'success';
  /** The status's short description (GitHub keeps up to 140 characters), or null. */
  readonly description: string | null;
  readonly createdAt: Date;
}

export interface CommitChecks {
  readonly checkRuns: CheckRun[];
  readonly statuses: CommitStatus[];
}

export interface DeploymentStatus {
  readonly id: number;
  readonly state:
    'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  readonly creator: Account;
  readonly description: string;
  readonly logUrl: string;
  readonly environmentUrl: string;
  readonly createdAt: Date;
}

export interface Deployment {
  readonly id: number;
  readonly sha: string;
  readonly ref: string;
  readonly task: string;
  readonly environment: string;
  readonly payload: unknown;
  readonly description: string | null;
  readonly creator: Account;
  readonly createdAt: Date;
  readonly transientEnvironment: boolean;
  readonly productionEnvironment: boolean;
  /** Oldest first. */
  readonly statuses: DeploymentStatus[];
}

export interface TreeEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: string;
  readonly sha: string;
  readonly content?: string;
}

export interface GitCommit {
  readonly sha: string;
  readonly message: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Account;
  readonly createdAt: Date;
}

export interface Reaction {
  readonly id: number;
  readonly content: string;
  readonly user: Account;
  readonly createdAt: Date;
}

export interface PullRequestFacts {
  readonly headSha: string;
  readonly headRef: string;
  /** `owner/name` of the head repository: another one for a fork. */
  readonly headRepository: string;
  readonly baseRef: string;
  readonly draft: boolean;
}

export interface Issue {
  readonly number: number;
  readonly title: string;
  readonly author: Account;
  state: 'open' | 'closed';
  readonly createdAt: Date;
  /** Present for a pull request. */
  pull: PullRequestFacts | undefined;
}

export interface IssueComment {
  readonly id: number;
  readonly repository: Repository;
  readonly issueNumber: number;
  readonly author: Account;
  body: string;
  readonly createdAt: Date;
  updatedAt: Date;
  readonly reactions: Reaction[];
}

export interface RepositorySpec {
  /** `owner/name`. */
  readonly fullName: string;
  /** Private by default: a token needs a permission to read it. */
  readonly private?: boolean;
  readonly defaultBranch?: string;
}

export interface PullRequestSpec {
  readonly title?: string;
  readonly author: Account;
  readonly headSha?: string;
  readonly headRef?: string;
  readonly headRepository?: string;
  readonly baseRef?: string;
  readonly draft?: boolean;
  readonly state?: 'open' | 'closed';
}

export class Store {
  readonly #repositories = new Map<string, Repository>();
  readonly #repositoriesById = new Map<number, Repository>();
  readonly #comments = new Map<number, IssueComment>();
  readonly #clock: () => Date;
  #nextRepositoryId = 500_000_001;
  #nextCommentId = 2_000_000_001;
  #nextId = 3_000_000_001;

  constructor(clock: () => Date) {
    this.#clock = clock;
  }

  addRepository(spec: RepositorySpec): Repository {
    const [owner, name, ...rest] = spec.fullName.split('/');
    if (!owner || !name || rest.length > 0) {
      throw new TypeError(`a repository is owner/name: ${spec.fullName}`);
    }
    const repository: Repository = {
      id: this.#nextRepositoryId++,
      owner,
      name,
      fullName: `${owner}/${name}`,
      private: spec.private ?? true,
      defaultBranch: spec.defaultBranch ?? 'main',
      issues: new Map(),
      nextNumber: 1,
      collaborators: new Map([[owner.toLowerCase(), 'admin']]),
      commits: new Set(),
      defaultBranchSha: randomBytes(20).toString('hex'),
      checks: new Map(),
      deployments: [],
      refs: new Map(),
      trees: new Map(),
      gitCommits: new Map(),
    };
    repository.commits.add(repository.defaultBranchSha);
    this.#repositories.set(repository.fullName.toLowerCase(), repository);
    this.#repositoriesById.set(repository.id, repository);
    return repository;
  }

  repository(owner: string, name: string): Repository | undefined {
    return this.#repositories.get(`${owner}/${name}`.toLowerCase());
  }

  repositoryById(id: number): Repository | undefined {
    return this.#repositoriesById.get(id);
  }

  addPullRequest(repository: Repository, spec: PullRequestSpec): Issue {
    const number = repository.nextNumber++;
    const issue: Issue = {
      number,
      title: spec.title ?? `Pull request ${number}`,
      author: spec.author,
      state: spec.state ?? 'open',
      createdAt: this.#clock(),
      pull: {
        headSha: spec.headSha ?? randomBytes(20).toString('hex'),
        headRef: spec.headRef ?? `feature-${number}`,
        headRepository: spec.headRepository ?? repository.fullName,
        baseRef: spec.baseRef ?? repository.defaultBranch,
        draft: spec.draft ?? false,
      },
    };
    repository.issues.set(number, issue);
    repository.commits.add(issue.pull!.headSha);
    return issue;
  }

  /** A push to the pull request's head branch: its head moves to `sha`. */
  push(repository: Repository, number: number, sha = randomBytes(20).toString('hex')): string {
    const issue = repository.issues.get(number);
    if (issue?.pull === undefined) throw new TypeError(`no pull request #${number}`);
    issue.pull = { ...issue.pull, headSha: sha };
    repository.commits.add(sha);
    return sha;
  }

  /** Gives `login` a role on the repository (the owner is admin). */
  setRole(repository: Repository, login: string, role: Role): void {
    repository.collaborators.set(login.toLowerCase(), role);
  }

  addCheckRun(
    repository: Repository,
    sha: string,
    name: string,
    conclusion: CheckRun['conclusion'],
    status: CheckRun['status'] = conclusion === null ? 'in_progress' : 'completed',
  ): CheckRun {
    const run: CheckRun = { id: this.#nextId++, name, status, conclusion };
    this.#checksOf(repository, sha).checkRuns.push(run);
    return run;
  }

  addCommitStatus(
    repository: Repository,
    sha: string,
    context: string,
    state: CommitStatus['state'],
    description: string | null = null,
  ): CommitStatus {
    const status: CommitStatus = {
      id: this.#nextId++,
      context,
      state,
      description,
      createdAt: this.#clock(),
    };
    this.#checksOf(repository, sha).statuses.push(status);
    return status;
  }

  #checksOf(repository: Repository, sha: string): CommitChecks {
    let checks = repository.checks.get(sha);
    if (checks === undefined) {
      checks = { checkRuns: [], statuses: [] };
      repository.checks.set(sha, checks);
    }
    return checks;
  }

  nextId(): number {
    return this.#nextId++;
  }

  addIssue(repository: Repository, spec: { title?: string; author: Account }): Issue {
    const number = repository.nextNumber++;
    const issue: Issue = {
      number,
      title: spec.title ?? `Issue ${number}`,
      author: spec.author,
      state: 'open',
      createdAt: this.#clock(),
      pull: undefined,
    };
    repository.issues.set(number, issue);
    return issue;
  }

  addComment(
    repository: Repository,
    issueNumber: number,
    author: Account,
    body: string,
  ): IssueComment {
    const now = this.#clock();
    const comment: IssueComment = {
      id: this.#nextCommentId++,
      repository,
      issueNumber,
      author,
      body,
      createdAt: now,
      updatedAt: now,
      reactions: [],
    };
    this.#comments.set(comment.id, comment);
    return comment;
  }

  updateComment(comment: IssueComment, body: string): IssueComment {
    comment.body = body;
    comment.updatedAt = this.#clock();
    return comment;
  }

  deleteComment(comment: IssueComment): void {
    this.#comments.delete(comment.id);
  }

  comment(repository: Repository, id: number): IssueComment | undefined {
    const comment = this.#comments.get(id);
    return comment?.repository === repository ? comment : undefined;
  }

  /** The conversation's comments, oldest first (GitHub's order for this list). */
  comments(repository: Repository, issueNumber: number): IssueComment[] {
    return [...this.#comments.values()]
      .filter((c) => c.repository === repository && c.issueNumber === issueNumber)
      .sort((a, b) => a.id - b.id);
  }
}
