/** One period (e.g. 60 s) of one target group's ALB metrics. */
export interface PeriodSample {
  /** Start of the period. */
  readonly timestamp: Date;
  readonly requests: number;
  /** `HTTPCode_Target_5XX_Count`. */
  readonly target5xx: number;
  /** `TargetConnectionErrorCount`. */
  readonly connectionErrors: number;
  /** `TargetResponseTime` p90 in seconds (where a latency reference is taken); absent without requests. */
  readonly p90Seconds?: number;
  /** `TargetResponseTime` p95 in seconds; absent when the period had no requests. */
  readonly p95Seconds?: number;
  /** `TargetResponseTime` p99 in seconds; absent when the period had no requests. */
  readonly p99Seconds?: number;
  readonly unhealthyHosts: number;
  readonly healthyHosts: number;
  /**
   * Requests slower than given thresholds (CloudWatch's percentile rank `PR(:threshold)` on
   * `TargetResponseTime` with its `SampleCount`); absent when not asked for or not published.
   */
  readonly slower?: readonly SlowerCount[];
}

/** Of a period's `requests` (responses timed), how many took longer than `thresholdSeconds`. */
export interface SlowerCount {
  readonly thresholdSeconds: number;
  readonly slower: number;
  readonly requests: number;
}

/**
 * A pair of thresholds the slower counts compare the canary with its baseline at: the baseline's
 * percentile B in one earlier period (`period`, left out of the comparison) and (1 + tolerance)·B.
 */
export interface ReferenceThresholds {
  readonly baselineSeconds: number;
  readonly canarySeconds: number;
  readonly period: Date;
}

/**
 * The thresholds a window's slower counts compare the canary with its baseline at: the baseline's
 * p95 in one earlier period (`period`, left out of the comparison), and that times 1 + tolerance;
 * `p99` the same at its p99 in that period, when it had enough requests for one; `p90` at its p90
 * (a second threshold of the p95 comparison, where a slowdown shows in more requests).
 */
export interface LatencyReference extends ReferenceThresholds {
  readonly p90?: { readonly baselineSeconds: number; readonly canarySeconds: number };
  readonly p99?: { readonly baselineSeconds: number; readonly canarySeconds: number };
}

/** `DescribeTargetHealth` at the end of the window: count only targets in state `unhealthy`. */
export interface TargetHealthSnapshot {
  readonly healthy: number;
  readonly unhealthy: number;
}

/** The metrics of one target group over the analysis window. */
export interface TargetGroupWindow {
  readonly periodSeconds: number;
  readonly samples: readonly PeriodSample[];
  readonly targetHealth?: TargetHealthSnapshot;
  /** On the canary's window: the thresholds its and the baseline's slower counts were read at. */
  readonly latencyReference?: LatencyReference;
  /**
   * On the baseline's window: its periods just before the window (it served all the traffic then),
   * with its slower counts at the reference p95 when read. They show how much its rates move from
   * minute to minute before the canary's first period is published (dispersion.ts).
   */
  readonly history?: readonly PeriodSample[];
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** `skipped`: the check could not apply (no baseline traffic to compare with). */
export type CheckOutcome = Verdict | 'skipped';

export type MetricName =
  | 'unhealthy-hosts'
  | 'error-rate'
  | '5xx-rate'
  | 'connection-error-rate'
  | 'p95-latency'
  | 'p99-latency'
  /** The same rates over the last periods only: they fail a late failure at its own size. */
  | 'recent-error-rate'
  | 'recent-5xx-rate'
  | 'recent-connection-error-rate';

export type TestMethod =
  | 'fisher-exact'
  | 'mann-whitney'
  | 'binomial-exact'
  | 'sign-test'
  | 'period-count'
  | 'stratified-exact';

export interface TestSummary {
  readonly method: TestMethod;
  /** One-sided p-value for "the canary is worse"; null when no test could run. */
  readonly p: number | null;
  /**
   * Against the baseline: canary / baseline (ratio of rates or of medians), null when the baseline
   * is zero and the canary is not. Against a limit: canary / limit. Health: offending periods.
   */
  readonly effect: number | null;
}

export interface MetricJudgement {
  readonly name: MetricName;
  readonly against: 'baseline' | 'limit';
  /** Rates as fractions, latencies as the median of per-period values in seconds, hosts as a count. */
  readonly canary: number | null;
  readonly baseline: number | null;
  readonly limit: number | null;
  readonly test: TestSummary;
  readonly outcome: CheckOutcome;
  /** One line with the figures, ending in the outcome. */
  readonly why: string;
}

export interface TrafficSummary {
  readonly canaryRequests: number;
  readonly baselineRequests: number;
  /** Periods in which the group served at least one request. */
  readonly canaryPeriods: number;
  readonly baselinePeriods: number;
}

/**
 * - `too-few-requests`: the canary served fewer than `minRequests`.
 * - `insufficient-evidence`: enough requests, but some check could neither pass nor fail.
 * - `nothing-to-judge`: no absolute limits, and no baseline traffic (or, with `baselineAtShiftOnly`,
 *   comparisons that did not decide on the minute of the shift).
 */
export type InconclusiveCause = 'too-few-requests' | 'insufficient-evidence' | 'nothing-to-judge';

/** One look of a deployment judged sequentially: its share of the false-rollback budget. */
export interface LookOptions {
  /** What this look may spend of the deployment's budget (sequential.ts `lookAlpha`). */
  readonly alpha: number;
  /**
   * The baseline served beside the canary only in the minute of the one shift that gave the
   * canary all production traffic (blue/green): its comparisons can get no more data. They only
   * fail; short of that they have no say (`skipped`, with the reason) and the absolute limits
   * decide.
   */
  readonly baselineAtShiftOnly?: boolean;
}

/** How a sequential look used its share of the budget. */
export interface ErrorControl {
  readonly lookAlpha: number;
  /** Request-based checks that could fail at this look; the look's alpha is shared among them. */
  readonly checks: number;
  /** Their shares of it: a user-set limit has 3 (LIMIT_SHARES), a comparison with the baseline 1. */
  readonly shares: number;
  /** The level of one share: a comparison fails below it, a user-set limit below 3 times it. */
  readonly perCheckAlpha: number;
  /** What the look spent: its alpha when a check could fail, else nothing (it carries over). */
  readonly spent: number;
}

interface ResultBody {
  readonly reasons: readonly string[];
  readonly metrics: readonly MetricJudgement[];
  readonly traffic: TrafficSummary;
  /** Present when the judgement was one look of a sequential design. */
  readonly errorControl?: ErrorControl;
}

export type AnalysisResult =
  | ({ readonly verdict: 'pass' } & ResultBody)
  | ({ readonly verdict: 'fail' } & ResultBody)
  | ({ readonly verdict: 'inconclusive'; readonly cause: InconclusiveCause } & ResultBody);
