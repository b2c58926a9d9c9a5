// Overdispersion of an error rate between periods. The exact rate tests assume requests fail
// independently, so a group's errors in a window are binomial. In production a group's rate also
// moves from minute to minute (a dependency's bad minute, a retry storm, a noisy client): the
// errors then vary more than binomially, the tests are too sure, and a healthy canary fails. The
// remedy is the design-effect adjustment for clustered binary data (Rao & Scott, 1992): estimate
// how much more the counts vary than binomially, divide the counts by that factor, and run the
// exact test on the effective counts. The baseline's periods give the estimate: the baseline is
// what the canary is held to, and a failing canary cannot inflate it.
import { chiSquareUpperTail } from './distributions.ts';
import type { Proportion } from './proportions.ts';

/** The fewest degrees of freedom (periods less one per group) that estimate the variance. */
export const MIN_DISPERSION_DEGREES = 2;

interface Moments {
  /** Σ (x_i − n_i·p̂)² over the periods. */
  squares: number;
  /** Its expectation is binomial·p(1 − p) + extra·p²·V. */
  binomial: number;
  extra: number;
  rate: number;
  periods: number;
}

/** One group's periods around the group's own rate; undefined without errors or periods. */
function moments(periods: readonly Proportion[]): Moments | undefined {
  const served = periods.filter((p) => p.trials > 0);
  const total = served.reduce((sum, p) => sum + p.trials, 0);
  const events = served.reduce((sum, p) => sum + Math.min(p.events, p.trials), 0);
  if (served.length < 2 || events === 0 || events === total) return undefined;
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
  return { squares, binomial: a, extra: b, rate, periods: served.length };
}

/**
 * The relative between-period variance V of a rate, by the method of moments: in each period the
 * rate is p·(1 + ε) with Var(ε) = V, so Var(errors in a period of n) = n·p·(1 − p) + n²·p²·V.
 * Each group's periods vary around the group's own rate (a canary that is steadily worse is not
 * overdispersed); the groups' moments add up. Unbiased for any period sizes; 0 when the errors
 * vary no more than binomially; undefined without two periods with errors in some group.
 */
export function estimatedVariance(
  ...groups: readonly (readonly Proportion[])[]
): number | undefined {
  let squares = 0;
  let expected = 0;
  let scale = 0;
  let counted = false;
  for (const group of groups) {
    const m = moments(group);
    if (m === undefined) continue;
    counted = true;
    squares += m.squares;
    expected += m.binomial * m.rate * (1 - m.rate);
    scale += m.extra * m.rate * m.rate;
  }
  if (!counted || !(scale > 0)) return undefined;
  return Math.max(0, (squares - expected) / scale);
}

/**
 * Pearson's dispersion test: whether the periods vary more than binomially. X² = Σ (x_i −
 * n_i·p̂)² / (n_i·p̂·(1 − p̂)) over each group's periods about its own rate, χ² with Σ (periods − 1)
 * degrees of freedom under binomial periods. 1 when nothing can be tested.
 */
export function dispersionTestP(...groups: readonly (readonly Proportion[])[]): number {
  let statistic = 0;
  let degrees = 0;
  for (const group of groups) {
    const m = moments(group);
    if (m === undefined) continue;
    const served = group.filter((p) => p.trials > 0);
    for (const p of served) {
      const expected = p.trials * m.rate;
      statistic += (Math.min(p.events, p.trials) - expected) ** 2 / (expected * (1 - m.rate));
    }
    degrees += m.periods - 1;
  }
  return degrees === 0 ? 1 : chiSquareUpperTail(statistic, degrees);
}

/**
 * Below this p of the dispersion test the periods count as overdispersed. A baseline that varies
 * binomially would otherwise get a small positive estimate by chance at every other look, and
 * each such estimate makes the tests a little less sure (slower to fail a real regression).
 */
export const DISPERSION_LEVEL = 0.05;

/**
 * The same for a latency's share slower than a threshold, stricter: a period holds about 150
 * slower baseline requests, so a real minute-to-minute noise shows at X² in the hundreds, while
 * at 5 % one binomial baseline in twenty would slow the p95 test for its whole deployment (a
 * +50 % regression in a linear rollout was rolled back 130 s later in one of 100).
 */
export const SHARE_DISPERSION_LEVEL = 0.001;

/**
 * The between-period variance the tests assume: the estimate once the periods give
 * MIN_DISPERSION_DEGREES degrees of freedom and vary more than binomially (`dispersionTestP`
 * below `level`), else 0 (binomial).
 */
export function betweenPeriodVariance(
  periods: readonly Proportion[],
  level: number = DISPERSION_LEVEL,
): number {
  if (periods.filter((p) => p.trials > 0).length - 1 < MIN_DISPERSION_DEGREES) return 0;
  if (dispersionTestP(periods) >= level) return 0;
  return estimatedVariance(periods) ?? 0;
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

/** How many standard deviations of between-period noise widen the absolute floor (`noiseBand`). */
export const NOISE_BAND_SDS = 2;

/**
 * How far apart two groups' rates over their periods fall by the between-period variation alone
 * (beside the binomial variation the tests account for): NOISE_BAND_SDS standard deviations of
 * the difference, rate·√(V·(Σc_i²/C² + Σb_i²/B²)) for periods of c_i and b_i requests. A group's
 * rate over m equal periods moves by rate·√(V/m) with its minutes, the baseline's as much as the
 * canary's, whatever the release does. 0 without overdispersion (V = 0).
 */
export function noiseBand(
  canaryRequests: readonly number[],
  baselineRequests: readonly number[],
  rate: number,
  variance: number,
): number {
  if (!(variance > 0) || !(rate > 0)) return 0;
  const share = (requests: readonly number[]) => {
    const total = requests.reduce((sum, n) => sum + n, 0);
    return total === 0 ? 0 : requests.reduce((sum, n) => sum + n * n, 0) / (total * total);
  };
  return (
    NOISE_BAND_SDS * rate * Math.sqrt(variance * (share(canaryRequests) + share(baselineRequests)))
  );
}
