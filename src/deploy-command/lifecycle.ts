// A deploy's record from just before it starts to its end: re-check that the pull request still
// points at the commit the command was for (a push after the comment cancels it), create the
// GitHub Deployment for that full SHA with what it ships, mark it in_progress, and at the end
// success, failure or inactive, with 🚀 or 👎 on the command's comment.
import { UserError } from '../lib/errors.ts';
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

export type DeployOutcome = 'success' | 'failure' | 'cancelled';

export interface FinishRequest {
  readonly deploymentId: number;
  readonly outcome: DeployOutcome;
  readonly environment: string;
  readonly logUrl: string;
  readonly environmentUrl: string | undefined;
}

export async function finishDeploy(
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
