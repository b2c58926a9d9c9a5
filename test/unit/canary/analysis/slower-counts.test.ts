import { describe, expect, it } from '@jest/globals';
import { binomialUpperTail } from '../../../../src/canary/analysis/distributions.ts';
import { SHARE_DISPERSION_LEVEL } from '../../../../src/canary/analysis/dispersion.ts';
import { fisherExactGreater } from '../../../../src/canary/analysis/proportions.ts';
import {
  type Stratum,
  baselineSharesAtReference,
  effectiveStrata,
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

describe('overdispersion of the share slower', () => {
  const reference: LatencyReference = {
    baselineSeconds: 0.2,
    canarySeconds: 0.25,
    period: new Date(START - 60_000),
  };

  it('divides each period by its design effect: a canary minute 1.6× slower against a noisy baseline', () => {
    // 1 + 0.05·0.3·271/0.95 = 5.279 and 1 + 0.05·0.3·2693/0.95 = 43.52: the canary's 36/271
    // becomes 6/51 (rounded down), the baseline's 104/2693 becomes 2/62.
    const stratum = {
      canarySlower: 36,
      canaryRequests: 271,
      baselineSlower: 104,
      baselineRequests: 2693,
    };
    expect(effectiveStrata([stratum], 0.05, 0.3)).toEqual([
      { canarySlower: 6, canaryRequests: 51, baselineSlower: 2, baselineRequests: 62 },
    ]);
    expect(effectiveStrata([stratum], 0.05, 0)).toEqual([stratum]);
    // One period: the stratified test is Fisher's one-sided test of the two counts.
    expect(stratifiedExactP([stratum])).toBeLessThan(1e-8);
    expect(stratifiedExactP(effectiveStrata([stratum], 0.05, 0.3))).toBeCloseTo(
      fisherExactGreater({ events: 6, trials: 51 }, { events: 2, trials: 62 }),
      12,
    );
  });

  it("takes the baseline's share from the minutes before the window, except the reference's own", () => {
    const history = counted([[3000, [0.2, 60]], [3000, [0.2, 150]], [3000]]).samples.map(
      (sample, i) => ({ ...sample, timestamp: new Date(START - (3 - i) * 60_000) }),
    );
    // The minute at START − 2 min counts; the reference's (START − 1 min) does not; the one at
    // START − 3 min has no count at the reference.
    const shifted = history.map((sample, i) =>
      i === 1 ? { ...sample, timestamp: new Date(START - 60_000) } : sample,
    );
    const strata = [
      { canarySlower: 10, canaryRequests: 300, baselineSlower: 140, baselineRequests: 2700 },
    ];
    expect(baselineSharesAtReference(shifted, strata, reference)).toEqual([
      { events: 60, trials: 3000 },
      { events: 140, trials: 2700 },
    ]);
  });

  it('judges the window on counts divided by the noise its baseline showed before it', () => {
    // The baseline's minutes before: 60, 250, 90 and 300 of 3000 slower than 0.2 s, then 150 in
    // the window: Pearson's X² = 263 on 4 degrees, V = 0.3595 about the share 0.05667, so the
    // canary's 40/300 (design effect 7.48) is judged as 5/40, the baseline's 150/3000 (65.8) as 2/46.
    const before = counted([
      [3000, [0.2, 60]],
      [3000, [0.2, 250]],
      [3000, [0.2, 90]],
      [3000, [0.2, 300]],
      [3000, [0.2, 150]],
    ]).samples.map((sample, i) => ({ ...sample, timestamp: new Date(START - (5 - i) * 60_000) }));
    const shares = before.map((sample, i) => (i === 4 ? { ...sample, slower: [] } : sample));
    const canary = {
      ...counted([[300, [0.25, 40]]]),
      latencyReference: { ...reference, period: new Date(START - 60_000) },
    };
    const baseline = { ...counted([[3000, [0.2, 150]]]), history: shares.slice(0, 4) };
    const strata = [
      { canarySlower: 40, canaryRequests: 300, baselineSlower: 150, baselineRequests: 3000 },
    ];
    expect(latencyCounts(canary, baseline, {}).relative).toEqual({
      strata,
      reference: canary.latencyReference,
      tested: [{ canarySlower: 5, canaryRequests: 40, baselineSlower: 2, baselineRequests: 46 }],
    });
    // Shares that vary a little more than binomially (130, 172, 135, 168, then 150 of 3000:
    // X² = 9.96 on 4 degrees, p = 0.041) are below 5 % but not below the shares' 0.1 %: the
    // counts as they are.
    expect(SHARE_DISPERSION_LEVEL).toBe(0.001);
    const mild = before.slice(0, 4).map((sample, i) => ({
      ...sample,
      slower: [{ thresholdSeconds: 0.2, slower: [130, 172, 135, 168][i]!, requests: 3000 }],
    }));
    expect(latencyCounts(canary, { ...baseline, history: mild }, {}).relative?.tested).toEqual(
      strata,
    );
    // Without the minutes before, one period shows no variation: the counts as they are.
    expect(latencyCounts(canary, { ...baseline, history: [] }, {}).relative?.tested).toEqual(
      strata,
    );
  });
});
