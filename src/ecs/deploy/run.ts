// The ecs-canary-deploy engine's one entry: check the service, plan and hold the plan to the time
// budget, prepare the task definition, and deploy it unless the service already runs it with
// nothing in flight. Pure: the ports, clock, sleep and signal come from the adapter.
import type { Clock, Sleep } from '../../lib/clock.ts';
import { formatDuration } from '../../lib/durations.ts';
import { UserError } from '../../lib/errors.ts';
import type { TaskDefinitionPort } from '../task-definition/ports.ts';
import { type PreparedTaskDefinition, prepareTaskDefinition } from '../task-definition/prepare.ts';
import type { TaskDefinitionOverrides, TaskDefinitionSource } from '../task-definition/types.ts';
import { type OnBusy, refuseIfBusy, sameTaskDefinition } from './attach-or-start.ts';
import {
  DEFAULT_ANALYSIS_INTERVAL_MS,
  DEFAULT_PERIOD_SECONDS,
  type DeployRequest,
  deploy,
} from './deploy.ts';
import type { DeployEvent } from './events.ts';
import { alignsFirstShift, longestAlignmentMs } from './first-shift.ts';
import { type MetricSeriesPort, alignedMetrics } from './metrics.ts';
import { type DeploymentPlan, planDeployment } from './plan.ts';
import type { DeploymentPort, LogsPort } from './ports.ts';
import { type PreflightPorts, preflight } from './preflight.ts';
import type { DeployResult } from './result.ts';
import type { Strategy } from './strategy.ts';
import type { SmokeCheck } from './watch.ts';

/** Starting the new tasks and passing health checks, for the plan's estimate. */
const SCALE_UP_ESTIMATE_MS = 3 * 60_000;

/** A file (read and checked by the adapter before any call), or the revision the service runs now. */
export type TaskDefinitionOrigin =
  { kind: 'file'; source: TaskDefinitionSource } | { kind: 'service' };

export interface RunOptions {
  cluster: string;
  service: string;
  strategy: Strategy;
  taskDefinition: TaskDefinitionOrigin;
  overrides: TaskDefinitionOverrides;
  /** CloudWatch alarms ECS watches and rolls back on. */
  alarms: readonly string[];
  analysis: DeployRequest['analysis'];
  /** Another task definition is deploying: wait for it, or fail (before registering anything). */
  onBusy: OnBusy;
  hookTimeoutMinutes: number;
  /** The time budget: the plan must fit in it, and the deployment is rolled back once it passed. */
  timeoutMs: number;
  pollIntervalMs: number;
  /** Check and plan only: nothing is registered or deployed. */
  dryRun: boolean;
}

export interface RunPorts {
  preflight: PreflightPorts;
  taskDefinitions: TaskDefinitionPort;
  deployments: DeploymentPort;
  metrics: MetricSeriesPort;
  logs: LogsPort;
  /** When given, it runs against the test listener before any production traffic moves. */
  smokeCheck?: SmokeCheck | undefined;
  clock: Clock;
  sleep: Sleep;
  /** Cancellation and the step's timeout. */
  signal: AbortSignal;
  onEvent?: ((event: RunEvent) => void) | undefined;
}

export type RunEvent =
  | DeployEvent
  /** Checked and planned, before anything changes. */
  | { type: 'plan'; plan: DeploymentPlan }
  /** Registered, or an equal revision reused. */
  | { type: 'task-definition'; taskDefinition: PreparedTaskDefinition };

export type RunResult =
  | { kind: 'dry-run'; plan: DeploymentPlan }
  | { kind: 'already-deployed'; plan: DeploymentPlan; taskDefinition: PreparedTaskDefinition }
  | {
      kind: 'deployed';
      plan: DeploymentPlan;
      taskDefinition: PreparedTaskDefinition;
      /** Succeeded, rolled back or failed. */
      deployment: DeployResult;
    };

export async function run(options: RunOptions, ports: RunPorts): Promise<RunResult> {
  const { cluster, service, strategy } = options;
  const { signal, deployments } = ports;
  const smokeCheck = ports.smokeCheck !== undefined;
  const checked = await preflight(
    { cluster, service, strategy, alarms: options.alarms, smokeCheckViaTestListener: smokeCheck },
    ports.preflight,
    signal,
  );

  const plan = planDeployment({
    strategy,
    desiredCount: checked.service.desiredCount,
    hasTestListener: checked.trafficShift?.testListenerRule !== undefined,
    smokeCheck,
    scaleUpEstimateMs: SCALE_UP_ESTIMATE_MS,
    budgetMs: options.timeoutMs,
    firstShiftAlignmentMs:
      options.analysis !== undefined && alignsFirstShift(strategy)
        ? longestAlignmentMs(
            options.analysis.periodSeconds ?? DEFAULT_PERIOD_SECONDS,
            options.analysis.intervalMs ?? DEFAULT_ANALYSIS_INTERVAL_MS,
          )
        : 0,
  });
  ports.onEvent?.({ type: 'plan', plan });
  if (options.dryRun) return { kind: 'dry-run', plan };
  if (!plan.fitsBudget) {
    throw new UserError(
      `The deployment is expected to take about ${formatDuration(plan.expectedMs)}, more than the timeout of ${formatDuration(options.timeoutMs)}: raise the timeout or shorten the bake times.`,
    );
  }

  const origin = options.taskDefinition;
  const taskDefinition = await prepareTaskDefinition(
    {
      origin: origin.kind === 'file' ? origin : { kind: 'service', cluster, service },
      overrides: options.overrides,
    },
    {
      port: ports.taskDefinitions,
      signal,
      ...(options.onBusy === 'fail'
        ? { beforeRegister: () => refuseIfBusy({ cluster, service }, { deployments, signal }) }
        : {}),
    },
  );
  ports.onEvent?.({ type: 'task-definition', taskDefinition });

  if (sameTaskDefinition(checked.service.taskDefinition, taskDefinition.arn)) {
    const inFlight = await deployments.unfinished(cluster, service, signal);
    if (inFlight.length === 0) return { kind: 'already-deployed', plan, taskDefinition };
  }

  const deployment = await deploy(
    {
      cluster,
      service,
      taskDefinitionArn: taskDefinition.arn,
      strategy,
      alarms: options.alarms,
      hookTimeoutMinutes: options.hookTimeoutMinutes,
      onBusy: options.onBusy,
      analysis: options.analysis,
      trafficShift: checked.trafficShift,
      timeoutMs: options.timeoutMs,
      polling: { intervalMs: options.pollIntervalMs },
    },
    {
      deployments,
      metrics: alignedMetrics(ports.metrics),
      logs: ports.logs,
      smokeCheck: ports.smokeCheck,
      clock: ports.clock,
      sleep: ports.sleep,
      signal,
      onEvent: ports.onEvent,
    },
  );
  return { kind: 'deployed', plan, taskDefinition, deployment };
}
