// The ecs-canary-deploy engine: UpdateService with a deployment configuration whose PAUSE hooks
// the engine answers (or attach to the deployment a previous run started), then watch and steer
// it to a final status. Pure: ports, clock, sleep and signal come from the adapter.
import {
  type AnalysisConfigInput,
  type InconclusivePolicyInput,
  validateAnalysisConfig,
  validateInconclusivePolicy,
} from '../../canary/analysis/index.ts';
import type { Clock, Sleep } from '../../lib/clock.ts';
import { UserError } from '../../lib/errors.ts';
import { type OnBusy, attachOrStart } from './attach-or-start.ts';
import type { AnalysisSettings } from './continuous-analysis.ts';
import { deploymentConfiguration } from './deployment-configuration.ts';
import type { DeployEvent } from './events.ts';
import { type PollingSettings, pollingSettings } from './poll-cadence.ts';
import { withLatencyThresholds } from './latency-thresholds.ts';
import type { DeploymentPort, LogsPort, MetricsPort } from './ports.ts';
import type { PreflightResult } from './preflight.ts';
import { type DeployResult, RESULT_VERSION, iso } from './result.ts';
import { revisionLookup } from './revisions.ts';
import type { Strategy } from './strategy.ts';
import { type SmokeCheck, watchDeployment } from './watch.ts';

export interface DeployRequest {
  cluster: string;
  service: string;
  /** The registered task definition to deploy. */
  taskDefinitionArn: string;
  strategy: Strategy;
  /** CloudWatch alarms ECS watches and rolls back on. */
  alarms?: readonly string[] | undefined;
  /** How long ECS waits at a PAUSE hook before rolling back by itself: 1–20160, default 30. */
  hookTimeoutMinutes?: number | undefined;
  /** Another task definition is deploying: wait for it (default) or fail. */
  onBusy?: OnBusy | undefined;
  /** Canary analysis; without it the hooks only carry the smoke check and ECS's monitors decide. */
  analysis?:
    | {
        config: AnalysisConfigInput;
        onInconclusive: InconclusivePolicyInput;
        /** Default 60 s; 10 s or more makes sense (ALB metrics come in 60 s periods). */
        intervalMs?: number | undefined;
        /** Default 60 s (the ALB's data-point period). */
        periodSeconds?: number | undefined;
      }
    | undefined;
  /** From preflight: the service's two target groups, if the revisions name only one. */
  trafficShift?: PreflightResult['trafficShift'];
  /** The engine rolls back and returns once this much time has passed; default none. */
  timeoutMs?: number | undefined;
  polling?: Partial<PollingSettings> | undefined;
}

export interface DeployDeps {
  deployments: DeploymentPort;
  /** Required with `analysis`. */
  metrics?: MetricsPort | undefined;
  /** For the last log lines of failing containers. */
  logs?: LogsPort | undefined;
  /** Runs at POST_TEST_TRAFFIC_SHIFT, before any production traffic moves. */
  smokeCheck?: SmokeCheck | undefined;
  clock: Clock;
  sleep: Sleep;
  /** Cancellation (SIGINT/SIGTERM). A TimeoutError reason counts as the timeout. */
  signal: AbortSignal;
  onEvent?: ((event: DeployEvent) => void) | undefined;
  /** Signals for calls that must still run after `signal` aborted; default AbortSignal.timeout. */
  deadline?: ((ms: number) => AbortSignal) | undefined;
}

export const DEFAULT_HOOK_TIMEOUT_MINUTES = 30;
export const DEFAULT_ANALYSIS_INTERVAL_MS = 60_000;
/** The ALB's data-point period. */
export const DEFAULT_PERIOD_SECONDS = 60;

export async function deploy(request: DeployRequest, deps: DeployDeps): Promise<DeployResult> {
  const startedAt = deps.clock.now();
  const polling = pollingSettings(request.polling);
  const analysis = analysisSettings(request);
  if (analysis !== undefined && deps.metrics === undefined) {
    throw new TypeError('deploy: canary analysis needs a MetricsPort');
  }
  const hookTimeoutMinutes = request.hookTimeoutMinutes ?? DEFAULT_HOOK_TIMEOUT_MINUTES;
  const configuration = deploymentConfiguration(request.strategy, {
    alarms: request.alarms,
    hookTimeoutMinutes,
    smokeCheck: deps.smokeCheck !== undefined,
    analysis: analysis !== undefined,
  });
  const deadlineAt =
    request.timeoutMs === undefined ? Number.POSITIVE_INFINITY : startedAt + request.timeoutMs;
  const revisions = revisionLookup(deps.deployments);

  const found = await attachOrStart(
    {
      cluster: request.cluster,
      service: request.service,
      taskDefinitionArn: request.taskDefinitionArn,
      deploymentConfiguration: configuration,
      onBusy: request.onBusy ?? 'wait',
    },
    {
      deployments: deps.deployments,
      revisions,
      clock: deps.clock,
      sleep: deps.sleep,
      signal: deps.signal,
      deadlineAt,
      polling,
      onEvent: deps.onEvent,
    },
  );
  if (found.kind === 'gave-up') {
    return {
      outcome: 'failed',
      reason: found.reason,
      resultVersion: RESULT_VERSION,
      attached: false,
      triggeredAlarms: [],
      timeline: [],
      trafficSteps: [],
      hooks: [],
      analyses: [],
      startedAt: iso(startedAt),
      finishedAt: iso(deps.clock.now()),
    };
  }
  const attached = found.kind === 'attached';
  deps.onEvent?.({
    type: 'deployment',
    at: iso(deps.clock.now()),
    serviceDeploymentArn: found.serviceDeploymentArn,
    attached,
  });
  const pair = request.trafficShift;
  return watchDeployment(
    {
      cluster: request.cluster,
      service: request.service,
      serviceDeploymentArn: found.serviceDeploymentArn,
      strategy: request.strategy,
      attached,
      analysis,
      targetGroupPair:
        pair === undefined
          ? undefined
          : {
              targetGroupArn: pair.targetGroupArn,
              alternateTargetGroupArn: pair.alternateTargetGroupArn,
            },
      hookTimeoutMinutes,
      polling,
      startedAt,
      deadlineAt,
      timeoutMs: request.timeoutMs,
    },
    {
      deployments: deps.deployments,
      metrics:
        deps.metrics === undefined || analysis === undefined
          ? deps.metrics
          : withLatencyThresholds(deps.metrics, analysis.config),
      logs: deps.logs,
      smokeCheck: deps.smokeCheck,
      revisions,
      clock: deps.clock,
      sleep: deps.sleep,
      signal: deps.signal,
      onEvent: deps.onEvent,
      deadline: deps.deadline ?? ((ms) => AbortSignal.timeout(ms)),
    },
  );
}

/** Validated analysis settings; none for rolling deployments, which have no baseline to compare. */
function analysisSettings(request: DeployRequest): AnalysisSettings | undefined {
  const input = request.analysis;
  if (input === undefined || request.strategy.kind === 'rolling') return undefined;
  const intervalMs = input.intervalMs ?? DEFAULT_ANALYSIS_INTERVAL_MS;
  const periodSeconds = input.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
  if (!Number.isInteger(periodSeconds) || periodSeconds < 60 || periodSeconds % 60 !== 0) {
    throw new UserError(
      `The analysis period is ${periodSeconds} s: use a multiple of 60 (ALB metrics come in 60 s periods).`,
    );
  }
  return {
    config: validateAnalysisConfig(input.config),
    policy: validateInconclusivePolicy(input.onInconclusive),
    intervalMs,
    periodSeconds,
  };
}
