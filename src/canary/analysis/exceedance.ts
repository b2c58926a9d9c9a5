// An exceedance test on per-period percentiles, for a latency regression too large to wait for a
// rank test over many periods. In each period the canary's and the baseline's requests come from
// the same distribution when the canary is healthy, so every arrangement of the period's requests
// is equally likely and the number X of canary requests slower than the baseline's j-th slowest
// has an exact distribution that depends on no latency distribution:
//
//   P(X = x) = C(x + j − 1, x) · C(N − x − j, n − x) / C(N, n),   N = n + m,
//
// (x canary requests among the x + j − 1 slowest, the baseline's j-th slowest next, the rest
// below). A canary p95 above the baseline's p99 says that at least n − ceil(0.95·n) + 1 canary
// requests were slower than the baseline's ceil(0.99·m)-th fastest, about five times what a
// healthy canary would show. Periods are independent: the counts add up, and the tail of the sum
// (by convolution) is the p-value. Counting only what the percentiles prove (a lower bound on X)
// keeps the p-value valid: P(X ≥ bound) ≥ P(bound ≥ observed).
import { logChoose } from './distributions.ts';

/** One concurrent period: each group's requests and latency percentiles (nearest rank). */
export interface PeriodPercentiles {
  readonly canaryRequests: number;
  readonly canaryP95: number;
  readonly canaryP99?: number | undefined;
  readonly baselineRequests: number;
  readonly baselineP99: number;
}

/** How many values are at or above the nearest-rank q-quantile of n values: n − ceil(q·n) + 1. */
export function atOrAbove(n: number, q: number): number {
  return n - Math.ceil(q * n - 1e-9) + 1;
}

/** P(X = x) for x = 0..n: canary requests above the baseline's j-th largest, n canary, m baseline. */
export function exceedancePmf(n: number, m: number, j: number): number[] {
  if (!(
    Number.isInteger(n) &&
    Number.isInteger(m) &&
    Number.isInteger(j) &&
    n >= 0 &&
    j >= 1 &&
    j <= m
  )) {
    throw new RangeError(`exceedancePmf needs whole n ≥ 0 and 1 ≤ j ≤ m, got ${n}, ${m}, ${j}`);
  }
  const N = n + m;
  const total = logChoose(N, n);
  const pmf: number[] = [];
  for (let x = 0; x <= n; x++) {
    pmf.push(Math.exp(logChoose(x + j - 1, x) + logChoose(N - x - j, n - x) - total));
  }
  return pmf;
}

/** What the percentiles prove about one period: a lower bound on X, and X's distribution. */
export function periodEvidence(period: PeriodPercentiles): { atLeast: number; pmf: number[] } {
  const n = period.canaryRequests;
  const m = period.baselineRequests;
  // The baseline's p99 is its j-th largest value; canary requests strictly above it are counted.
  const j = atOrAbove(m, 0.99);
  let atLeast = 0;
  if (period.canaryP95 > period.baselineP99) atLeast = atOrAbove(n, 0.95);
  else if (period.canaryP99 !== undefined && period.canaryP99 > period.baselineP99) {
    atLeast = atOrAbove(n, 0.99);
  }
  return { atLeast, pmf: exceedancePmf(n, m, j) };
}

/** A period with enough requests on both sides for its percentiles to say something. */
export function enoughForExceedance(period: PeriodPercentiles): boolean {
  return period.canaryRequests >= MIN_REQUESTS && period.baselineRequests >= MIN_REQUESTS;
}

const MIN_REQUESTS = 20;
/** Periods that must show the canary slower before their evidence counts. */
export const MIN_PERIODS_SHOWING = 2;

/**
 * One-sided p-value that the canary's requests are slower than the baseline's, from the periods'
 * percentiles: P(ΣX ≥ Σ bounds) under "same distribution in each period", exact by convolution.
 * Periods with fewer than 20 requests on either side are left out (a p95 of so few says little).
 */
export function exceedanceTest(periods: readonly PeriodPercentiles[]): {
  p: number;
  atLeast: number;
  periods: number;
} {
  const used = periods.filter(enoughForExceedance).map(periodEvidence);
  // One period alone does not count: a group's latency can differ from the other's for a minute
  // (a slow host) without the revision being slower. Ignoring evidence keeps the p-value valid.
  const showing = used.filter((evidence) => evidence.atLeast > 0).length;
  const atLeast =
    showing < MIN_PERIODS_SHOWING ? 0 : used.reduce((sum, evidence) => sum + evidence.atLeast, 0);
  if (atLeast === 0) return { p: 1, atLeast, periods: used.length };
  // P(sum = s) for s < atLeast only: a sum that reached atLeast never comes back below it.
  let dist = new Array<number>(atLeast).fill(0);
  dist[0] = 1;
  for (const { pmf } of used) {
    const next = new Array<number>(atLeast).fill(0);
    for (let a = 0; a < atLeast; a++) {
      const pa = dist[a]!;
      if (pa === 0) continue;
      for (let b = 0; a + b < atLeast && b < pmf.length; b++) next[a + b]! += pa * pmf[b]!;
    }
    dist = next;
  }
  const below = dist.reduce((sum, value) => sum + value, 0);
  return { p: Math.min(1, Math.max(0, 1 - below)), atLeast, periods: used.length };
}
