// The plan and the lint as Markdown: the job summary and the pull-request comment text.
import type { ApplyResult } from './apply.ts';
import type { Finding } from './lint/lint.ts';
import type { Plan } from './plan.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${cell(text).replace(/`/g, "'")}\``;

/**
 * The statement on one line, cut to `max` characters. Only as much of it as that needs is
 * flattened: flattening whole function bodies to show their first line took most of the 3 ms the
 * comment of an 88-file history took to build, after the apply, before the run could exit.
 */
export function shorten(sql: string, max = 100): string {
  for (let end = 2 * max; ; end *= 4) {
    const flat = sql.slice(0, end).replace(/\s+/g, ' ');
    if (flat.length > max) return `${flat.slice(0, max - 1)}…`;
    if (end >= sql.length) return flat;
  }
}

export function planMarkdown(plan: Plan): string {
  const lines: string[] = [];
  if (plan.pending.length === 0) lines.push('No pending migrations.');
  else {
    lines.push('| Migration | Phase | Why | Parts |', '| --- | --- | --- | --- |');
    for (const m of plan.pending) {
      const parts = m.parts
        .map((p, i) =>
          p.transactional
            ? `${i + 1}. transaction (${p.statements.length} statement${p.statements.length === 1 ? '' : 's'})`
            : `${i + 1}. alone, outside a transaction (${p.reason})`,
        )
        .join('<br>');
      lines.push(`| ${code(m.script)} | ${m.phase} | ${m.reason} | ${parts} |`);
    }
    lines.push('', '<details><summary>Statements</summary>', '');
    for (const m of plan.pending) {
      lines.push(`**${m.script}**`, '');
      for (const p of m.parts) {
        for (const s of p.statements) {
          lines.push(
            `- line ${s.line}${p.transactional ? '' : ' (alone)'}: ${code(shorten(s.sql))}`,
          );
        }
      }
      lines.push('');
    }
    lines.push('</details>');
  }
  if (plan.deferred.length > 0) {
    lines.push(
      '',
      `Left for the contract phase: ${plan.deferred.map((d) => code(d.script)).join(', ')}.`,
    );
  }
  return lines.join('\n');
}

export function findingsMarkdown(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'Lint: no findings.';
  const rows = findings.map(
    (f) =>
      `| ${f.waived !== undefined ? 'waived' : f.severity} | ${code(`${f.script}:${f.line}`)} | ${code(f.rule)} | ${cell(`${f.detail}. ${f.why}`)} | ${cell(f.waived !== undefined ? `waived: ${f.waived}` : f.fix)} |`,
  );
  return [
    '| Severity | Where | Rule | Why | Safe pattern |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function applyMarkdown(result: ApplyResult): string {
  const lines: string[] = [];
  if (result.applied.length > 0) {
    lines.push('| Applied | Took |', '| --- | --- |');
    for (const a of result.applied)
      lines.push(`| ${code(a.script)} | ${Math.round(a.executionMs)} ms |`);
  }
  if (result.outcome === 'failed') {
    const f = result.failed;
    lines.push(
      '',
      `**Failed:** ${code(`${f.script}:${f.line}`)} ${cell(f.reason)}${f.sqlState ? ` (SQLSTATE ${f.sqlState})` : ''}; ${f.partsCommitted} of ${f.parts} parts committed${f.partsCommitted > 0 ? ' — the next run resumes after them' : ', nothing of it is applied'}.`,
    );
    if (result.notRun.length > 0) lines.push('', `Not run: ${result.notRun.map(code).join(', ')}.`);
  } else if (result.applied.length === 0) lines.push('Up to date: nothing to apply.');
  return lines.join('\n');
}
