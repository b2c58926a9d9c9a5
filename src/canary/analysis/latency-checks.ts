import type { AnalysisConfig } from './config.ts';
import { median } from './descriptive.ts';
import { binomialUpperTail } from './distributions.ts';
import { alphaText, pValue, seconds } from './format.ts';
import { type PeriodPercentiles, enoughForExceedance, exceedanceTest } from './exceedance.ts';
import { type MannWhitneyResult, mannWhitneyU, smallestPossibleP } from './mann-whitney.ts';
import { type Draft, failAlpha, isSignificant, pVersus, relativeRule } from './metric-judgement.ts';

export type LatencyMetric = 'p95-latency' | 'p99-latency';

const LABELS = { 'p95-latency': 'p95 latency', 'p99-latency': 'p99 latency' } as const;
const LIMIT_INPUTS = {
  'p95-latency': 'max-p95-latency',
  'p99-latency': 'max-p99-latency',
} as const;

function periods(count: number): string {
  return count === 1 ? '1 period' : `${count} periods`;
}

// judge() counts the checks that can fail before it judges them at the look's level: the same
// samples, so the rank test (the costly part) is computed once.
const computed = new WeakMap<
  readonly number[],
  { baseline: readonly number[]; result: MannWhitneyResult }
>();

function cachedMannWhitney(
  canary: readonly number[],
  baseline: readonly number[],
): MannWhitneyResult {
  const hit = computed.get(canary);
  if (hit !== undefined && hit.baseline === baseline) return hit.result;
  const result = mannWhitneyU(canary, baseline);
  computed.set(canary, { baseline, result });
  return result;
}

/**
 * The canary's per-period latency percentiles against the baseline's: one-sided Mann–Whitney U
 * for "the canary is slower", and the tolerance rule on the ratio of the medians.
 */
export function judgeLatencyAgainstBaseline(
  name: LatencyMetric,
  canary: readonly number[],
  baseline: readonly number[],
  baselineServed: boolean,
  config: AnalysisConfig,
  /** Concurrent periods with both groups' request counts and percentiles (p95 only). */
  paired?: readonly PeriodPercentiles[],
): Draft {
  const label = LABELS[name];
  const base = {
    name,
    against: 'baseline',
    canary: canary.length === 0 ? null : median(canary),
    baseline: baseline.length === 0 ? null : median(baseline),
    limit: null,
  } as const;
  const noTest = { method: 'mann-whitney', p: null, effect: null } as const;
  if (!baselineServed) {
    return {
      ...base,
      test: noTest,
      outcome: 'skipped',
      figures: `canary ${label} not compared: the baseline served no requests`,
    };
  }
  if (canary.length === 0 && baseline.length === 0) {
    return {
      ...base,
      test: noTest,
      outcome: 'skipped',
      figures: `${label} not compared: no data for either group`,
    };
  }
  if (canary.length === 0 || baseline.length === 0) {
    const missing = canary.length === 0 ? 'canary' : 'baseline';
    return {
      ...base,
      test: noTest,
      outcome: 'inconclusive',
      figures: `no ${label} data for the ${missing} in the window`,
    };
  }

  const test = cachedMannWhitney(canary, baseline);
  // With the periods' request counts (p95 only): the exceedance test as well, each at half the
  // level (the smaller p doubled), so a large regression decides on a period or two.
  const exceedance =
    paired !== undefined && paired.some(enoughForExceedance) ? exceedanceTest(paired) : undefined;
  const p = exceedance === undefined ? test.p : Math.min(1, 2 * Math.min(test.p, exceedance.p));
  const testName =
    exceedance === undefined
      ? 'Mann–Whitney'
      : `Mann–Whitney p=${pValue(test.p)} and exceedance p=${pValue(exceedance.p)} (${exceedance.atLeast} canary requests above the baseline's p99), the smaller doubled:`;
  const rule = relativeRule(test.canaryMedian, test.baselineMedian, p, testName, config);
  let figures =
    `canary ${label} ${seconds(test.canaryMedian)} (median of ${periods(canary.length)}) ` +
    `vs baseline ${seconds(test.baselineMedian)} (${periods(baseline.length)}): ${rule.text}`;
  if (
    exceedance === undefined &&
    rule.outcome === 'inconclusive' &&
    smallestPossibleP(canary.length, baseline.length) >= failAlpha(config)
  ) {
    figures += `; ${canary.length} and ${baseline.length} periods can never reach p < ${alphaText(1 - failAlpha(config))}`;
  }
  return {
    ...base,
    test: { method: 'mann-whitney', p, effect: test.medianRatio },
    outcome: rule.outcome,
    figures,
  };
}

/**
 * The canary's per-period latency percentile against an absolute limit. It fails when the
 * percentile was above the limit in significantly more than half of the periods (exact sign
 * test), passes when the median period is within the limit, and is inconclusive in between.
 * A single slow period cannot fail it: each value already summarises a period's requests.
 */
export function judgeLatencyLimit(
  name: LatencyMetric,
  canary: readonly number[],
  limitSeconds: number,
  config: AnalysisConfig,
): Draft {
  const label = LABELS[name];
  const limitText = `${LIMIT_INPUTS[name]} ${seconds(limitSeconds)}`;
  const base = { name, against: 'limit', baseline: null, limit: limitSeconds } as const;
  if (canary.length === 0) {
    return {
      ...base,
      canary: null,
      test: { method: 'sign-test', p: null, effect: null },
      outcome: 'inconclusive',
      figures: `no canary ${label} data in the window to compare with ${limitText}`,
    };
  }
  const middle = median(canary);
  const above = canary.filter((value) => value > limitSeconds).length;
  const p = binomialUpperTail(above, canary.length, 0.5);
  const test = { method: 'sign-test', p, effect: middle / limitSeconds } as const;
  const subject = `canary ${label} ${seconds(middle)} (median of ${periods(canary.length)})`;
  const count = `above it in ${above} of ${periods(canary.length)}`;
  if (isSignificant(p, config)) {
    return {
      ...base,
      canary: middle,
      test,
      outcome: 'fail',
      figures: `${subject} > ${limitText}, ${count}, sign test ${pVersus(p, config)}`,
    };
  }
  if (middle <= limitSeconds) {
    return {
      ...base,
      canary: middle,
      test,
      outcome: 'pass',
      figures: `${subject} ≤ ${limitText}, ${count}`,
    };
  }
  return {
    ...base,
    canary: middle,
    test,
    outcome: 'inconclusive',
    figures: `${subject} > ${limitText}, ${count}, but sign test ${pVersus(p, config)}`,
  };
}
