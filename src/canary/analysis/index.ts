// Canary analysis: statistics and the verdict over already-fetched metric windows.
export {
  type AlignmentGrid,
  type CloudWatchSeries,
  type TargetGroupSeries,
  alignSeries,
} from './align-series.ts';
export {
  ANALYSIS_DEFAULTS,
  type AnalysisConfig,
  type AnalysisConfigInput,
  validateAnalysisConfig,
} from './config.ts';
export {
  type MannWhitneyResult,
  hodgesLehmann,
  mannWhitneyU,
  smallestPossibleP,
} from './mann-whitney.ts';
export {
  type InconclusivePolicy,
  type InconclusivePolicyInput,
  type LoopDecision,
  ON_INCONCLUSIVE,
  type OnInconclusive,
  decideAfterAnalysis,
  decideOnInconclusive,
  validateInconclusivePolicy,
} from './on-inconclusive.ts';
export {
  type Proportion,
  binomialTestGreater,
  clopperPearsonLower,
  clopperPearsonUpper,
  fisherExactGreater,
  requestsNeededWithoutErrors,
} from './proportions.ts';
export {
  type LookBudget,
  PLANNED_SHARE,
  SPENDING_POWER,
  alphaSpentBy,
  lookAlpha,
  spendingPower,
} from './sequential.ts';
export type * from './types.ts';
export { NOTHING_TO_JUDGE_ENDING, judge } from './verdict.ts';
