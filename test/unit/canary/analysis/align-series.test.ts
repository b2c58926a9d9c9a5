import { describe, expect, it } from '@jest/globals';
import { alignSeries } from '../../../../src/canary/analysis/align-series.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const grid = { start: at(0), end: at(300), periodSeconds: 60 };

describe('alignSeries', () => {
  it('lays every series on one grid of periods, in time order', () => {
    const window = alignSeries(
      {
        // GetMetricData returns newest first by default.
        requests: { Timestamps: [at(240), at(120), at(0)], Values: [30, 20, 10] },
        target5xx: { Timestamps: [at(120)], Values: [2] },
        p95Seconds: { Timestamps: [at(240), at(120), at(0)], Values: [0.3, 0.2, 0.1] },
        healthyHosts: {
          Timestamps: [at(0), at(60), at(120), at(180), at(240)],
          Values: [3, 3, 3, 3, 3],
        },
      },
      grid,
    );
    expect(window.periodSeconds).toBe(60);
    expect(window.samples.map((s) => s.timestamp.toISOString())).toEqual([
      '2026-03-01T12:00:00.000Z',
      '2026-03-01T12:01:00.000Z',
      '2026-03-01T12:02:00.000Z',
      '2026-03-01T12:03:00.000Z',
      '2026-03-01T12:04:00.000Z',
    ]);
    expect(window.samples.map((s) => s.requests)).toEqual([10, 0, 20, 0, 30]);
    expect(window.samples.map((s) => s.target5xx)).toEqual([0, 0, 2, 0, 0]);
    expect(window.samples.map((s) => s.connectionErrors)).toEqual([0, 0, 0, 0, 0]);
    expect(window.samples.map((s) => s.healthyHosts)).toEqual([3, 3, 3, 3, 3]);
  });

  it('leaves missing latencies absent rather than zero', () => {
    const window = alignSeries(
      {
        requests: { Timestamps: [at(0), at(120)], Values: [10, 20] },
        p90Seconds: { Timestamps: [at(0)], Values: [0.08] },
        p95Seconds: { Timestamps: [at(0), at(120)], Values: [0.1, 0.2] },
      },
      grid,
    );
    expect(window.samples[0]).toHaveProperty('p90Seconds', 0.08);
    expect(window.samples[2]).not.toHaveProperty('p90Seconds');
    expect(window.samples[0]).toHaveProperty('p95Seconds', 0.1);
    expect(window.samples[1]).not.toHaveProperty('p95Seconds');
    expect(window.samples[1]).not.toHaveProperty('p99Seconds');
  });

  it('starts the grid on a whole period, as CloudWatch rounds the start time', () => {
    const window = alignSeries(
      { requests: { Timestamps: [at(0), at(60)], Values: [5, 6] } },
      { start: at(25), end: at(120), periodSeconds: 60 },
    );
    expect(window.samples.map((s) => [s.timestamp.getTime() - T0, s.requests])).toEqual([
      [0, 5],
      [60_000, 6],
    ]);
  });

  it('snaps points down to their period and drops points outside the window', () => {
    const window = alignSeries(
      {
        requests: {
          Timestamps: [at(-60), at(30), at(45), at(300), at(600)],
          Values: [99, 4, 6, 99, 99],
        },
        p95Seconds: { Timestamps: [at(0), at(30)], Values: [0.2, 0.5] },
        unhealthyHosts: { Timestamps: [at(0), at(30)], Values: [1, 2] },
      },
      grid,
    );
    // A finer series than the grid: counts add up, latencies and host counts keep the largest.
    expect(window.samples[0]).toMatchObject({ requests: 10, p95Seconds: 0.5, unhealthyHosts: 2 });
    expect(window.samples.reduce((sum, s) => sum + s.requests, 0)).toBe(10);
  });

  it('ignores values that are not data', () => {
    const window = alignSeries(
      { requests: { Timestamps: [at(0), at(60)], Values: [Number.NaN, -1] } },
      grid,
    );
    expect(window.samples.map((s) => s.requests)).toEqual([0, 0, 0, 0, 0]);
  });

  it('gives an all-zero window when nothing was reported', () => {
    const window = alignSeries({}, grid);
    expect(window.samples).toHaveLength(5);
    expect(window.samples.every((s) => s.requests === 0 && s.unhealthyHosts === 0)).toBe(true);
  });

  it('refuses a malformed series and a bad period', () => {
    expect(() => alignSeries({ requests: { Timestamps: [at(0)], Values: [1, 2] } }, grid)).toThrow(
      'requests: 1 timestamps but 2 values in the series',
    );
    expect(() => alignSeries({}, { ...grid, periodSeconds: 0 })).toThrow(RangeError);
  });
});
