import { describe, expect, it } from '@jest/globals';
import { normalUpperTail } from '../../../../src/canary/analysis/distributions.ts';
import {
  hodgesLehmann,
  mannWhitneyU,
  smallestPossibleP,
} from '../../../../src/canary/analysis/mann-whitney.ts';

/**
 * An independent check: U counted pair by pair (no ranks), and its p-value by trying every way
 * to split the pooled values into samples of the same sizes.
 */
function bruteForce(canary: number[], baseline: number[]): { u: number; p: number } {
  const uOf = (c: number[], b: number[]): number =>
    c.reduce((sum, x) => sum + b.reduce((s, y) => s + (x > y ? 1 : x === y ? 0.5 : 0), 0), 0);
  const pooled = [...canary, ...baseline];
  const observed = uOf(canary, baseline);
  let atLeast = 0;
  let all = 0;
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === canary.length) {
      const c = chosen.map((i) => pooled[i] as number);
      const b = pooled.filter((_, i) => !chosen.includes(i));
      all++;
      if (uOf(c, b) >= observed - 1e-9) atLeast++;
      return;
    }
    for (let i = start; i < pooled.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return { u: observed, p: atLeast / all };
}

describe('mannWhitneyU', () => {
  it('matches R and SciPy on the Hollander & Wolfe example (no ties, exact)', () => {
    // R: wilcox.test(x, y, alternative = "greater") → W = 35, p-value = 0.1272
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const result = mannWhitneyU(x, y);
    expect(result.u).toBe(35);
    expect(result.method).toBe('exact');
    expect(result.p).toBeCloseTo(0.1272061272061272, 14);
    // SciPy's asymptotic p-value for the same data (continuity-corrected).
    expect(normalUpperTail(result.z)).toBeCloseTo(0.12231180256349167, 12);
  });

  it.each([
    [[4, 5, 6], [1, 2, 3], 9, 1 / 20],
    [[5, 6, 7, 8], [1, 2, 3, 4], 16, 1 / 70],
    [[1, 2, 3], [4, 5, 6], 0, 1],
  ])('separated samples %p vs %p: U = %p, p = %p', (canary, baseline, u, p) => {
    const result = mannWhitneyU(canary, baseline);
    expect(result.u).toBe(u);
    expect(result.p).toBeCloseTo(p, 14);
  });

  it('is exact with ties: the permutation distribution of the average ranks', () => {
    const canary = [1, 2, 2, 3, 3, 3, 4, 5];
    const baseline = [1, 1, 2, 2, 3, 4];
    const result = mannWhitneyU(canary, baseline);
    expect(result.u).toBe(32);
    expect(result.method).toBe('exact');
    expect(result.p).toBeCloseTo(483 / 3003, 14);
    expect(result).toMatchObject(bruteForce(canary, baseline));
    // SciPy's asymptotic p-value with tie-corrected variance: 0.15962631485751094.
    expect(normalUpperTail(result.z)).toBeCloseTo(0.15962631485751094, 12);
  });

  it('agrees with a brute-force count on many small samples with ties', () => {
    let seed = 12345;
    const next = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };
    for (let round = 0; round < 60; round++) {
      const canary = Array.from({ length: 1 + next(6) }, () => next(5));
      const baseline = Array.from({ length: 1 + next(6) }, () => next(5));
      const expected = bruteForce(canary, baseline);
      const result = mannWhitneyU(canary, baseline);
      expect(result.u).toBe(expected.u);
      expect(result.p).toBeCloseTo(expected.p, 12);
    }
  });

  it('uses the normal approximation for large samples, matching SciPy', () => {
    const canary = Array.from({ length: 150 }, (_, i) => (i * 7) % 11);
    const baseline = Array.from({ length: 150 }, (_, i) => (i * 5) % 10);
    const result = mannWhitneyU(canary, baseline);
    expect(result.method).toBe('normal');
    // scipy.stats.mannwhitneyu(..., alternative='greater', method='asymptotic')
    expect(result.u).toBe(16387.5);
    expect(result.p / 1.0803701999162785e-12).toBeCloseTo(1, 8);
    expect(result.z).toBeCloseTo(7.023696410933693, 9);
  });

  it('gives p = 1 and z = 0 when every value ties', () => {
    const result = mannWhitneyU([0.2, 0.2, 0.2], [0.2, 0.2, 0.2, 0.2]);
    expect(result).toMatchObject({ u: 6, z: 0, p: 1, hodgesLehmann: 0, medianRatio: 1 });
  });

  it('finds no difference between identical samples', () => {
    const values = [0.21, 0.25, 0.24, 0.3, 0.22, 0.27];
    const result = mannWhitneyU(values, [...values].reverse());
    expect(result.u).toBe(18);
    expect(result.p).toBeGreaterThan(0.5);
    expect(result.medianRatio).toBe(1);
    expect(result.hodgesLehmann).toBe(0);
  });

  it('handles single values', () => {
    expect(mannWhitneyU([2], [1])).toMatchObject({ u: 1, p: 0.5, method: 'exact' });
    expect(mannWhitneyU([1], [1])).toMatchObject({ u: 0.5, p: 1, z: 0 });
    expect(mannWhitneyU([1], [2])).toMatchObject({ u: 0, p: 1 });
  });

  it('estimates the shift (Hodges–Lehmann) and the ratio of medians', () => {
    // Differences 3,4,5,2,3,4,1,2,3: median 3.
    const result = mannWhitneyU([4, 5, 6], [1, 2, 3]);
    expect(result.hodgesLehmann).toBe(3);
    expect(result.medianRatio).toBe(2.5);
    expect(hodgesLehmann([1, 2], [1, 2])).toBe(0);
    expect(mannWhitneyU([1, 2], [0, 0]).medianRatio).toBeNull();
  });

  it('refuses empty or non-finite samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(RangeError);
  });

  it('knows when samples are too small to ever be significant', () => {
    expect(smallestPossibleP(3, 3)).toBeCloseTo(0.05, 14);
    expect(smallestPossibleP(4, 4)).toBeCloseTo(1 / 70, 14);
  });
});
