// Performance rules over k6 summaries and ecs-canary-deploy results: the worst p95 against
// max-p95-latency, the worst error rate against max-error-rate, and p95 growth against the
// baseline (p95-regression). A report without the figure fails: k6 runs that made no HTTP
// request have no http_req_duration, which is "missing", never a pass.
import type { Baseline } from '../baseline.ts';
import type { GatePerformanceReport } from '../ports.ts';
import { type GateFacts, type RuleResult, rule } from '../result.ts';

const ms = (seconds: number) => `${Math.round(seconds * 1000)}ms`;
const pct = (rate: number) => `${Math.round(rate * 10000) / 100}%`;

export interface PerformanceJudgement {
  readonly rules: readonly RuleResult[];
  readonly facts: NonNullable<GateFacts['performance']>;
}

function worst(
  reports: readonly GatePerformanceReport[],
  pick: (r: GatePerformanceReport) => number | undefined,
): { value: number | undefined; file: string | undefined; missing: string[] } {
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
  const missingNote = (missing: string[], what: string) =>
    missing.map((file) => {
      const report = reports.find((r) => r.file === file);
      return {
        file,
        message: `no ${what}${report?.notes[0] ? ` (${report.notes[0]})` : ''}`,
      };
    });

  if (thresholds.maxP95Ms === undefined) {
    rules.push(
      rule('max-p95-latency', 'skip', {
        ...(p95.value !== undefined ? { figure: ms(p95.value) } : {}),
        threshold: 'off',
        note: 'off',
      }),
    );
  } else {
    const over = p95.value !== undefined && p95.value * 1000 > thresholds.maxP95Ms;
    rules.push(
      rule('max-p95-latency', over || p95.missing.length > 0 ? 'fail' : 'pass', {
        figure: p95.value === undefined ? 'missing' : ms(p95.value),
        threshold: `≤ ${thresholds.maxP95Ms}ms`,
        offenders: [
          ...(over
            ? [
                {
                  file: p95.file!,
                  message: `p95 ${ms(p95.value!)} is over ${thresholds.maxP95Ms}ms`,
                },
              ]
            : []),
          ...missingNote(p95.missing, 'p95 latency'),
        ],
      }),
    );
  }
  if (thresholds.maxErrorRate === undefined) {
    rules.push(
      rule('max-error-rate', 'skip', {
        ...(errors.value !== undefined ? { figure: pct(errors.value) } : {}),
        threshold: 'off',
        note: 'off',
      }),
    );
  } else {
    const over = errors.value !== undefined && errors.value > thresholds.maxErrorRate;
    rules.push(
      rule('max-error-rate', over || errors.missing.length > 0 ? 'fail' : 'pass', {
        figure: errors.value === undefined ? 'missing' : pct(errors.value),
        threshold: `≤ ${pct(thresholds.maxErrorRate)}`,
        offenders: [
          ...(over
            ? [
                {
                  file: errors.file!,
                  message: `error rate ${pct(errors.value!)} is over ${pct(thresholds.maxErrorRate)}`,
                },
              ]
            : []),
          ...missingNote(errors.missing, 'error rate'),
        ],
      }),
    );
  }
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
  if (!baseline)
    return rule('p95-regression', 'skip', {
      figure,
      threshold,
      baseline: 'no baseline',
      note: 'no baseline',
    });
  const before = baseline.facts.performance?.p95Seconds;
  if (before === undefined) {
    return rule('p95-regression', 'skip', {
      figure,
      threshold,
      baseline: 'none',
      note: `${baseline.file} has no p95`,
    });
  }
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
