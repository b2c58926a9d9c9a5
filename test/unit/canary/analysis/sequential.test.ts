import { describe, expect, it } from '@jest/globals';
import {
  PLANNED_SHARE,
  alphaSpentBy,
  lookAlpha,
} from '../../../../src/canary/analysis/sequential.ts';

describe('alphaSpentBy: power spending (ρ = ¼) with a reserve past the plan', () => {
  // Reference values computed independently (Python: 0.9·a·t**0.25, and past t = 1
  // 0.9·a + 0.1·a·(1 − 2^−(t − 1)), with a = 0.01).
  it.each([
    [0, 0],
    [0.05, 0.004255837240514292],
    [0.25, 0.006363961030678929],
    [0.5, 0.007568067737283432],
    [1, 0.009000000000000001],
    [2, 0.009500000000000001],
    [3, 0.009750000000000002],
  ])('at t = %p spends %p of 0.01', (t, expected) => {
    expect(alphaSpentBy(0.01, t)).toBeCloseTo(expected, 15);
  });

  it('grows with t and never exceeds the budget', () => {
    let last = 0;
    for (let t = 0; t <= 40; t += 0.01) {
      const spent = alphaSpentBy(0.02, t);
      expect(spent).toBeGreaterThanOrEqual(last);
      expect(spent).toBeLessThanOrEqual(0.02);
      last = spent;
    }
    expect(alphaSpentBy(0.02, 1)).toBeCloseTo(PLANNED_SHARE * 0.02, 15);
    expect(alphaSpentBy(0.02, 1e6)).toBeCloseTo(0.02, 15);
  });

  it('refuses a budget outside (0, 1)', () => {
    expect(() => alphaSpentBy(0, 0.5)).toThrow(RangeError);
    expect(() => alphaSpentBy(1, 0.5)).toThrow(RangeError);
  });
});

describe('lookAlpha', () => {
  const budget = { alpha: 0.01, plannedExposureMs: 20 * 60_000 };

  it('releases what the function released since the looks before, never less than 0', () => {
    const first = lookAlpha(budget, 60_000, 0);
    expect(first).toBeCloseTo(0.004255837240514292, 15);
    expect(lookAlpha(budget, 5 * 60_000, first)).toBeCloseTo(0.002108123790164637, 14);
    expect(lookAlpha(budget, 60_000, 0.005)).toBe(0);
  });

  it('sums to at most the budget over any sequence of looks, however many', () => {
    // Looks every 15 s for an hour (three times the plan): the union bound's total.
    let spent = 0;
    for (let ms = 15_000; ms <= 60 * 60_000; ms += 15_000) spent += lookAlpha(budget, ms, spent);
    expect(spent).toBeLessThanOrEqual(0.01);
    expect(spent).toBeGreaterThan(0.0097);
  });

  it('treats a plan of no exposure as already complete', () => {
    expect(lookAlpha({ alpha: 0.01, plannedExposureMs: 0 }, 0, 0)).toBeCloseTo(0.009, 15);
  });
});
