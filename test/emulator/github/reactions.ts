// POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions: 201 for a new reaction, 200
// when this account already reacted with that content. Writing needs `issues: write`, or
// `pull-requests: write` on a pull request's comment.
// https://docs.github.com/en/rest/reactions/reactions#create-reaction-for-an-issue-comment
import { simpleUser } from './accounts.ts';
import { GitHubError, notFound } from './errors.ts';
import {
  accessRepository,
  integerParam,
  objectBody,
  type Route,
  type RouteContext,
} from './route.ts';
import type { Reaction } from './store.ts';

const DOCS =
  'https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue-comment';
export const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];

export const reactionRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    operation: 'reactions/create-for-issue-comment',
    handle(context) {
      const readable = accessRepository(context, 'read', ['issues', 'pull-requests'], DOCS);
      const comment = context.store.comment(readable, integerParam(context, 'comment_id', DOCS));
      if (comment === undefined) throw notFound(DOCS);
      const onPull = readable.issues.get(comment.issueNumber)?.pull !== undefined;
      accessRepository(context, 'write', onPull ? ['pull-requests', 'issues'] : ['issues'], DOCS);
      const { content } = objectBody(context);
      if (typeof content !== 'string' || !REACTIONS.includes(content)) {
        throw new GitHubError(
          422,
          `Invalid request.\n\nFor 'properties/content', ${JSON.stringify(content ?? null)} is not one of ${JSON.stringify(REACTIONS)}.`,
          { documentationUrl: DOCS },
        );
      }
      const user = context.token!.account;
      const existing = comment.reactions.find((r) => r.content === content && r.user === user);
      if (existing !== undefined) return { status: 200, body: reaction(context, existing) };
      const created: Reaction = {
        id: context.store.nextId(),
        content,
        user,
        createdAt: context.clock(),
      };
      comment.reactions.push(created);
      return { status: 201, body: reaction(context, created) };
    },
  },
];

function reaction(context: RouteContext, r: Reaction) {
  return {
    id: r.id,
    node_id: Buffer.from(`017:Reaction${r.id}`).toString('base64'),
    user: simpleUser(r.user, context.apiUrl),
    content: r.content,
    created_at: r.createdAt.toISOString(),
  };
}
