// Which latency thresholds the analysis asks CloudWatch to count slower requests at: the
// absolute limits, and for the comparison with the baseline a reference, the baseline's p95 B in
// one period (and (1 + tolerance)·B for the canary). A threshold has to be in the request, so the
// reference comes from an earlier read: once per deployment, the baseline's last minutes before
// the window (it served all the traffic then), else the latest period a read showed, which is
// then left out of the comparison (latency-count-checks.ts). It stays fixed for the deployment.
// Those minutes before the window also go with every read as the baseline's `history`, counted
// at B by one more read: how much the baseline's rates move from minute to minute
// (canary/analysis/dispersion.ts), known from the first look on.
import type { AnalysisConfig } from '../../canary/analysis/config.ts';
import type {
  LatencyReference,
  PeriodSample,
  TargetGroupWindow,
} from '../../canary/analysis/types.ts';
import type { MetricsPort } from './ports.ts';

/** Thresholds go to CloudWatch as text: 0.1 ms steps keep them short and exact. */
function rounded(seconds: number): number {
  return Math.max(0.0001, Math.round(seconds * 10_000) / 10_000);
}

/**
 * How far before the window the first read looks for the baseline's reference p95, and how many
 * of its minutes show its minute-to-minute noise.
 */
const PERIODS_BEFORE = 10;

/** A baseline period below this many requests gives too rough a p95 to compare at. */
const MIN_REFERENCE_REQUESTS = 20;

/**
 * Below this many requests a period's p99 is one of its few slowest requests: too rough to compare
 * at (the p99 comparison then falls back to the per-period percentiles).
 */
export const MIN_P99_REFERENCE_REQUESTS = 100;

/**
 * The baseline's latest period with a p95 and enough requests, as a reference; with its p99 too
 * when that period has one and at least MIN_P99_REFERENCE_REQUESTS requests.
 */
export function latestReference(
  baseline: TargetGroupWindow,
  tolerance: number,
): LatencyReference | undefined {
  for (let i = baseline.samples.length - 1; i >= 0; i--) {
    const sample = baseline.samples[i]!;
    if (sample.p95Seconds === undefined || sample.requests < MIN_REFERENCE_REQUESTS) continue;
    if (!(sample.p95Seconds > 0)) continue;
    const p90 = sample.p90Seconds;
    const p99 = sample.p99Seconds;
    return {
      ...limitPair(sample.p95Seconds, tolerance),
      period: sample.timestamp,
      ...(p90 !== undefined && p90 > 0 && p90 < sample.p95Seconds
        ? { p90: limitPair(p90, tolerance) }
        : {}),
      ...(p99 !== undefined && p99 > 0 && sample.requests >= MIN_P99_REFERENCE_REQUESTS
        ? { p99: limitPair(p99, tolerance) }
        : {}),
    };
  }
  return undefined;
}

/** A baseline percentile, rounded, and the canary's limit beside it. */
function limitPair(
  seconds: number,
  tolerance: number,
): { baselineSeconds: number; canarySeconds: number } {
  const baselineSeconds = rounded(seconds);
  return { baselineSeconds, canarySeconds: rounded(baselineSeconds * (1 + tolerance)) };
}

/**
 * The metrics port with the latency thresholds added to every read: one deployment's reads, in
 * order (each read's baseline gives the next read its reference). The baseline's periods before
 * the window, read for the reference, go with every read as the baseline's `history`, with its
 * slower counts at the reference (one more read): how much the baseline moves from minute to
 * minute is known from the first look on.
 */
export function withLatencyThresholds(port: MetricsPort, config: AnalysisConfig): MetricsPort {
  let reference: LatencyReference | undefined;
  let history: readonly PeriodSample[] | undefined;
  let lookedBefore = false;
  /** One or two extra reads per deployment: the baseline just before the window. */
  async function lookBefore(
    request: Parameters<MetricsPort['windows']>[0],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    lookedBefore = true;
    const periodMs = request.periodSeconds * 1000;
    const end = Math.floor(request.start.getTime() / periodMs) * periodMs;
    const before = {
      ...request,
      start: new Date(end - PERIODS_BEFORE * periodMs),
      end: new Date(end),
    };
    try {
      const read = await port.windows(before, signal);
      reference = latestReference(read.baseline, config.tolerance);
      history = read.baseline.samples;
      if (reference === undefined) return;
      const counted = await port.windows(
        { ...before, slowerThan: { canary: [], baseline: baselineThresholds(reference) } },
        signal,
      );
      history = counted.baseline.samples;
    } catch {
      // The window's own reads say what is wrong with reading metrics; these are extras.
    }
  }
  const limits = [config.maxP95LatencySeconds, config.maxP99LatencySeconds].filter(
    (limit) => limit !== undefined,
  );
  return {
    async windows(request, signal) {
      if (reference === undefined && !lookedBefore) await lookBefore(request, signal);
      const used = reference;
      const slowerThan = {
        canary: unique([
          ...limits,
          ...(used ? [used.canarySeconds] : []),
          ...(used?.p90 ? [used.p90.canarySeconds] : []),
          ...(used?.p99 ? [used.p99.canarySeconds] : []),
        ]),
        baseline: used ? baselineThresholds(used) : [],
      };
      const read =
        slowerThan.canary.length === 0
          ? await port.windows(request, signal)
          : await port.windows({ ...request, slowerThan }, signal);
      reference ??= latestReference(read.baseline, config.tolerance);
      const baseline = history === undefined ? read.baseline : { ...read.baseline, history };
      return {
        canary: used === undefined ? read.canary : { ...read.canary, latencyReference: used },
        baseline,
      };
    },
    targetHealth: (targetGroupArn, signal) => port.targetHealth(targetGroupArn, signal),
  };
}

/** The baseline's thresholds of a reference: its p95, and its p90 and p99 when it has them. */
function baselineThresholds(reference: LatencyReference): number[] {
  return unique([
    reference.baselineSeconds,
    ...(reference.p90 ? [reference.p90.baselineSeconds] : []),
    ...(reference.p99 ? [reference.p99.baselineSeconds] : []),
  ]);
}

function unique(thresholds: readonly number[]): number[] {
  return [...new Set(thresholds)];
}
