import type { AnalysisConfig } from './config.ts';
import { pAgainst, percent, times } from './format.ts';
import type { CheckOutcome, MetricJudgement } from './types.ts';

/** A judgement before its `why` is closed with the outcome (the verdict may still gate it). */
export interface Draft extends Omit<MetricJudgement, 'why'> {
  /** The figures, without the outcome. */
  readonly figures: string;
}

export function finish({ figures, ...judgement }: Draft): MetricJudgement {
  return { ...judgement, why: `${figures}: ${judgement.outcome}` };
}

/** The level a check fails at: the look's share of the budget, else 1 − confidence. */
export function failAlpha(config: AnalysisConfig): number {
  return config.failAlpha ?? 1 - config.confidence;
}

export function isSignificant(p: number, config: AnalysisConfig): boolean {
  return p < failAlpha(config);
}

/** "p=0.0013 < 0.02" against the level the check fails at. */
export function pVersus(p: number, config: AnalysisConfig): string {
  return pAgainst(p, 1 - failAlpha(config));
}

/**
 * The rule for a comparison with the baseline (after Kayenta): the canary fails only when it is
 * worse by more than the tolerance AND the difference is significant. Within the tolerance it
 * passes whatever the p-value. Worse than the tolerance but not significant is inconclusive
 * (Kayenta passes it): more data will either confirm the regression or shrink it.
 */
export function relativeRule(
  canary: number,
  baseline: number,
  p: number,
  testName: string,
  config: AnalysisConfig,
  /** For rates: an absolute increase that is always allowed (`absoluteTolerance`). */
  floor = 0,
  /** What the floor is made of, when more than `absoluteTolerance`. */
  floorSource = 'absolute-tolerance',
): { outcome: CheckOutcome; text: string } {
  const ratio = baseline === 0 ? null : canary / baseline;
  const allowed = times(1 + config.tolerance);
  if (canary === 0 && baseline === 0) return { outcome: 'pass', text: 'none in either group' };
  if (canary <= baseline * (1 + config.tolerance)) {
    // A zero baseline left the branch above, so the ratio exists here.
    return {
      outcome: 'pass',
      text: `${times(ratio as number)} baseline, within the ${allowed} allowed`,
    };
  }
  const over = ratio === null ? 'above a baseline of zero' : `${times(ratio)} baseline`;
  if (floor > 0 && canary - baseline <= floor) {
    return {
      outcome: 'pass',
      text: `${over}, within the +${points(floor)} allowed (${floorSource})`,
    };
  }
  const worse =
    ratio === null
      ? floor > 0
        ? `${over}, over the +${points(floor)} allowed`
        : over
      : `${over}, over the ${allowed}${floor > 0 ? ` and +${points(floor)}` : ''} allowed`;
  const test = `${testName} ${pVersus(p, config)}`;
  return isSignificant(p, config)
    ? { outcome: 'fail', text: `${worse}, ${test}` }
    : { outcome: 'inconclusive', text: `${worse}, but ${test}` };
}

/** 0.002 → "0.2 points" (of percent). */
export function points(fraction: number): string {
  return `${percent(fraction).replace(' %', '')} ${fraction === 0.01 ? 'point' : 'points'}`;
}
