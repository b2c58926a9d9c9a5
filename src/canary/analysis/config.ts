import { UserError } from '../../lib/errors.ts';

export interface AnalysisConfigInput {
  /** Canary requests below which no request-based check can pass or fail. */
  readonly minRequests: number;
  /** Absolute limit on (target 5xx + connection errors) / requests, as a fraction (0.01 = 1 %). */
  readonly maxErrorRate?: number | undefined;
  readonly maxP95LatencySeconds?: number | undefined;
  readonly maxP99LatencySeconds?: number | undefined;
  /** How far above the baseline the canary may be before a significant difference fails it. */
  readonly tolerance?: number | undefined;
  /** Confidence of every test; 1 − confidence is the significance level. */
  readonly confidence?: number | undefined;
  /** Periods with unhealthy canary hosts (while the baseline has none) that fail the canary. */
  readonly unhealthyPeriodsToFail?: number | undefined;
  /**
   * How far above the baseline's an error rate may be, as a fraction of requests, whatever the
   * ratio: a floor beside `tolerance` for rates made of a handful of errors (0.002: 0.2 points).
   */
  readonly absoluteTolerance?: number | undefined;
  /**
   * The chance, per deployment, that the analysis fails a canary no worse than the baseline (and
   * within the limits): the budget the looks of a deployment share (sequential.ts).
   */
  readonly falseRollbackRate?: number | undefined;
}

export interface AnalysisConfig {
  readonly minRequests: number;
  readonly maxErrorRate?: number;
  readonly maxP95LatencySeconds?: number;
  readonly maxP99LatencySeconds?: number;
  readonly tolerance: number;
  readonly confidence: number;
  readonly unhealthyPeriodsToFail: number;
  readonly absoluteTolerance: number;
  readonly falseRollbackRate: number;
  /**
   * The significance level a check fails at in this judgement: set by `judge` from the look's
   * share of the deployment's budget; without it, 1 − confidence (one fixed-horizon judgement).
   */
  readonly failAlpha?: number;
}

export const ANALYSIS_DEFAULTS = {
  /** Kayenta's tolerance and confidence. */
  tolerance: 0.25,
  confidence: 0.98,
  /** The load balancer already waits for 2–10 failed health checks before it reports a host. */
  unhealthyPeriodsToFail: 1,
  /** 0.2 points: 2 errors in 1,000 requests above the baseline's rate always pass. */
  absoluteTolerance: 0.002,
  /** At most 1 healthy deployment in 100 rolled back by the analysis. */
  falseRollbackRate: 0.01,
} as const;

const MAX_TOLERANCE = 10;

/** Applies the defaults and refuses nonsense with a UserError naming the action input. */
export function validateAnalysisConfig(input: AnalysisConfigInput): AnalysisConfig {
  const { minRequests } = input;
  if (!Number.isInteger(minRequests) || minRequests < 1) {
    throw new UserError(
      `min-requests is ${minRequests}: use a whole number of canary requests of at least 1 (e.g. 300 to judge a 1 % error rate).`,
    );
  }

  const tolerance = input.tolerance ?? ANALYSIS_DEFAULTS.tolerance;
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > MAX_TOLERANCE) {
    throw new UserError(
      `tolerance is ${tolerance}: use a fraction from 0 to ${MAX_TOLERANCE} (0.25 lets the canary be 25 % above the baseline).`,
    );
  }

  const confidence = input.confidence ?? ANALYSIS_DEFAULTS.confidence;
  if (!Number.isFinite(confidence) || confidence <= 0.5 || confidence >= 1) {
    throw new UserError(
      `confidence is ${confidence}: use a number above 0.5 and below 1 (e.g. 0.98, which tests at p < 0.02).`,
    );
  }

  const unhealthyPeriodsToFail =
    input.unhealthyPeriodsToFail ?? ANALYSIS_DEFAULTS.unhealthyPeriodsToFail;
  if (!Number.isInteger(unhealthyPeriodsToFail) || unhealthyPeriodsToFail < 1) {
    throw new UserError(
      `unhealthy-periods-to-fail is ${unhealthyPeriodsToFail}: use a whole number of periods of at least 1.`,
    );
  }

  const absoluteTolerance = input.absoluteTolerance ?? ANALYSIS_DEFAULTS.absoluteTolerance;
  if (!Number.isFinite(absoluteTolerance) || absoluteTolerance < 0 || absoluteTolerance >= 1) {
    throw new UserError(
      `absolute-tolerance is ${absoluteTolerance}: use a fraction of requests from 0 to below 1 (0.002 lets the canary's error rate be 0.2 points above the baseline's).`,
    );
  }

  const falseRollbackRate = input.falseRollbackRate ?? ANALYSIS_DEFAULTS.falseRollbackRate;
  if (!Number.isFinite(falseRollbackRate) || falseRollbackRate <= 0 || falseRollbackRate >= 0.5) {
    throw new UserError(
      `false-rollback-rate is ${falseRollbackRate}: use a fraction above 0 and below 0.5 (0.01: at most 1 healthy deployment in 100 rolled back).`,
    );
  }

  const config: {
    -readonly [K in keyof AnalysisConfig]: AnalysisConfig[K];
  } = {
    minRequests,
    tolerance,
    confidence,
    unhealthyPeriodsToFail,
    absoluteTolerance,
    falseRollbackRate,
  };

  if (input.maxErrorRate !== undefined) {
    const rate = input.maxErrorRate;
    if (!Number.isFinite(rate) || rate <= 0 || rate >= 1) {
      const hint = rate >= 1 ? ` (write ${rate} % as ${rate / 100})` : '';
      throw new UserError(
        `max-error-rate is ${rate}: use a fraction above 0 and below 1, e.g. 0.01 for 1 %${hint}.`,
      );
    }
    config.maxErrorRate = rate;
  }
  for (const [key, input_] of [
    ['maxP95LatencySeconds', 'max-p95-latency'],
    ['maxP99LatencySeconds', 'max-p99-latency'],
  ] as const) {
    const seconds = input[key];
    if (seconds === undefined) continue;
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new UserError(`${input_} is ${seconds} s: use a duration above zero, e.g. 500ms.`);
    }
    config[key] = seconds;
  }
  return config;
}
