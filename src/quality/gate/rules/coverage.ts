// Coverage rules: overall line coverage (min-coverage), each path target (coverage:<glob>),
// coverage of the changed lines (min-patch-coverage, as diff-cover computes it), and the drop
// against the baseline (coverage-drop).
import { matchesGlob } from 'node:path';
import {
  type Count,
  type Coverage,
  type FileCoverage,
  lineTotals,
  overallLines,
} from '../../coverage/model.ts';
import { type Baseline, fromBaseline } from '../baseline.ts';
import type { CoverageTarget } from '../policy.ts';
import type { ChangedLines } from '../ports.ts';
import { type CoverageFacts, type Offender, type RuleResult, percentOf, rule } from '../result.ts';

export const percentText = (percent: number | undefined) =>
  percent === undefined ? 'n/a' : `${percent.toFixed(2).replace(/\.?0+$/, '')}%`;

export function coverageFacts(count: Count): CoverageFacts | undefined {
  const percent = percentOf(count);
  return percent === undefined ? undefined : { ...count, percent };
}

/** Files whose coverage is lowest first, as the offenders of a coverage rule. */
function lowestFiles(files: Iterable<FileCoverage>): Offender[] {
  return [...files]
    .map((file) => ({ file, count: lineTotals(file) }))
    .filter(({ count }) => count.total > count.covered)
    .sort((a, b) => a.count.covered / a.count.total - b.count.covered / b.count.total)
    .map(({ file, count }) => ({
      file: file.path,
      message: `${percentText(percentOf(count))} of lines covered (${count.covered}/${count.total})`,
    }));
}

export function minCoverage(coverage: Coverage, min: number | undefined): RuleResult {
  const count = overallLines(coverage);
  const percent = percentOf(count);
  const figure = `${percentText(percent)} (${count.covered}/${count.total} lines)`;
  if (min === undefined)
    return rule('min-coverage', 'skip', { figure, threshold: 'off', note: 'off' });
  if (percent === undefined) {
    return rule('min-coverage', 'fail', {
      figure: 'no lines',
      threshold: `≥ ${percentText(min)}`,
      note: 'the coverage reports hold no executable line',
    });
  }
  const verdict = percent >= min ? 'pass' : 'fail';
  return rule('min-coverage', verdict, {
    figure,
    threshold: `≥ ${percentText(min)}`,
    offenders: verdict === 'fail' ? lowestFiles(coverage.files.values()) : [],
  });
}

export function coverageTarget(coverage: Coverage, target: CoverageTarget): RuleResult {
  const name = `coverage:${target.path}`;
  const threshold = `≥ ${percentText(target.min)}`;
  const files = [...coverage.files.values()].filter((f) => matchesGlob(f.path, target.path));
  if (files.length === 0) {
    return rule(name, 'fail', {
      threshold,
      note: `the glob ${target.path} matches no file in the coverage reports`,
    });
  }
  const count = files
    .map(lineTotals)
    .reduce((sum, c) => ({ covered: sum.covered + c.covered, total: sum.total + c.total }), {
      covered: 0,
      total: 0,
    });
  const percent = percentOf(count);
  const verdict = percent === undefined || percent >= target.min ? 'pass' : 'fail';
  return rule(name, verdict, {
    figure: `${percentText(percent)} (${count.covered}/${count.total} lines, ${files.length} files)`,
    threshold,
    ...(percent === undefined ? { note: 'no executable lines in the matching files' } : {}),
    offenders: verdict === 'fail' ? lowestFiles(files) : [],
  });
}

/** The coverage entry of a changed file: by path, else (JaCoCo's package paths) by suffix. */
function coverageOf(coverage: Coverage, path: string): FileCoverage | undefined {
  const exact = coverage.files.get(path);
  if (exact) return exact;
  for (const file of coverage.files.values()) {
    if (path.endsWith(`/${file.path}`)) return file;
  }
  return undefined;
}

export interface PatchCoverage {
  readonly count: Count;
  /** Changed executable lines no test ran, as ranges per file. */
  readonly uncovered: readonly Offender[];
  /** Changed files the reports give only totals for (coverage-summary.json). */
  readonly noLineData: readonly string[];
}

/**
 * diff-cover's figure: of the added or modified lines that the reports call executable, the
 * share covered, summed over the whole diff. Changed files absent from the reports are not
 * measured (nor are non-executable lines).
 */
export function patchCoverage(coverage: Coverage, changes: ChangedLines): PatchCoverage {
  let covered = 0;
  let total = 0;
  const uncovered: Offender[] = [];
  const noLineData: string[] = [];
  for (const [path, lines] of changes.files) {
    const file = coverageOf(coverage, path);
    if (!file) continue;
    if (!file.lines) {
      noLineData.push(path);
      continue;
    }
    let start: number | undefined;
    let end = 0;
    const flush = () => {
      if (start === undefined) return;
      uncovered.push({
        file: path,
        line: start,
        endLine: end,
        message:
          start === end
            ? `changed line ${start} is not covered`
            : `changed lines ${start}-${end} are not covered`,
      });
      start = undefined;
    };
    for (const line of lines) {
      const hits = file.lines.get(line);
      if (hits === undefined) continue;
      total += 1;
      if (hits > 0) {
        covered += 1;
        flush();
      } else if (start !== undefined && line === end + 1) {
        end = line;
      } else {
        flush();
        start = line;
        end = line;
      }
    }
    flush();
  }
  return { count: { covered, total }, uncovered, noLineData };
}

export function minPatchCoverage(patch: PatchCoverage, min: number, base: string): RuleResult {
  const percent = percentOf(patch.count);
  const notes = [
    `against ${base}`,
    ...(patch.noLineData.length > 0
      ? [
          `${patch.noLineData.length} changed file(s) with no line data (totals-only report): ${patch.noLineData.slice(0, 5).join(', ')}`,
        ]
      : []),
  ];
  if (percent === undefined) {
    return rule('min-patch-coverage', 'skip', {
      figure: 'no changed executable lines',
      threshold: `≥ ${percentText(min)}`,
      note: notes.join('; '),
    });
  }
  const verdict = percent >= min ? 'pass' : 'fail';
  return rule('min-patch-coverage', verdict, {
    figure: `${percentText(percent)} (${patch.count.covered}/${patch.count.total} changed lines)`,
    threshold: `≥ ${percentText(min)}`,
    note: notes.join('; '),
    offenders: verdict === 'fail' ? patch.uncovered : [],
  });
}

export function coverageDrop(
  facts: CoverageFacts | undefined,
  baseline: Baseline | undefined,
  maxDrop: number,
): RuleResult {
  const threshold = `≤ ${maxDrop} pp drop`;
  const figure = percentText(facts?.percent);
  const found = fromBaseline('coverage-drop', baseline, (f) => f.coverage, 'coverage figure', {
    figure,
    threshold,
  });
  if ('skipped' in found) return found.skipped;
  const before = found.before;
  if (!facts)
    return rule('coverage-drop', 'skip', {
      threshold,
      baseline: percentText(before.percent),
      note: 'no coverage this run',
    });
  const drop = Math.round((before.percent - facts.percent) * 100) / 100;
  return rule('coverage-drop', drop > maxDrop ? 'fail' : 'pass', {
    figure: `${figure} (${drop > 0 ? `-${drop}` : `+${-drop}`} pp)`,
    threshold,
    baseline: percentText(before.percent),
  });
}
