import { describe, expect, it } from '@jest/globals';
import {
  PLANNED_SHARE,
  SPENDING_POWER,
  alphaSpentBy,
  lookAlpha,
  spendingPower,
} from '../../../../src/canary/analysis/sequential.ts';

const HALF = SPENDING_POWER.comparisonsOnly;
const QUARTER = SPENDING_POWER.withLimits;

describe('alphaSpentBy: power spending with a reserve past the plan', () => {
  // Reference values computed independently (Python: 0.9·a·t**rho, and past t = 1
  // 0.9·a + 0.1·a·(1 − 2^−(t − 1)), with a = 0.01).
  it.each([
    [0, 0, 0],
    [0.05, 0.002012461179749811, 0.004255837240514292],
    [0.25, 0.0045000000000000005, 0.006363961030678929],
    [0.5, 0.006363961030678929, 0.007568067737283432],
    [1, 0.009000000000000001, 0.009000000000000001],
    [2, 0.009500000000000001, 0.009500000000000001],
    [3, 0.009750000000000002, 0.009750000000000002],
  ])('at t = %p spends %p of 0.01 at ρ = ½, %p at ρ = ¼', (t, half, quarter) => {
    expect(alphaSpentBy(0.01, t, HALF)).toBeCloseTo(half, 15);
    expect(alphaSpentBy(0.01, t, QUARTER)).toBeCloseTo(quarter, 15);
  });

  it('grows with t and never exceeds the budget, at either power', () => {
    for (const power of [HALF, QUARTER]) {
      let last = 0;
      for (let t = 0; t <= 40; t += 0.01) {
        const spent = alphaSpentBy(0.02, t, power);
        expect(spent).toBeGreaterThanOrEqual(last);
        expect(spent).toBeLessThanOrEqual(0.02);
        last = spent;
      }
      expect(alphaSpentBy(0.02, 1, power)).toBeCloseTo(PLANNED_SHARE * 0.02, 15);
      expect(alphaSpentBy(0.02, 1e6, power)).toBeCloseTo(0.02, 15);
    }
  });

  it('refuses a budget outside (0, 1) and a power outside (0, 1]', () => {
    expect(() => alphaSpentBy(0, 0.5, HALF)).toThrow(RangeError);
    expect(() => alphaSpentBy(1, 0.5, HALF)).toThrow(RangeError);
    expect(() => alphaSpentBy(0.01, 0.5, 0)).toThrow(RangeError);
    expect(() => alphaSpentBy(0.01, 0.5, 2)).toThrow(RangeError);
  });
});

describe('spendingPower: chosen by the inputs, before any data', () => {
  it('front-loads more when the user set an absolute limit', () => {
    expect(spendingPower({})).toBe(0.5);
    expect(spendingPower({ maxErrorRate: 0.01 })).toBe(0.25);
    expect(spendingPower({ maxP95LatencySeconds: 2 })).toBe(0.25);
    expect(spendingPower({ maxP99LatencySeconds: 3 })).toBe(0.25);
  });
});

describe('lookAlpha', () => {
  const budget = { alpha: 0.01, plannedExposureMs: 20 * 60_000, power: HALF };

  it('releases what the function released since the looks before, never less than 0', () => {
    const first = lookAlpha(budget, 60_000, 0);
    expect(first).toBeCloseTo(0.002012461179749811, 15);
    expect(lookAlpha(budget, 5 * 60_000, first)).toBeCloseTo(0.0024875388202501895, 15);
    expect(lookAlpha(budget, 60_000, 0.005)).toBe(0);
    // With a limit set: 0.9 · 0.01 · 0.05^¼ at the first minute.
    expect(lookAlpha({ ...budget, power: QUARTER }, 60_000, 0)).toBeCloseTo(
      0.004255837240514292,
      15,
    );
  });

  it('sums to at most the budget over any sequence of looks, however many', () => {
    // Looks every 15 s for an hour (three times the plan): the union bound's total.
    for (const power of [HALF, QUARTER]) {
      let spent = 0;
      for (let ms = 15_000; ms <= 60 * 60_000; ms += 15_000) {
        spent += lookAlpha({ ...budget, power }, ms, spent);
      }
      expect(spent).toBeLessThanOrEqual(0.01);
      expect(spent).toBeGreaterThan(0.0097);
    }
  });

  it('treats a plan of no exposure as already complete', () => {
    expect(lookAlpha({ ...budget, plannedExposureMs: 0 }, 0, 0)).toBeCloseTo(0.009, 15);
  });
});
