// Overdispersion of an error rate between periods. The exact rate tests assume requests fail
// independently, so a group's errors in a window are binomial. In production a group's rate also
// moves from minute to minute (a dependency's bad minute, a retry storm, a noisy client): the
// errors then vary more than binomially, the tests are too sure, and a healthy canary fails. The
// remedy is the design-effect adjustment for clustered binary data (Rao & Scott, 1992): estimate
// how much more the counts vary than binomially, divide the counts by that factor, and run the
// exact test on the effective counts. The baseline's periods give the estimate: the baseline is
// what the canary is held to, and a failing canary cannot inflate it.
import type { Proportion } from './proportions.ts';

/** The fewest periods that estimate a between-period variance (two leave one degree of freedom). */
export const MIN_DISPERSION_PERIODS = 3;

/**
 * The relative between-period variance V of a rate, by the method of moments: in each period the
 * rate is p·(1 + ε) with Var(ε) = V, so Var(errors in a period of n) = n·p·(1 − p) + n²·p²·V.
 * Estimated from the periods' errors and requests, unbiased for any period sizes; 0 when the
 * errors vary no more than binomially. Undefined with fewer than 2 periods or no errors.
 */
export function estimatedVariance(periods: readonly Proportion[]): number | undefined {
  const served = periods.filter((p) => p.trials > 0);
  if (served.length < 2) return undefined;
  const total = served.reduce((sum, p) => sum + p.trials, 0);
  const events = served.reduce((sum, p) => sum + Math.min(p.events, p.trials), 0);
  if (events === 0 || events === total) return undefined;
  const rate = events / total;
  // E[Σ (x_i − n_i·p̂)²] = A·p(1 − p) + B·p²·V, with w_i = n_i / N.
  const sumW2 = served.reduce((sum, p) => sum + (p.trials / total) ** 2, 0);
  const sumN2 = served.reduce((sum, p) => sum + p.trials ** 2, 0);
  let squares = 0;
  let a = sumW2 * total;
  let b = sumW2 * sumN2;
  for (const p of served) {
    const w = p.trials / total;
    squares += (Math.min(p.events, p.trials) - p.trials * rate) ** 2;
    a += p.trials * (1 - 2 * w);
    b += p.trials ** 2 * (1 - 2 * w);
  }
  if (!(b > 0)) return undefined;
  return Math.max(0, (squares - a * rate * (1 - rate)) / (b * rate * rate));
}

/**
 * The between-period variance the rate tests assume: the estimate from at least
 * MIN_DISPERSION_PERIODS periods, else 0 (binomial).
 */
export function betweenPeriodVariance(periods: readonly Proportion[]): number {
  const served = periods.filter((p) => p.trials > 0).length;
  return served < MIN_DISPERSION_PERIODS ? 0 : (estimatedVariance(periods) ?? 0);
}

/**
 * How many times the variance of a group's errors over its periods exceeds the binomial one, at
 * the rate `rate` and between-period variance `variance`: 1 + p·V·Σn_i² / (N·(1 − p)). At least 1.
 */
export function designEffect(
  periodRequests: readonly number[],
  rate: number,
  variance: number,
): number {
  const total = periodRequests.reduce((sum, n) => sum + n, 0);
  if (total === 0 || !(variance > 0) || !(rate > 0 && rate < 1)) return 1;
  const sumN2 = periodRequests.reduce((sum, n) => sum + n * n, 0);
  return 1 + (rate * variance * sumN2) / (total * (1 - rate));
}

/**
 * The counts divided by the design effect, in whole numbers for the exact tests. `conservative`
 * rounds the events down (the group under suspicion: the rounding must not make it look worse).
 */
export function effective(
  { events, trials }: Proportion,
  effect: number,
  conservative: boolean,
): Proportion {
  if (effect <= 1) return { events, trials };
  const n = Math.max(trials > 0 ? 1 : 0, Math.round(trials / effect));
  const x = (conservative ? Math.floor : Math.round)(events / effect);
  return { events: Math.min(x, n), trials: n };
}
