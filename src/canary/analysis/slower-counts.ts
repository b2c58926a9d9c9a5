// Latency judged on request counts: how many of a period's requests were slower than a threshold
// (CloudWatch's percentile rank on TargetResponseTime). "p95 above L" is "more than 5 % of the
// requests slower than L", a statement about counts that an exact test decides as soon as the
// requests in hand make it certain, instead of waiting for periods.
import { binomialUpperTail, logChoose } from './distributions.ts';
import {
  SHARE_DISPERSION_LEVEL,
  betweenPeriodVariance,
  designEffect,
  effective,
} from './dispersion.ts';
import type { Proportion } from './proportions.ts';
import type { PeriodSample, ReferenceThresholds, SlowerCount, TargetGroupWindow } from './types.ts';

export interface CountTotal {
  readonly slower: number;
  readonly requests: number;
  /** Periods that had a count at the threshold. */
  readonly periods: number;
}

function countAt(
  slower: readonly SlowerCount[] | undefined,
  threshold: number,
): SlowerCount | undefined {
  return slower?.find((count) => count.thresholdSeconds === threshold && count.requests > 0);
}

/** The window's requests slower than `threshold`, over the periods that have that count. */
export function slowerThan(window: TargetGroupWindow, threshold: number): CountTotal | undefined {
  let slower = 0;
  let requests = 0;
  let periods = 0;
  for (const sample of window.samples) {
    const count = countAt(sample.slower, threshold);
    if (count === undefined) continue;
    slower += Math.min(count.slower, count.requests);
    requests += count.requests;
    periods++;
  }
  return periods === 0 ? undefined : { slower, requests, periods };
}

/**
 * The exact test of "the canary's q-percentile is above the limit": a canary within it has at
 * most 1 − q of its requests slower, so the slower count is at most Binomial(requests, 1 − q)
 * whatever the periods; the p-value is that tail.
 */
export function limitCountP(total: CountTotal, q: number): number {
  return binomialUpperTail(total.slower, total.requests, 1 - q);
}

/** One period of the comparison with the baseline, at the reference thresholds. */
export interface Stratum {
  /** Canary requests slower than the baseline's reference p95 × (1 + tolerance), of `canaryRequests`. */
  readonly canarySlower: number;
  readonly canaryRequests: number;
  /** Baseline requests slower than the reference p95, of `baselineRequests`. */
  readonly baselineSlower: number;
  readonly baselineRequests: number;
}

/**
 * The periods in which both groups have slower counts at the reference thresholds, except the
 * period the reference was read from (its own p95 is not independent of it).
 */
export function referenceStrata(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  reference: ReferenceThresholds,
): Stratum[] {
  const byTime = new Map(baseline.samples.map((s) => [s.timestamp.getTime(), s]));
  const strata: Stratum[] = [];
  for (const c of canary.samples) {
    const time = c.timestamp.getTime();
    if (time === reference.period.getTime()) continue;
    const canaryCount = countAt(c.slower, reference.canarySeconds);
    const baselineCount = countAt(byTime.get(time)?.slower, reference.baselineSeconds);
    if (canaryCount === undefined || baselineCount === undefined) continue;
    strata.push({
      canarySlower: Math.min(canaryCount.slower, canaryCount.requests),
      canaryRequests: canaryCount.requests,
      baselineSlower: Math.min(baselineCount.slower, baselineCount.requests),
      baselineRequests: baselineCount.requests,
    });
  }
  return strata;
}

/**
 * The baseline's share slower than the reference p95 in each period it was counted in: its
 * periods before the window (`history`) and the strata, except the reference's own period (its
 * share is about 5 % by construction). They show how much the share moves from minute to minute.
 */
export function baselineSharesAtReference(
  history: readonly PeriodSample[],
  strata: readonly Stratum[],
  reference: ReferenceThresholds,
): Proportion[] {
  const before = history.flatMap((sample) => {
    if (sample.timestamp.getTime() === reference.period.getTime()) return [];
    const count = countAt(sample.slower, reference.baselineSeconds);
    return count === undefined
      ? []
      : [{ events: Math.min(count.slower, count.requests), trials: count.requests }];
  });
  return [
    ...before,
    ...strata.map((s) => ({ events: s.baselineSlower, trials: s.baselineRequests })),
  ];
}

/**
 * The strata with each group's counts divided by its design effect at the between-period
 * variance `variance` of the share slower (dispersion.ts), the share taken as the baseline's
 * over all the periods `rate`: the canary's slower count rounded down (the group under
 * suspicion). With `variance` 0 the strata are unchanged.
 */
export function effectiveStrata(
  strata: readonly Stratum[],
  rate: number,
  variance: number,
): Stratum[] {
  return strata.map((s) => {
    const canary = effective(
      { events: s.canarySlower, trials: s.canaryRequests },
      designEffect([s.canaryRequests], rate, variance),
      true,
    );
    const baseline = effective(
      { events: s.baselineSlower, trials: s.baselineRequests },
      designEffect([s.baselineRequests], rate, variance),
      false,
    );
    return {
      canarySlower: canary.events,
      canaryRequests: canary.trials,
      baselineSlower: baseline.events,
      baselineRequests: baseline.trials,
    };
  });
}

/** Entries of a period's law below this (relative to 1) are dropped: they cannot move a p-value. */
const NEGLIGIBLE = 1e-20;

/**
 * One period's law of the canary's slower count given both groups' requests and the total slower:
 * hypergeometric when the canary slower than (1 + tolerance)·B is as likely as the baseline slower
 * than B. Returned as the first value and the probabilities from there, negligible ends dropped.
 */
function stratumLaw(stratum: Stratum): { from: number; pmf: number[] } {
  const n = stratum.canaryRequests;
  const population = n + stratum.baselineRequests;
  const successes = stratum.canarySlower + stratum.baselineSlower;
  const lo = Math.max(0, n - (population - successes));
  const hi = Math.min(successes, n);
  const total = logChoose(population, n);
  const pmf: number[] = [];
  for (let k = lo; k <= hi; k++) {
    pmf.push(Math.exp(logChoose(successes, k) + logChoose(population - successes, n - k) - total));
  }
  let first = 0;
  while (first < pmf.length - 1 && pmf[first]! < NEGLIGIBLE) first++;
  let last = pmf.length - 1;
  while (last > first && pmf[last]! < NEGLIGIBLE) last--;
  return { from: lo + first, pmf: pmf.slice(first, last + 1) };
}

/**
 * The stratified exact test (Mantel–Haenszel's exact form) of "the canary is slower than the
 * baseline by more than the tolerance": in each period, given both groups' requests and how many
 * were slower than their thresholds, the canary's count is hypergeometric when a canary request is
 * as likely to exceed (1 + tolerance)·B as a baseline request B (a canary at most 1 + tolerance
 * times slower makes it less likely: conservative). The periods are independent, so the laws
 * convolve; the p-value is the exact upper tail of the sum at the observed sum.
 */
export function stratifiedExactP(strata: readonly Stratum[]): number {
  if (strata.length === 0) return 1;
  let from = 0;
  let dist = [1];
  for (const stratum of strata) {
    const law = stratumLaw(stratum);
    const next = new Array<number>(dist.length + law.pmf.length - 1).fill(0);
    dist.forEach((a, i) => {
      if (a === 0) return;
      law.pmf.forEach((b, j) => {
        next[i + j]! += a * b;
      });
    });
    from += law.from;
    dist = next;
  }
  const observed = strata.reduce((sum, s) => sum + s.canarySlower, 0);
  let tail = 0;
  for (let k = Math.max(0, observed - from); k < dist.length; k++) tail += dist[k]!;
  return Math.min(1, tail);
}

/**
 * The smallest p-value the strata could give (every slower request the canary's, as far as its
 * requests allow): the product of each period's chance of its largest count.
 */
export function smallestStratifiedP(strata: readonly Stratum[]): number {
  let p = 1;
  for (const stratum of strata) {
    const successes = stratum.canarySlower + stratum.baselineSlower;
    if (successes === 0) continue;
    const n = stratum.canaryRequests;
    const population = n + stratum.baselineRequests;
    const hi = Math.min(successes, n);
    p *= Math.exp(
      logChoose(successes, hi) +
        logChoose(population - successes, n - hi) -
        logChoose(population, n),
    );
  }
  return p;
}

/** Slower share of a set of strata: the canary's and the baseline's, as fractions. */
export function strataShares(strata: readonly Stratum[]): {
  canary: CountTotal;
  baseline: CountTotal;
} {
  const sum = (pick: (s: Stratum) => number) => strata.reduce((total, s) => total + pick(s), 0);
  return {
    canary: {
      slower: sum((s) => s.canarySlower),
      requests: sum((s) => s.canaryRequests),
      periods: strata.length,
    },
    baseline: {
      slower: sum((s) => s.baselineSlower),
      requests: sum((s) => s.baselineRequests),
      periods: strata.length,
    },
  };
}

/** The comparison with the baseline at one pair of reference thresholds. */
export interface RelativeCounts {
  readonly strata: Stratum[];
  readonly reference: ReferenceThresholds;
  /** The strata the test runs on: divided by the design effects (the strata without overdispersion). */
  readonly tested: Stratum[];
}

/** What the latency checks can judge on counts in a pair of windows; the rest falls back. */
export interface LatencyCounts {
  readonly limits: { readonly p95?: CountTotal; readonly p99?: CountTotal };
  /** At the baseline's p95 (`p95`) and, when the reference has one, its p99 (`p99`). */
  readonly relative?: RelativeCounts;
  readonly relativeP99?: RelativeCounts;
  /** At the baseline's p90, the p95 comparison's second threshold. */
  readonly relativeP90?: RelativeCounts;
}

/**
 * The strata at `reference`, with the design effects from the baseline's share slower in its
 * periods before the window and in the strata; undefined when no period has both counts.
 */
function relativeCounts(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  reference: ReferenceThresholds,
): RelativeCounts | undefined {
  const strata = referenceStrata(canary, baseline, reference);
  if (strata.length === 0) return undefined;
  const first = baseline.samples[0]?.timestamp.getTime() ?? Number.POSITIVE_INFINITY;
  const before = (baseline.history ?? []).filter((s) => s.timestamp.getTime() < first);
  const shares = baselineSharesAtReference(before, strata, reference);
  const slower = shares.reduce((sum, p) => sum + p.events, 0);
  const requests = shares.reduce((sum, p) => sum + p.trials, 0);
  const variance = betweenPeriodVariance(shares, SHARE_DISPERSION_LEVEL);
  return { strata, reference, tested: effectiveStrata(strata, slower / requests, variance) };
}

export function latencyCounts(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  limits: { readonly p95?: number | undefined; readonly p99?: number | undefined },
): LatencyCounts {
  const p95 = limits.p95 === undefined ? undefined : slowerThan(canary, limits.p95);
  const p99 = limits.p99 === undefined ? undefined : slowerThan(canary, limits.p99);
  const reference = canary.latencyReference;
  const relative =
    reference === undefined ? undefined : relativeCounts(canary, baseline, reference);
  const relativeP99 =
    reference?.p99 === undefined
      ? undefined
      : relativeCounts(canary, baseline, { ...reference.p99, period: reference.period });
  const relativeP90 =
    reference?.p90 === undefined
      ? undefined
      : relativeCounts(canary, baseline, { ...reference.p90, period: reference.period });
  return {
    limits: { ...(p95 ? { p95 } : {}), ...(p99 ? { p99 } : {}) },
    ...(relative ? { relative } : {}),
    ...(relativeP90 ? { relativeP90 } : {}),
    ...(relativeP99 ? { relativeP99 } : {}),
  };
}
