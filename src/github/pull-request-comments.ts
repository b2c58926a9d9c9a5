// quality-gate's sticky pull-request comment on GitHub's REST API: list the conversation's
// comments (every page), edit the one carrying the hidden marker, else create it.
// https://docs.github.com/en/rest/issues/comments
import { UserError } from '../lib/errors.ts';
import type { PullRequestRef, StickyComment, StickyCommentPort } from '../quality/comment-port.ts';
import { fitCommentBody } from './comment-body.ts';
import {
  GitHubApiError,
  GitHubRateLimitError,
  gitHubRest,
  GitHubUnreachableError,
  type GitHubRest,
  type GitHubRestOptions,
} from './rest.ts';

/** `{ token, apiUrl, userAgent? }`, and for tests and long runs the retry hooks of `GitHubRestOptions`. */
export type StickyCommentsOptions = GitHubRestOptions;

interface ApiComment {
  readonly id: number;
  readonly html_url: string;
  readonly body?: string | null;
  readonly user?: { readonly login: string; readonly type: string } | null;
}

/** Which comments this token wrote: by login when GitHub tells it, else any bot's. */
type Author = (comment: ApiComment) => boolean;

export const MISSING_COMMENT_PERMISSION =
  'the token cannot write pull-request comments: give the job `permissions: pull-requests: write` (a pull request from a fork only ever gets a read-only token)';

export function createStickyComments(options: StickyCommentsOptions): StickyCommentPort {
  if (options.token === '')
    throw new UserError(
      "No GitHub token to write the pull-request comment with: pass one (the job's `${{ github.token }}` will do).",
    );
  const rest = gitHubRest(options);
  let author: Promise<Author> | undefined;
  return {
    async upsert(pr, marker, body) {
      checkMarker(marker);
      checkPullRequest(pr);
      const text = fitCommentBody(body, marker);
      const ours = (author ??= whoWrites(rest, options.token).catch((error: unknown) => {
        author = undefined; // asked again on the next call
        throw error;
      }));
      try {
        return await upsertOnce(rest, pr, marker, text, await ours);
      } catch (error) {
        // A create that failed in flight may have landed: look again rather than post twice.
        if (!postInDoubt(error)) throw explain(error, pr);
        try {
          return await upsertOnce(rest, pr, marker, text, await ours);
        } catch (again) {
          throw explain(again, pr);
        }
      }
    },
  };
}

async function upsertOnce(
  rest: GitHubRest,
  pr: PullRequestRef,
  marker: string,
  body: string,
  isOurs: Author,
): Promise<StickyComment> {
  const repo = `/repos/${encodeURIComponent(pr.owner)}/${encodeURIComponent(pr.repo)}`;
  const existing = await findComment(
    rest,
    `${repo}/issues/${pr.number}/comments?per_page=100`,
    marker,
    isOurs,
  );
  if (existing !== undefined) {
    try {
      const { data } = await rest.request<ApiComment>(
        'PATCH',
        `${repo}/issues/comments/${existing.id}`,
        { body },
      );
      return { id: data.id, url: data.html_url, action: 'updated' };
    } catch (error) {
      // Deleted between the list and the edit: write a new one.
      if (!(error instanceof GitHubApiError && error.status === 404)) throw error;
    }
  }
  const { data } = await rest.request<ApiComment>('POST', `${repo}/issues/${pr.number}/comments`, {
    body,
  });
  return { id: data.id, url: data.html_url, action: 'created' };
}

/** The oldest comment this token's account wrote that carries the marker. */
async function findComment(
  rest: GitHubRest,
  path: string,
  marker: string,
  isOurs: Author,
): Promise<ApiComment | undefined> {
  for await (const page of rest.pages<ApiComment>(path)) {
    const found = page.find(
      (c) => typeof c.body === 'string' && c.body.includes(marker) && isOurs(c),
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Someone else can paste the marker into a comment of their own; editing theirs would put the
 * verdict under their name and leave ours stale. So only the token's own comments count. A
 * GITHUB_TOKEN or app token (`ghs_…`) writes as a bot, and GitHub answers 403 to `GET /user` for
 * it: any bot's comment counts (the marker names the gate). A personal token learns its login.
 * https://github.blog/engineering/behind-githubs-new-authentication-token-formats/
 */
async function whoWrites(rest: GitHubRest, token: string): Promise<Author> {
  const anyBot: Author = (c) => c.user?.type === 'Bot';
  if (token.trim().startsWith('ghs_')) return anyBot;
  try {
    const { data } = await rest.request<{ login: string }>('GET', '/user');
    const login = data.login.toLowerCase();
    return (c) => c.user?.login.toLowerCase() === login;
  } catch (error) {
    if (error instanceof GitHubApiError && error.status === 403) return anyBot;
    throw error;
  }
}

function checkMarker(marker: string): void {
  if (!/^<!--[^\n]*\S[^\n]*-->$/.test(marker) || marker.slice(4, -3).includes('--')) {
    throw new TypeError('a sticky-comment marker is one HTML comment: <!-- name -->');
  }
}

function checkPullRequest(pr: PullRequestRef): void {
  const name = /^[A-Za-z0-9_.-]+$/;
  if (
    !name.test(pr.owner) ||
    !name.test(pr.repo) ||
    !Number.isSafeInteger(pr.number) ||
    pr.number < 1
  ) {
    throw new TypeError(`not a pull request: ${JSON.stringify(pr)}`);
  }
}

function postInDoubt(error: unknown): boolean {
  if (error instanceof GitHubUnreachableError) return error.method === 'POST';
  return error instanceof GitHubApiError && error.method === 'POST' && error.status >= 500;
}

/** One line that says what to fix; GitHub's own message in parentheses. Never the token. */
function explain(error: unknown, pr: PullRequestRef): unknown {
  const where = `${pr.owner}/${pr.repo}#${pr.number}`;
  if (error instanceof GitHubRateLimitError) return new UserError(error.message, { cause: error });
  if (error instanceof GitHubUnreachableError) {
    return new UserError(
      `${error.message}: check GITHUB_API_URL and the runner's network, then re-run the job.`,
      { cause: error },
    );
  }
  if (!(error instanceof GitHubApiError)) return error;
  const github = `(GitHub: ${error.status} ${JSON.stringify(error.githubMessage)})`;
  switch (error.status) {
    case 401:
      return new UserError(
        `GitHub refused the token ${github}: pass a valid token (a job's GITHUB_TOKEN stops working when the job ends).`,
        { cause: error },
      );
    case 403:
      return new UserError(`On ${where}, ${MISSING_COMMENT_PERMISSION} ${github}.`, {
        cause: error,
      });
    case 404:
      return new UserError(
        `GitHub found no pull request ${where} ${github}: check the repository and the number, and that the token can reach that repository.`,
        { cause: error },
      );
    case 422:
      return new UserError(
        `GitHub refused the comment on ${where} ${github}${error.details.length > 0 ? `: ${error.details.join('; ')}` : ''}.`,
        { cause: error },
      );
    default:
      return new UserError(
        `GitHub answered ${error.status} to ${error.method} ${error.path} ${github}: re-run the job.`,
        {
          cause: error,
        },
      );
  }
}
