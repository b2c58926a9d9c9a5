// Adapter: runner inputs -> migration engine -> annotations, outputs, summary. The command line
// (src/cli/rds-migrate.ts), in a terminal or inside mode ecs-task's task, runs this same adapter.
import { hostname, userInfo } from 'node:os';
import type { ClientOptions } from '../../aws/client-factory.ts';
import { rdsAuthToken } from '../../aws/rds-auth-token.ts';
import { readSecretString } from '../../aws/secrets-manager.ts';
import { gitChanges } from '../../git/changed-files.ts';
import { sleep } from '../../lib/clock.ts';
import { connect } from '../../migrate/connection.ts';
import {
  type MigratePorts,
  type MigrateReport,
  failedReport,
  runMigration,
} from '../../migrate/run.ts';
import { startThrowawayPostgres } from '../../migrate/throwaway-postgres.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import {
  OUTPUTS,
  type PathScope,
  type RdsMigrateConfig,
  parseInputs,
  secretInputs,
} from './inputs.ts';
import { annotate, closingLines, comment, describeEvent, resultBody } from './report.ts';

type Output = (typeof OUTPUTS)[number];

/**
 * `paths: 'anywhere'` is the command line's: a person at a terminal (or the app's image) names
 * folders anywhere; the action keeps its paths inside the workspace.
 */
export function run(
  runner: Runner = createRunner(),
  options: { paths?: PathScope } = {},
): Promise<void> {
  return runAction(
    { name: 'rds-migrate', outputs: OUTPUTS, main: (step) => main(step, options.paths) },
    runner,
  );
}

async function main(step: MainStep<Output>, paths: PathScope = 'workspace'): Promise<void> {
  const { runner } = step;
  const read = (name: string) => runner.input(name);
  // Until the run reports, a failure reports the command it was given and nothing found.
  let report: MigrateReport | undefined = failedReport(read('command') || 'plan');
  step.onFailure((reason) => report && deliver(step, report, reason));
  for (const secret of secretInputs(read)) runner.setSecret(secret);
  const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
  const config = parseInputs(read, workspace, runner.env, paths);
  const outcome = await runMigration(
    {
      ...config,
      appliedBy: appliedBy(runner.env),
      commit: runner.env.GITHUB_SHA || null,
      searchPath: runner.env.PATH,
    },
    migratePorts(step, config, workspace),
  );
  report = outcome.report;
  if (!outcome.ok) throw outcome.error;
  for (const line of closingLines(outcome.report)) runner.info(line);
  deliver(step, outcome.report);
}

/**
 * The migration engine's ports for a step. `clients`: the AWS client options to read the secret
 * with (the root action's assumed credentials); by default the SDK's chain in the job's env.
 */
export function migratePorts(
  step: Pick<MainStep<string>, 'runner' | 'signal'>,
  config: RdsMigrateConfig,
  workspace: string,
  clients?: ClientOptions,
): MigratePorts {
  const { runner } = step;
  const aws = { env: runner.env, action: 'rds-migrate' };
  return {
    connect: (target, signal) =>
      connect(target, {
        applicationName: 'rds-migrate',
        connectTimeoutMs: config.connectTimeoutMs,
        signal,
      }),
    startThrowaway: startThrowawayPostgres,
    readSecret: (secretId, region) =>
      readSecretString(secretId, { ...aws, ...clients, region }, step.signal),
    rdsAuthToken,
    // Loaded only in mode ecs-task: the ECS and Logs clients are a third of the bundle.
    ecsTask: async () =>
      (await import('../../aws/ecs-run-task.ts')).sdkEcsTaskPort({
        ...aws,
        region: config.region!,
      }),
    changes: gitChanges,
    sleep,
    now: () => Date.now(),
    signal: step.signal,
    onEvent: (event) =>
      event.type === 'linted'
        ? annotate(runner, config.migrationsDir, workspace, event.findings, event.advisory)
        : runner.info(describeEvent(event)),
    mask: (secret) => runner.setSecret(secret),
  };
}

function deliver(step: MainStep<Output>, report: MigrateReport, reason?: string): void {
  const text = comment(report);
  step.summary.paragraph(text);
  step.setOutput('applied', String(report.applied.length));
  step.setOutput('pending', String(report.pending.length));
  // Notices (a DO block that could not be checked) are shown, not counted.
  const open = report.findings.filter((f) => f.waived === undefined && f.severity !== 'notice');
  step.setOutput('findings', String(open.length));
  step.setOutput('comment', text);
  step.setResult(resultBody(report, reason));
}

/** Who applies the migrations, for the history table: the workflow run, or user@host. */
export function appliedBy(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`;
  }
  return `${userInfo().username}@${hostname()}`;
}
