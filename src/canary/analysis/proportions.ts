import { binomialLowerTail, binomialUpperTail, hypergeometricUpperTail } from './distributions.ts';

/** `events` out of `trials`, e.g. 5xx responses out of requests. */
export interface Proportion {
  readonly events: number;
  readonly trials: number;
}

function checkProportion(name: string, { events, trials }: Proportion): void {
  if (!Number.isInteger(events) || !Number.isInteger(trials) || events < 0 || events > trials) {
    throw new RangeError(
      `${name} needs whole numbers 0 ≤ events ≤ trials, got ${events}/${trials}`,
    );
  }
}

export function rate({ events, trials }: Proportion): number {
  return trials === 0 ? 0 : events / trials;
}

/**
 * One-sided Fisher's exact test: the p-value of "the canary's rate is greater than the
 * baseline's", conditional on the total number of events. Exact at any sample size, so there is
 * no "expected count ≥ 5" condition to check; conservative when events are rare.
 */
export function fisherExactGreater(canary: Proportion, baseline: Proportion): number {
  checkProportion('canary', canary);
  checkProportion('baseline', baseline);
  const population = canary.trials + baseline.trials;
  const successes = canary.events + baseline.events;
  if (successes === 0 || population === 0) return 1;
  return hypergeometricUpperTail(canary.events, population, successes, canary.trials);
}

/** Exact one-sided binomial test of "the true rate is above `p0`": P(X ≥ events | p0). */
export function binomialTestGreater({ events, trials }: Proportion, p0: number): number {
  checkProportion('binomial test', { events, trials });
  return binomialUpperTail(events, trials, p0);
}

const BISECTIONS = 200;

function bisect(f: (p: number) => boolean): number {
  // Smallest p in [0, 1] where the monotone predicate f turns true.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < BISECTIONS && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (f(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * One-sided Clopper–Pearson bound: with `confidence`, the true rate is at most this. With zero
 * events it is 1 − (1 − confidence)^(1/trials), about 3/trials at 95 % (the "rule of three").
 */
export function clopperPearsonUpper(proportion: Proportion, confidence: number): number {
  checkProportion('Clopper–Pearson', proportion);
  const { events, trials } = proportion;
  if (events >= trials) return 1;
  if (events === 0) return -Math.expm1(Math.log1p(-confidence) / trials);
  const alpha = 1 - confidence;
  return bisect((p) => binomialLowerTail(events, trials, p) <= alpha);
}

/** One-sided Clopper–Pearson bound: with `confidence`, the true rate is at least this. */
export function clopperPearsonLower(proportion: Proportion, confidence: number): number {
  checkProportion('Clopper–Pearson', proportion);
  const { events, trials } = proportion;
  if (events === 0) return 0;
  if (events === trials) return Math.exp(Math.log1p(-confidence) / trials);
  const alpha = 1 - confidence;
  return bisect((p) => binomialUpperTail(events, trials, p) > alpha);
}

/**
 * Requests that must pass without a single error before, with `confidence`, the error rate is
 * shown to be at most `maxRate`: ln(1 − confidence) / ln(1 − maxRate), ≈ 3/maxRate at 95 %,
 * ≈ 3.9/maxRate at 98 %.
 */
export function requestsNeededWithoutErrors(maxRate: number, confidence: number): number {
  if (!(maxRate > 0 && maxRate < 1) || !(confidence > 0 && confidence < 1)) {
    throw new RangeError(`needs 0 < maxRate, confidence < 1, got ${maxRate}, ${confidence}`);
  }
  return Math.ceil(Math.log1p(-confidence) / Math.log1p(-maxRate));
}
