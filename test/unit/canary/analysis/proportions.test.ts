import { describe, expect, it } from '@jest/globals';
import {
  binomialTestGreater,
  clopperPearsonLower,
  clopperPearsonUpper,
  fisherExactGreater,
  requestsNeededWithoutErrors,
} from '../../../../src/canary/analysis/proportions.ts';

const of = (events: number, trials: number) => ({ events, trials });

describe('fisherExactGreater', () => {
  // scipy.stats.fisher_exact([[a, n1 − a], [b, n2 − b]], alternative='greater')
  it.each([
    [of(82, 2000), of(30, 10_000), 3.294026424899566e-40],
    [of(3, 500), of(30, 10_000), 0.20631059326100623],
    [of(10, 2000), of(0, 50_000), 6.931947112833963e-15],
    [of(12, 50_000), of(100, 1_000_000), 0.007228024212561624],
  ])('%p vs %p: p = %p', (canary, baseline, expected) => {
    expect(fisherExactGreater(canary, baseline) / expected).toBeCloseTo(1, 8);
  });

  it('is 1 when neither group has an event', () => {
    expect(fisherExactGreater(of(0, 100), of(0, 1000))).toBe(1);
  });

  it('is large when the canary does better', () => {
    expect(fisherExactGreater(of(0, 2000), of(30, 10_000))).toBeGreaterThan(0.9);
  });

  it('refuses more events than trials', () => {
    expect(() => fisherExactGreater(of(5, 4), of(0, 10))).toThrow(RangeError);
  });
});

describe('Clopper–Pearson one-sided bounds', () => {
  // scipy.stats.beta.ppf(c, k + 1, n − k) and beta.ppf(1 − c, k, n − k + 1)
  it.each([
    [0, 50, 0.98, 0, 0.07525796376381391],
    [3, 3000, 0.98, 0.00018911504170442806, 0.0030249693632279375],
    [82, 2000, 0.98, 0.03238068713141789, 0.05111390443165532],
    [5, 100, 0.975, 0.016431879182052158, 0.11283491110546275],
    [1000, 1_000_000, 0.98, 0.0009361617545470269, 0.0010670094597779465],
    [2000, 2000, 0.98, 0.9980459002411178, 1],
  ])('%i/%i at %p: [%p, %p]', (k, n, confidence, lower, upper) => {
    expect(clopperPearsonLower(of(k, n), confidence)).toBeCloseTo(lower, 12);
    expect(clopperPearsonUpper(of(k, n), confidence) / upper).toBeCloseTo(1, 9);
  });

  it('gives the rule of three with no errors at 95 %', () => {
    expect(clopperPearsonUpper(of(0, 300), 0.95)).toBeCloseTo(0.00994, 5);
    expect(clopperPearsonUpper(of(0, 300), 0.95) * 300).toBeCloseTo(3, 1);
  });
});

describe('requestsNeededWithoutErrors', () => {
  it('is about 3/x at 95 % and 3.9/x at 98 %', () => {
    expect(requestsNeededWithoutErrors(0.01, 0.95)).toBe(299);
    expect(requestsNeededWithoutErrors(0.01, 0.98)).toBe(390);
  });

  it('is exactly where the upper bound reaches the rate', () => {
    expect(clopperPearsonUpper(of(0, 390), 0.98)).toBeLessThanOrEqual(0.01);
    expect(clopperPearsonUpper(of(0, 389), 0.98)).toBeGreaterThan(0.01);
  });
});

describe('binomialTestGreater', () => {
  it('is the exact upper tail at the limit', () => {
    expect(binomialTestGreater(of(9, 10), 0.5)).toBeCloseTo(0.0107421875, 14);
    expect(binomialTestGreater(of(0, 10), 0.5)).toBe(1);
  });
});
