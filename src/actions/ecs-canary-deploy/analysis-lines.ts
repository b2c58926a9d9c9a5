// One analysis as a person reads it in the log: a heading line with the verdict and what the engine
// did, then a short aligned table of the checks. The long form (every check's reasoning) goes to
// the summary and the `result` JSON, not the log.
import type { AnalysisRecord } from '../../ecs/deploy/index.ts';
import type { MetricJudgement } from '../../canary/analysis/index.ts';

const COLUMNS = ['metric', 'canary', 'baseline', 'limit', 'verdict'] as const;

export function analysisLines(a: AnalysisRecord): string[] {
  const where = `${a.kind === 'gate' ? 'gate' : 'look'}${a.stage ? ` at ${a.stage}` : ''}`;
  const cause = a.cause ? ` (${a.cause})` : '';
  const heading = `Analysis, ${where}: ${a.verdict}${cause} -> ${a.decision.action}; canary at ${percent(a.productionWeight)}, ${a.traffic.canaryRequests} canary / ${a.traffic.baselineRequests} baseline requests`;
  const metrics = a.metrics ?? [];
  if (metrics.length === 0) return [heading];
  return [heading, ...alignedTable(metrics.map(metricRow)).map((row) => `  ${row}`)];
}

function metricRow(m: MetricJudgement): string[] {
  const p = m.test.p;
  const test = p === null ? '' : p < 0.001 ? ' (p<0.001)' : ` (p=${p.toFixed(3)})`;
  return [
    m.name,
    value(m, m.canary),
    value(m, m.baseline),
    value(m, m.limit),
    `${m.outcome}${test}`,
  ];
}

function value(m: MetricJudgement, n: number | null): string {
  if (n === null) return '—';
  if (m.name.endsWith('-latency'))
    return n < 10 ? `${Math.round(n * 1000)} ms` : `${n.toFixed(1)} s`;
  if (m.name.endsWith('-rate')) return `${(n * 100).toFixed(2)}%`;
  return String(n);
}

function alignedTable(rows: string[][]): string[] {
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function percent(n: number): string {
  return `${Math.round(n * 10) / 10}%`;
}
