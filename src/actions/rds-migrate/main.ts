// Adapter: runner inputs -> migration engine (lint, plan, apply) -> annotations, outputs, summary.
import { hostname, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { sleep } from '../../lib/clock.ts';
import { formatDuration } from '../../lib/durations.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import { SUITE_VERSION } from '../../lib/version.ts';
import { type ApplyResult, applyMigrations } from '../../migrate/apply.ts';
import { rdsAuthToken } from '../../aws/rds-auth-token.ts';
import { readSecretString } from '../../aws/secrets-manager.ts';
import {
  type ConnectionTarget,
  connect,
  describeTarget,
  targetFromSecret,
} from '../../migrate/connection.ts';
import { parseRdsSecret } from '../../migrate/rds-secret.ts';
import { schemaMarkdown } from '../../migrate/schema.ts';
import { findPostgresBin } from '../../migrate/throwaway-postgres.ts';
import {
  type ValidateServer,
  type Validation,
  validateMigrations,
} from '../../migrate/validate.ts';
import { type EcsTaskSpec, runMigrationTask } from '../../migrate/ecs-task.ts';
import type { MigrateEvent } from '../../migrate/events.ts';
import { type Finding, blocking, lintMigrations } from '../../migrate/lint/lint.ts';
import { type Migration, loadMigrations } from '../../migrate/migration-set.ts';
import { type Plan, planMigrations } from '../../migrate/plan.ts';
import { applyMarkdown, findingsMarkdown, planMarkdown } from '../../migrate/report.ts';
import { abortOnCancel, failStep } from '../../runner/failure.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { Summary } from '../../runner/summary.ts';
import { type Connection, type RdsMigrateConfig, parseInputs, secretInputs } from './inputs.ts';

const RESULT_VERSION = 1;
/** Backoff after a lock timeout: 1 s, 2 s, 4 s, ... up to 30 s, with jitter. */
const RETRY_BASE_DELAY_MS = 1000;
const RETRY_MAX_DELAY_MS = 30_000;

interface Report {
  command: string;
  findings: Finding[];
  plan?: Plan;
  apply?: ApplyResult;
  validation?: Validation;
}

export async function run(runner: Runner = createRunner()): Promise<void> {
  const summary = new Summary().heading('rds-migrate');
  const controller = new AbortController();
  const disarm = abortOnCancel(controller);
  const report: Report = { command: runner.input('command') || 'plan', findings: [] };
  try {
    for (const secret of secretInputs((name) => runner.input(name))) runner.setSecret(secret);
    const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
    const config = parseInputs((name) => runner.input(name), workspace, runner.env);
    report.command = config.command;
    if (config.ecsTask) {
      await inEcsTask(runner, config.ecsTask, config.region!, controller, summary);
      return;
    }

    const migrations = await loadMigrations(config.migrationsDir);
    runner.info(
      `Found ${migrations.length} migration${migrations.length === 1 ? '' : 's'} in ${config.migrationsDir}.`,
    );
    report.findings = lintMigrations(migrations, config);
    annotate(runner, config, workspace, report.findings);

    if (config.command === 'validate') {
      report.validation = await validate(runner, config, controller, migrations);
      report.apply = report.validation.result;
    } else if (config.command !== 'lint') {
      await withDatabase(runner, config, controller, migrations, report);
    }
    const blockers = blockingFor(report);
    if (report.apply?.outcome === 'failed') {
      const f = report.apply.failed;
      throw new UserError(
        `${f.script}:${f.line}: ${f.reason}${f.sqlState ? ` (SQLSTATE ${f.sqlState})` : ''}; ${f.partsCommitted > 0 ? `${f.partsCommitted} of ${f.parts} parts committed, the next run resumes after them` : 'rolled back, nothing of it is applied'}.`,
      );
    }
    if (blockers.length > 0) {
      throw new UserError(
        `Lint: ${blockers.length} finding${blockers.length === 1 ? '' : 's'} would lock or break the live database (first: ${blockers[0]!.script}:${blockers[0]!.line} ${blockers[0]!.rule}): use the safe pattern, move destructive changes to a contract migration, or waive with -- rds-migrate: allow <rule> because <reason>.`,
      );
    }
    const comment = markdown(report);
    summary.paragraph(comment);
    setOutputs(runner, report, comment);
  } catch (error) {
    const reason = oneLine(error);
    const comment = markdown(report);
    summary.paragraph(comment).paragraph(`**Failed:** ${reason}`);
    setOutputs(runner, report, comment, reason);
    failStep(runner, error);
  } finally {
    disarm();
    runner.writeSummary(summary);
  }
}

/**
 * The findings that stop this command: all of them for lint and plan, the pending ones for
 * apply, none for validate (it answers whether the migrations apply, not whether they are safe).
 */
function blockingFor(report: Report): Finding[] {
  if (report.command === 'validate') return [];
  const all = blocking(report.findings);
  if (report.command !== 'apply') return all;
  const pending = new Set(report.plan?.pending.map((p) => p.script) ?? []);
  return all.filter((f) => pending.has(f.script));
}

async function withDatabase(
  runner: Runner,
  config: RdsMigrateConfig,
  controller: AbortController,
  migrations: Migration[],
  report: Report,
): Promise<void> {
  const target = await resolveTarget(runner, config.connection!, controller.signal);
  runner.info(`Connecting to ${describeTarget(target)}`);
  const client = await connect(target, {
    applicationName: 'rds-migrate',
    connectTimeoutMs: config.connectTimeoutMs,
  });
  // Cancelling ends the session: PostgreSQL rolls back the open transaction and frees the lock.
  const onAbort = () => void client.end().catch(() => {});
  controller.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const onEvent = (event: MigrateEvent) => runner.info(describeEvent(event));
    report.plan = await planMigrations(migrations, config, { session: client, onEvent });
    if (config.command === 'plan') return;
    if (blockingFor(report).length > 0) return;
    report.apply = await applyMigrations(
      migrations,
      {
        ...config,
        retryBaseDelayMs: RETRY_BASE_DELAY_MS,
        retryMaxDelayMs: RETRY_MAX_DELAY_MS,
        appliedBy: appliedBy(runner.env),
        commit: runner.env.GITHUB_SHA || null,
      },
      { session: client, sleep, now: () => Date.now(), signal: controller.signal, onEvent },
    );
  } finally {
    controller.signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => {});
  }
}

/** mode: ecs-task: the command line runs in a one-off task; its lines and result come back here. */
async function inEcsTask(
  runner: Runner,
  spec: EcsTaskSpec,
  region: string,
  controller: AbortController,
  summary: Summary,
): Promise<void> {
  // Loaded only in this mode: the ECS and Logs clients are a third of the bundle.
  const { sdkEcsTaskPort } = await import('../../aws/ecs-run-task.ts');
  const port = sdkEcsTaskPort({ region, env: runner.env, action: 'rds-migrate' });
  try {
    runner.info(
      `Running ${spec.command.slice(1).join(' ')} as an ECS task in cluster ${spec.cluster}`,
    );
    const outcome = await runMigrationTask(spec, port, {
      sleep,
      now: () => Date.now(),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'line') runner.info(`  | ${event.line}`);
        else if (event.type === 'status') runner.info(`Task ${event.status}`);
        else
          runner.info(
            `Started task ${event.taskArn} (${event.taskDefinition}, container ${event.container})`,
          );
      },
    });
    const result = outcome.result;
    const findings = (result?.findings ?? []) as Finding[];
    const applied = (result?.applied ?? []) as { script: string }[];
    const comment = [
      `Ran in ECS task \`${outcome.taskArn}\` (exit code ${outcome.exitCode ?? 'unknown'}).`,
      applied.length > 0 ? `Applied: ${applied.map((a) => `\`${a.script}\``).join(', ')}.` : '',
      '### Lint',
      findingsMarkdown(findings),
    ]
      .filter(Boolean)
      .join('\n\n');
    summary.paragraph(comment);
    runner.setOutput('applied', String(applied.length));
    runner.setOutput('pending', String(((result?.pending ?? []) as unknown[]).length));
    runner.setOutput('findings', String(findings.filter((f) => f.waived === undefined).length));
    runner.setOutput('comment', comment);
    runner.setOutput(
      'result',
      JSON.stringify({
        ...(result ?? {
          version: RESULT_VERSION,
          suiteVersion: SUITE_VERSION,
          command: spec.command[2],
        }),
        ...(result ? {} : { outcome: 'failed' }),
        task: { arn: outcome.taskArn, exitCode: outcome.exitCode ?? null },
      }),
    );
    if (outcome.exitCode !== 0) {
      const reason =
        typeof result?.reason === 'string'
          ? result.reason
          : (outcome.stoppedReason ?? 'no reason given');
      throw new UserError(
        `The migration task exited ${outcome.exitCode ?? 'without an exit code'}: ${reason}${outcome.logsAvailable ? '' : ' (its container has no awslogs configuration, so its log could not be shown)'}`,
      );
    }
  } catch (error) {
    summary.paragraph(`**Failed:** ${oneLine(error)}`);
    failStep(runner, error);
  } finally {
    port.destroy();
  }
}

async function validate(
  runner: Runner,
  config: RdsMigrateConfig,
  controller: AbortController,
  migrations: Migration[],
): Promise<Validation> {
  const shadow = config.shadow;
  const server: ValidateServer = shadow
    ? {
        kind: 'shadow',
        database: shadow.database,
        connect: (database) =>
          connect(
            { ...shadow, database },
            { applicationName: 'rds-migrate', connectTimeoutMs: config.connectTimeoutMs },
          ),
      }
    : { kind: 'embedded', binDir: findPostgresBin(config.postgresBin, runner.env) };
  runner.info(
    shadow
      ? `Validating on a temporary database of the shadow server ${describeTarget(shadow)}`
      : `Validating on a throwaway PostgreSQL from ${server.kind === 'embedded' ? server.binDir : ''}`,
  );
  const validation = await validateMigrations(
    migrations,
    server,
    {
      ...config,
      lockWaitMs: 0,
      retryBaseDelayMs: RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: RETRY_MAX_DELAY_MS,
      appliedBy: appliedBy(runner.env),
      commit: runner.env.GITHUB_SHA || null,
    },
    {
      sleep,
      now: () => Date.now(),
      signal: controller.signal,
      onEvent: (event) => runner.info(describeEvent(event)),
    },
  );
  runner.info(`Validated on ${validation.server}.`);
  return validation;
}

async function resolveTarget(
  runner: Runner,
  connection: Connection,
  signal: AbortSignal,
): Promise<ConnectionTarget> {
  if (connection.kind === 'url') return connection.target;
  if (connection.kind === 'iam') {
    const token = await rdsAuthToken(connection);
    runner.setSecret(token);
    // RDS accepts IAM tokens over TLS only.
    return {
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: token,
      database: connection.database,
      tls: { ca: connection.ca },
    };
  }
  runner.info(`Reading the database secret ${connection.secretId} (${connection.region})`);
  const text = await readSecretString(
    connection.secretId,
    { region: connection.region, env: runner.env, action: 'rds-migrate' },
    signal,
  );
  runner.setSecret(text);
  const secret = parseRdsSecret(connection.secretId, text);
  runner.setSecret(secret.password);
  return targetFromSecret(connection.secretId, secret, connection.database, connection.tls);
}

function annotate(
  runner: Runner,
  config: RdsMigrateConfig,
  workspace: string,
  findings: readonly Finding[],
): void {
  for (const f of findings) {
    if (f.waived !== undefined) continue;
    runner.annotate(f.severity, `${f.rule}: ${f.detail}. ${f.why} Safe pattern: ${f.fix}`, {
      title: `rds-migrate ${f.rule}`,
      file: relative(workspace, join(config.migrationsDir, f.script)),
      line: f.line,
      col: f.column,
    });
  }
}

function describeEvent(event: MigrateEvent): string {
  switch (event.type) {
    case 'lock-waiting':
      return `Waiting for the migration lock${event.holderPid ? ` (held by backend pid ${event.holderPid})` : ''}…`;
    case 'lock-acquired':
      return `Holding the migration lock${event.waitedMs >= 1000 ? ` after waiting ${formatDuration(event.waitedMs)}` : ''}.`;
    case 'baselined':
      return `Baselined the database at version ${event.version}.`;
    case 'missing-locally':
      return `Warning: applied migrations with no file any more: ${event.migrations.join(', ')}.`;
    case 'migration-started':
      return `Applying ${event.script}${event.resumeFromPart > 0 ? ` from part ${event.resumeFromPart + 1} of ${event.parts} (earlier parts committed by a previous run)` : ''}`;
    case 'part-started':
      return event.transactional
        ? `  part ${event.part}: ${event.statements} statement${event.statements === 1 ? '' : 's'} in one transaction`
        : `  part ${event.part}: ${event.reason}, alone, outside a transaction`;
    case 'retrying':
      return `  ${event.script}:${event.line} hit the lock timeout (attempt ${event.attempt}): retrying in ${formatDuration(event.delayMs)}`;
    case 'invalid-index-dropped':
      return `  ${event.script}:${event.line} failed and left INVALID index ${event.index}: dropped it.`;
    case 'migration-applied':
      return `Applied ${event.script} in ${formatDuration(event.executionMs)}.`;
  }
}

function markdown(report: Report): string {
  const parts: string[] = [];
  if (report.plan) parts.push('### Plan', planMarkdown(report.plan));
  if (report.apply) {
    parts.push(report.validation ? '### Validate' : '### Apply', applyMarkdown(report.apply));
  }
  if (report.validation) {
    parts.push(
      `Applied to ${report.validation.server}; the resulting schema:`,
      report.validation.schema ? schemaMarkdown(report.validation.schema) : '(none: it failed)',
    );
  }
  parts.push('### Lint', findingsMarkdown(report.findings));
  return parts.join('\n\n');
}

function setOutputs(runner: Runner, report: Report, comment: string, failure?: string): void {
  const applied = report.apply?.applied ?? [];
  const appliedScripts = new Set(applied.map((a) => a.script));
  const pending = (report.plan?.pending ?? []).filter((p) => !appliedScripts.has(p.script));
  const open = report.findings.filter((f) => f.waived === undefined);
  runner.setOutput('applied', String(applied.length));
  runner.setOutput('pending', String(pending.length));
  runner.setOutput('findings', String(open.length));
  runner.setOutput('comment', comment);
  runner.setOutput(
    'result',
    JSON.stringify({
      version: RESULT_VERSION,
      suiteVersion: SUITE_VERSION,
      command: report.command,
      outcome: failure
        ? 'failed'
        : report.command === 'apply'
          ? (report.apply?.outcome ?? 'failed')
          : report.command === 'validate'
            ? 'valid'
            : 'ok',
      ...(failure ? { reason: failure } : {}),
      current:
        report.apply && report.apply.outcome !== 'failed'
          ? report.apply.current
          : report.plan?.current,
      applied,
      pending: pending.map((p) => ({ script: p.script, version: p.version, phase: p.phase })),
      deferred: report.plan?.deferred ?? [],
      failed: report.apply?.outcome === 'failed' ? report.apply.failed : null,
      findings: report.findings,
      ...(report.validation
        ? { validatedOn: report.validation.server, schema: report.validation.schema ?? null }
        : {}),
    }),
  );
}

export function appliedBy(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`;
  }
  return `${userInfo().username}@${hostname()}`;
}
