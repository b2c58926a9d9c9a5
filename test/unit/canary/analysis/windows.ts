import type {
  PeriodSample,
  TargetGroupWindow,
  TargetHealthSnapshot,
} from '../../../../src/canary/analysis/types.ts';

export const START = Date.parse('2026-03-01T12:00:00Z');

export interface PeriodSpec {
  requests: number;
  target5xx?: number;
  connectionErrors?: number;
  p95?: number;
  p99?: number;
  unhealthy?: number;
  healthy?: number;
}

/** A window of 60 s periods from START; latencies are absent where not given. */
export function windowOf(
  periods: readonly PeriodSpec[],
  targetHealth?: TargetHealthSnapshot,
): TargetGroupWindow {
  const samples = periods.map((spec, index): PeriodSample => {
    const sample: { -readonly [K in keyof PeriodSample]: PeriodSample[K] } = {
      timestamp: new Date(START + index * 60_000),
      requests: spec.requests,
      target5xx: spec.target5xx ?? 0,
      connectionErrors: spec.connectionErrors ?? 0,
      unhealthyHosts: spec.unhealthy ?? 0,
      healthyHosts: spec.healthy ?? 3,
    };
    if (spec.p95 !== undefined) sample.p95Seconds = spec.p95;
    if (spec.p99 !== undefined) sample.p99Seconds = spec.p99;
    return sample;
  });
  return targetHealth === undefined
    ? { periodSeconds: 60, samples }
    : { periodSeconds: 60, samples, targetHealth };
}

/**
 * `count` periods of steady traffic. Errors are spread over the periods (the total is exact);
 * latencies cycle through the given per-period values.
 */
export function steady(options: {
  count?: number;
  requests: number;
  target5xx?: number;
  connectionErrors?: number;
  p95?: readonly number[];
  p99?: readonly number[];
  unhealthy?: readonly number[];
}): TargetGroupWindow {
  const count = options.count ?? 10;
  const spread = (total: number, index: number): number =>
    Math.floor((total * (index + 1)) / count) - Math.floor((total * index) / count);
  return windowOf(
    Array.from({ length: count }, (_, index) => {
      const spec: PeriodSpec = {
        requests: spread(options.requests, index),
        target5xx: spread(options.target5xx ?? 0, index),
        connectionErrors: spread(options.connectionErrors ?? 0, index),
        unhealthy: options.unhealthy?.[index] ?? 0,
      };
      if (options.p95 !== undefined) spec.p95 = options.p95[index % options.p95.length] as number;
      if (options.p99 !== undefined) spec.p99 = options.p99[index % options.p99.length] as number;
      return spec;
    }),
  );
}

/** Baseline-like p95 values around 250 ms. */
export const BASELINE_P95 = [0.25, 0.262, 0.241, 0.253, 0.27, 0.232, 0.248, 0.259, 0.244, 0.255];
export const BASELINE_P99 = BASELINE_P95.map((value) => value * 1.8);

export function scaled(values: readonly number[], factor: number): number[] {
  return values.map((value) => value * factor);
}
