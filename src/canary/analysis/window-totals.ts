import type { PeriodSample, TargetGroupWindow } from './types.ts';

export interface WindowTotals {
  readonly requests: number;
  readonly target5xx: number;
  readonly connectionErrors: number;
  /** Periods in which the group served at least one request. */
  readonly periodsWithRequests: number;
  /** Per-period latencies, in the window's order, from the periods that have one. */
  readonly p95Seconds: readonly number[];
  readonly p99Seconds: readonly number[];
  /** The requests of the periods behind each value of p95Seconds and p99Seconds. */
  readonly p95Requests: readonly number[];
  readonly p99Requests: readonly number[];
  /** The counts of each period that served requests, in the window's order. */
  readonly periods: readonly PeriodCounts[];
}

export interface PeriodCounts {
  readonly requests: number;
  readonly target5xx: number;
  readonly connectionErrors: number;
}

const COUNTS = [
  'requests',
  'target5xx',
  'connectionErrors',
  'unhealthyHosts',
  'healthyHosts',
] as const;

function checkSample(sample: PeriodSample): void {
  for (const key of COUNTS) {
    const value = sample[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `${key} at ${sample.timestamp.toISOString()} is ${value}: counts must be whole numbers ≥ 0`,
      );
    }
  }
  for (const key of ['p95Seconds', 'p99Seconds'] as const) {
    const value = sample[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${key} at ${sample.timestamp.toISOString()} is ${value}`);
    }
  }
}

export function windowTotals(window: TargetGroupWindow): WindowTotals {
  let requests = 0;
  let target5xx = 0;
  let connectionErrors = 0;
  let periodsWithRequests = 0;
  const p95Seconds: number[] = [];
  const p99Seconds: number[] = [];
  const p95Requests: number[] = [];
  const p99Requests: number[] = [];
  const periods: PeriodCounts[] = [];
  for (const sample of window.samples) {
    checkSample(sample);
    requests += sample.requests;
    target5xx += sample.target5xx;
    connectionErrors += sample.connectionErrors;
    if (sample.requests > 0) {
      periodsWithRequests++;
      periods.push({
        requests: sample.requests,
        target5xx: sample.target5xx,
        connectionErrors: sample.connectionErrors,
      });
    }
    if (sample.p95Seconds !== undefined) {
      p95Seconds.push(sample.p95Seconds);
      p95Requests.push(sample.requests);
    }
    if (sample.p99Seconds !== undefined) {
      p99Seconds.push(sample.p99Seconds);
      p99Requests.push(sample.requests);
    }
  }
  return {
    requests,
    target5xx,
    connectionErrors,
    periodsWithRequests,
    p95Seconds,
    p99Seconds,
    p95Requests,
    p99Requests,
    periods,
  };
}
