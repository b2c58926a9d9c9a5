import { describe, expect, it } from '@jest/globals';
import {
  NOISE_BAND_SDS,
  noiseBand,
  DISPERSION_LEVEL,
  betweenPeriodVariance,
  designEffect,
  dispersionTestP,
  effective,
  estimatedVariance,
} from '../../../../src/canary/analysis/dispersion.ts';
import { Random } from '../../../emulator/traffic.ts';

describe('the between-period variance of a rate', () => {
  it('is 0 when the periods vary no more than binomially', () => {
    const steady = Array.from({ length: 10 }, () => ({ events: 3, trials: 1000 }));
    expect(estimatedVariance(steady)).toBe(0);
  });

  it('is unknown from fewer than 2 periods or without errors, and unused below 3 periods', () => {
    expect(estimatedVariance([{ events: 3, trials: 1000 }])).toBeUndefined();
    expect(
      estimatedVariance([
        { events: 0, trials: 1000 },
        { events: 0, trials: 900 },
      ]),
    ).toBeUndefined();
    const two = [
      { events: 1, trials: 1000 },
      { events: 30, trials: 1000 },
    ];
    expect(estimatedVariance(two)).toBeGreaterThan(0);
    expect(betweenPeriodVariance(two)).toBe(0);
  });

  it('recovers a known variance: the rate × e^N(0, 0.8) per period, V = e^0.64 − 1 ≈ 0.9 about its mean', () => {
    const random = new Random(7);
    const estimates: number[] = [];
    for (let run = 0; run < 200; run++) {
      const periods = Array.from({ length: 30 }, () => {
        const trials = 3000;
        const rate = 0.002 * Math.exp(0.8 * random.normal());
        return { events: random.binomial(trials, rate), trials };
      });
      estimates.push(betweenPeriodVariance(periods));
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    expect(mean).toBeGreaterThan(0.6);
    expect(mean).toBeLessThan(1.2);
  });

  it('is not fooled by unequal period sizes: binomial periods of 100 and 10,000 requests give about 0', () => {
    const random = new Random(11);
    const estimates: number[] = [];
    for (let run = 0; run < 200; run++) {
      const periods = Array.from({ length: 20 }, (_, i) => {
        const trials = i % 2 === 0 ? 100 : 10_000;
        return { events: random.binomial(trials, 0.01), trials };
      });
      estimates.push(estimatedVariance(periods) ?? 0);
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    expect(mean).toBeLessThan(0.01);
  });
});

describe("Pearson's dispersion test", () => {
  // Three periods of 3000 with 3, 10 and 5 errors: p̂ = 18/9000 = 0.002, 6 expected in each,
  // X² = (9 + 16 + 1) / (6 · 0.998) = 4.342 on 2 degrees of freedom, whose tail is e^(−X²/2):
  // p = 0.114.
  const binomialLike = [
    { events: 3, trials: 3000 },
    { events: 10, trials: 3000 },
    { events: 5, trials: 3000 },
  ];
  // 1, 15 and 2 errors: X² = (25 + 81 + 16) / 5.988 = 20.37: p = e^(−10.19) ≈ 3.8·10⁻⁵.
  const overdispersed = [
    { events: 1, trials: 3000 },
    { events: 15, trials: 3000 },
    { events: 2, trials: 3000 },
  ];

  it('is χ² on the periods less one about each group’s own rate', () => {
    expect(dispersionTestP(binomialLike)).toBeCloseTo(Math.exp(-26 / (6 * 0.998) / 2), 12);
    expect(dispersionTestP(binomialLike)).toBeCloseTo(0.114, 3);
    expect(dispersionTestP(overdispersed)).toBeCloseTo(Math.exp(-122 / (6 * 0.998) / 2), 15);
    // Two groups: the statistics and the degrees of freedom add up (χ² on 4: e^(−x/2)(1 + x/2)).
    const x = 26 / (6 * 0.998) + 122 / (6 * 0.998);
    expect(dispersionTestP(binomialLike, overdispersed)).toBeCloseTo(
      Math.exp(-x / 2) * (1 + x / 2),
      15,
    );
  });

  it('has nothing to test without two periods with errors', () => {
    expect(dispersionTestP([{ events: 3, trials: 1000 }])).toBe(1);
    expect(
      dispersionTestP([
        { events: 0, trials: 1000 },
        { events: 0, trials: 900 },
      ]),
    ).toBe(1);
  });

  it('lets the variance count only when the periods vary more than binomially at 5 %', () => {
    expect(DISPERSION_LEVEL).toBe(0.05);
    // The estimate of three binomial-like periods is positive by chance, and not used.
    expect(estimatedVariance(binomialLike)).toBeGreaterThan(0);
    expect(betweenPeriodVariance(binomialLike)).toBe(0);
    // Equal periods: (Σ squares − 2n·p(1 − p)) / (2n²·p²) = (122 − 11.976) / 72 = 1.528.
    expect(betweenPeriodVariance(overdispersed)).toBeCloseTo(
      (122 - 6000 * 0.002 * 0.998) / (1.8e7 * 0.002 ** 2),
      12,
    );
  });
});

describe('the design effect and the effective counts', () => {
  it('is 1 + p·V·Σn²/(N·(1 − p)): larger periods carry more of the overdispersion', () => {
    expect(designEffect([2700, 2700], 0.002, 0.9)).toBeCloseTo(
      1 + (0.002 * 0.9 * 2700) / 0.998,
      10,
    );
    expect(designEffect([300, 300], 0.002, 0.9)).toBeCloseTo(1 + (0.002 * 0.9 * 300) / 0.998, 10);
    expect(designEffect([2700], 0.002, 0)).toBe(1);
    expect(designEffect([], 0.002, 0.9)).toBe(1);
  });

  it('divides the counts, rounding the suspect group’s events down', () => {
    expect(effective({ events: 10, trials: 1000 }, 1, true)).toEqual({ events: 10, trials: 1000 });
    expect(effective({ events: 10, trials: 1000 }, 4, true)).toEqual({ events: 2, trials: 250 });
    expect(effective({ events: 10, trials: 1000 }, 4, false)).toEqual({ events: 3, trials: 250 });
    expect(effective({ events: 1, trials: 1 }, 4, false)).toEqual({ events: 0, trials: 1 });
  });
});

describe('the noise band beside absolute-tolerance', () => {
  it('is two standard deviations of the difference the between-period variance alone makes', () => {
    expect(NOISE_BAND_SDS).toBe(2);
    // Four equal periods a side: each rate moves by 0.4 % · √(0.5/4); the difference by √2 that.
    expect(noiseBand([300, 300, 300, 300], [2700, 2700, 2700, 2700], 0.004, 0.5)).toBeCloseTo(
      0.004,
      15,
    );
    // Unequal periods: Σn²/N² = 0.625 on each side, 2 · 1 % · √(1 · 1.25).
    expect(noiseBand([100, 300], [900, 2700], 0.01, 1)).toBeCloseTo(0.02236067977, 10);
  });

  it('is 0 without overdispersion, at a zero rate or without requests', () => {
    expect(noiseBand([300], [2700], 0.004, 0)).toBe(0);
    expect(noiseBand([300], [2700], 0, 1)).toBe(0);
    expect(noiseBand([], [], 0.004, 1)).toBe(0);
  });
});
