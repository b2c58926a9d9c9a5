// Adapter of the root action: one environment deployed in one step. Inputs (checked by the
// parsers of the actions they belong to) -> the deploy engine (src/deploy/run.ts) over the
// engines of oidc (assume, renewed), migrate (expand), ecs/deploy (canary) and deploy-command's
// records -> outputs and summary. The post step rolls back a canary main did not see to the end.
import { finishDeploy, startDeploy } from '../../deploy-command/lifecycle.ts';
import type { DeployEnvironmentEvent, RecordOutcome } from '../../deploy/ports.ts';
import { deployEnvironment } from '../../deploy/run.ts';
import { gitHubPullRequest } from '../../github/deploy-command.ts';
import { gitHubDeployments } from '../../github/deployments.ts';
import { gitHubRest } from '../../github/rest.ts';
import type { ClientOptions } from '../../aws/client-factory.ts';
import type { EcsCanaryDeployConfig } from '../ecs-canary-deploy/inputs.ts';
import { UserError } from '../../lib/errors.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { repositoryOf, runUrlOf } from '../deploy-command/event.ts';
import { rollBackAfterMain } from '../ecs-canary-deploy/post-rollback.ts';
import { taskDefinitionOrigin } from '../ecs-canary-deploy/task-definition-file.ts';
import { OUTPUTS, parseInputs } from './inputs.ts';
import type { CanaryRun } from './phases.ts';
import { describeEvent, describeTarget, resultBody, summarize } from './report.ts';

export const ACTION = 'aws-ship-suite';
/** How long the record's last status may take, whatever happened to the step. */
const FINISH_TIMEOUT_MS = 30_000;
type Step = MainStep<(typeof OUTPUTS)[number]>;

export function run(runner: Runner = createRunner()): Promise<void> {
  return runAction({ name: ACTION, outputs: OUTPUTS, main, post }, runner);
}

async function main(step: Step): Promise<void> {
  const { runner } = step;
  const token = runner.input('github-token')?.trim();
  if (token) runner.setSecret(token);
  const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
  const read = (name: string) => runner.input(name);
  // With the deploy document to read, the target is settled once the role is assumed.
  let config = parseInputs(read, runner.env, workspace);
  const taskDefinition = await taskDefinitionOrigin(runner, config.canary.taskDefinitionFile);
  const repository = repositoryOf(runner.env);
  const logUrl = runUrlOf(runner.env);
  const restOptions = {
    token: config.record.token,
    apiUrl: runner.env.GITHUB_API_URL || 'https://api.github.com',
    log: (line: string) => runner.debug(line),
  };
  const rest = gitHubRest({ ...restOptions, signal: step.signal });
  const deployments = gitHubDeployments(rest, repository);
  // The ECS, CloudWatch, Secrets Manager and PostgreSQL code loads once the target is settled: a
  // deploy refused for its deploy document never loads it.
  const phases = () => import('./phases.ts');
  let clients: ClientOptions | undefined;
  const aws = () => {
    if (clients === undefined) throw new Error('an AWS phase ran before the role was assumed');
    return clients;
  };
  let canary: CanaryRun | undefined;
  let migrationReport: unknown;
  const migrate = () => {
    if (config.migrate === undefined) throw new Error('migrations ran without a secret-id');
    return config.migrate;
  };

  const result = await deployEnvironment({
    assume: async () => {
      clients = await clientOptionsOf(runner, config.canary);
    },
    target: async () => {
      if (config.document !== undefined) {
        const roleArn = config.canary.assume?.roleArn;
        if (roleArn === undefined) throw new Error('the root action always assumes a role');
        const { deployDocument } = await import('./document.ts');
        const document = await deployDocument(roleArn, aws(), step.signal);
        config = parseInputs(read, runner.env, workspace, document);
        runner.info(describeTarget(config));
      }
      return { migrations: config.migrate !== undefined };
    },
    planMigrations: async () => {
      const plan = await (await phases()).migrations(step, migrate(), aws(), 'plan');
      if (!plan.outcome.ok) throw plan.error;
      return plan.outcome.applied;
    },
    applyMigrations: async () => {
      const applied = await (await phases()).migrations(step, migrate(), aws(), 'apply');
      migrationReport = applied.report;
      step.setOutput('migrations-applied', String(applied.outcome.applied.length));
      return applied.outcome;
    },
    canary: async () => {
      canary = await (await phases()).canary(step, config.canary, taskDefinition, aws());
      return canary.outcome;
    },
    startRecord: async ({ migrationVersions }) => {
      const { record } = config;
      const started = await startDeploy(
        {
          environment: record.environment,
          sha: record.sha,
          pullRequest: undefined,
          facts: {
            actor: record.actor,
            command: record.command,
            imageDigest: config.digest,
            ...(migrationVersions.length > 0 ? { migrationVersions: [...migrationVersions] } : {}),
          },
          production: record.production,
          logUrl,
        },
        {
          deployments,
          pullRequest: gitHubPullRequest(rest, repository),
          conversation: undefined,
        },
      );
      if (started.outcome !== 'started') throw new UserError(started.reason);
      // The post step finishes the record if main dies before it can.
      runner.saveState('deployment-id', String(started.deploymentId));
      step.setOutput('deployment-id', String(started.deploymentId));
      step.failureFacts.deploymentId = started.deploymentId;
      return started.deploymentId;
    },
    finishRecord: async (deploymentId, outcome) => {
      await finishRecord(runner, restOptions, repository, logUrl, {
        deploymentId,
        outcome,
        environment: config.environment,
      });
    },
    signal: step.signal,
    onEvent: (event: DeployEnvironmentEvent) => {
      if (event.type === 'record-failed') {
        runner.annotate(
          'warning',
          `Deployment ${event.deploymentId} could not be given its last status (${event.reason}): it may still show in_progress on GitHub.`,
        );
        return;
      }
      const line = describeEvent(event, config);
      if (line !== undefined) runner.info(line);
    },
  });

  if (!config.migrate) step.setOutput('migrations-applied', '0');
  step.setResult(resultBody(config, result, canary?.body, migrationReport));
  summarize(step.summary, config, result);
  if (result.outcome !== 'succeeded') throw new UserError(result.reason);
  runner.info(
    `Deployed ${config.digest} to ${config.environment}: deployment ${result.deploymentId} succeeded.`,
  );
}

/**
 * ecs-canary-deploy's post step (rolls back a canary main did not see to the end), then the
 * record's last status when main ended before writing it (killed, or GitHub did not answer).
 */
async function post(runner: Runner): Promise<void> {
  const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
  const config = () => parseInputs((name) => runner.input(name), runner.env, workspace);
  try {
    await rollBackAfterMain(runner, () => clientOptionsOf(runner, config().canary));
  } finally {
    const id = Number(runner.state('deployment-id') || '0');
    if (id > 0 && runner.state('recorded') !== 'true') {
      const { environment, record } = config();
      await finishRecord(
        runner,
        {
          token: record.token,
          apiUrl: runner.env.GITHUB_API_URL || 'https://api.github.com',
          log: (line) => runner.debug(line),
        },
        repositoryOf(runner.env),
        runUrlOf(runner.env),
        { deploymentId: id, outcome: 'failure', environment },
      );
      runner.info(
        `Deployment ${id} in ${environment}: failure (the main step ended before it recorded the outcome).`,
      );
    }
  }
}

/** The SDK's client options (and the assumed role), loaded once the inputs are checked: it is a chunk. */
async function clientOptionsOf(
  runner: Runner,
  config: EcsCanaryDeployConfig,
): Promise<ClientOptions> {
  const { clientOptions } = await import('../ecs-canary-deploy/clients.ts');
  return clientOptions(runner, config);
}

/** The record's last status, on its own time limit (not the step's signal: a cancelled deploy is recorded too). */
async function finishRecord(
  runner: Runner,
  restOptions: Omit<Parameters<typeof gitHubRest>[0], 'signal'>,
  repository: ReturnType<typeof repositoryOf>,
  logUrl: string,
  request: { deploymentId: number; outcome: RecordOutcome; environment: string },
): Promise<void> {
  const rest = gitHubRest({ ...restOptions, signal: AbortSignal.timeout(FINISH_TIMEOUT_MS) });
  await finishDeploy(
    { ...request, logUrl, environmentUrl: undefined },
    { deployments: gitHubDeployments(rest, repository), conversation: undefined },
  );
  runner.saveState('recorded', 'true');
}
