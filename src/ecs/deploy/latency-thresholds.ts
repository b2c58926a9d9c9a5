// Which latency thresholds the analysis asks CloudWatch to count slower requests at: the
// absolute limits, and for the comparison with the baseline a reference, the baseline's p95 B in
// one period (and (1 + tolerance)·B for the canary). A threshold has to be in the request, so the
// reference comes from an earlier read: once per deployment, the baseline's last minutes before
// the window (it served all the traffic then), else the latest period a read showed, which is
// then left out of the comparison (latency-count-checks.ts). It stays fixed for the deployment.
import type { AnalysisConfig } from '../../canary/analysis/config.ts';
import type { LatencyReference, TargetGroupWindow } from '../../canary/analysis/types.ts';
import type { MetricsPort } from './ports.ts';

/** Thresholds go to CloudWatch as text: 0.1 ms steps keep them short and exact. */
function rounded(seconds: number): number {
  return Math.max(0.0001, Math.round(seconds * 10_000) / 10_000);
}

/** How far before the window the first read looks for the baseline's reference p95. */
const PERIODS_BEFORE = 5;

/** A baseline period below this many requests gives too rough a p95 to compare at. */
const MIN_REFERENCE_REQUESTS = 20;

/** The baseline's latest period with a p95 and enough requests, as a reference. */
export function latestReference(
  baseline: TargetGroupWindow,
  tolerance: number,
): LatencyReference | undefined {
  for (let i = baseline.samples.length - 1; i >= 0; i--) {
    const sample = baseline.samples[i]!;
    if (sample.p95Seconds === undefined || sample.requests < MIN_REFERENCE_REQUESTS) continue;
    if (!(sample.p95Seconds > 0)) continue;
    const baselineSeconds = rounded(sample.p95Seconds);
    return {
      baselineSeconds,
      canarySeconds: rounded(baselineSeconds * (1 + tolerance)),
      period: sample.timestamp,
    };
  }
  return undefined;
}

/**
 * The metrics port with the latency thresholds added to every read: one deployment's reads, in
 * order (each read's baseline gives the next read its reference).
 */
export function withLatencyThresholds(port: MetricsPort, config: AnalysisConfig): MetricsPort {
  let reference: LatencyReference | undefined;
  let lookedBefore = false;
  /** One extra read per deployment: the baseline just before the window. */
  async function referenceBefore(
    request: Parameters<MetricsPort['windows']>[0],
    signal: AbortSignal | undefined,
  ): Promise<LatencyReference | undefined> {
    lookedBefore = true;
    const periodMs = request.periodSeconds * 1000;
    const end = Math.floor(request.start.getTime() / periodMs) * periodMs;
    try {
      const before = await port.windows(
        { ...request, start: new Date(end - PERIODS_BEFORE * periodMs), end: new Date(end) },
        signal,
      );
      return latestReference(before.baseline, config.tolerance);
    } catch {
      // The window's own reads say what is wrong with reading metrics; this one is an extra.
      return undefined;
    }
  }
  const limits = [config.maxP95LatencySeconds, config.maxP99LatencySeconds].filter(
    (limit) => limit !== undefined,
  );
  return {
    async windows(request, signal) {
      if (reference === undefined && !lookedBefore) {
        reference = await referenceBefore(request, signal);
      }
      const used = reference;
      const slowerThan = {
        canary: [...limits, ...(used ? [used.canarySeconds] : [])],
        baseline: used ? [used.baselineSeconds] : [],
      };
      const read =
        slowerThan.canary.length === 0
          ? await port.windows(request, signal)
          : await port.windows({ ...request, slowerThan }, signal);
      reference ??= latestReference(read.baseline, config.tolerance);
      return used === undefined
        ? read
        : { ...read, canary: { ...read.canary, latencyReference: used } };
    },
    targetHealth: (targetGroupArn, signal) => port.targetHealth(targetGroupArn, signal),
  };
}
