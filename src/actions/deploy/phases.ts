// The phases of the root action on the other actions' engines and SDK ports. A chunk of its own
// (main.ts imports it once the target is settled): the ECS, CloudWatch, Secrets Manager and
// PostgreSQL code loads only for a deploy that runs.
import type { ClientOptions } from '../../aws/client-factory.ts';
import type { CanaryOutcome, MigrationOutcome } from '../../deploy/ports.ts';
import { run as deployService } from '../../ecs/deploy/index.ts';
import type { PreparedTaskDefinition } from '../../ecs/task-definition/prepare.ts';
import { oneLine } from '../../lib/errors.ts';
import { type MigrateReport, runMigration } from '../../migrate/run.ts';
import type { MainStep } from '../../runner/action.ts';
import { deployPorts } from '../ecs-canary-deploy/main.ts';
import {
  failureMessage,
  summarize as summarizeCanary,
  taskDefinitionRecord,
} from '../ecs-canary-deploy/report.ts';
import { appliedBy, migratePorts } from '../rds-migrate/main.ts';
import { comment as migrationComment } from '../rds-migrate/report.ts';
import type { DeployConfig, OUTPUTS } from './inputs.ts';

type Step = MainStep<(typeof OUTPUTS)[number]>;

/** The migrations' plan (command plan) or their application (command apply), expand phase. */
export async function migrations(
  step: Step,
  config: NonNullable<DeployConfig['migrate']>,
  clients: ClientOptions,
  command: 'plan' | 'apply',
): Promise<{ outcome: MigrationOutcome; report: MigrateReport | undefined; error: unknown }> {
  const { runner } = step;
  const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
  const run = await runMigration(
    {
      ...config,
      command,
      appliedBy: appliedBy(runner.env),
      commit: runner.env.GITHUB_SHA || null,
      searchPath: runner.env.PATH,
    },
    migratePorts(step, { ...config, command }, workspace, clients),
  );
  const versions = (list: readonly { version: string | null }[] | undefined) =>
    (list ?? []).flatMap((m) => (m.version === null ? [] : [m.version]));
  const report = run.report;
  const applied = report && report.mode === 'runner' ? versions(report.applied) : [];
  if (report && command === 'apply') step.summary.paragraph(migrationComment(report));
  if (!run.ok) {
    return {
      outcome: { ok: false, reason: oneLine(run.error), applied },
      report,
      error: run.error,
    };
  }
  const pending = report && report.mode === 'runner' ? versions(report.pending) : [];
  return {
    outcome: { ok: true, applied: command === 'plan' ? pending : applied },
    report,
    error: undefined,
  };
}

export interface CanaryRun {
  readonly outcome: CanaryOutcome;
  readonly body: Record<string, unknown>;
}

/** ecs-canary-deploy's engine on the service, its outputs and summary set on the step. */
export async function canary(
  step: Step,
  config: DeployConfig['canary'],
  taskDefinition: Parameters<typeof deployService>[0]['taskDefinition'],
  clients: ClientOptions,
): Promise<CanaryRun> {
  const { runner } = step;
  const where = `service ${config.deploy.service} in cluster ${config.deploy.cluster} (${config.region})`;
  runner.info(`Checking ${where} before changing anything`);
  step.timeoutAfter(config.deploy.timeoutMs);
  const result = await deployService(
    { ...config.deploy, taskDefinition },
    deployPorts(step, config, clients, where),
  );
  if (result.kind === 'dry-run') throw new Error('the root action never asks for a dry run');
  const record = (prepared: PreparedTaskDefinition) => taskDefinitionRecord(prepared);
  if (result.kind === 'already-deployed') {
    runner.info(`The ${where} already runs ${result.taskDefinition.arn}: nothing to deploy.`);
    step.setOutput('status', 'SUCCESSFUL');
    return {
      outcome: {
        outcome: 'succeeded',
        reason: undefined,
        status: 'SUCCESSFUL',
        verdict: undefined,
        taskDefinitionArn: result.taskDefinition.arn,
      },
      body: { alreadyDeployed: true, taskDefinition: record(result.taskDefinition) },
    };
  }
  const { deployment } = result;
  // Main saw the deployment to its end: nothing for the post step to roll back.
  runner.saveState('finished', 'true');
  step.setOutput('status', deployment.status ?? '');
  step.setOutput('verdict', deployment.verdict ?? '');
  step.setOutput('rollback-reason', deployment.rollbackReason ?? '');
  summarizeCanary(step.summary, deployment, result.taskDefinition);
  return {
    outcome: {
      outcome: deployment.outcome,
      reason: deployment.outcome === 'succeeded' ? undefined : failureMessage(deployment),
      status: deployment.status,
      verdict: deployment.verdict,
      taskDefinitionArn: result.taskDefinition.arn,
    },
    body: { ...deployment, taskDefinition: record(result.taskDefinition) },
  };
}
