// Adapter: runner inputs -> the deploy engine (src/ecs/deploy/run.ts) -> outputs, summary and the
// step's outcome. The post step (same bundle, run again by the runner) rolls back a deployment main
// started but did not see to the end.
import { sdkMetricsPort } from '../../aws/alb-metrics.ts';
import { sdkDeploymentPort } from '../../aws/ecs-deployments.ts';
import { sdkPreflightPorts } from '../../aws/ecs-preflight.ts';
import { sdkTaskDefinitionPort } from '../../aws/ecs-task-definitions.ts';
import type { ClientOptions } from '../../aws/client-factory.ts';
import {
  type RunEvent,
  type RunPorts,
  type RunResult,
  describePlan,
  run as deployService,
} from '../../ecs/deploy/index.ts';
import { sleep, systemClock } from '../../lib/clock.ts';
import { UserError } from '../../lib/errors.ts';
import { httpSmokeCheck } from '../../net/smoke-check.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { ACTION, clientOptions } from './clients.ts';
import { type EcsCanaryDeployConfig, OUTPUTS, parseInputs } from './inputs.ts';
import {
  eventDescriber,
  failureMessage,
  promotedWithoutEvidence,
  summarize,
  taskDefinitionLines,
  taskDefinitionRecord,
  troubleLines,
} from './report.ts';
import { rollBackAfterMain } from './post-rollback.ts';
import { taskDefinitionOrigin } from './task-definition-file.ts';

type Step = MainStep<(typeof OUTPUTS)[number]>;
/** What the deploy's events set: the root action's step declares these outputs too. */
export type DeployStep = MainStep<'task-definition-arn' | 'service-deployment-arn'>;

export function run(runner: Runner = createRunner()): Promise<void> {
  return runAction({ name: ACTION, outputs: OUTPUTS, main, post }, runner);
}

async function main(step: Step): Promise<void> {
  const { runner } = step;
  const config = parseInputs((name) => runner.input(name), runner.env);
  const taskDefinition = await taskDefinitionOrigin(runner, config.taskDefinitionFile);
  step.timeoutAfter(config.deploy.timeoutMs);
  const clients = await clientOptions(runner, config);
  const where = `service ${config.deploy.service} in cluster ${config.deploy.cluster} (${config.region})`;

  runner.info(`Checking ${where} before changing anything`);
  const result = await deployService(
    { ...config.deploy, taskDefinition },
    deployPorts(step, config, clients, where),
  );
  finish(step, result, where);
}

/** The deploy engine's ports on the SDK, its events shown on the step. */
export function deployPorts(
  step: DeployStep,
  config: EcsCanaryDeployConfig,
  clients: ClientOptions,
  where: string,
): RunPorts {
  const describe = eventDescriber();
  return {
    preflight: sdkPreflightPorts(clients),
    taskDefinitions: sdkTaskDefinitionPort(clients),
    deployments: sdkDeploymentPort(clients),
    metrics: sdkMetricsPort(clients),
    logs: lazyLogsPort(clients),
    ...(config.smoke ? { smokeCheck: httpSmokeCheck(config.smoke, ACTION) } : {}),
    clock: systemClock,
    sleep,
    signal: step.signal,
    onEvent: (event) => onEvent(step, event, describe, config.deploy.strategy.kind, where),
  };
}

/**
 * Container logs are read only when tasks fail: the CloudWatch Logs client is a chunk of its own,
 * loaded on the first read.
 */
function lazyLogsPort(clients: ClientOptions): RunPorts['logs'] {
  let port: Promise<RunPorts['logs']> | undefined;
  return {
    async tail(...args) {
      port ??= import('../../aws/cloudwatch-logs.ts').then(({ sdkLogsPort }) =>
        sdkLogsPort(clients),
      );
      return (await port).tail(...args);
    },
  };
}

function onEvent(
  step: DeployStep,
  event: RunEvent,
  describe: ReturnType<typeof eventDescriber>,
  strategy: string,
  where: string,
): void {
  const { runner } = step;
  const lines: string[] = [];
  if (event.type === 'plan') {
    const planLines = describePlan(event.plan);
    lines.push(`Plan (${strategy}):`, ...planLines.map((line) => `  ${line}`));
    step.summary.paragraph(`**Plan** (${strategy}) for ${where}:`).list(planLines);
  } else if (event.type === 'task-definition') {
    step.setOutput('task-definition-arn', event.taskDefinition.arn);
    step.failureFacts.taskDefinition = taskDefinitionRecord(event.taskDefinition);
    lines.push(...taskDefinitionLines(event.taskDefinition));
  } else {
    if (event.type === 'deployment') {
      runner.saveState('service-deployment-arn', event.serviceDeploymentArn);
      step.setOutput('service-deployment-arn', event.serviceDeploymentArn);
    }
    const line = describe(event);
    if (line !== undefined) lines.push(line);
  }
  for (const line of lines) runner.info(line);
}

function finish(step: Step, result: RunResult, where: string): void {
  const { runner, summary } = step;
  if (result.kind === 'dry-run') {
    summary.paragraph('**Dry run:** nothing was registered or deployed.');
    step.setResult({ outcome: 'dry-run', plan: result.plan });
    runner.info('Dry run: nothing was registered or deployed.');
    return;
  }
  const taskDefinition = taskDefinitionRecord(result.taskDefinition);
  if (result.kind === 'already-deployed') {
    const message = `The ${where} already runs ${taskDefinition.arn} and no deployment is in flight: nothing to deploy.`;
    runner.info(message);
    summary.paragraph(`**Already deployed:** ${message}`);
    step.setOutput('status', 'SUCCESSFUL');
    step.setResult({
      outcome: 'succeeded',
      reason: 'already deployed',
      alreadyDeployed: true,
      taskDefinition,
    });
    return;
  }
  const { deployment } = result;
  // Main saw the deployment to a final status (or handed the rollback to ECS): nothing for post.
  runner.saveState('finished', 'true');
  if (deployment.serviceDeploymentArn)
    step.setOutput('service-deployment-arn', deployment.serviceDeploymentArn);
  step.setOutput('status', deployment.status ?? '');
  step.setOutput('verdict', deployment.verdict ?? '');
  step.setOutput('rollback-reason', deployment.rollbackReason ?? '');
  step.setResult({ ...deployment, taskDefinition });
  summarize(summary, deployment, result.taskDefinition);
  if (deployment.outcome === 'succeeded') {
    const unproven = promotedWithoutEvidence(deployment);
    if (unproven !== undefined) runner.annotate('warning', unproven);
    runner.info(`Deployed ${taskDefinition.arn} to ${where}.`);
    return;
  }
  for (const line of troubleLines(deployment)) runner.info(line);
  throw new UserError(failureMessage(deployment));
}

function post(runner: Runner): Promise<void> {
  return rollBackAfterMain(runner, async () =>
    clientOptions(
      runner,
      parseInputs((name) => runner.input(name), runner.env),
    ),
  );
}
