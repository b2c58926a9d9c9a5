import type { AnalysisConfig } from './config.ts';
import { median } from './descriptive.ts';
import { binomialUpperTail } from './distributions.ts';
import { alphaText, pValue, seconds } from './format.ts';
import {
  type PeriodPercentiles,
  atOrAbove,
  enoughForExceedance,
  exceedanceTest,
} from './exceedance.ts';
import { type MannWhitneyResult, mannWhitneyU, smallestPossibleP } from './mann-whitney.ts';
import { type Draft, failAlpha, isSignificant, pVersus, relativeRule } from './metric-judgement.ts';

export type LatencyMetric = 'p95-latency' | 'p99-latency';

export const LABELS = { 'p95-latency': 'p95 latency', 'p99-latency': 'p99 latency' } as const;
export const LIMIT_INPUTS = {
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
 * The chance, for a canary within the limit, that `above` or more of the periods have their
 * q-percentile above it. Within the limit, at most 1 − q of the requests are slower, so a period of
 * n requests has its nearest-rank q-percentile above the limit with a chance of at most
 * P(Binomial(n, 1 − q) ≥ n − ceil(q·n) + 1): under 0.5 (0.43 for 300 requests, 0.05 for one),
 * the sign test's chance made exact per period. The periods are independent: the tail of the sum
 * of their Bernoulli draws (Poisson binomial, by dynamic programming) is the p-value.
 */
export function aboveLimitP(above: number, requests: readonly number[], q: number): number {
  let dist = [1];
  for (const n of requests) {
    const chance = n > 0 ? binomialUpperTail(atOrAbove(n, q), n, 1 - q) : 0.5;
    const next = new Array<number>(dist.length + 1).fill(0);
    dist.forEach((value, k) => {
      next[k]! += value * (1 - chance);
      next[k + 1]! += value * chance;
    });
    dist = next;
  }
  let tail = 0;
  for (let k = above; k < dist.length; k++) tail += dist[k]!;
  return Math.min(1, tail);
}

/**
 * The canary's per-period latency percentile against an absolute limit. It fails when the
 * percentile was above the limit in significantly more periods than a canary within the limit
 * would show (an exact sign test whose chance per period follows from its request count,
 * `aboveLimitP`), passes when the median period is within the limit, and is inconclusive in
 * between. A single slow period cannot fail it: each value already summarises a period's requests.
 */
export function judgeLatencyLimit(
  name: LatencyMetric,
  canary: readonly number[],
  limitSeconds: number,
  config: AnalysisConfig,
  /** Each period's requests: each period's own chance of a percentile above the limit. */
  requests?: readonly number[],
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
  const q = name === 'p95-latency' ? 0.95 : 0.99;
  const p =
    requests === undefined || requests.length !== canary.length
      ? binomialUpperTail(above, canary.length, 0.5)
      : aboveLimitP(above, requests, q);
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
