// The latency checks on request counts (slower-counts.ts), used when CloudWatch returned the
// percentile-rank statistic; latency-checks.ts judges the per-period percentiles otherwise.
import type { AnalysisConfig } from './config.ts';
import { median } from './descriptive.ts';
import { pValue, percent, seconds, times } from './format.ts';
import { LABELS, LIMIT_INPUTS, type LatencyMetric } from './latency-checks.ts';
import { type Draft, isSignificant, points, pVersus } from './metric-judgement.ts';
import {
  type CountTotal,
  type RelativeCounts,
  type Stratum,
  limitCountP,
  smallestStratifiedP,
  stratifiedExactP,
  strataShares,
} from './slower-counts.ts';

/** The baseline percentile a comparison on counts is read at. */
export type ReferencePercentile = 'p90' | 'p95' | 'p99';
import type { ReferenceThresholds } from './types.ts';

function share(total: CountTotal): string {
  return `${total.slower} of ${total.requests} requests (${percent(total.slower / total.requests)})`;
}

function periods(count: number): string {
  return count === 1 ? '1 period' : `${count} periods`;
}

/**
 * The canary's q-percentile against an absolute limit, from the requests slower than the limit:
 * fails when more of them were slower than a canary within the limit would show (exact binomial
 * at 1 − q, `limitCountP`), passes when at most 1 − q of them were (the window's percentile is
 * within the limit), inconclusive in between.
 */
export function judgeLatencyLimitFromCounts(
  name: LatencyMetric,
  /** The per-period percentiles, reported beside the counts. */
  canary: readonly number[],
  total: CountTotal,
  limitSeconds: number,
  config: AnalysisConfig,
): Draft {
  const q = name === 'p95-latency' ? 0.95 : 0.99;
  const allowed = 1 - q;
  const observed = total.slower / total.requests;
  const p = limitCountP(total, q);
  const base = {
    name,
    against: 'limit',
    canary: canary.length === 0 ? null : median(canary),
    baseline: null,
    limit: limitSeconds,
    test: { method: 'binomial-exact', p, effect: observed / allowed },
  } as const;
  const subject =
    `canary ${LABELS[name]}: ${share(total)} slower than ${LIMIT_INPUTS[name]} ` +
    `${seconds(limitSeconds)} over ${periods(total.periods)}, ${percent(allowed)} allowed`;
  if (isSignificant(p, config)) {
    return { ...base, outcome: 'fail', figures: `${subject}, binomial ${pVersus(p, config)}` };
  }
  if (observed <= allowed) return { ...base, outcome: 'pass', figures: subject };
  return {
    ...base,
    outcome: 'inconclusive',
    figures: `${subject}, but binomial ${pVersus(p, config)}`,
  };
}

/** " on counts ÷ 1.3 canary, ÷ 9.5 baseline (between-period overdispersion)", or nothing. */
function deflation(strata: readonly Stratum[], tested: readonly Stratum[]): string {
  const sum = (list: readonly Stratum[], pick: (s: Stratum) => number) =>
    list.reduce((total, s) => total + pick(s), 0);
  const canary = sum(strata, (s) => s.canaryRequests) / sum(tested, (s) => s.canaryRequests);
  const baseline = sum(strata, (s) => s.baselineRequests) / sum(tested, (s) => s.baselineRequests);
  // Below 1.05 the counts barely change: not worth a word.
  if (!(Math.max(canary, baseline) >= 1.05)) return '';
  const f = (x: number) => x.toFixed(1);
  return ` on counts ÷ ${f(canary)} canary, ÷ ${f(baseline)} baseline (between-period overdispersion)`;
}

/**
 * The canary's p95 (p99) against the baseline's, from requests slower than the baseline's p95
 * (p99) B in an earlier period: the canary's share slower than (1 + tolerance)·B against the
 * baseline's share slower than B, period by period (stratified exact test, `stratifiedExactP`). A
 * canary whose percentile is within 1 + tolerance of the baseline's has the smaller share. Passes
 * when the canary's share is at most the baseline's plus `absoluteTolerance` (the floor the error
 * rates have: at the p99 a share is a handful of requests a minute, and a canary's own p99 moves
 * by more than the tolerance by chance); fails when it is above that and significantly larger;
 * inconclusive in between.
 */
export function judgeLatencyAgainstBaselineFromCounts(
  name: LatencyMetric,
  canary: readonly number[],
  baseline: readonly number[],
  strata: readonly Stratum[],
  reference: ReferenceThresholds,
  config: AnalysisConfig,
  /** The strata the test runs on (divided by the design effects); default: `strata`. */
  tested: readonly Stratum[] = strata,
  /** The baseline's percentile the reference is (default: the check's own). */
  at: ReferencePercentile = name === 'p95-latency' ? 'p95' : 'p99',
  /** The p-value the rule uses (default: the test's own); the figures quote how it came. */
  adjusted?: { readonly p: number; readonly how: string },
): Draft {
  const shares = strataShares(strata);
  const canaryShare = shares.canary.slower / shares.canary.requests;
  const baselineShare = shares.baseline.slower / shares.baseline.requests;
  const own = stratifiedExactP(tested);
  const p = adjusted?.p ?? own;
  const ratio = baselineShare === 0 ? null : canaryShare / baselineShare;
  const base = {
    name,
    against: 'baseline',
    canary: canary.length === 0 ? null : median(canary),
    baseline: baseline.length === 0 ? null : median(baseline),
    limit: null,
    test: { method: 'stratified-exact', p, effect: ratio },
  } as const;
  const subject =
    `canary ${LABELS[name]}: ${share(shares.canary)} slower than ${times(1 + config.tolerance)} ` +
    `the baseline's ${at} ${seconds(reference.baselineSeconds)} (${seconds(reference.canarySeconds)}) ` +
    `vs baseline ${share(shares.baseline)} slower than it, over ${periods(strata.length)}`;
  if (canaryShare <= baselineShare) {
    return { ...base, outcome: 'pass', figures: `${subject}: within the tolerance` };
  }
  const floor = config.absoluteTolerance;
  if (canaryShare <= baselineShare + floor) {
    return {
      ...base,
      outcome: 'pass',
      figures: `${subject}: within ${points(floor)} of the baseline's share`,
    };
  }
  const how = adjusted === undefined ? '' : ` p=${pValue(own)}, ${adjusted.how}:`;
  const test = `stratified exact${deflation(strata, tested)}${how} ${pVersus(p, config)}`;
  return isSignificant(p, config)
    ? { ...base, outcome: 'fail', figures: `${subject}, ${test}` }
    : { ...base, outcome: 'inconclusive', figures: `${subject}, but ${test}` };
}

/**
 * The p95 comparison at two thresholds: the baseline's p95 and its p90 (a uniform slowdown moves
 * about twice the share of requests over 1.25× the p90 as over 1.25× the p95, so it shows in
 * about half the requests). Each threshold's test is valid on its own (any threshold from another
 * period is), so the check fails when either fails at half the level (the smaller p doubled,
 * Bonferroni) and names the one that did; it passes and is inconclusive by the p95's rule alone,
 * so the second threshold adds no way to end inconclusive. Without a p90 count: the p95's test.
 */
export function judgeP95AgainstBaselineFromCounts(
  canary: readonly number[],
  baseline: readonly number[],
  p95: RelativeCounts,
  p90: RelativeCounts | undefined,
  config: AnalysisConfig,
): Draft {
  const name = 'p95-latency';
  if (p90 === undefined) {
    return judgeLatencyAgainstBaselineFromCounts(
      name,
      canary,
      baseline,
      p95.strata,
      p95.reference,
      config,
      p95.tested,
    );
  }
  const at = (counts: RelativeCounts, percentile: ReferencePercentile): Draft =>
    judgeLatencyAgainstBaselineFromCounts(
      name,
      canary,
      baseline,
      counts.strata,
      counts.reference,
      config,
      counts.tested,
      percentile,
      { p: Math.min(1, 2 * stratifiedExactP(counts.tested)), how: 'doubled (two thresholds)' },
    );
  const byP95 = at(p95, 'p95');
  const byP90 = at(p90, 'p90');
  const failing = [byP95, byP90].filter((draft) => draft.outcome === 'fail');
  if (failing.length > 0) {
    return failing.reduce((a, b) => ((b.test.p ?? 1) < (a.test.p ?? 1) ? b : a));
  }
  return byP95;
}

/** The smallest p the p95 comparison on counts can give at its level: with a p90, doubled. */
export function smallestP95CountsP(p95: RelativeCounts, p90: RelativeCounts | undefined): number {
  const smallest = smallestStratifiedP(p95.tested);
  return p90 === undefined
    ? smallest
    : Math.min(1, 2 * Math.min(smallest, smallestStratifiedP(p90.tested)));
}
