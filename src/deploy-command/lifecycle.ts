// A deploy's record from just before it starts to its end: re-check that the pull request still
// points at the commit the command was for (a push after the comment cancels it), create the
// GitHub Deployment for that full SHA with what it ships, mark it in_progress, and at the end
// success, failure or inactive, with 🚀 or 👎 on the command's comment, and a notification of a
// failed or rolled-back deploy (src/notify).
import { UserError } from '../lib/errors.ts';
import type { DeployEnd, DeployFacts, NotifyResult } from '../notify/index.ts';
import type { Conversation, DeploymentFacts, DeploymentWriter, PullRequestState } from './ports.ts';
import { REPLY_MARKER } from './replies.ts';

export interface StartRequest {
  readonly environment: string;
  readonly sha: string;
  /** Set when the deploy came from a pull request's comment: its head is checked again. */
  readonly pullRequest: number | undefined;
  readonly facts: DeploymentFacts;
  readonly production: boolean;
  readonly logUrl: string;
}

export interface StartPorts {
  readonly deployments: DeploymentWriter;
  pullRequest(number: number): Promise<PullRequestState>;
  /** The command's comment, when there is one. */
  readonly conversation: Conversation | undefined;
}

export type StartResult =
  | { readonly outcome: 'started'; readonly deploymentId: number }
  | { readonly outcome: 'stale'; readonly reason: string; readonly headSha: string };

export async function startDeploy(request: StartRequest, ports: StartPorts): Promise<StartResult> {
  if (!/^[0-9a-f]{40}$/.test(request.sha)) throw new TypeError('a deploy needs a full commit SHA');
  if (request.pullRequest !== undefined) {
    const pull = await ports.pullRequest(request.pullRequest);
    const moved = pull.headSha !== request.sha;
    if (moved || pull.state !== 'open') {
      const reason = moved
        ? `#${pull.number} moved to ${pull.headSha.slice(0, 7)} after the command was given for ${request.sha.slice(0, 7)}: nothing was deployed; comment again to deploy the new head.`
        : `#${pull.number} was closed after the command: nothing was deployed.`;
      await ports.conversation?.reply(
        `${REPLY_MARKER}\n### 👎 Cancelled\n\n${reason}${runLink(request.logUrl)}`,
      );
      await ports.conversation?.react('-1');
      return { outcome: 'stale', reason, headSha: pull.headSha };
    }
  }
  const created = await ports.deployments.create({
    environment: request.environment,
    sha: request.sha,
    facts: request.facts,
    production: request.production,
    description: `${request.facts.command ?? 'deploy'} by ${request.facts.actor}`.slice(0, 140),
  });
  if (created.sha !== request.sha) {
    // GitHub resolved the ref to another commit: this record must not stand for the deploy.
    await ports.deployments.setStatus(created.id, 'error', {
      logUrl: request.logUrl,
      description: 'The deployment was recorded for another commit.',
    });
    throw new UserError(
      `GitHub recorded deployment ${created.id} for ${created.sha.slice(0, 12)}, not ${request.sha.slice(0, 12)}: nothing was deployed.`,
    );
  }
  await ports.deployments.setStatus(created.id, 'in_progress', { logUrl: request.logUrl });
  return { outcome: 'started', deploymentId: created.id };
}

export type DeployOutcome = DeployEnd;

export interface FinishRequest {
  readonly deploymentId: number;
  readonly outcome: DeployOutcome;
  readonly environment: string;
  readonly logUrl: string;
  readonly environmentUrl: string | undefined;
  /** What a notification says besides the outcome; only read when there is a notifier. */
  readonly notice?: {
    readonly repository: string;
    readonly rolledBack: boolean;
    readonly reason: string | undefined;
    readonly failedStep: string | undefined;
    readonly imageDigest: string | undefined;
    readonly sha: string | undefined;
  };
}

/** Sends the notifications of a deploy's end (src/notify's notifyDeploy); it never throws. */
export type Notifier = (facts: DeployFacts) => Promise<NotifyResult>;

export interface FinishResult {
  /** Undefined without a notifier. */
  readonly notification: NotifyResult | undefined;
}

/**
 * Records the outcome, then notifies (a failure or rollback, when a notifier is given). The
 * notification is sent even when recording failed, and a notification that failed is in the
 * result, never thrown: the record and the notice do not hold each other back.
 */
export async function finishDeploy(
  request: FinishRequest,
  ports: {
    deployments: DeploymentWriter;
    conversation: Conversation | undefined;
    notifier?: Notifier | undefined;
  },
): Promise<FinishResult> {
  let recorded: unknown;
  try {
    await record(request, ports);
  } catch (error) {
    recorded = error;
  }
  const notification =
    ports.notifier === undefined
      ? undefined
      : await ports.notifier({
          repository: request.notice?.repository ?? '',
          environment: request.environment,
          outcome: request.outcome,
          rolledBack: request.notice?.rolledBack ?? false,
          reason: request.notice?.reason,
          failedStep: request.notice?.failedStep,
          imageDigest: request.notice?.imageDigest,
          sha: request.notice?.sha,
          deploymentId: request.deploymentId,
          runUrl: request.logUrl,
        });
  if (recorded !== undefined) throw recorded;
  return { notification };
}

async function record(
  request: FinishRequest,
  ports: { deployments: DeploymentWriter; conversation: Conversation | undefined },
): Promise<void> {
  const state = request.outcome === 'cancelled' ? 'inactive' : request.outcome;
  await ports.deployments.setStatus(request.deploymentId, state, {
    logUrl: request.logUrl,
    ...(request.environmentUrl ? { environmentUrl: request.environmentUrl } : {}),
    description: `Deploy ${request.outcome === 'success' ? 'succeeded' : request.outcome === 'failure' ? 'failed' : 'was cancelled'}.`,
  });
  if (ports.conversation === undefined) return;
  const line =
    request.outcome === 'success'
      ? `### 🚀 Deployed to ${request.environment}`
      : `### 👎 Deploy to ${request.environment} ${request.outcome === 'failure' ? 'failed' : 'was cancelled'}`;
  const url =
    request.outcome === 'success' && request.environmentUrl ? `\n\n${request.environmentUrl}` : '';
  await ports.conversation.reply(
    `${REPLY_MARKER}\n${line}\n\nDeployment ${request.deploymentId}${runLink(request.logUrl)}${url}`,
  );
  await ports.conversation.react(request.outcome === 'success' ? 'rocket' : '-1');
}

const runLink = (url: string) => (url ? ` ([run](${url}))` : '');
