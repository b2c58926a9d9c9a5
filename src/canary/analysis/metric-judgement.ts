import type { AnalysisConfig } from './config.ts';
import { pAgainst, times } from './format.ts';
import type { CheckOutcome, MetricJudgement } from './types.ts';

/** A judgement before its `why` is closed with the outcome (the verdict may still gate it). */
export interface Draft extends Omit<MetricJudgement, 'why'> {
  /** The figures, without the outcome. */
  readonly figures: string;
}

export function finish({ figures, ...judgement }: Draft): MetricJudgement {
  return { ...judgement, why: `${figures}: ${judgement.outcome}` };
}

export function isSignificant(p: number, config: AnalysisConfig): boolean {
  return p < 1 - config.confidence;
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
  const worse =
    ratio === null
      ? 'above a baseline of zero'
      : `${times(ratio)} baseline, over the ${allowed} allowed`;
  const test = `${testName} ${pAgainst(p, config.confidence)}`;
  return isSignificant(p, config)
    ? { outcome: 'fail', text: `${worse}, ${test}` }
    : { outcome: 'inconclusive', text: `${worse}, but ${test}` };
}
