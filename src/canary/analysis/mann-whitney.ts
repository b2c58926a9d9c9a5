import { median, ratioOf } from './descriptive.ts';
import { logChoose, normalUpperTail } from './distributions.ts';

export interface MannWhitneyResult {
  readonly nCanary: number;
  readonly nBaseline: number;
  /** Pairs (canary, baseline) with the canary value greater; ties count one half. 0 … n·m. */
  readonly u: number;
  /** Normal score of U: tie-corrected variance, continuity correction; 0 when all values tie. */
  readonly z: number;
  /** One-sided p-value for "the canary tends to be greater than the baseline". */
  readonly p: number;
  /**
   * `exact`: the permutation distribution of the rank sum given these ties, so exact with ties
   * too. `normal`: the approximation from `z`, used only where the exact count is too costly:
   * roughly when min(n, m)·(n + m) is above 10⁴: both samples above ~75 (where it is good), or
   * a handful of values against thousands (where it is rough; equal windows never do this).
   */
  readonly method: 'exact' | 'normal';
  /** Hodges–Lehmann estimate of the shift: the median of all canary − baseline differences. */
  readonly hodgesLehmann: number;
  readonly canaryMedian: number;
  readonly baselineMedian: number;
  /** canaryMedian / baselineMedian; 1 when both are 0, null when only the baseline's is. */
  readonly medianRatio: number | null;
}

/** Work (items × chosen × sums) below which the exact distribution is counted: ~0.1 s. */
const EXACT_BUDGET = 200_000_000;

/**
 * Two-sample Mann–Whitney U test (Wilcoxon rank-sum) of "canary greater than baseline", with
 * average ranks for ties. Both samples must be non-empty and finite.
 */
export function mannWhitneyU(
  canary: readonly number[],
  baseline: readonly number[],
): MannWhitneyResult {
  const n = canary.length;
  const m = baseline.length;
  if (n === 0 || m === 0) throw new RangeError('Mann–Whitney needs two non-empty samples');
  if (![...canary, ...baseline].every(Number.isFinite)) {
    throw new RangeError('Mann–Whitney needs finite values');
  }

  const pooled = [
    ...canary.map((value) => ({ value, canary: true })),
    ...baseline.map((value) => ({ value, canary: false })),
  ].sort((a, b) => a.value - b.value);
  const total = n + m;

  // Twice the average rank keeps every rank a whole number for the exact count.
  const doubledRanks = new Array<number>(total);
  let tieTerm = 0;
  for (let i = 0; i < total;) {
    let j = i;
    while (j + 1 < total && (pooled[j + 1] as { value: number }).value === pooled[i]?.value) j++;
    // Positions i..j (0-based) share ranks i+1..j+1, whose average doubled is i + j + 2.
    for (let k = i; k <= j; k++) doubledRanks[k] = i + j + 2;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }

  let doubledCanaryRankSum = 0;
  pooled.forEach((item, index) => {
    if (item.canary) doubledCanaryRankSum += doubledRanks[index] as number;
  });
  const u = doubledCanaryRankSum / 2 - (n * (n + 1)) / 2;

  const mean = (n * m) / 2;
  const variance = total > 1 ? ((n * m) / 12) * (total + 1 - tieTerm / (total * (total - 1))) : 0;
  const z = variance > 0 ? (u - mean - 0.5) / Math.sqrt(variance) : 0;

  const exact = exactUpperTail(doubledRanks, n, m, doubledCanaryRankSum);
  const p = exact ?? (variance > 0 ? normalUpperTail(z) : 1);

  const canaryMedian = median(canary);
  const baselineMedian = median(baseline);
  return {
    nCanary: n,
    nBaseline: m,
    u,
    z,
    p: Math.min(1, Math.max(0, p)),
    method: exact === null ? 'normal' : 'exact',
    hodgesLehmann: hodgesLehmann(canary, baseline),
    canaryMedian,
    baselineMedian,
    medianRatio: ratioOf(canaryMedian, baselineMedian),
  };
}

/**
 * P(canary rank sum ≥ observed) over all C(n+m, n) equally likely assignments of the pooled
 * (tied) ranks to the canary, counted by dynamic programming over the smaller sample. Null when
 * that would cost more than the budget.
 */
function exactUpperTail(
  doubledRanks: readonly number[],
  n: number,
  m: number,
  doubledCanaryRankSum: number,
): number | null {
  const chooseCanary = n <= m;
  const k = Math.min(n, m);
  const descending = [...doubledRanks].sort((a, b) => b - a);
  const maxSum = descending.slice(0, k).reduce((sum, rank) => sum + rank, 0);
  if (doubledRanks.length * k * (maxSum + 1) > EXACT_BUDGET) return null;

  // ways[j][s]: ways to pick j of the ranks seen so far with doubled sum s.
  const ways = Array.from({ length: k + 1 }, () => new Float64Array(maxSum + 1));
  (ways[0] as Float64Array)[0] = 1;
  let reach = 0;
  doubledRanks.forEach((rank, index) => {
    reach = Math.min(maxSum, reach + rank);
    for (let j = Math.min(index + 1, k); j >= 1; j--) {
      const into = ways[j] as Float64Array;
      const from = ways[j - 1] as Float64Array;
      for (let s = reach; s >= rank; s--)
        into[s] = (into[s] as number) + (from[s - rank] as number);
    }
  });

  const counts = ways[k] as Float64Array;
  // The event "canary rank sum ≥ observed" is "baseline rank sum ≤ total − observed".
  let doubledChosenSum = doubledCanaryRankSum;
  if (!chooseCanary) {
    const allRanks = doubledRanks.reduce((sum, rank) => sum + rank, 0);
    doubledChosenSum = allRanks - doubledCanaryRankSum;
  }
  let tail = 0;
  let all = 0;
  for (let s = 0; s <= maxSum; s++) {
    const count = counts[s] as number;
    all += count;
    if (chooseCanary ? s >= doubledChosenSum : s <= doubledChosenSum) tail += count;
  }
  return tail / all;
}

/** The median of all n·m differences canary_i − baseline_j. */
export function hodgesLehmann(canary: readonly number[], baseline: readonly number[]): number {
  const differences = new Float64Array(canary.length * baseline.length);
  let index = 0;
  for (const c of canary) for (const b of baseline) differences[index++] = c - b;
  differences.sort();
  const mid = differences.length >> 1;
  return differences.length % 2 === 1
    ? (differences[mid] as number)
    : ((differences[mid - 1] as number) + (differences[mid] as number)) / 2;
}

/**
 * The smallest one-sided p-value Mann–Whitney can give for samples this size without ties:
 * 1 / C(n+m, n). When it is not below the significance level, no data can show a difference.
 */
export function smallestPossibleP(nCanary: number, nBaseline: number): number {
  return Math.exp(-logChoose(nCanary + nBaseline, nCanary));
}
