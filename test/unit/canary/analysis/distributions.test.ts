import { describe, expect, it } from '@jest/globals';
import {
  binomialLowerTail,
  binomialUpperTail,
  chiSquareUpperTail,
  hypergeometricUpperTail,
  logChoose,
  logGamma,
  normalUpperTail,
} from '../../../../src/canary/analysis/distributions.ts';

// Reference values from Python 3 (math.lgamma) and SciPy 1.17 (stats.norm, stats.binom,
// stats.hypergeom).

describe('logGamma', () => {
  it.each([
    [0.5, 0.5723649429247004],
    [1, 0],
    [2, 0],
    [10, 12.801827480081467],
    [123.456, 469.60554712992956],
    [1e6, 12815504.569147611],
  ])('ln Γ(%p) = %p', (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 9);
  });

  it('agrees with exact factorials', () => {
    let factorial = 1;
    for (let n = 1; n <= 20; n++) {
      factorial *= n;
      expect(logGamma(n + 1)).toBeCloseTo(Math.log(factorial), 12);
    }
    expect(Math.exp(logChoose(10, 3))).toBeCloseTo(120, 9);
  });

  it('refuses x ≤ 0', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
  });
});

describe('normalUpperTail', () => {
  it.each([
    [0, 0.5],
    [0.5, 0.3085375387259869],
    [1, 0.15865525393145707],
    [-2, 0.9772498680518208],
    [5, 2.866515718791933e-7],
    [10, 7.61985302416047e-24],
  ])('P(Z ≥ %p) = %p', (z, expected) => {
    expect(normalUpperTail(z) / expected).toBeCloseTo(1, 12);
  });
});

describe('chiSquareUpperTail', () => {
  // The tables' critical values (SciPy stats.chi2.isf) and the closed forms for 2 and 4 degrees.
  it.each([
    [3.841458820694124, 1, 0.05],
    [6.6348966010212145, 1, 0.01],
    [9.487729036781154, 4, 0.05],
    [23.209251158954356, 10, 0.01],
  ])('P(χ² ≥ %d | %d degrees) = %d', (x, degrees, p) => {
    expect(chiSquareUpperTail(x, degrees)).toBeCloseTo(p, 12);
  });

  it('is e^(−x/2) on 2 degrees and e^(−x/2)(1 + x/2) on 4, far into the tail', () => {
    for (const x of [0.5, 3, 20, 80]) {
      expect(chiSquareUpperTail(x, 2) / Math.exp(-x / 2)).toBeCloseTo(1, 12);
      expect(chiSquareUpperTail(x, 4) / (Math.exp(-x / 2) * (1 + x / 2))).toBeCloseTo(1, 12);
    }
    expect(chiSquareUpperTail(0, 3)).toBe(1);
  });

  it('needs degrees of freedom', () => {
    expect(() => chiSquareUpperTail(1, 0)).toThrow(RangeError);
    expect(() => chiSquareUpperTail(Number.NaN, 2)).toThrow(RangeError);
  });
});

describe('binomial tails', () => {
  it('match SciPy far into the tail', () => {
    expect(binomialUpperTail(9, 10, 0.5)).toBeCloseTo(0.0107421875, 14);
    expect(binomialUpperTail(30, 1000, 0.01) / 2.059988850971949e-7).toBeCloseTo(1, 10);
    expect(binomialLowerTail(5, 1000, 0.01) / 0.0661395116072514).toBeCloseTo(1, 10);
  });

  it('add up to one around any cut', () => {
    for (const k of [0, 1, 5, 10, 11, 40]) {
      expect(binomialLowerTail(k - 1, 40, 0.27) + binomialUpperTail(k, 40, 0.27)).toBeCloseTo(
        1,
        12,
      );
    }
  });

  it('handle the edges of the support and of p', () => {
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
    expect(binomialUpperTail(1, 10, 0)).toBe(0);
    expect(binomialLowerTail(9, 10, 1)).toBe(0);
    expect(binomialLowerTail(10, 10, 0.3)).toBe(1);
  });

  it('refuses counts that are not whole numbers', () => {
    expect(() => binomialUpperTail(1.5, 10, 0.5)).toThrow(RangeError);
  });
});

describe('hypergeometricUpperTail', () => {
  it('matches SciPy on a million-request population', () => {
    expect(hypergeometricUpperTail(12, 1_050_000, 112, 50_000) / 0.007228024212561624).toBeCloseTo(
      1,
      8,
    );
  });

  it('matches a hand count: 2 of 2 marked in 2 draws from 4', () => {
    // C(2,2)·C(2,0) / C(4,2) = 1/6
    expect(hypergeometricUpperTail(2, 4, 2, 2)).toBeCloseTo(1 / 6, 14);
    expect(hypergeometricUpperTail(1, 4, 2, 2)).toBeCloseTo(5 / 6, 14);
    expect(hypergeometricUpperTail(0, 4, 2, 2)).toBe(1);
    expect(hypergeometricUpperTail(3, 4, 2, 2)).toBe(0);
  });
});
