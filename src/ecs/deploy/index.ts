// The ecs-canary-deploy engine's public face: what the adapter and the post step call.
export {
  type RunEvent,
  type RunOptions,
  type RunPorts,
  type RunResult,
  type TaskDefinitionOrigin,
  run,
} from './run.ts';
export { type MetricSeriesPort, alignedMetrics } from './metrics.ts';
export { type DeploymentPlan, describePlan } from './plan.ts';
export {
  type AttachOrStart,
  type OnBusy,
  attachOrStart,
  refuseIfBusy,
  sameTaskDefinition,
} from './attach-or-start.ts';
export {
  DEFAULT_ANALYSIS_INTERVAL_MS,
  DEFAULT_HOOK_TIMEOUT_MINUTES,
  type DeployDeps,
  type DeployRequest,
  deploy,
} from './deploy.ts';
export {
  type DeploymentConfigurationOptions,
  deploymentConfiguration,
  pauseStages,
} from './deployment-configuration.ts';
export type { DeployEvent, TaskCounts, WatchErrorKind } from './events.ts';
export { POLLING_DEFAULTS, type PollingSettings } from './poll-cadence.ts';
export type * from './result.ts';
export { RESULT_VERSION } from './result.ts';
export { type UnfinishedRollback, rollBackUnfinished } from './rollback.ts';
export type { TroubleReport } from './trouble-report.ts';
export type { SmokeCheck } from './watch.ts';
