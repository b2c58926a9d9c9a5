import type { PeriodSample, TargetGroupWindow } from './types.ts';

/** The part of a `GetMetricData` result this needs (`MetricDataResult` fits it). */
export interface CloudWatchSeries {
  readonly Timestamps?: readonly Date[] | undefined;
  readonly Values?: readonly number[] | undefined;
}

/** One target group's series, all fetched with the same period over the same window. */
export interface TargetGroupSeries {
  /** `RequestCount`, Sum. */
  readonly requests?: CloudWatchSeries | undefined;
  /** `HTTPCode_Target_5XX_Count`, Sum. */
  readonly target5xx?: CloudWatchSeries | undefined;
  /** `TargetConnectionErrorCount`, Sum. */
  readonly connectionErrors?: CloudWatchSeries | undefined;
  /** `TargetResponseTime`, p90, seconds. */
  readonly p90Seconds?: CloudWatchSeries | undefined;
  /** `TargetResponseTime`, p95, seconds. */
  readonly p95Seconds?: CloudWatchSeries | undefined;
  /** `TargetResponseTime`, p99, seconds. */
  readonly p99Seconds?: CloudWatchSeries | undefined;
  /** `UnHealthyHostCount`, Maximum. */
  readonly unhealthyHosts?: CloudWatchSeries | undefined;
  /** `HealthyHostCount`, Minimum. */
  readonly healthyHosts?: CloudWatchSeries | undefined;
  /** `TargetResponseTime`, SampleCount: the responses the percentile ranks are shares of. */
  readonly responses?: CloudWatchSeries | undefined;
  /** `TargetResponseTime`, `PR(:threshold)`: the percentage of responses at or below it. */
  readonly atOrBelow?: readonly PercentileRankSeries[] | undefined;
}

export interface PercentileRankSeries {
  readonly thresholdSeconds: number;
  readonly series: CloudWatchSeries | undefined;
}

export interface AlignmentGrid {
  readonly start: Date;
  readonly end: Date;
  readonly periodSeconds: number;
}

type Slot = { -readonly [K in keyof PeriodSample]: PeriodSample[K] };

const COUNTS = ['requests', 'target5xx', 'connectionErrors'] as const;
const HOSTS = ['unhealthyHosts', 'healthyHosts'] as const;
const LATENCIES = ['p90Seconds', 'p95Seconds', 'p99Seconds'] as const;

/**
 * Lays the series on one grid of periods: [start, end) cut into `periodSeconds`, the first
 * period starting at `start` rounded down to a whole period since the epoch, as CloudWatch does.
 * ALB publishes a count only when it is non-zero, so a missing count is 0; a missing latency
 * stays absent (no requests, nothing to measure). Points are snapped down to their period and
 * points outside the window are dropped. Should two points land in one period (a finer series
 * than the grid), counts add up and latencies and host counts keep the largest. Values that
 * are not finite and non-negative are not data and are dropped. A percentile rank (a percentage
 * of the period's responses at or below a threshold) becomes a count of slower responses with
 * the period's `responses`; without that count, or above 100 %, it is dropped.
 */
export function alignSeries(series: TargetGroupSeries, grid: AlignmentGrid): TargetGroupWindow {
  const periodMs = grid.periodSeconds * 1000;
  if (!Number.isInteger(grid.periodSeconds) || grid.periodSeconds < 1) {
    throw new RangeError(`periodSeconds must be a whole number ≥ 1, got ${grid.periodSeconds}`);
  }
  const first = Math.floor(grid.start.getTime() / periodMs) * periodMs;
  const count = Math.max(0, Math.ceil((grid.end.getTime() - first) / periodMs));
  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    timestamp: new Date(first + index * periodMs),
    requests: 0,
    target5xx: 0,
    connectionErrors: 0,
    unhealthyHosts: 0,
    healthyHosts: 0,
  }));

  const each = (
    data: CloudWatchSeries | undefined,
    name: string,
    apply: (slot: Slot, value: number) => void,
  ): void => {
    const timestamps = data?.Timestamps ?? [];
    const values = data?.Values ?? [];
    if (timestamps.length !== values.length) {
      throw new RangeError(
        `${name}: ${timestamps.length} timestamps but ${values.length} values in the series`,
      );
    }
    timestamps.forEach((timestamp, i) => {
      const value = values[i] as number;
      const time = timestamp.getTime();
      if (!Number.isFinite(value) || value < 0 || time < first || time >= grid.end.getTime())
        return;
      const slot = slots[Math.floor((time - first) / periodMs)];
      if (slot !== undefined) apply(slot, value);
    });
  };

  for (const key of COUNTS) {
    each(series[key], key, (slot, value) => {
      slot[key] += Math.round(value);
    });
  }
  for (const key of HOSTS) {
    each(series[key], key, (slot, value) => {
      slot[key] = Math.max(slot[key], Math.round(value));
    });
  }
  for (const key of LATENCIES) {
    each(series[key], key, (slot, value) => {
      slot[key] = Math.max(slot[key] ?? 0, value);
    });
  }
  const responses = new Map<Slot, number>();
  each(series.responses, 'responses', (slot, value) => {
    responses.set(slot, (responses.get(slot) ?? 0) + Math.round(value));
  });
  for (const { thresholdSeconds, series: ranks } of series.atOrBelow ?? []) {
    each(ranks, `PR(:${thresholdSeconds})`, (slot, value) => {
      const requests = responses.get(slot);
      if (requests === undefined || requests === 0 || value > 100) return;
      const slower = Math.round((requests * (100 - value)) / 100);
      slot.slower = [...(slot.slower ?? []), { thresholdSeconds, slower, requests }];
    });
  }
  return { periodSeconds: grid.periodSeconds, samples: slots };
}
