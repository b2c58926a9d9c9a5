import { describe, expect, it } from '@jest/globals';
import { binomialUpperTail } from '../../../../src/canary/analysis/distributions.ts';
import { fisherExactGreater } from '../../../../src/canary/analysis/proportions.ts';
import {
  type Stratum,
  latencyCounts,
  limitCountP,
  referenceStrata,
  slowerThan,
  smallestStratifiedP,
  stratifiedExactP,
} from '../../../../src/canary/analysis/slower-counts.ts';
import type { LatencyReference, TargetGroupWindow } from '../../../../src/canary/analysis/types.ts';
import { START, windowOf } from './windows.ts';

/** A window whose periods carry slower counts: [requests, [threshold, slower]...]. */
function counted(
  periods: readonly (readonly [number, ...(readonly [number, number])[]])[],
): TargetGroupWindow {
  const window = windowOf(periods.map(([requests]) => ({ requests, p95: 0.2 })));
  return {
    ...window,
    samples: window.samples.map((sample, i) => {
      const [requests, ...counts] = periods[i]!;
      return {
        ...sample,
        slower: counts.map(([thresholdSeconds, slower]) => ({
          thresholdSeconds,
          slower,
          requests,
        })),
      };
    }),
  };
}

/** P(sum of the canary's counts ≥ observed) by enumerating every period's hypergeometric draw. */
function bruteForce(strata: readonly Stratum[]): number {
  const choose = (n: number, k: number): number => {
    if (k < 0 || k > n) return 0;
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };
  const laws = strata.map((s) => {
    const total = s.canarySlower + s.baselineSlower;
    const N = s.canaryRequests + s.baselineRequests;
    return Array.from(
      { length: total + 1 },
      (_, k) =>
        (choose(total, k) * choose(N - total, s.canaryRequests - k)) / choose(N, s.canaryRequests),
    );
  });
  const observed = strata.reduce((sum, s) => sum + s.canarySlower, 0);
  let p = 0;
  const walk = (i: number, sum: number, prob: number): void => {
    if (i === laws.length) {
      if (sum >= observed) p += prob;
      return;
    }
    laws[i]!.forEach((q, k) => {
      if (q > 0) walk(i + 1, sum + k, prob * q);
    });
  };
  walk(0, 0, 1);
  return p;
}

describe('the absolute limit on counts', () => {
  it('is the binomial tail at 1 − q of the requests slower than the limit', () => {
    expect(limitCountP({ slower: 35, requests: 300, periods: 1 }, 0.95)).toBeCloseTo(
      binomialUpperTail(35, 300, 0.05),
      15,
    );
    expect(limitCountP({ slower: 35, requests: 300, periods: 1 }, 0.95)).toBeLessThan(1e-4);
    expect(limitCountP({ slower: 15, requests: 300, periods: 1 }, 0.95)).toBeGreaterThan(0.4);
    expect(limitCountP({ slower: 4, requests: 100, periods: 1 }, 0.99)).toBeCloseTo(
      binomialUpperTail(4, 100, 0.01),
      15,
    );
  });

  it('adds the counts of the periods that have one at the threshold', () => {
    const window = counted([[300, [2, 20]], [0], [200, [2, 30], [0.5, 100]], [100, [0.5, 9]]]);
    expect(slowerThan(window, 2)).toEqual({ slower: 50, requests: 500, periods: 2 });
    expect(slowerThan(window, 3)).toBeUndefined();
  });
});

describe('the stratified exact test against the baseline', () => {
  it('is Fisher’s exact test for one period', () => {
    const one = { canarySlower: 9, canaryRequests: 60, baselineSlower: 20, baselineRequests: 500 };
    expect(stratifiedExactP([one])).toBeCloseTo(
      fisherExactGreater({ events: 9, trials: 60 }, { events: 20, trials: 500 }),
      12,
    );
  });

  it('matches a brute-force count over the periods’ draws', () => {
    const strata: Stratum[] = [
      { canarySlower: 3, canaryRequests: 12, baselineSlower: 4, baselineRequests: 40 },
      { canarySlower: 0, canaryRequests: 8, baselineSlower: 5, baselineRequests: 30 },
      { canarySlower: 5, canaryRequests: 15, baselineSlower: 2, baselineRequests: 45 },
    ];
    expect(stratifiedExactP(strata)).toBeCloseTo(bruteForce(strata), 12);
    const healthy = strata.map((s) => ({ ...s, canarySlower: 1 }));
    expect(stratifiedExactP(healthy)).toBeCloseTo(bruteForce(healthy), 12);
    expect(stratifiedExactP(healthy)).toBeGreaterThan(0.5);
    expect(stratifiedExactP([])).toBe(1);
  });

  it('gives a small p to a canary twice as often slower over thousands of requests, quickly', () => {
    const strata = Array.from({ length: 20 }, () => ({
      canarySlower: 27,
      canaryRequests: 300,
      baselineSlower: 135,
      baselineRequests: 2700,
    }));
    const started = performance.now();
    const p = stratifiedExactP(strata);
    expect(p).toBeLessThan(1e-12);
    expect(p).toBeGreaterThan(0);
    expect(smallestStratifiedP(strata)).toBeLessThan(p);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('knows when no arrangement could be significant', () => {
    const none = [
      { canarySlower: 0, canaryRequests: 50, baselineSlower: 0, baselineRequests: 500 },
    ];
    expect(smallestStratifiedP(none)).toBe(1);
    const one = [{ canarySlower: 1, canaryRequests: 50, baselineSlower: 0, baselineRequests: 450 }];
    expect(smallestStratifiedP(one)).toBeCloseTo(0.1, 12);
  });

  it('leaves out the period the reference was read from, and periods without both counts', () => {
    const reference: LatencyReference = {
      baselineSeconds: 0.2,
      canarySeconds: 0.25,
      period: new Date(START + 60_000),
    };
    const canary = counted([[300, [0.25, 10]], [300, [0.25, 40]], [300], [300, [0.25, 5]]]);
    const baseline = counted([[3000, [0.2, 150]], [3000, [0.2, 150]], [3000, [0.2, 150]], [3000]]);
    expect(referenceStrata(canary, baseline, reference)).toEqual([
      { canarySlower: 10, canaryRequests: 300, baselineSlower: 150, baselineRequests: 3000 },
    ]);
    expect(latencyCounts({ ...canary, latencyReference: reference }, baseline, {})).toEqual({
      limits: {},
      relative: {
        strata: referenceStrata(canary, baseline, reference),
        reference,
        // One period shows no variation between periods: the test runs on the counts as they are.
        tested: referenceStrata(canary, baseline, reference),
      },
    });
    expect(latencyCounts(canary, baseline, { p95: 0.25 }).relative).toBeUndefined();
  });
});
