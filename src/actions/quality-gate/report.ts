// What a gate run shows: the rules as one table (job summary and pull-request comment), the failed
// rules' details under it (cut to fit GitHub's limits, saying what was cut), annotations on the
// offending lines within the runner's per-step limits, and the `result` JSON.
import { relative, isAbsolute } from 'node:path';
import type { GateResult, Offender, RuleResult } from '../../quality/gate.ts';
import type { Runner } from '../../runner/runner.ts';

/** GitHub rejects a step summary over 1 MiB (shared/reference/quality-gates.md); keep a margin. */
export const SUMMARY_BUDGET_BYTES = 1024 * 1024 - 16 * 1024;
/** A comment body over 65,536 characters is refused (422); the table and a short detail fit. */
export const COMMENT_BUDGET_BYTES = 60_000;
/**
 * The runner shows 10 error and 10 warning annotations per step (shared/reference/quality-gates.md):
 * 8 offenders, then one saying how many more, leaving one error for the step's own failure line.
 */
export const ANNOTATIONS_PER_LEVEL = 8;

const VERDICT_CELL: Record<RuleResult['verdict'], string> = {
  pass: 'pass',
  fail: '**fail**',
  skip: 'skipped',
};

export function headline(result: GateResult): string {
  const judged = result.rules.filter((r) => r.verdict !== 'skip').length;
  return result.verdict === 'pass'
    ? `**Quality gate passed**: ${judged} rule${judged === 1 ? '' : 's'} judged, none failed.`
    : `**Quality gate failed**: ${result.failedRules.join(', ')}.`;
}

/** The rules table as Markdown. */
export function rulesTable(result: GateResult): string {
  const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = result.rules.map((r) =>
    [
      `\`${r.rule}\``,
      cell(r.figure),
      cell(r.threshold),
      cell(r.baseline),
      r.verdict === 'skip' && r.note ? `skipped: ${cell(r.note)}` : VERDICT_CELL[r.verdict],
    ].join(' | '),
  );
  return [
    '| rule | figure | threshold | baseline | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

function offenderLine(o: Offender, workspace: string): string {
  const file = o.file === undefined ? undefined : (annotationPath(o.file, workspace) ?? o.file);
  const where = file ? `\`${file}${o.line !== undefined ? `:${o.line}` : ''}\` ` : '';
  return `- ${where}${o.message}`;
}

/** The failed rules' details and the warnings, as Markdown lines. */
function detailLines(result: GateResult, workspace: string): string[] {
  const lines: string[] = [];
  for (const r of result.rules) {
    if (r.verdict !== 'fail') continue;
    lines.push('', `### ${r.rule}${r.note ? ` (${r.note})` : ''}`, '');
    lines.push(...r.offenders.map((o) => offenderLine(o, workspace)));
    if (r.offenders.length === 0 && r.moreOffenders === 0) {
      lines.push(
        `- ${r.figure ?? 'no figure'}, threshold ${r.threshold ?? 'none'}${r.baseline ? `, baseline ${r.baseline}` : ''}`,
      );
    }
    if (r.moreOffenders > 0) lines.push(`- … and ${r.moreOffenders} more`);
  }
  if (result.warnings.length > 0) {
    lines.push('', '### Warnings', '', ...result.warnings.map((w) => `- ${w}`));
  }
  return lines;
}

/**
 * The headline, the table, then as many detail lines as fit in `budget` bytes, and a note of what
 * was cut.
 */
export function gateMarkdown(result: GateResult, budget: number, workspace: string): string {
  const head = `${headline(result)}\n\n${rulesTable(result)}\n`;
  const details = detailLines(result, workspace);
  let used = Buffer.byteLength(head);
  const kept: string[] = [];
  for (const line of details) {
    const size = Buffer.byteLength(line) + 1;
    if (used + size > budget - 200) break;
    kept.push(line);
    used += size;
  }
  const cut = details.length - kept.length;
  const note =
    cut > 0
      ? `\n\n_${cut} more detail line${cut === 1 ? '' : 's'} cut to stay within GitHub's size limit: the \`result\` output has every rule's offenders._`
      : '';
  return `${head}${kept.join('\n')}${note}\n`;
}

/**
 * Workspace-relative with `/`, as annotations need; undefined for a path outside the workspace
 * (a path inside a scanned image), which no annotation can point at.
 */
export function annotationPath(file: string, workspace: string): string | undefined {
  const path = (isAbsolute(file) ? relative(workspace, file) : file).split('\\').join('/');
  return path.startsWith('../') || isAbsolute(path) ? undefined : path;
}

/**
 * Offenders of failed rules as error annotations and warnings as warning annotations, each level
 * within ANNOTATIONS_PER_LEVEL plus one that says how many more there are.
 */
export function annotate(runner: Runner, result: GateResult, workspace: string): void {
  const errors: { rule: string; offender: Offender }[] = [];
  let uncounted = 0;
  for (const r of result.rules) {
    if (r.verdict !== 'fail') continue;
    for (const offender of r.offenders) errors.push({ rule: r.rule, offender });
    uncounted += r.moreOffenders;
  }
  // Offenders with a place first: those are the ones an annotation can point at.
  errors.sort(
    (a, b) => Number(b.offender.file !== undefined) - Number(a.offender.file !== undefined),
  );
  for (const { rule, offender } of errors.slice(0, ANNOTATIONS_PER_LEVEL)) {
    const file = offender.file === undefined ? undefined : annotationPath(offender.file, workspace);
    const message =
      offender.file && !file ? `${offender.file}: ${offender.message}` : offender.message;
    runner.annotate('error', message, {
      title: `quality-gate ${rule}`,
      ...(file ? { file, ...(offender.line !== undefined ? { line: offender.line } : {}) } : {}),
    });
  }
  const moreErrors = Math.max(0, errors.length - ANNOTATIONS_PER_LEVEL) + uncounted;
  if (moreErrors > 0) {
    runner.annotate(
      'error',
      `${moreErrors} more offending item${moreErrors === 1 ? '' : 's'} not annotated (GitHub shows 10 per step): see the job summary and the result output.`,
      { title: 'quality-gate' },
    );
  }
  for (const warning of result.warnings.slice(0, ANNOTATIONS_PER_LEVEL)) {
    runner.annotate('warning', warning, { title: 'quality-gate' });
  }
  const moreWarnings = result.warnings.length - ANNOTATIONS_PER_LEVEL;
  if (moreWarnings > 0) {
    runner.annotate(
      'warning',
      `${moreWarnings} more warning${moreWarnings === 1 ? '' : 's'}: see the job summary.`,
      { title: 'quality-gate' },
    );
  }
}

/** One log line per rule, as a short aligned table. */
export function logLines(result: GateResult): string[] {
  const width = Math.max(...result.rules.map((r) => r.rule.length));
  return result.rules.map((r) => {
    const verdict = r.verdict === 'skip' ? `skipped${r.note ? ` (${r.note})` : ''}` : r.verdict;
    const figure = r.figure ? ` ${r.figure}` : '';
    const threshold = r.threshold ? ` [${r.threshold}]` : '';
    return `${r.rule.padEnd(width)}  ${verdict.padEnd(4)}${figure}${threshold}`;
  });
}

/** The `result` output's body (version and suite version are added by the runner frame). */
export function resultBody(result: GateResult, mode: string): Record<string, unknown> {
  return {
    outcome: result.verdict === 'pass' ? 'passed' : 'failed',
    mode,
    verdict: result.verdict,
    failedRules: result.failedRules,
    rules: result.rules,
    warnings: result.warnings,
    reports: result.reports,
    facts: result.facts,
  };
}
