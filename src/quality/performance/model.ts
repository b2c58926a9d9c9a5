// One model for every performance report (k6 summaries, ecs-canary-deploy's result): what the
// policy judges against max-p95-latency and max-error-rate.

export const PERFORMANCE_SOURCES = [
  'k6-summary-export',
  'k6-handle-summary',
  'k6-machine-readable',
  'ecs-canary-deploy',
] as const;
export type PerformanceSource = (typeof PERFORMANCE_SOURCES)[number];

export interface ThresholdResult {
  /** The metric the threshold is on (`http_req_duration`, `checks`, …). */
  readonly metric: string;
  /** As written in the script: `p(95)<500`. */
  readonly expression: string;
  readonly ok: boolean;
}

export interface PerformanceReport {
  readonly file: string;
  readonly source: PerformanceSource;
  /** 95th percentile of request latency in seconds; undefined when the report has none. */
  readonly p95Seconds: number | undefined;
  /** Failed requests as a fraction (0–1); undefined when the report has none. */
  readonly errorRate: number | undefined;
  readonly requests: number | undefined;
  /** k6 checks, when the script had any. */
  readonly checks?: { readonly passes: number; readonly fails: number };
  /** k6 thresholds as k6 judged them (the machine-readable summary has none). */
  readonly thresholds: readonly ThresholdResult[];
  /** Why a figure is missing, or what it was taken from, for the report (one line each). */
  readonly notes: readonly string[];
}
