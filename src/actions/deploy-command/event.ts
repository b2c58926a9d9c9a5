// The webhook payload (GITHUB_EVENT_PATH) read as the few facts the engine takes, each checked:
// nothing else of the payload (titles, branch names) is read at all.
import { readFileSync } from 'node:fs';
import { UserError } from '../../lib/errors.ts';
import type { CommentEvent } from '../../deploy-command/command.ts';

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const ACTIONS = ['created', 'edited', 'deleted'];

export type RunEvent =
  | { readonly kind: 'comment'; readonly comment: CommentEvent }
  | { readonly kind: 'pull-request-closed'; readonly number: number }
  | { readonly kind: 'other'; readonly name: string };

export function readEvent(env: NodeJS.ProcessEnv, runUrl: string): RunEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  if (name !== 'issue_comment' && name !== 'pull_request' && name !== 'pull_request_target') {
    return { kind: 'other', name };
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    throw new UserError(
      'The event payload (GITHUB_EVENT_PATH) cannot be read as JSON: run this action in a workflow.',
    );
  }
  const bad = (what: string) =>
    new UserError(
      `The ${name} event payload has no valid ${what}: run this action on GitHub's own ${name} event.`,
    );
  if (name !== 'issue_comment') {
    const number =
      (payload.pull_request as { number?: unknown } | undefined)?.number ?? payload.number;
    if (payload.action !== 'closed')
      return { kind: 'other', name: `${name} ${String(payload.action).slice(0, 20)}` };
    if (!positive(number)) throw bad('pull request number');
    return { kind: 'pull-request-closed', number };
  }
  const action = payload.action;
  const comment = payload.comment as Record<string, unknown> | undefined;
  const issue = payload.issue as Record<string, unknown> | undefined;
  const user = comment?.user as Record<string, unknown> | undefined;
  if (typeof action !== 'string' || !ACTIONS.includes(action)) throw bad('action');
  if (!positive(comment?.id)) throw bad('comment id');
  if (typeof comment.body !== 'string' && comment.body !== null) throw bad('comment body');
  if (typeof user?.login !== 'string' || !LOGIN.test(user.login)) throw bad("commenter's login");
  if (!positive(issue?.number)) throw bad('issue number');
  return {
    kind: 'comment',
    comment: {
      action,
      commentId: comment.id,
      body: typeof comment.body === 'string' ? comment.body : '',
      author: { login: user.login, isBot: user.type === 'Bot' || user.login.endsWith('[bot]') },
      issueNumber: issue.number,
      onPullRequest: typeof issue.pull_request === 'object' && issue.pull_request !== null,
      runUrl,
    },
  };
}

function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** The run's page, from the runner's variables, or '' when they do not look like GitHub's. */
export function runUrlOf(env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL ?? '';
  const repository = env.GITHUB_REPOSITORY ?? '';
  const runId = env.GITHUB_RUN_ID ?? '';
  if (
    !/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]+)?$/.test(server) ||
    !/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository) ||
    !/^[0-9]{1,20}$/.test(runId)
  ) {
    return '';
  }
  return `${server}/${repository}/actions/runs/${runId}`;
}

export function repositoryOf(env: NodeJS.ProcessEnv): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(env.GITHUB_REPOSITORY ?? '');
  if (match === null)
    throw new UserError('GITHUB_REPOSITORY is not owner/name: run this action in a workflow.');
  return { owner: match[1]!, repo: match[2]! };
}

/**
 * Who dispatched the run (workflow_dispatch; on a re-run, who re-ran it), from the runner's own
 * variables: a workflow input could name anyone.
 */
export function dispatcherOf(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_EVENT_NAME !== 'workflow_dispatch') {
    throw new UserError(
      `mode dispatch runs on workflow_dispatch events; this run is for ${JSON.stringify(env.GITHUB_EVENT_NAME ?? '').slice(0, 40)}: call it from a workflow with 'on: workflow_dispatch'.`,
    );
  }
  const actor = env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR || '';
  if (!LOGIN.test(actor)) {
    throw new UserError(
      'GITHUB_TRIGGERING_ACTOR is not a GitHub login: run this action in a workflow.',
    );
  }
  return actor;
}
