// The few distributions the analysis needs, accurate to about 1e-12 relative where it matters
// (p-values near the significance level and far in the tails), with no dependency.

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection keeps the approximation in the range where it is accurate.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln C(n, k) for whole numbers 0 ≤ k ≤ n. */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  if (k === 0 || k === n) return 0;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

const EPSILON = 1e-16;
const TINY = 1e-300;

/** The regularized upper incomplete gamma function Q(a, x). */
function upperIncompleteGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 − P is not small here, so nothing is lost.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Continued fraction for Q (modified Lentz), accurate far into the tail.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(logPrefix) * h;
}

/** P(X ≥ x) for X ~ χ² with `degrees` degrees of freedom. */
export function chiSquareUpperTail(x: number, degrees: number): number {
  if (!(degrees > 0) || Number.isNaN(x)) {
    throw new RangeError(`chiSquareUpperTail needs degrees > 0 and a number, got ${degrees}, ${x}`);
  }
  return upperIncompleteGamma(degrees / 2, x / 2);
}

/** P(Z ≥ z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  if (Number.isNaN(z)) throw new RangeError('normalUpperTail needs a number');
  const tail = 0.5 * upperIncompleteGamma(0.5, (z * z) / 2);
  return z >= 0 ? tail : 1 - tail;
}

/**
 * Σ pmf(x) from `start` to `end` (inclusive), given ln pmf(start) and ln(pmf(next)/pmf(x)).
 * Callers always walk away from the mode, where terms only shrink, so the walk stops once the
 * rest cannot matter.
 */
function sumAwayFromMode(
  start: number,
  end: number,
  logStart: number,
  logRatio: (x: number) => number,
): number {
  const step = end >= start ? 1 : -1;
  let sum = 0;
  let logTerm = logStart;
  for (let x = start; ; x += step) {
    const term = Math.exp(logTerm);
    sum += term;
    if (x === end || term * Math.abs(end - x) <= sum * EPSILON) break;
    logTerm += logRatio(x);
  }
  return Math.min(1, sum);
}

function checkCounts(k: number, n: number): void {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0) {
    throw new RangeError(`binomial tails need whole numbers, got k=${k}, n=${n}`);
  }
}

function binomialLogPmf(k: number, n: number, p: number): number {
  return logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  checkCounts(k, n);
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const mode = Math.floor((n + 1) * p);
  if (k > mode) {
    const logOdds = Math.log(p) - Math.log1p(-p);
    return sumAwayFromMode(
      k,
      n,
      binomialLogPmf(k, n, p),
      (x) => Math.log((n - x) / (x + 1)) + logOdds,
    );
  }
  return Math.max(0, 1 - binomialLowerTail(k - 1, n, p));
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  checkCounts(k, n);
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const mode = Math.floor((n + 1) * p);
  if (k < mode) {
    const logOdds = Math.log1p(-p) - Math.log(p);
    return sumAwayFromMode(
      k,
      0,
      binomialLogPmf(k, n, p),
      (x) => Math.log(x / (n - x + 1)) + logOdds,
    );
  }
  return Math.max(0, 1 - binomialUpperTail(k + 1, n, p));
}

/**
 * P(X ≥ x) for X ~ Hypergeometric: `draws` items taken without replacement from `population`
 * items of which `successes` are marked. Fisher's exact test is this tail.
 */
export function hypergeometricUpperTail(
  x: number,
  population: number,
  successes: number,
  draws: number,
): number {
  for (const value of [x, population, successes, draws]) {
    if (!Number.isInteger(value)) throw new RangeError(`hypergeometric needs whole numbers`);
  }
  if (successes < 0 || draws < 0 || successes > population || draws > population) {
    throw new RangeError(
      `hypergeometric needs 0 ≤ successes, draws ≤ population, got ${successes}, ${draws}, ${population}`,
    );
  }
  const lo = Math.max(0, draws - (population - successes));
  const hi = Math.min(successes, draws);
  if (x <= lo) return 1;
  if (x > hi) return 0;
  const failures = population - successes;
  const logPmf = (k: number): number =>
    logChoose(successes, k) + logChoose(failures, draws - k) - logChoose(population, draws);
  const mode = Math.floor(((draws + 1) * (successes + 1)) / (population + 2));
  if (x > mode) {
    return sumAwayFromMode(x, hi, logPmf(x), (k) =>
      Math.log(((successes - k) * (draws - k)) / ((k + 1) * (failures - draws + k + 1))),
    );
  }
  const below = sumAwayFromMode(x - 1, lo, logPmf(x - 1), (k) =>
    Math.log((k * (failures - draws + k)) / ((successes - k + 1) * (draws - k + 1))),
  );
  return Math.max(0, 1 - below);
}
