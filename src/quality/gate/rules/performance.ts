// Performance rules over k6 summaries and ecs-canary-deploy results: the worst p95 against
// max-p95-latency, the worst error rate against max-error-rate, and p95 growth against the
// baseline (p95-regression). A report without the figure fails: k6 runs that made no HTTP
// request have no http_req_duration, which is "missing", never a pass.
import { type Baseline, fromBaseline } from '../baseline.ts';
import type { GatePerformanceReport } from '../ports.ts';
import { type GateFacts, type RuleResult, rule } from '../result.ts';

const ms = (seconds: number) => `${Math.round(seconds * 1000)}ms`;
const pct = (rate: number) => `${Math.round(rate * 10000) / 100}%`;

export interface PerformanceJudgement {
  readonly rules: readonly RuleResult[];
  readonly facts: NonNullable<GateFacts['performance']>;
}

interface Worst {
  readonly value: number | undefined;
  readonly file: string | undefined;
  readonly missing: readonly string[];
}

function worst(
  reports: readonly GatePerformanceReport[],
  pick: (r: GatePerformanceReport) => number | undefined,
): Worst {
  let value: number | undefined;
  let file: string | undefined;
  const missing: string[] = [];
  for (const report of reports) {
    const v = pick(report);
    if (v === undefined) missing.push(report.file);
    else if (value === undefined || v > value) {
      value = v;
      file = report.file;
    }
  }
  return { value, file, missing };
}

export function judgePerformance(
  reports: readonly GatePerformanceReport[],
  thresholds: {
    maxP95Ms: number | undefined;
    maxErrorRate: number | undefined;
    maxP95Regression: number;
  },
  baseline: Baseline | undefined,
): PerformanceJudgement {
  const p95 = worst(reports, (r) => r.p95Seconds);
  const errors = worst(reports, (r) => r.errorRate);
  const rules: RuleResult[] = [];
  /** A figure no higher than `max`; a report without the figure fails, naming why it has none. */
  const ceiling = (
    name: string,
    found: Worst,
    max: number | undefined,
    text: (value: number) => string,
    what: string,
  ): RuleResult => {
    const { value, file, missing } = found;
    if (max === undefined) {
      return rule(name, 'skip', {
        ...(value !== undefined ? { figure: text(value) } : {}),
        threshold: 'off',
        note: 'off',
      });
    }
    const over = value !== undefined && value > max;
    const offenders = [
      ...(over ? [{ file: file!, message: `${what} ${text(value)} is over ${text(max)}` }] : []),
      ...missing.map((path) => {
        const note = reports.find((r) => r.file === path)?.notes[0];
        return { file: path, message: `no ${what}${note ? ` (${note})` : ''}` };
      }),
    ];
    return rule(name, offenders.length > 0 ? 'fail' : 'pass', {
      figure: value === undefined ? 'missing' : text(value),
      threshold: `≤ ${text(max)}`,
      offenders,
    });
  };

  rules.push(
    ceiling(
      'max-p95-latency',
      p95,
      thresholds.maxP95Ms && thresholds.maxP95Ms / 1000,
      ms,
      'p95 latency',
    ),
    ceiling('max-error-rate', errors, thresholds.maxErrorRate, pct, 'error rate'),
  );
  rules.push(p95Regression(p95.value, thresholds.maxP95Regression, baseline));
  return {
    rules,
    facts: {
      ...(p95.value !== undefined ? { p95Seconds: p95.value } : {}),
      ...(errors.value !== undefined ? { errorRate: errors.value } : {}),
    },
  };
}

function p95Regression(
  p95: number | undefined,
  maxPercent: number,
  baseline: Baseline | undefined,
): RuleResult {
  const threshold = `≤ +${maxPercent}%`;
  const figure = p95 === undefined ? 'missing' : ms(p95);
  const found = fromBaseline('p95-regression', baseline, (f) => f.performance?.p95Seconds, 'p95', {
    figure,
    threshold,
  });
  if ('skipped' in found) return found.skipped;
  const before = found.before;
  if (p95 === undefined)
    return rule('p95-regression', 'skip', {
      threshold,
      baseline: ms(before),
      note: 'no p95 this run',
    });
  const growth =
    before === 0 ? (p95 > 0 ? Infinity : 0) : Math.round(((p95 - before) / before) * 10000) / 100;
  return rule('p95-regression', growth > maxPercent ? 'fail' : 'pass', {
    figure: `${figure} (${growth >= 0 ? '+' : ''}${growth}%)`,
    threshold,
    baseline: ms(before),
  });
}
