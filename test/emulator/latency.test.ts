import { describe, expect, it } from '@jest/globals';
import { type Latency, draw, latencyProblem, lognormal } from './latency.ts';
import { Random } from './traffic.ts';

const quantile = (latency: Latency, q: number, n = 20_000) => {
  const random = new Random(9);
  const values = Array.from({ length: n }, () => draw(latency, random)).sort((a, b) => a - b);
  return values[Math.ceil(q * n) - 1]!;
};

describe('latency distributions', () => {
  it('a log-normal given by median and p99 has that median and p99', () => {
    const latency = lognormal(0.1, 0.8);
    expect(quantile(latency, 0.5)).toBeCloseTo(0.1, 2);
    expect(quantile(latency, 0.99) / 0.8).toBeGreaterThan(0.93);
    expect(quantile(latency, 0.99) / 0.8).toBeLessThan(1.07);
  });

  it('a Pareto has quantiles min / (1 − q)^(1/alpha), and a mixture its parts in proportion', () => {
    const pareto: Latency = { kind: 'pareto', min: 0.2, alpha: 1.2 };
    for (const q of [0.5, 0.9, 0.99]) {
      const expected = 0.2 / Math.pow(1 - q, 1 / 1.2);
      expect(quantile(pareto, q) / expected).toBeGreaterThan(0.9);
      expect(quantile(pareto, q) / expected).toBeLessThan(1.1);
    }
    const mixture: Latency = {
      kind: 'mixture',
      parts: [
        { weight: 0.25, latency: { kind: 'lognormal', median: 1, sigma: 0 } },
        { weight: 0.75, latency: { kind: 'lognormal', median: 2, sigma: 0 } },
      ],
    };
    expect(quantile(mixture, 0.24)).toBe(1);
    expect(quantile(mixture, 0.26)).toBe(2);
  });

  it('says what is wrong with a distribution that cannot be drawn from', () => {
    expect(latencyProblem({ kind: 'lognormal', median: 0.1, sigma: 0.5 })).toBeUndefined();
    expect(latencyProblem({ kind: 'lognormal', median: -1, sigma: 0.5 })).toBe(
      'log-normal median must be > 0 s, got -1',
    );
    expect(latencyProblem({ kind: 'lognormal', median: 1, sigma: Number.NaN })).toBe(
      'log-normal sigma must be >= 0, got NaN',
    );
    expect(latencyProblem({ kind: 'pareto', min: 0, alpha: 2 })).toBe(
      'Pareto min must be > 0 s, got 0',
    );
    expect(latencyProblem({ kind: 'mixture', parts: [] })).toBe(
      'a mixture needs at least one part',
    );
    expect(
      latencyProblem({
        kind: 'mixture',
        parts: [{ weight: 1, latency: { kind: 'pareto', min: 1, alpha: -1 } }],
      }),
    ).toBe('Pareto alpha must be > 0, got -1');
    expect(latencyProblem({ kind: 'gamma' } as unknown as Latency)).toBe(
      'unknown latency kind gamma',
    );
  });
});
