export { runWorkflow } from './run-workflow.ts';
export {
  loadWorkflow,
  parseWorkflowText,
  WorkflowError,
  type LoadedWorkflow,
} from './load-workflow.ts';
export { evaluate, asString, isTruthy, type Contexts } from './expressions.ts';
export { STAND_IN_NAMES } from './references.ts';
export type {
  EnvironmentSettings,
  JobResult,
  JobRun,
  ReviewDecision,
  ReviewRequest,
  StepRun,
  WorkflowRun,
  WorkflowRunOptions,
} from './types.ts';
export { findLeakedSecretsInRun } from './leaks.ts';
export { formatRunLog } from './run-log.ts';
