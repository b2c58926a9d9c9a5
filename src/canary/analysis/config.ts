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
}

export interface AnalysisConfig {
  readonly minRequests: number;
  readonly maxErrorRate?: number;
  readonly maxP95LatencySeconds?: number;
  readonly maxP99LatencySeconds?: number;
  readonly tolerance: number;
  readonly confidence: number;
  readonly unhealthyPeriodsToFail: number;
}

export const ANALYSIS_DEFAULTS = {
  /** Kayenta's tolerance and confidence. */
  tolerance: 0.25,
  confidence: 0.98,
  /** The load balancer already waits for 2–10 failed health checks before it reports a host. */
  unhealthyPeriodsToFail: 1,
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

  const config: {
    -readonly [K in keyof AnalysisConfig]: AnalysisConfig[K];
  } = { minRequests, tolerance, confidence, unhealthyPeriodsToFail };

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
