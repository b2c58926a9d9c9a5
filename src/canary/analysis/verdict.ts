import { type AnalysisConfig, type AnalysisConfigInput, validateAnalysisConfig } from './config.ts';
import { judgeErrorRateLimit, judgeRateAgainstBaseline, proportion } from './error-checks.ts';
import { type PeriodPercentiles, enoughForExceedance } from './exceedance.ts';
import { judgeHealth } from './health-check.ts';
import { aboveLimitP, judgeLatencyAgainstBaseline, judgeLatencyLimit } from './latency-checks.ts';
import {
  judgeLatencyAgainstBaselineFromCounts,
  judgeLatencyLimitFromCounts,
} from './latency-count-checks.ts';
import { smallestPossibleP as mannWhitneySmallestP } from './mann-whitney.ts';
import {
  type LatencyCounts,
  latencyCounts,
  limitCountP,
  smallestStratifiedP,
} from './slower-counts.ts';
import { fisherExactGreater } from './proportions.ts';
import { type Draft, finish } from './metric-judgement.ts';
import type {
  AnalysisResult,
  ErrorControl,
  LookOptions,
  MetricJudgement,
  TargetGroupWindow,
  TrafficSummary,
} from './types.ts';
import { type WindowTotals, windowTotals } from './window-totals.ts';

/**
 * Judges the canary against the baseline that ran over the same window and against the absolute
 * limits in `config`. Precedence:
 *
 * 1. Any check that fails, fails the canary. A request-based check fails when its test is
 *    significant at its level, at any count (the test accounts for the count; a severe failure
 *    decides at the first look that has the requests for it); an absolute limit fails on its
 *    own, without waiting for the comparison with the baseline. Unhealthy canary hosts fail it
 *    at any traffic.
 * 2. Fewer than `minRequests` canary requests and nothing failed: inconclusive, never a pass.
 * 3. Any check that could neither pass nor fail: inconclusive.
 * 4. No baseline traffic: only the absolute limits judge (and the reasons say so); with no limit
 *    set either, there is nothing to judge against: inconclusive.
 * 5. Otherwise: pass.
 *
 * The level: without `look`, every check fails at 1 − confidence (one fixed-horizon judgement).
 * With `look` (one of a deployment's repeated looks, sequential.ts), the look's alpha is shared
 * equally among the request-based checks that can fail in it, so the looks of a deployment
 * together fail a healthy canary with at most the deployment's budget.
 */
export function judge(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  configInput: AnalysisConfigInput,
  look?: LookOptions,
): AnalysisResult {
  const validated = validateAnalysisConfig(configInput);
  if (canary.periodSeconds !== baseline.periodSeconds) {
    throw new RangeError(
      `canary and baseline windows need the same period, got ${canary.periodSeconds} s and ${baseline.periodSeconds} s`,
    );
  }
  if (look !== undefined && !(look.alpha >= 0 && look.alpha < 1)) {
    throw new RangeError(`a look's alpha must be in [0, 1), got ${look.alpha}`);
  }
  const c = windowTotals(canary);
  const b = windowTotals(baseline);
  // The comparisons use only the periods in which both groups served: a period of the canary
  // alone (at full traffic) has nothing beside it, and periods apart in time differ in time.
  const both = {
    ...concurrent(canary, baseline),
    paired: pairedPercentiles(canary, baseline),
    counts: latencyCounts(canary, baseline, {
      p95: validated.maxP95LatencySeconds,
      p99: validated.maxP99LatencySeconds,
    }),
  };
  const baselineServed = b.requests > 0;
  const enoughRequests = c.requests >= validated.minRequests;

  // Which checks can fail does not depend on the level: count them, then share the look's alpha.
  let config: AnalysisConfig = validated;
  let errorControl: ErrorControl | undefined;
  if (look !== undefined) {
    const smallest = smallestPossibleP(
      c,
      both,
      requestChecks(c, both, baselineServed, validated),
      validated,
    );
    const checks = sharingChecks(smallest, look.alpha);
    const perCheck = checks === 0 ? 0 : look.alpha / checks;
    config = { ...validated, failAlpha: perCheck };
    errorControl = {
      lookAlpha: look.alpha,
      checks,
      perCheckAlpha: perCheck,
      spent: checks === 0 ? 0 : look.alpha,
    };
  }
  const drafts = requestChecks(c, both, baselineServed, config);

  const tooFew = `canary served ${c.requests} ${c.requests === 1 ? 'request' : 'requests'}, fewer than min-requests ${config.minRequests}`;
  // Below min-requests nothing passes; a check that fails at its level still fails.
  const gated = drafts.map((draft): Draft =>
    enoughRequests || draft.outcome === 'skipped' || draft.outcome === 'fail'
      ? draft
      : { ...draft, outcome: 'inconclusive', figures: `${draft.figures}; ${tooFew}` },
  );
  const metrics: MetricJudgement[] = [judgeHealth(canary, baseline, config), ...gated].map(finish);

  const traffic: TrafficSummary = {
    canaryRequests: c.requests,
    baselineRequests: b.requests,
    canaryPeriods: c.periodsWithRequests,
    baselinePeriods: b.periodsWithRequests,
  };
  const notes = baselineServed
    ? []
    : ['baseline served no requests in the window: judged against absolute limits only'];
  const whys = (outcome: MetricJudgement['outcome']): string[] =>
    metrics.filter((metric) => metric.outcome === outcome).map((metric) => metric.why);

  const control = errorControl === undefined ? {} : { errorControl };
  const failed = whys('fail');
  if (failed.length > 0) {
    return { verdict: 'fail', reasons: [...failed, ...notes], metrics, traffic, ...control };
  }
  if (!enoughRequests) {
    // Every request-based check says the same; the health check cannot be inconclusive.
    return {
      verdict: 'inconclusive',
      cause: 'too-few-requests',
      reasons: [`${tooFew}: inconclusive`, ...notes],
      metrics,
      traffic,
      ...control,
    };
  }
  const inconclusive = whys('inconclusive');
  if (inconclusive.length > 0) {
    return {
      verdict: 'inconclusive',
      cause: 'insufficient-evidence',
      reasons: [...inconclusive, ...notes],
      metrics,
      traffic,
      ...control,
    };
  }
  if (gated.every((draft) => draft.outcome === 'skipped')) {
    return {
      verdict: 'inconclusive',
      cause: 'nothing-to-judge',
      reasons: [
        'baseline served no requests and no absolute limit is set (max-error-rate, max-p95-latency, max-p99-latency): nothing to judge the canary against: inconclusive',
      ],
      metrics,
      traffic,
      ...control,
    };
  }
  return {
    verdict: 'pass',
    reasons: [...whys('pass'), ...notes],
    metrics,
    traffic,
    ...control,
  };
}

/** The totals over the periods both groups served, and what the latency checks judge. */
interface Concurrent {
  canary: WindowTotals;
  baseline: WindowTotals;
  paired: PeriodPercentiles[];
  counts: LatencyCounts;
}

/** The request-based checks at `config`'s level, before min-requests gates them. */
function requestChecks(
  c: WindowTotals,
  both: Concurrent,
  baselineServed: boolean,
  config: AnalysisConfig,
): Draft[] {
  const cc = both.canary;
  const b = both.baseline;
  const checks: Draft[] = [];
  if (config.maxErrorRate !== undefined) {
    checks.push(
      judgeErrorRateLimit(
        proportion(c.target5xx + c.connectionErrors, c.requests),
        config.maxErrorRate,
        config,
      ),
    );
  }
  checks.push(
    judgeRateAgainstBaseline(
      '5xx-rate',
      proportion(cc.target5xx, cc.requests),
      proportion(b.target5xx, b.requests),
      config,
    ),
    judgeRateAgainstBaseline(
      'connection-error-rate',
      proportion(cc.connectionErrors, cc.requests),
      proportion(b.connectionErrors, b.requests),
      config,
    ),
  );
  const { relative, limits } = both.counts;
  for (const [name, key, limit, counted] of [
    ['p95-latency', 'p95Seconds', config.maxP95LatencySeconds, limits.p95],
    ['p99-latency', 'p99Seconds', config.maxP99LatencySeconds, limits.p99],
  ] as const) {
    // On request counts where CloudWatch returned them, else on the per-period percentiles.
    checks.push(
      name === 'p95-latency' && relative !== undefined
        ? judgeLatencyAgainstBaselineFromCounts(
            cc[key],
            b[key],
            relative.strata,
            relative.reference,
            config,
          )
        : judgeLatencyAgainstBaseline(
            name,
            cc[key],
            b[key],
            baselineServed,
            config,
            name === 'p95-latency' ? both.paired : undefined,
          ),
    );
    if (limit !== undefined) {
      const requests = key === 'p95Seconds' ? c.p95Requests : c.p99Requests;
      checks.push(
        counted === undefined
          ? judgeLatencyLimit(name, c[key], limit, config, requests)
          : judgeLatencyLimitFromCounts(name, c[key], counted, limit, config),
      );
    }
  }
  return checks;
}

/** Both windows' totals over the periods in which both groups served requests. */
function concurrent(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
): { canary: WindowTotals; baseline: WindowTotals } {
  const served = (window: TargetGroupWindow) =>
    new Set(window.samples.filter((s) => s.requests > 0).map((s) => s.timestamp.getTime()));
  const canaryServed = served(canary);
  const baselineServed = served(baseline);
  const only = (window: TargetGroupWindow, other: Set<number>): TargetGroupWindow => ({
    ...window,
    samples: window.samples.filter((s) => other.has(s.timestamp.getTime())),
  });
  return {
    canary: windowTotals(only(canary, baselineServed)),
    baseline: windowTotals(only(baseline, canaryServed)),
  };
}

/** The periods in which both groups have a p95 (and the baseline a p99), side by side. */
function pairedPercentiles(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
): PeriodPercentiles[] {
  const byTime = new Map(baseline.samples.map((s) => [s.timestamp.getTime(), s]));
  const paired: PeriodPercentiles[] = [];
  for (const c of canary.samples) {
    const b = byTime.get(c.timestamp.getTime());
    if (b === undefined || c.p95Seconds === undefined || b.p99Seconds === undefined) continue;
    if (c.requests === 0 || b.requests === 0) continue;
    paired.push({
      canaryRequests: c.requests,
      canaryP95: c.p95Seconds,
      canaryP99: c.p99Seconds,
      baselineRequests: b.requests,
      baselineP99: b.p99Seconds,
    });
  }
  return paired;
}

/**
 * How many checks share the look's alpha: the fewest k such that every other check's smallest
 * possible p-value (given what the tests condition on: counts, periods, requests) is at least
 * alpha/k. Those checks cannot fail at the common level alpha/k, so the k that can share all of
 * it and the union bound still sums to alpha. A rate with no errors in either group, or a rank
 * test on too few periods, no longer thins everyone else's share.
 */
export function sharingChecks(smallest: readonly number[], alpha: number): number {
  const sorted = [...smallest].sort((a, b) => a - b);
  // Not one can fail even with all of it: none shares (and nothing is spent).
  if (sorted.length === 0 || sorted[0]! >= alpha) return 0;
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k]! >= alpha / k) return k;
  }
  return sorted.length;
}

/** Each request check's smallest possible p-value, in requestChecks' order; 1 when skipped. */
function smallestPossibleP(
  c: WindowTotals,
  both: Concurrent,
  drafts: readonly Draft[],
  config: AnalysisConfig,
): number[] {
  const smallest: number[] = [];
  const rate = (
    canaryEvents: number,
    canaryTrials: number,
    baselineEvents: number,
    baselineTrials: number,
  ) => {
    const total = canaryEvents + baselineEvents;
    if (total === 0 || canaryTrials === 0 || baselineTrials === 0) return 1;
    const most = Math.min(total, canaryTrials);
    return fisherExactGreater(
      { events: most, trials: canaryTrials },
      { events: Math.min(total - most, baselineTrials), trials: baselineTrials },
    );
  };
  if (config.maxErrorRate !== undefined) smallest.push(0);
  const cc = both.canary;
  const b = both.baseline;
  smallest.push(
    rate(
      Math.min(cc.target5xx, cc.requests),
      cc.requests,
      Math.min(b.target5xx, b.requests),
      b.requests,
    ),
    rate(
      Math.min(cc.connectionErrors, cc.requests),
      cc.requests,
      Math.min(b.connectionErrors, b.requests),
      b.requests,
    ),
  );
  const { relative, limits } = both.counts;
  for (const [key, limit, q, counted] of [
    ['p95Seconds', config.maxP95LatencySeconds, 0.95, limits.p95],
    ['p99Seconds', config.maxP99LatencySeconds, 0.99, limits.p99],
  ] as const) {
    const exceedance = key === 'p95Seconds' && both.paired.some(enoughForExceedance);
    smallest.push(
      key === 'p95Seconds' && relative !== undefined
        ? smallestStratifiedP(relative.strata)
        : exceedance || cc[key].length === 0 || b[key].length === 0
          ? 0
          : mannWhitneySmallestP(cc[key].length, b[key].length),
    );
    if (limit !== undefined) {
      const values = c[key];
      const requests = key === 'p95Seconds' ? c.p95Requests : c.p99Requests;
      smallest.push(
        counted !== undefined
          ? limitCountP({ ...counted, slower: counted.requests }, q)
          : values.length === 0
            ? 1
            : aboveLimitP(values.length, requests, q),
      );
    }
  }
  // Skipped checks (no baseline) cannot fail at all.
  return smallest.map((p, i) => (drafts[i]?.outcome === 'skipped' ? 1 : p));
}
