import { describe, expect, it } from '@jest/globals';
import {
  betweenPeriodVariance,
  designEffect,
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
