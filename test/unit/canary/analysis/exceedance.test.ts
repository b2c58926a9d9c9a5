import { describe, expect, it } from '@jest/globals';
import {
  atOrAbove,
  exceedancePmf,
  exceedanceTest,
} from '../../../../src/canary/analysis/exceedance.ts';
import { binomialUpperTail } from '../../../../src/canary/analysis/distributions.ts';
import { aboveLimitP } from '../../../../src/canary/analysis/latency-checks.ts';

/** Brute force: every placement of n canary values among N = n + m ranked values, equally likely. */
function bruteForcePmf(n: number, m: number, j: number): number[] {
  const N = n + m;
  const counts = new Array<number>(n + 1).fill(0);
  let total = 0;
  for (let mask = 0; mask < 1 << N; mask++) {
    let bits = 0;
    for (let i = 0; i < N; i++) if (mask & (1 << i)) bits++;
    if (bits !== n) continue;
    total++;
    // Rank 0 is the largest. Count canary values above the j-th largest baseline value.
    let seen = 0;
    let above = 0;
    for (let i = 0; i < N; i++) {
      if (mask & (1 << i)) above++;
      else if (++seen === j) break;
    }
    counts[above]!++;
  }
  return counts.map((c) => c / total);
}

describe('exceedancePmf: canary values above the baseline j-th largest, any distribution', () => {
  it.each([
    [3, 5, 1],
    [3, 5, 2],
    [4, 6, 3],
    [6, 6, 1],
    [2, 9, 4],
  ])('n = %p, m = %p, j = %p matches a brute-force count of arrangements', (n, m, j) => {
    const pmf = exceedancePmf(n, m, j);
    const brute = bruteForcePmf(n, m, j);
    pmf.forEach((p, x) => expect(p).toBeCloseTo(brute[x]!, 12));
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('refuses impossible ranks', () => {
    expect(() => exceedancePmf(3, 5, 0)).toThrow(RangeError);
    expect(() => exceedancePmf(3, 5, 6)).toThrow(RangeError);
  });
});

describe('atOrAbove: values at or above the nearest-rank quantile', () => {
  it.each([
    [300, 0.95, 16],
    [2700, 0.99, 28],
    [100, 0.95, 6],
    [20, 0.95, 2],
  ])('%p values at q = %p: %p', (n, q, expected) => {
    expect(atOrAbove(n, q)).toBe(expected);
  });
});

describe('exceedanceTest', () => {
  const slow = { canaryRequests: 300, canaryP95: 0.5, baselineRequests: 2700, baselineP99: 0.4 };
  const fine = {
    canaryRequests: 300,
    canaryP95: 0.2,
    canaryP99: 0.35,
    baselineRequests: 2700,
    baselineP99: 0.4,
  };

  it('adds up what the periods prove and takes the exact tail of the sum', () => {
    const r = exceedanceTest([slow, slow]);
    expect(r).toMatchObject({ atLeast: 32, periods: 2 });
    // Reference: the tail of the two-fold convolution of the brute-force-checked pmf.
    const pmf = exceedancePmf(300, 2700, 28);
    let below = 0;
    for (let a = 0; a < pmf.length; a++)
      for (let b = 0; a + b < 32 && b < pmf.length; b++) below += pmf[a]! * pmf[b]!;
    expect(r.p).toBeCloseTo(1 - below, 14);
    expect(r.p).toBeLessThan(1e-6);
  });

  it('counts nothing from a single period, nor from periods within the baseline p99', () => {
    expect(exceedanceTest([slow, fine, fine])).toMatchObject({ p: 1, atLeast: 0 });
    expect(exceedanceTest([fine, fine])).toMatchObject({ p: 1, atLeast: 0 });
  });

  it('leaves out periods with fewer than 20 requests on a side', () => {
    const tiny = { ...slow, canaryRequests: 19 };
    expect(exceedanceTest([slow, tiny])).toMatchObject({ p: 1, periods: 1 });
  });

  it('holds its level on healthy periods: a simulation from one distribution', () => {
    // Log-normal requests for both groups from one seeded generator; nearest-rank percentiles.
    let state = 7;
    const uniform = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return (state + 0.5) / 2147483648;
    };
    const draw = () =>
      Math.exp(0.6 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
    const quantile = (values: number[], q: number) =>
      values.sort((a, b) => a - b)[Math.ceil(q * values.length) - 1]!;
    let rejections = 0;
    const runs = 400;
    for (let run = 0; run < runs; run++) {
      const periods = Array.from({ length: 3 }, () => {
        const c = Array.from({ length: 100 }, draw);
        const b = Array.from({ length: 300 }, draw);
        return {
          canaryRequests: 100,
          canaryP95: quantile(c, 0.95),
          canaryP99: quantile(c, 0.99),
          baselineRequests: 300,
          baselineP99: quantile(b, 0.99),
        };
      });
      if (exceedanceTest(periods).p < 0.05) rejections++;
    }
    expect(rejections / runs).toBeLessThanOrEqual(0.05);
  });
});

describe('aboveLimitP: the sign test with each period’s exact chance', () => {
  // References computed independently with exact rational arithmetic (Python fractions): the
  // per-period chance P(Binomial(n, 0.05) ≥ n − ceil(0.95 n) + 1), then the Poisson-binomial tail.
  it.each([
    [10, Array<number>(10).fill(200), 0.0001587306555039452],
    [3, Array<number>(4).fill(500), 0.23756866144059197],
    [1, [1], 0.05],
    [1, [300], 0.4318879640725795],
  ])('%p periods above among %p requests: p = %p', (above, requests, expected) => {
    expect(aboveLimitP(above, requests, 0.95)).toBeCloseTo(expected, 10);
  });

  it('is never above the plain sign test', () => {
    for (let above = 0; above <= 8; above++) {
      const requests = [300, 40, 3000, 1, 120, 77, 500, 9];
      expect(aboveLimitP(above, requests, 0.95)).toBeLessThanOrEqual(
        binomialUpperTail(above, 8, 0.5) + 1e-12,
      );
    }
  });
});
