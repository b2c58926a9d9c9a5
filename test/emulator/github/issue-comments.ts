// Comments on an issue's or a pull request's conversation (pull requests are issues here).
// https://docs.github.com/en/rest/issues/comments
// Permissions: reading a private repository's comments needs `issues: read` or
// `pull-requests: read`; writing on a pull request needs `pull-requests: write` or
// `issues: write`, on an issue `issues: write`. The body is at most 65,536 characters.
import { simpleUser } from './accounts.ts';
import { GitHubError, notFound, validationFailed } from './errors.ts';
import { paginate } from './pagination.ts';
import {
  accessRepository,
  integerParam,
  objectBody,
  type Route,
  type RouteContext,
} from './route.ts';
import type { IssueComment, Repository } from './store.ts';
import type { PermissionName } from './tokens.ts';

const DOCS = 'https://docs.github.com/rest/issues/comments';
const LIST_DOCS = `${DOCS}#list-issue-comments`;
const CREATE_DOCS = `${DOCS}#create-an-issue-comment`;
const GET_DOCS = `${DOCS}#get-an-issue-comment`;
const UPDATE_DOCS = `${DOCS}#update-an-issue-comment`;
const DELETE_DOCS = `${DOCS}#delete-an-issue-comment`;

/** GitHub's limit on a comment body, in characters. */
export const MAX_COMMENT_CHARACTERS = 65_536;

const EITHER: readonly PermissionName[] = ['issues', 'pull-requests'];

export const issueCommentRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operation: 'issues/list-comments',
    handle(context) {
      const repository = accessRepository(context, 'read', EITHER, LIST_DOCS);
      const number = integerParam(context, 'issue_number', LIST_DOCS);
      if (!repository.issues.has(number)) throw notFound(LIST_DOCS);
      const comments = context.store.comments(repository, number);
      const linkBase = `${context.apiUrl}/repositories/${repository.id}/issues/${number}/comments`;
      const page = paginate(comments, context.query, linkBase);
      return {
        status: 200,
        body: page.items.map((c) => issueComment(context, c)),
        ...(page.link === undefined ? {} : { headers: { link: page.link } }),
      };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operation: 'issues/create-comment',
    handle(context) {
      const repository = writableConversation(context, CREATE_DOCS);
      const number = integerParam(context, 'issue_number', CREATE_DOCS);
      const body = commentBody(context, CREATE_DOCS);
      const comment = context.store.addComment(repository, number, author(context), body);
      const json = issueComment(context, comment);
      return { status: 201, body: json, headers: { location: String(json.url) } };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    operation: 'issues/get-comment',
    handle(context) {
      const repository = accessRepository(context, 'read', EITHER, GET_DOCS);
      const comment = findComment(context, repository, GET_DOCS);
      return { status: 200, body: issueComment(context, comment) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    operation: 'issues/update-comment',
    handle(context) {
      const comment = writableComment(context, UPDATE_DOCS);
      const body = commentBody(context, UPDATE_DOCS);
      context.store.updateComment(comment, body);
      return { status: 200, body: issueComment(context, comment) };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    operation: 'issues/delete-comment',
    handle(context) {
      context.store.deleteComment(writableComment(context, DELETE_DOCS));
      return { status: 204 };
    },
  },
];

/** The conversation's repository, once the caller may write on that kind of conversation. */
function writableConversation(context: RouteContext, docs: string): Repository {
  const repository = accessRepository(context, 'read', EITHER, docs);
  const issue = repository.issues.get(integerParam(context, 'issue_number', docs));
  if (issue === undefined) throw notFound(docs);
  return accessRepository(context, 'write', writePermissions(issue.pull !== undefined), docs);
}

function writableComment(context: RouteContext, docs: string): IssueComment {
  const repository = accessRepository(context, 'read', EITHER, docs);
  const comment = findComment(context, repository, docs);
  const onPull = repository.issues.get(comment.issueNumber)?.pull !== undefined;
  accessRepository(context, 'write', writePermissions(onPull), docs);
  return comment;
}

function writePermissions(onPullRequest: boolean): readonly PermissionName[] {
  return onPullRequest ? ['pull-requests', 'issues'] : ['issues'];
}

function findComment(context: RouteContext, repository: Repository, docs: string): IssueComment {
  const comment = context.store.comment(repository, integerParam(context, 'comment_id', docs));
  if (comment === undefined) throw notFound(docs);
  return comment;
}

function author(context: RouteContext) {
  // accessRepository refused anonymous writes already.
  return context.token!.account;
}

function commentBody(context: RouteContext, docs: string): string {
  const { body } = objectBody(context);
  if (body === undefined) {
    throw new GitHubError(422, 'Invalid request.\n\n"body" wasn\'t supplied.', {
      documentationUrl: docs,
    });
  }
  if (typeof body !== 'string') {
    throw new GitHubError(422, "Invalid request.\n\nFor 'properties/body', is not a string.", {
      documentationUrl: docs,
    });
  }
  if ([...body].length > MAX_COMMENT_CHARACTERS) {
    throw bodyTooLong(docs);
  }
  return body;
}

function issueComment(context: RouteContext, comment: IssueComment): Record<string, unknown> {
  const { repository } = comment;
  const repoUrl = `${context.apiUrl}/repos/${repository.fullName}`;
  const onPull = repository.issues.get(comment.issueNumber)?.pull !== undefined;
  const htmlKind = onPull ? 'pull' : 'issues';
  return {
    id: comment.id,
    node_id: Buffer.from(`012:IssueComment${comment.id}`).toString('base64'),
    url: `${repoUrl}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${repository.fullName}/${htmlKind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: simpleUser(comment.author, context.apiUrl),
    created_at: comment.createdAt.toISOString(),
    updated_at: comment.updatedAt.toISOString(),
    issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
    author_association:
      comment.author.login.toLowerCase() === repository.owner.toLowerCase() ? 'OWNER' : 'NONE',
    performed_via_github_app: null,
  };
}

/** GitHub's 422 for a comment body over the limit. */
export function bodyTooLong(documentationUrl = CREATE_DOCS) {
  return validationFailed(
    [
      {
        resource: 'IssueComment',
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_COMMENT_CHARACTERS} characters)`,
      },
    ],
    documentationUrl,
  );
}
