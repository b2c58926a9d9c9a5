import { describe, expect, it } from '@jest/globals';
import { alignSeries } from '../../../../src/canary/analysis/align-series.ts';
import { validateAnalysisConfig } from '../../../../src/canary/analysis/config.ts';
import type { TargetGroupWindow } from '../../../../src/canary/analysis/types.ts';
import {
  MIN_P99_REFERENCE_REQUESTS,
  latestReference,
  withLatencyThresholds,
} from '../../../../src/ecs/deploy/latency-thresholds.ts';
import type { MetricsPort } from '../../../../src/ecs/deploy/ports.ts';

const START = Date.parse('2026-03-01T12:00:00Z');
const MINUTE = 60_000;
type Request = Parameters<MetricsPort['windows']>[0];

function baselineWindow(from: number, p95s: readonly (number | undefined)[]): TargetGroupWindow {
  return {
    periodSeconds: 60,
    samples: p95s.map((p95, i) => ({
      timestamp: new Date(from + i * MINUTE),
      requests: p95 === undefined ? 0 : 2000,
      target5xx: 0,
      connectionErrors: 0,
      unhealthyHosts: 0,
      healthyHosts: 2,
      ...(p95 === undefined ? {} : { p95Seconds: p95 }),
    })),
  };
}

type Sample = TargetGroupWindow['samples'][number];

function withFields(window: TargetGroupWindow, fields?: Partial<Sample>): TargetGroupWindow {
  return { ...window, samples: window.samples.map((s) => ({ ...s, ...fields })) };
}

/** One period at START: a baseline p95 of 210 ms, with `fields` over it. */
const onePeriod = (fields: Partial<Sample>): TargetGroupWindow =>
  withFields(baselineWindow(START, [0.21]), fields);

/**
 * Records the requests. The baseline's p95 in each period is 200 ms + 1 ms per minute, or 200 ms
 * flat with `extra` percentiles on every period.
 */
function recording(extra?: Partial<Sample>): {
  port: MetricsPort;
  requests: Request[];
} {
  const requests: Request[] = [];
  const port: MetricsPort = {
    async windows(request) {
      requests.push(request);
      const from = request.start.getTime();
      const count = Math.max(0, (request.end.getTime() - from) / MINUTE);
      const p95s = Array.from({ length: count }, (_, i) =>
        extra === undefined ? 0.2 + (from - START) / MINUTE / 1000 + i / 1000 : 0.2,
      );
      return {
        canary: baselineWindow(from, []),
        baseline: withFields(baselineWindow(from, p95s), extra),
      };
    },
    targetHealth: async () => ({ healthy: 1, unhealthy: 0 }),
  };
  return { port, requests };
}

const request = (end: number): Request => ({
  canaryTargetGroup: 'green',
  baselineTargetGroup: 'blue',
  start: new Date(START),
  end: new Date(end),
  periodSeconds: 60,
});

describe('the latency thresholds a read asks for', () => {
  it('reads the baseline before the window once, then asks every read for its slower counts', async () => {
    const { port, requests } = recording();
    const config = validateAnalysisConfig({ minRequests: 300, maxP95LatencySeconds: 2 });
    const metrics = withLatencyThresholds(port, config);
    const first = await metrics.windows(request(START + 2 * MINUTE));
    const second = await metrics.windows(request(START + 3 * MINUTE));
    expect(requests.map((r) => [r.start.getTime() - START, r.end.getTime() - START])).toEqual([
      [-10 * MINUTE, 0],
      [-10 * MINUTE, 0],
      [0, 2 * MINUTE],
      [0, 3 * MINUTE],
    ]);
    // The last period before the window: 200 ms − 1 ms.
    const reference = {
      baselineSeconds: 0.199,
      canarySeconds: 0.2488,
      period: new Date(START - MINUTE),
    };
    // The minutes before, again, with the baseline's slower counts at the reference.
    expect(requests[0]!.slowerThan).toBeUndefined();
    expect(requests[1]!.slowerThan).toEqual({ canary: [], baseline: [0.199] });
    expect(requests[2]!.slowerThan).toEqual({ canary: [2, 0.2488], baseline: [0.199] });
    expect(requests[3]!.slowerThan).toEqual(requests[2]!.slowerThan);
    expect(first.canary.latencyReference).toEqual(reference);
    expect(second.canary.latencyReference).toEqual(reference);
    // Every read carries the baseline's ten minutes before the window.
    for (const read of [first, second]) {
      expect(read.baseline.history?.map((s) => s.timestamp.getTime() - START)).toEqual(
        Array.from({ length: 10 }, (_, i) => (i - 10) * MINUTE),
      );
      expect(read.baseline.history?.[9]!.p95Seconds).toBe(0.199);
      expect(read.canary.history).toBeUndefined();
    }
  });

  it('keeps the minutes before without counts when the second read fails, and reads them only once', async () => {
    const { port, requests } = recording();
    const flaky: MetricsPort = {
      ...port,
      windows: async (r) =>
        r.slowerThan?.canary.length === 0
          ? Promise.reject(new Error('throttled'))
          : port.windows(r),
    };
    const metrics = withLatencyThresholds(flaky, validateAnalysisConfig({ minRequests: 300 }));
    const first = await metrics.windows(request(START + 2 * MINUTE));
    await metrics.windows(request(START + 3 * MINUTE));
    expect(requests).toHaveLength(3);
    expect(first.baseline.history).toHaveLength(10);
    expect(first.canary.latencyReference?.baselineSeconds).toBe(0.199);
  });

  it('takes the reference from the window when nothing came before, and asks for no counts without limits', async () => {
    const { port, requests } = recording();
    const empty: MetricsPort = {
      ...port,
      windows: async (r) =>
        r.end.getTime() <= START ? Promise.reject(new Error('throttled')) : port.windows(r),
    };
    const metrics = withLatencyThresholds(empty, validateAnalysisConfig({ minRequests: 300 }));
    const first = await metrics.windows(request(START + 2 * MINUTE));
    expect(first.canary.latencyReference).toBeUndefined();
    expect(first.baseline.history).toBeUndefined();
    expect(requests[0]!.slowerThan).toBeUndefined();
    const second = await metrics.windows(request(START + 3 * MINUTE));
    expect(second.canary.latencyReference).toEqual({
      baselineSeconds: 0.201,
      canarySeconds: 0.2513,
      period: new Date(START + MINUTE),
    });
    expect(requests[1]!.slowerThan).toEqual({ canary: [0.2513], baseline: [0.201] });
  });

  /** The p95 reference one period of 0.21 s gives, the canary's threshold 1.25× it. */
  const P95_REFERENCE = { baselineSeconds: 0.21, canarySeconds: 0.2625, period: new Date(START) };

  it('takes the p99 of the same period as a second reference when it had 100 requests or more', () => {
    const withP99 = (requests: number) => onePeriod({ requests, p99Seconds: 0.87654 });
    expect(MIN_P99_REFERENCE_REQUESTS).toBe(100);
    expect(latestReference(withP99(100), 0.25)).toEqual({
      ...P95_REFERENCE,
      p99: { baselineSeconds: 0.8765, canarySeconds: 1.0956 },
    });
    expect(latestReference(withP99(99), 0.25)).toEqual(P95_REFERENCE);
  });

  it('asks for the canary’s and the baseline’s counts at the p99 reference too, each threshold once', async () => {
    const { port, requests } = recording({ p99Seconds: 0.8 });
    // max-p99-latency at 1 s is also 1.25× the baseline's p99: asked for once.
    const config = validateAnalysisConfig({ minRequests: 300, maxP99LatencySeconds: 1 });
    await withLatencyThresholds(port, config).windows(request(START + 2 * MINUTE));
    expect(requests.map((r) => r.slowerThan)).toEqual([
      undefined,
      { canary: [], baseline: [0.2, 0.8] },
      { canary: [1, 0.25], baseline: [0.2, 0.8] },
    ]);
  });

  it('takes the p90 of the same period as the p95 comparison’s second threshold, when below the p95', () => {
    const withP90 = (p90Seconds: number) => onePeriod({ requests: 20, p90Seconds });
    expect(latestReference(withP90(0.15432), 0.25)).toEqual({
      ...P95_REFERENCE,
      p90: { baselineSeconds: 0.1543, canarySeconds: 0.1929 },
    });
    // A p90 at the p95 (a few requests, or ties) adds nothing the p95 does not count.
    expect(latestReference(withP90(0.21), 0.25)).toEqual(P95_REFERENCE);
  });

  it('asks for both groups’ counts at the p90 reference in the same reads (no more calls)', async () => {
    const { port, requests } = recording({ p90Seconds: 0.16 });
    const config = validateAnalysisConfig({ minRequests: 300 });
    const read = withLatencyThresholds(port, config);
    await read.windows(request(START + 2 * MINUTE));
    const window = await read.windows(request(START + 3 * MINUTE));
    expect(requests.map((r) => r.slowerThan)).toEqual([
      undefined,
      { canary: [], baseline: [0.2, 0.16] },
      { canary: [0.25, 0.2], baseline: [0.2, 0.16] },
      { canary: [0.25, 0.2], baseline: [0.2, 0.16] },
    ]);
    expect(window.canary.latencyReference?.p90).toEqual({
      baselineSeconds: 0.16,
      canarySeconds: 0.2,
    });
  });

  it('skips baseline periods without a p95 or with too few requests', () => {
    expect(latestReference(baselineWindow(START, [0.3, undefined]), 0.25)?.period).toEqual(
      new Date(START),
    );
    expect(latestReference(baselineWindow(START, [undefined]), 0.25)).toBeUndefined();
  });
});

describe('slower counts from CloudWatch series', () => {
  it('turns a percentile rank and the sample count into requests slower than the threshold', () => {
    const at = (minute: number) => new Date(START + minute * MINUTE);
    const window = alignSeries(
      {
        requests: { Timestamps: [at(0), at(1)], Values: [300, 200] },
        responses: { Timestamps: [at(0), at(1)], Values: [300, 200] },
        atOrBelow: [
          {
            thresholdSeconds: 2,
            series: { Timestamps: [at(0), at(1), at(2)], Values: [86.667, 100, 50] },
          },
          { thresholdSeconds: 5, series: undefined },
        ],
      },
      { start: at(0), end: at(3), periodSeconds: 60 },
    );
    expect(window.samples.map((s) => s.slower)).toEqual([
      [{ thresholdSeconds: 2, slower: 40, requests: 300 }],
      [{ thresholdSeconds: 2, slower: 0, requests: 200 }],
      undefined,
    ]);
  });
});
