// What a run shows: its events as log lines, findings as annotations, the report as the comment
// (job summary and pull-request text) and as the `result` JSON.
import { join, relative } from 'node:path';
import { formatDuration } from '../../lib/durations.ts';
import { describeTarget } from '../../migrate/connection.ts';
import type { RunEvent } from '../../migrate/events.ts';
import type { Finding } from '../../migrate/lint/lint.ts';
import type { LintScope } from '../../migrate/lint-scope.ts';
import { applyMarkdown, findingsMarkdown, planMarkdown } from '../../migrate/report.ts';
import type { MigrateReport } from '../../migrate/run.ts';
import { schemaMarkdown } from '../../migrate/schema.ts';
import type { Runner } from '../../runner/runner.ts';

/** Open findings as annotations on their files, paths relative to the workspace. */
export function annotate(
  runner: Runner,
  migrationsDir: string,
  workspace: string,
  findings: readonly Finding[],
  advisory = false,
): void {
  for (const f of findings) {
    if (f.waived !== undefined) continue;
    // Against a new database nothing blocks: an error is shown as what it is there, a warning.
    const level = advisory && f.severity === 'error' ? 'warning' : f.severity;
    const note = level === f.severity ? '' : ' (not blocking: the database is new)';
    runner.annotate(level, `${f.rule}: ${f.detail}. ${f.why} Safe pattern: ${f.fix}${note}`, {
      title: `rds-migrate ${f.rule}`,
      file: relative(workspace, join(migrationsDir, f.script)),
      line: f.line,
      col: f.column,
    });
  }
}

export function describeEvent(event: Exclude<RunEvent, { type: 'linted' }>): string {
  switch (event.type) {
    case 'loaded':
      return `Found ${event.migrations} migration${event.migrations === 1 ? '' : 's'} in ${event.dir}.`;
    case 'reading-secret':
      return `Reading the database secret ${event.secretId} (${event.region})`;
    case 'connecting':
      return `Connecting to ${describeTarget(event.target)}`;
    case 'validating':
      return 'shadow' in event.on
        ? `Validating on a temporary database of the shadow server ${describeTarget(event.on.shadow)}`
        : `Validating on a throwaway PostgreSQL from ${event.on.binDir}`;
    case 'validated':
      return `Validated on ${event.server}.`;
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
    case 'batch-started':
      return `Applying ${event.scripts.length} migrations in one message, each in its own transaction (${event.statements} statements): ${event.scripts[0]} … ${event.scripts.at(-1)}`;
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
    case 'database-state':
      return `${event.reason[0]!.toUpperCase()}${event.reason.slice(1)}.`;
    case 'lint-scope':
      return describeScope(event.scope);
    case 'task-running':
      return `Running ${event.command.slice(1).join(' ')} as an ECS task in cluster ${event.cluster}`;
    case 'started':
      return `Started task ${event.taskArn} (${event.taskDefinition}, container ${event.container})`;
    case 'status':
      return `Task ${event.status}`;
    case 'line':
      return `  | ${event.line}`;
  }
}

/** What lint with a base ref judged, in one line. */
export function describeScope(scope: LintScope): string {
  const count = scope.judged.length;
  const since = `since ${scope.base} (merge base ${scope.mergeBase.slice(0, 12)})`;
  const judged =
    count === 0
      ? `Linting no migration: none added or changed ${since}`
      : `Linting the ${count} migration${count === 1 ? '' : 's'} added or changed ${since}: ${scope.judged.join(', ')}`;
  const renamed = scope.renamed.map((r) => `${r.from} -> ${r.to}`);
  return [
    judged,
    ...(renamed.length > 0 ? [`renamed: ${renamed.join(', ')}`] : []),
    ...(scope.deleted.length > 0 ? [`deleted: ${scope.deleted.join(', ')}`] : []),
  ]
    .join('; ')
    .concat('.');
}

/** The plan, what was applied or validated, and the lint, as Markdown. */
export function comment(report: MigrateReport): string {
  if (report.mode === 'ecs-task') {
    return [
      `Ran in ECS task \`${report.taskArn}\` (exit code ${report.exitCode ?? 'unknown'}).`,
      report.applied.length > 0
        ? `Applied: ${report.applied.map((a) => `\`${a.script}\``).join(', ')}.`
        : '',
      '### Lint',
      findingsMarkdown(report.findings),
    ]
      .filter(Boolean)
      .join('\n\n');
  }
  const parts: string[] = [];
  if (report.database)
    parts.push(`Database: **${report.database.state}**: ${report.database.reason}.`);
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
  parts.push('### Lint');
  if (report.scope) parts.push(describeScope(report.scope));
  parts.push(findingsMarkdown(report.findings));
  return parts.join('\n\n');
}

/** The `result` output's body; `reason` is why the run failed. */
export function resultBody(report: MigrateReport, reason?: string): Record<string, unknown> {
  if (report.mode === 'ecs-task') return report.result;
  return {
    command: report.command,
    outcome: report.outcome,
    ...(reason ? { reason } : {}),
    current: report.current,
    applied: report.applied,
    pending: report.pending.map((p) => ({ script: p.script, version: p.version, phase: p.phase })),
    deferred: report.plan?.deferred ?? [],
    failed: report.apply?.outcome === 'failed' ? report.apply.failed : null,
    findings: report.findings,
    ...(report.database ? { database: report.database } : {}),
    ...(report.scope ? { lintScope: report.scope } : {}),
    ...(report.validation
      ? { validatedOn: report.validation.server, schema: report.validation.schema ?? null }
      : {}),
  };
}

/**
 * The lines that close a run in the log: the plan (plan prints nothing else that shows it), and
 * what apply did, including that there was nothing to do.
 */
export function closingLines(report: MigrateReport): string[] {
  if (report.mode !== 'runner') return [];
  const at = report.current === undefined ? 'no version yet' : `version ${report.current}`;
  const lines: string[] = [];
  if (report.command === 'plan' && report.plan) {
    const { pending, deferred } = report.plan;
    lines.push(
      pending.length === 0
        ? `Plan: nothing pending; the database is at ${at}.`
        : `Plan: ${pending.length} pending migration${pending.length === 1 ? '' : 's'} after ${at}:`,
      ...pending.map(
        (m) =>
          `  ${m.script} (${m.phase}, ${m.reason}): ${m.parts.length} part${m.parts.length === 1 ? '' : 's'}${m.parts.some((p) => !p.transactional) ? ', one outside a transaction' : ''}`,
      ),
      ...(deferred.length > 0
        ? [`  left for the contract phase: ${deferred.map((d) => d.script).join(', ')}`]
        : []),
    );
  }
  if (report.command === 'apply' && report.outcome === 'up-to-date') {
    lines.push(`Nothing to apply: the database is at ${at}, with no pending migration.`);
  }
  if (report.command === 'apply' && report.outcome === 'applied') {
    lines.push(`Applied ${report.applied.length}; the database is at ${at}.`);
  }
  return lines;
}
