// The deploymentConfiguration UpdateService gets: the strategy, ECS's own monitors (alarms,
// circuit breaker) and the PAUSE hooks where the engine decides. Every hook times out to ROLLBACK,
// so a deployment whose runner died rolls back by itself instead of finishing unwatched.
import type { DeploymentConfiguration, DeploymentLifecycleHookStage } from '@aws-sdk/client-ecs';
import type { Strategy } from './strategy.ts';

export interface DeploymentConfigurationOptions {
  /** CloudWatch alarm names; ECS rolls back when one goes into ALARM. Left out: the service keeps its own. */
  alarms?: readonly string[] | undefined;
  /** How long ECS waits at a PAUSE hook before it rolls back on its own: whole minutes, 1–20160. */
  hookTimeoutMinutes: number;
  /** A smoke check runs at POST_TEST_TRAFFIC_SHIFT. */
  smokeCheck: boolean;
  /** Gates for the canary analysis before each production shift and after the last; default true. */
  analysis?: boolean | undefined;
}

/** ECS refuses PAUSE hooks here: these stages also run during a rollback. */
const NO_PAUSE: readonly DeploymentLifecycleHookStage[] = [
  'TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
];

/** The stages where the engine pauses the deployment to decide. */
export function pauseStages(
  strategy: Strategy,
  options: Pick<DeploymentConfigurationOptions, 'smokeCheck' | 'analysis'>,
): DeploymentLifecycleHookStage[] {
  // Rolling deployments have no traffic-shift stages; their only gates are ECS's monitors.
  if (strategy.kind === 'rolling') return [];
  const stages: DeploymentLifecycleHookStage[] = [];
  if (options.smokeCheck) stages.push('POST_TEST_TRAFFIC_SHIFT');
  if (options.analysis !== false) {
    // Canary and linear pause before every production step: the gate where the analysis
    // decides. Blue/green has a single shift, from 0 %: nothing to judge before it.
    if (strategy.kind !== 'blue-green') stages.push('PRE_PRODUCTION_TRAFFIC_SHIFT');
    stages.push('POST_PRODUCTION_TRAFFIC_SHIFT');
  }
  return stages.filter((stage) => !NO_PAUSE.includes(stage));
}

export function deploymentConfiguration(
  strategy: Strategy,
  options: DeploymentConfigurationOptions,
): DeploymentConfiguration {
  const configuration: DeploymentConfiguration = {
    strategy: ecsStrategy(strategy),
    deploymentCircuitBreaker: { enable: true, rollback: true },
  };
  switch (strategy.kind) {
    case 'canary':
      configuration.canaryConfiguration = {
        canaryPercent: strategy.canaryPercent,
        canaryBakeTimeInMinutes: strategy.canaryBakeMinutes,
      };
      configuration.bakeTimeInMinutes = strategy.bakeMinutes;
      break;
    case 'linear':
      configuration.linearConfiguration = {
        stepPercent: strategy.stepPercent,
        stepBakeTimeInMinutes: strategy.stepBakeMinutes,
      };
      configuration.bakeTimeInMinutes = strategy.bakeMinutes;
      break;
    case 'blue-green':
      configuration.bakeTimeInMinutes = strategy.bakeMinutes;
      break;
    case 'rolling':
      break;
  }
  if (options.alarms !== undefined && options.alarms.length > 0) {
    configuration.alarms = { alarmNames: [...options.alarms], enable: true, rollback: true };
  }
  if (strategy.kind !== 'rolling') {
    const stages = pauseStages(strategy, options);
    // Always sent, even empty: UpdateService keeps members it is not given, and a PAUSE hook left
    // from an earlier configuration would stop this deployment with nobody to answer it.
    configuration.lifecycleHooks =
      stages.length === 0
        ? []
        : [
            {
              targetType: 'PAUSE',
              lifecycleStages: stages,
              timeoutConfiguration: {
                timeoutInMinutes: options.hookTimeoutMinutes,
                action: 'ROLLBACK',
              },
            },
          ];
  }
  return configuration;
}

function ecsStrategy(strategy: Strategy): NonNullable<DeploymentConfiguration['strategy']> {
  switch (strategy.kind) {
    case 'canary':
      return 'CANARY';
    case 'linear':
      return 'LINEAR';
    case 'blue-green':
      return 'BLUE_GREEN';
    case 'rolling':
      return 'ROLLING';
  }
}
