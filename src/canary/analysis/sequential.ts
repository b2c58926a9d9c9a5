// Error control over the repeated looks of one deployment. The canary is judged again and again as
// its window grows; a test at a fixed level each time would fail a healthy canary somewhere with a
// chance that grows with the number of looks. Instead each deployment has a false-rollback budget
// (`falseRollbackRate`, default 1 %) spent over its planned exposure by an alpha-spending
// function, and each look may only spend what the function has released since the looks before:
// by the union bound, the chance that any look fails a healthy canary is at most the budget,
// however many looks there are, when they come, and however their windows overlap.

/** Of the budget, what the planned exposure spends; the rest is for a deployment that runs over. */
export const PLANNED_SHARE = 0.9;

/** The power of the spending function α·t^ρ: ¼, front-loaded (bench/README.md, "Limits weigh more"). */
export const SPENDING_POWER = 0.25;

/**
 * Alpha spent by information time `t` (the exposure the data read covers / planned exposure):
 * 0.9·α·t^¼ up to t = 1, of the Kim–DeMets power family α·t^ρ with ρ = ¼, front-loaded: the
 * first minute of a 20-minute plan releases 47 % of the planned share, so a clear regression or
 * breach decides on the first periods published (looks come as each period is published, and
 * each spends only what its new data released). Past the plan (ECS slower than planned,
 * extensions) the last tenth is released half at a time per planned length,
 * 0.9·α + 0.1·α·(1 − 2^−(t − 1)), so a late look can still fail and the total never exceeds α.
 */
export function alphaSpentBy(alpha: number, t: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(t >= 0)) return 0;
  if (t <= 1) return PLANNED_SHARE * alpha * t ** SPENDING_POWER;
  return PLANNED_SHARE * alpha + (1 - PLANNED_SHARE) * alpha * -Math.expm1(-(t - 1) * Math.LN2);
}

export interface LookBudget {
  /** The deployment's false-rollback budget. */
  readonly alpha: number;
  /** How long the new revision is planned to take production traffic, in ms. */
  readonly plannedExposureMs: number;
}

/**
 * What a look `exposedMs` into the exposure may spend, given what earlier looks spent: the alpha
 * released so far less `spent`. Never negative.
 */
export function lookAlpha(budget: LookBudget, exposedMs: number, spent: number): number {
  const t = budget.plannedExposureMs > 0 ? exposedMs / budget.plannedExposureMs : 1;
  return Math.max(0, alphaSpentBy(budget.alpha, t) - spent);
}
