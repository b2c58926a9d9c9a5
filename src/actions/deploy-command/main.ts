// Adapter: runner inputs and the event -> the deploy-command engine -> outputs and summary.
// mode command (on issue_comment, and on pull_request closed to free its locks) decides; mode
// start re-checks the pull request and records the deployment right before the deploy; mode
// finish records how it ended.
import { type CommandResult, handleComment, releaseLocksOf } from '../../deploy-command/command.ts';
import { resolveDispatch } from '../../deploy-command/dispatch.ts';
import { finishDeploy, startDeploy } from '../../deploy-command/lifecycle.ts';
import type { Conversation } from '../../deploy-command/ports.ts';
import {
  gitHubCollaborator,
  gitHubCommandPorts,
  gitHubConversation,
  gitHubLocks,
  gitHubPullRequest,
} from '../../github/deploy-command.ts';
import { gitHubDeployments } from '../../github/deployments.ts';
import { type GitHubRest, gitHubRest } from '../../github/rest.ts';
import { UserError } from '../../lib/errors.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { dispatcherOf, readEvent, repositoryOf, runUrlOf } from './event.ts';
import { type DeployCommandConfig, OUTPUTS, parseInputs } from './inputs.ts';
import {
  type Outputs,
  commandOutputs,
  dispatchOutputs,
  logLine,
  summarise,
  summariseDispatch,
} from './report.ts';
import { type DeployFacts, type NotifyChannels, notifyDeploy } from '../../notify/index.ts';
import { snsTopicPublisher } from '../../aws/sns.ts';
import { slackWebhook } from '../../net/slack-webhook.ts';
import { notificationFacts, reportNotification } from './notification-report.ts';

type Output = (typeof OUTPUTS)[number];

export interface DeployCommandWorld {
  now?: () => number;
}

export function run(
  runner: Runner = createRunner(),
  world: DeployCommandWorld = {},
): Promise<void> {
  return runAction(
    { name: 'deploy-command', outputs: OUTPUTS, main: (step) => main(step, world) },
    runner,
  );
}

async function main(step: MainStep<Output>, world: DeployCommandWorld): Promise<void> {
  const { runner } = step;
  const token = runner.input('github-token')?.trim();
  if (token) runner.setSecret(token);
  const webhook = runner.input('slack-webhook-url')?.trim();
  if (webhook) runner.setSecret(webhook);
  const config = parseInputs((name) => runner.input(name));
  const repository = repositoryOf(runner.env);
  const runUrl = runUrlOf(runner.env);
  const rest = gitHubRest({
    token: config.token,
    apiUrl: runner.env.GITHUB_API_URL || 'https://api.github.com',
    signal: step.signal,
    log: (line) => runner.debug(line),
  });
  const now = world.now ?? (() => Date.now());
  const set = (outputs: Outputs) => {
    for (const [name, value] of Object.entries(outputs)) step.setOutput(name as Output, value);
  };
  const conversationOf = (
    pullRequest: number | undefined,
    commentId: number | undefined,
  ): Conversation | undefined =>
    pullRequest !== undefined && commentId !== undefined
      ? gitHubConversation(rest, repository, pullRequest, commentId)
      : undefined;

  if (config.mode === 'start') {
    const { start } = config;
    const result = await startDeploy(
      {
        environment: start.environment,
        sha: start.sha,
        pullRequest: start.command === 'deploy' ? start.pullRequest : undefined,
        facts: {
          actor: start.actor,
          command: start.command,
          ...(start.imageDigest ? { imageDigest: start.imageDigest } : {}),
          ...(start.taskDefinition ? { taskDefinition: start.taskDefinition } : {}),
          ...(start.migrationVersions.length > 0
            ? { migrationVersions: start.migrationVersions }
            : {}),
          ...(start.contractMigrations.length > 0
            ? { contractMigrations: start.contractMigrations }
            : {}),
          ...(start.siteRelease ? { siteRelease: start.siteRelease } : {}),
          ...(start.siteArtifact ? { siteArtifact: start.siteArtifact } : {}),
          ...(start.pullRequest ? { pullRequest: start.pullRequest } : {}),
        },
        production: start.environment === config.production,
        logUrl: runUrl,
      },
      {
        deployments: gitHubDeployments(rest, repository),
        pullRequest: gitHubPullRequest(rest, repository),
        conversation: conversationOf(start.pullRequest, start.commentId),
      },
    );
    if (result.outcome === 'stale') {
      set({ decision: 'rejected', 'reason-code': 'stale-sha', environment: start.environment });
      step.setResult({ outcome: 'rejected', reasonCode: 'stale-sha', reason: result.reason });
      throw new UserError(result.reason);
    }
    set({
      decision: 'proceed',
      environment: start.environment,
      sha: start.sha,
      'deployment-id': String(result.deploymentId),
    });
    step.setResult({
      outcome: 'started',
      deploymentId: result.deploymentId,
      environment: start.environment,
      sha: start.sha,
    });
    runner.info(
      `Deployment ${result.deploymentId} of ${start.sha} to ${start.environment} is in progress.`,
    );
    step.summary.paragraph(
      `Deployment ${result.deploymentId}: \`${start.sha}\` to ${start.environment}, in progress.`,
    );
    return;
  }

  if (config.mode === 'dispatch') {
    const actor = dispatcherOf(runner.env);
    const { dispatch } = config;
    const result = await resolveDispatch(
      dispatch.verb === 'promote'
        ? { verb: 'promote', actor, digest: dispatch.digest }
        : { verb: 'rollback', actor, environment: dispatch.environment },
      config.policy,
      {
        collaborator: gitHubCollaborator(rest, repository),
        locks: gitHubLocks(rest, repository),
        deployments: gitHubDeployments(rest, repository),
      },
    );
    set(dispatchOutputs(result));
    step.setResult({ outcome: result.decision, ...result });
    summariseDispatch(step.summary, result);
    // A refused dispatch is a red run: the one line says why, nothing deploys.
    if (result.decision === 'rejected') throw new UserError(result.reason);
    runner.info(`Go: ${result.reason}`);
    return;
  }

  if (config.mode === 'finish') {
    const { finish } = config;
    const { notify } = finish;
    const channels: NotifyChannels = {
      topic: notify.topicArn
        ? snsTopicPublisher(notify.topicArn, { env: runner.env, action: 'deploy-command' })
        : undefined,
      slack: notify.slackWebhook ? slackWebhook(notify.slackWebhook) : undefined,
    };
    const notifier =
      channels.topic || channels.slack
        ? (facts: DeployFacts) => notifyDeploy(facts, channels, step.signal)
        : undefined;
    const { notification } = await finishDeploy(
      {
        ...finish,
        logUrl: runUrl,
        notice: {
          repository: `${repository.owner}/${repository.repo}`,
          rolledBack: notify.rolledBack,
          reason: notify.reason,
          failedStep: notify.failedStep,
          imageDigest: notify.imageDigest,
          sha: notify.sha,
        },
      },
      {
        deployments: gitHubDeployments(rest, repository),
        conversation: conversationOf(finish.pullRequest, finish.commentId),
        notifier,
      },
    );
    set({
      decision: 'done',
      environment: finish.environment,
      'deployment-id': String(finish.deploymentId),
    });
    step.setResult({
      outcome: finish.outcome,
      deploymentId: finish.deploymentId,
      environment: finish.environment,
      ...(notification ? { notification: notificationFacts(notification) } : {}),
    });
    runner.info(`Deployment ${finish.deploymentId} in ${finish.environment}: ${finish.outcome}.`);
    step.summary.paragraph(
      `Deployment ${finish.deploymentId} in ${finish.environment}: ${finish.outcome}.`,
    );
    if (notification) reportNotification(step, notification);
    return;
  }

  await command(step, config, rest, repository, runUrl, now, set);
}

async function command(
  step: MainStep<Output>,
  config: DeployCommandConfig,
  rest: GitHubRest,
  repository: { owner: string; repo: string },
  runUrl: string,
  now: () => number,
  set: (outputs: Outputs) => void,
): Promise<void> {
  const event = readEvent(step.runner.env, runUrl);
  if (event.kind === 'other') {
    throw new UserError(
      `mode command runs on issue_comment events (and pull_request closed, to free its locks); this run is for ${JSON.stringify(event.name)}: add 'on: issue_comment: types: [created]' to the workflow.`,
    );
  }
  if (event.kind === 'pull-request-closed') {
    const released = await releaseLocksOf(
      event.number,
      config.policy,
      gitHubLocks(rest, repository),
    );
    const reason =
      released.length > 0
        ? `#${event.number} closed: unlocked ${released.join(', ')}.`
        : `#${event.number} closed: it held no lock.`;
    set({ decision: 'done', command: 'unlock', 'pull-request': String(event.number) });
    step.setResult({ outcome: 'done', decision: 'done', command: 'unlock', released, reason });
    step.runner.info(reason);
    step.summary.paragraph(reason);
    return;
  }
  const comment = event.comment;
  const ports = gitHubCommandPorts(rest, {
    repository,
    issueNumber: comment.issueNumber,
    commentId: comment.commentId,
    now,
  });
  const result: CommandResult = await handleComment(comment, config.policy, ports);
  set(commandOutputs(result, comment.commentId));
  // The status rows are the reply's and the summary's; the result keeps the decision.
  step.setResult({ outcome: result.decision, ...result, status: undefined });
  step.runner.info(logLine(result));
  summarise(step.summary, result);
}
