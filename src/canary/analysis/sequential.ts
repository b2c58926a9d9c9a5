// Error control over the repeated looks of one deployment. The canary is judged again and again as
// its window grows; a test at a fixed level each time would fail a healthy canary somewhere with a
// chance that grows with the number of looks. Instead each deployment has a false-rollback budget
// (`falseRollbackRate`, default 1 %) spent over its planned exposure by an alpha-spending
// function, and each look may only spend what the function has released since the looks before:
// by the union bound, the chance that any look fails a healthy canary is at most the budget,
// however many looks there are, when they come, and however their windows overlap.

/** Of the budget, what the planned exposure spends; the rest is for a deployment that runs over. */
export const PLANNED_SHARE = 0.9;

/**
 * The power ρ of the spending function α·t^ρ, fixed by the deployment's inputs before any data:
 * ½ when only the comparisons with the baseline judge, ¼ when the user set an absolute limit.
 * A limit is a one-sample test that can decide on the first minute's requests, and the user
 * declared its breach a failure; the comparisons, front-loaded as much, roll back more healthy
 * canaries whose baseline is noisy (bench/README.md, "Limits weigh more").
 */
export const SPENDING_POWER = { comparisonsOnly: 0.5, withLimits: 0.25 } as const;

export function spendingPower(limits: {
  readonly maxErrorRate?: number | undefined;
  readonly maxP95LatencySeconds?: number | undefined;
  readonly maxP99LatencySeconds?: number | undefined;
}): number {
  const anyLimit =
    limits.maxErrorRate !== undefined ||
    limits.maxP95LatencySeconds !== undefined ||
    limits.maxP99LatencySeconds !== undefined;
  return anyLimit ? SPENDING_POWER.withLimits : SPENDING_POWER.comparisonsOnly;
}

/**
 * Alpha spent by information time `t` (the exposure the data read covers / planned exposure):
 * 0.9·α·t^ρ up to t = 1, of the Kim–DeMets power family, front-loaded: the first minute of a
 * 20-minute plan releases 22 % of the planned share at ρ = ½, 47 % at ρ = ¼, so a clear
 * regression or breach decides on the first periods published (looks come as each period is
 * published, and each spends only what its new data released). Past the plan (ECS slower than
 * planned, extensions) the last tenth is released half at a time per planned length,
 * 0.9·α + 0.1·α·(1 − 2^−(t − 1)), so a late look can still fail and the total never exceeds α.
 */
export function alphaSpentBy(alpha: number, t: number, power: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power <= 1)) throw new RangeError(`power must be in (0, 1], got ${power}`);
  if (!(t >= 0)) return 0;
  if (t <= 1) return PLANNED_SHARE * alpha * t ** power;
  return PLANNED_SHARE * alpha + (1 - PLANNED_SHARE) * alpha * -Math.expm1(-(t - 1) * Math.LN2);
}

export interface LookBudget {
  /** The deployment's false-rollback budget. */
  readonly alpha: number;
  /** How long the new revision is planned to take production traffic, in ms. */
  readonly plannedExposureMs: number;
  /** The spending function's ρ (`spendingPower`). */
  readonly power: number;
}

/**
 * What a look `exposedMs` into the exposure may spend, given what earlier looks spent: the alpha
 * released so far less `spent`. Never negative.
 */
export function lookAlpha(budget: LookBudget, exposedMs: number, spent: number): number {
  const t = budget.plannedExposureMs > 0 ? exposedMs / budget.plannedExposureMs : 1;
  return Math.max(0, alphaSpentBy(budget.alpha, t, budget.power) - spent);
}
