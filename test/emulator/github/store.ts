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
    };
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
    return issue;
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
