import type { AnalysisConfig } from './config.ts';
import { ratioOf } from './descriptive.ts';
import { confidenceText, percent } from './format.ts';
import { effective } from './dispersion.ts';
import {
  type Draft,
  failAlpha,
  isSignificant,
  points,
  pVersus,
  relativeRule,
} from './metric-judgement.ts';
import {
  type Proportion,
  binomialTestGreater,
  clopperPearsonLower,
  clopperPearsonUpper,
  fisherExactGreater,
  rate,
  requestsNeededWithoutErrors,
} from './proportions.ts';

/** Errors out of requests; never more errors than requests, whatever the metrics say. */
export function proportion(errors: number, requests: number): Proportion {
  return { events: Math.min(errors, requests), trials: requests };
}

function described({ events, trials }: Proportion): string {
  return `${percent(rate({ events, trials }))} (${events}/${trials})`;
}

/**
 * How many times more the groups' errors vary than binomially (dispersion.ts): the tests run on
 * the counts divided by it. 1 (or absent): the plain exact test.
 */
export interface DesignEffects {
  readonly canary: number;
  readonly baseline: number;
  /**
   * How far apart the two groups' rates over their periods fall by the between-period variation
   * alone (two standard deviations, `noiseBand`), added to `absoluteTolerance`; 0 or absent
   * without overdispersion.
   */
  readonly noise?: number;
}

/** Where the checks of the recent window say which window they judged. */
export interface WindowLabel {
  /** "last 2 periods"; absent: the whole window. */
  readonly recent?: string;
}

/** " on counts ÷ 1.7 canary, ÷ 6.2 baseline (between-period overdispersion)", or nothing. */
function overdispersion({ canary, baseline }: DesignEffects): string {
  // Below 1.05 the counts barely change: not worth a word.
  if (Math.max(canary, baseline) < 1.05) return '';
  const f = (x: number) => x.toFixed(1);
  return ` on counts ÷ ${f(canary)} canary, ÷ ${f(baseline)} baseline (between-period overdispersion)`;
}

/**
 * The canary's error rate (target 5xx + connection errors) against `max-error-rate`, with exact
 * binomial (Clopper–Pearson) bounds: it fails once the lower bound is above the limit, passes
 * once the upper bound is at or below it, and is inconclusive in between. With no errors, the
 * upper bound falls below x only after about 3/x requests (3.9/x at 98 %).
 */
export function judgeErrorRateLimit(
  canary: Proportion,
  maxErrorRate: number,
  config: AnalysisConfig,
  window: WindowLabel = {},
): Draft {
  const confidence = config.confidence;
  const level = percent(confidence);
  const base = {
    name: window.recent === undefined ? 'error-rate' : 'recent-error-rate',
    against: 'limit',
    canary: canary.trials === 0 ? null : rate(canary),
    baseline: null,
    limit: maxErrorRate,
  } as const;
  const subject = `canary error rate (5xx + connection errors)${window.recent === undefined ? '' : ` in the ${window.recent}`} ${described(canary)}`;
  const limitText = `max-error-rate ${percent(maxErrorRate)}`;
  if (canary.trials === 0) {
    return {
      ...base,
      test: { method: 'binomial-exact', p: null, effect: null },
      outcome: 'inconclusive',
      figures: `canary served no requests to compare with ${limitText}`,
    };
  }

  const p = binomialTestGreater(canary, maxErrorRate);
  const test = { method: 'binomial-exact', p, effect: rate(canary) / maxErrorRate } as const;
  if (isSignificant(p, config)) {
    // The bound at the level the check failed at.
    const failConfidence = 1 - failAlpha(config);
    const lower = clopperPearsonLower(canary, failConfidence);
    return {
      ...base,
      test,
      outcome: 'fail',
      figures: `${subject} > ${limitText}: ${confidenceText(failConfidence)} lower bound ${percent(lower)}, ${pVersus(p, config)}`,
    };
  }
  if (window.recent !== undefined) {
    return rate(canary) <= maxErrorRate
      ? { ...base, test, outcome: 'pass', figures: `${subject} ≤ ${limitText}` }
      : recentNotFailed(base, test, `${subject} > ${limitText}, but ${pVersus(p, config)}`);
  }
  const upper = clopperPearsonUpper(canary, confidence);
  if (upper <= maxErrorRate) {
    return {
      ...base,
      test,
      outcome: 'pass',
      figures: `${subject} ≤ ${limitText}: ${level} upper bound ${percent(upper)}`,
    };
  }
  const figures =
    canary.events === 0
      ? `${subject}: ${level} upper bound ${percent(upper)} is above ${limitText}, which needs ${requestsNeededWithoutErrors(maxErrorRate, confidence)} requests without errors`
      : `${subject}: ${level} bounds ${percent(clopperPearsonLower(canary, confidence))}–${percent(upper)} straddle ${limitText}`;
  return { ...base, test, outcome: 'inconclusive', figures };
}

const RATE_LABELS = {
  '5xx-rate': '5xx rate',
  'connection-error-rate': 'connection error rate',
} as const;

/**
 * A canary error rate against the baseline's over the same window: one-sided Fisher's exact test
 * for "the canary's rate is higher", and the tolerance rule on the ratio of the rates.
 */
export function judgeRateAgainstBaseline(
  name: keyof typeof RATE_LABELS,
  canary: Proportion,
  baseline: Proportion,
  config: AnalysisConfig,
  effects?: DesignEffects,
  window: WindowLabel = {},
): Draft {
  const base = {
    name: window.recent === undefined ? name : (`recent-${name}` as const),
    against: 'baseline',
    canary: canary.trials === 0 ? null : rate(canary),
    baseline: baseline.trials === 0 ? null : rate(baseline),
    limit: null,
  } as const;
  const within = window.recent === undefined ? '' : ` in the ${window.recent}`;
  const subject = `canary ${RATE_LABELS[name]}${within} ${described(canary)} vs baseline ${described(baseline)}`;
  if (baseline.trials === 0) {
    return {
      ...base,
      test: { method: 'fisher-exact', p: null, effect: null },
      outcome: 'skipped',
      figures: `canary ${RATE_LABELS[name]} ${described(canary)} not compared: the baseline served no requests`,
    };
  }
  if (canary.trials === 0) {
    return {
      ...base,
      test: { method: 'fisher-exact', p: null, effect: null },
      outcome: 'inconclusive',
      figures: `${subject}: the canary served no requests`,
    };
  }
  const p = fisherExactGreater(
    effective(canary, effects?.canary ?? 1, true),
    effective(baseline, effects?.baseline ?? 1, false),
  );
  const noise = effects?.noise ?? 0;
  const rule = relativeRule(
    rate(canary),
    rate(baseline),
    p,
    `Fisher${effects === undefined ? '' : overdispersion(effects)}`,
    config,
    config.absoluteTolerance + noise,
    noise > 0 ? `absolute-tolerance + ${points(noise)} of minute-to-minute noise` : undefined,
  );
  const test = {
    method: 'fisher-exact',
    p,
    effect: ratioOf(rate(canary), rate(baseline)),
  } as const;
  if (window.recent !== undefined && rule.outcome === 'inconclusive') {
    return recentNotFailed(base, test, `${subject}: ${rule.text}`);
  }
  return { ...base, test, outcome: rule.outcome, figures: `${subject}: ${rule.text}` };
}

/**
 * The recent window only ever fails: it is there to see a failure that starts late at its own
 * size. Short of significant it has no say (`skipped`); the whole window decides pass or
 * inconclusive, so the recent window's fewer requests never make a healthy canary inconclusive.
 */
function recentNotFailed(
  base: Omit<Draft, 'test' | 'outcome' | 'figures'>,
  test: Draft['test'],
  figures: string,
): Draft {
  return { ...base, test, outcome: 'skipped', figures: `${figures}; the whole window decides` };
}
