// The canary analysis reads ALB series as CloudWatch returns them and lays them on its own grid of
// periods here, so the port stays a plain reader and the alignment rules stay with the analysis.
import { type TargetGroupSeries, alignSeries } from '../../canary/analysis/align-series.ts';
import type { TargetHealthSnapshot } from '../../canary/analysis/types.ts';
import type { MetricsPort } from './ports.ts';

/** The two target groups, the window and the period the analysis asks for. */
type WindowRequest = Parameters<MetricsPort['windows']>[0];

export interface MetricSeriesPort {
  /**
   * GetMetricData for the canary's and the baseline's target groups over the same window, in one
   * call, each series as CloudWatch returned it. The implementation finds the ALB dimensions
   * (TargetGroup, LoadBalancer) from the target group ARNs.
   */
  series(
    request: WindowRequest,
    signal?: AbortSignal,
  ): Promise<{ canary: TargetGroupSeries; baseline: TargetGroupSeries }>;
  /** DescribeTargetHealth. */
  targetHealth(targetGroupArn: string, signal?: AbortSignal): Promise<TargetHealthSnapshot>;
}

/** The windows the analysis judges: each series on the request's grid, missing counts as zero. */
export function alignedMetrics(port: MetricSeriesPort): MetricsPort {
  return {
    async windows(request, signal) {
      const { canary, baseline } = await port.series(request, signal);
      const grid = { start: request.start, end: request.end, periodSeconds: request.periodSeconds };
      return { canary: alignSeries(canary, grid), baseline: alignSeries(baseline, grid) };
    },
    targetHealth: (targetGroupArn, signal) => port.targetHealth(targetGroupArn, signal),
  };
}
