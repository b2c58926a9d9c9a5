import { describe, expect, it } from '@jest/globals';
import { type MetricSeriesPort, alignedMetrics } from '../../../../src/ecs/deploy/metrics.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('alignedMetrics', () => {
  it('lays the raw series of both groups on the request grid, and passes target health through', async () => {
    const asked: unknown[] = [];
    const port: MetricSeriesPort = {
      async series(request) {
        asked.push(request);
        return {
          // Newest first, as GetMetricData returns by default; the 5xx count only where non-zero.
          canary: {
            requests: { Timestamps: [at(60), at(0)], Values: [40, 20] },
            target5xx: { Timestamps: [at(60)], Values: [3] },
          },
          baseline: { requests: { Timestamps: [at(0)], Values: [200] } },
        };
      },
      targetHealth: async () => ({ healthy: 2, unhealthy: 1 }),
    };
    const metrics = alignedMetrics(port);
    const request = {
      canaryTargetGroup: 'green',
      baselineTargetGroup: 'blue',
      start: at(0),
      end: at(120),
      periodSeconds: 60,
    };
    const { canary, baseline } = await metrics.windows(request);
    expect(asked).toEqual([request]);
    expect(canary.samples.map((s) => [s.requests, s.target5xx])).toEqual([
      [20, 0],
      [40, 3],
    ]);
    expect(baseline.samples.map((s) => s.requests)).toEqual([200, 0]);
    expect(canary.samples.every((s) => s.p95Seconds === undefined)).toBe(true);
    expect(await metrics.targetHealth('green')).toEqual({ healthy: 2, unhealthy: 1 });
  });
});
