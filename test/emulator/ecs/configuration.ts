// deploymentConfiguration: defaults, validation and what a strategy means for traffic.
import type {
  DeploymentConfiguration,
  DeploymentLifecycleHook,
  DeploymentLifecycleHookStage,
} from '@aws-sdk/client-ecs';
import { invalidParameter } from './errors.ts';

export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
export type HookStage = DeploymentLifecycleHookStage;

const STRATEGIES: readonly string[] = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'];
export const HOOK_STAGES: readonly HookStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
];
/** Also run during rollback, so a pause there would block the rollback. */
const NO_PAUSE_STAGES: readonly HookStage[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

export const DEFAULT_CANARY_PERCENT = 5;
export const DEFAULT_CANARY_BAKE_MINUTES = 10;
export const DEFAULT_LINEAR_STEP_PERCENT = 10;
export const DEFAULT_LINEAR_STEP_BAKE_MINUTES = 6;
export const DEFAULT_HOOK_TIMEOUT_MINUTES = 1440;

/** What CreateService stores when fields are absent (echoed by DescribeServices). */
export function withDefaults(configuration: DeploymentConfiguration = {}): DeploymentConfiguration {
  return {
    deploymentCircuitBreaker: { enable: false, rollback: false },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    strategy: 'ROLLING',
    ...configuration,
  };
}

/** UpdateService replaces the members it is given and keeps the others. */
export function merge(
  current: DeploymentConfiguration,
  update: DeploymentConfiguration | undefined,
): DeploymentConfiguration {
  if (update === undefined) return current;
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(update)) if (value !== undefined) merged[key] = value;
  return merged as DeploymentConfiguration;
}

export function strategyOf(configuration: DeploymentConfiguration): Strategy {
  return (configuration.strategy ?? 'ROLLING') as Strategy;
}

/** Blue/green family: two target groups, test and production traffic shifts. */
export const shiftsTraffic = (strategy: Strategy) => strategy !== 'ROLLING';

export function validate(configuration: DeploymentConfiguration): void {
  const c = configuration;
  const strategy = c.strategy ?? 'ROLLING';
  if (!STRATEGIES.includes(strategy)) {
    throw invalidParameter(`Invalid deployment strategy: ${strategy}.`);
  }
  integerIn('maximumPercent', c.maximumPercent, 0, 200_000);
  integerIn('minimumHealthyPercent', c.minimumHealthyPercent, 0, 100);
  integerIn('bakeTimeInMinutes', c.bakeTimeInMinutes, 0, 1440);
  if (strategy === 'BLUE_GREEN' && c.bakeTimeInMinutes === undefined) {
    throw invalidParameter('bakeTimeInMinutes is required for the BLUE_GREEN deployment strategy.');
  }
  const canary = c.canaryConfiguration;
  if (canary !== undefined) {
    const p = canary.canaryPercent;
    if (p !== undefined && (!(p >= 0.1 && p <= 100) || !isMultipleOfTenth(p))) {
      throw invalidParameter(
        'canaryPercent must be a multiple of 0.1 between 0.1 and 100.0 (inclusive).',
      );
    }
    integerIn('canaryBakeTimeInMinutes', canary.canaryBakeTimeInMinutes, 0, 1440);
  }
  const linear = c.linearConfiguration;
  if (linear !== undefined) {
    const p = linear.stepPercent;
    if (p !== undefined && (!(p >= 3 && p <= 100) || !isMultipleOfTenth(p))) {
      throw invalidParameter(
        'stepPercent must be a multiple of 0.1 between 3.0 and 100.0 (inclusive).',
      );
    }
    integerIn('stepBakeTimeInMinutes', linear.stepBakeTimeInMinutes, 0, 1440);
  }
  const breaker = c.deploymentCircuitBreaker;
  if (breaker !== undefined) {
    if (typeof breaker.enable !== 'boolean' || typeof breaker.rollback !== 'boolean') {
      throw invalidParameter('deploymentCircuitBreaker requires enable and rollback.');
    }
    const threshold = breaker.thresholdConfiguration;
    if (threshold !== undefined) {
      if (!['COUNT', 'BOUNDED_PERCENT', 'UNBOUNDED_PERCENT'].includes(String(threshold.type))) {
        throw invalidParameter(`Invalid thresholdConfiguration type: ${String(threshold.type)}.`);
      }
      integerIn('thresholdConfiguration.value', threshold.value ?? -1, 1, 2_147_483_647);
    }
  }
  const alarms = c.alarms;
  if (alarms !== undefined) {
    if (
      !Array.isArray(alarms.alarmNames) ||
      typeof alarms.enable !== 'boolean' ||
      typeof alarms.rollback !== 'boolean'
    ) {
      throw invalidParameter('alarms requires alarmNames, enable and rollback.');
    }
  }
  validateHooks(c.lifecycleHooks ?? []);
}

function validateHooks(hooks: readonly DeploymentLifecycleHook[]): void {
  let pauses = 0;
  let lambdas = 0;
  for (const hook of hooks) {
    const type = hook.targetType ?? 'AWS_LAMBDA';
    if (type !== 'PAUSE' && type !== 'AWS_LAMBDA') {
      throw invalidParameter(`Invalid lifecycle hook targetType: ${String(type)}.`);
    }
    if (type === 'PAUSE') pauses += 1;
    else lambdas += 1;
    const stages = hook.lifecycleStages ?? [];
    if (stages.length === 0) {
      throw invalidParameter('lifecycleStages must contain at least one lifecycle stage.');
    }
    for (const stage of stages) {
      if (!HOOK_STAGES.includes(stage)) {
        throw invalidParameter(`Invalid lifecycle stage: ${String(stage)}.`);
      }
      if (type === 'PAUSE' && NO_PAUSE_STAGES.includes(stage)) {
        throw invalidParameter(
          `PAUSE lifecycle hooks can't be configured at the ${stage} lifecycle stage. The TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT stages support AWS_LAMBDA hooks only.`,
        );
      }
    }
    if (type === 'AWS_LAMBDA' && !hook.hookTargetArn) {
      throw invalidParameter('hookTargetArn is required for AWS_LAMBDA lifecycle hooks.');
    }
    const timeout = hook.timeoutConfiguration;
    if (timeout !== undefined) {
      integerIn('timeoutConfiguration.timeoutInMinutes', timeout.timeoutInMinutes, 1, 20_160);
      if (
        timeout.action !== undefined &&
        timeout.action !== 'CONTINUE' &&
        timeout.action !== 'ROLLBACK'
      ) {
        throw invalidParameter(`Invalid timeoutConfiguration action: ${String(timeout.action)}.`);
      }
    }
  }
  if (pauses > 10) throw invalidParameter('A service can have at most 10 PAUSE lifecycle hooks.');
  if (lambdas > 10) {
    throw invalidParameter('A service can have at most 10 AWS_LAMBDA lifecycle hooks.');
  }
}

/** The production weight (percent) the target revision gets at each traffic-shift step. */
export function productionSteps(configuration: DeploymentConfiguration): number[] {
  switch (strategyOf(configuration)) {
    case 'CANARY': {
      const canary = configuration.canaryConfiguration?.canaryPercent ?? DEFAULT_CANARY_PERCENT;
      return canary >= 100 ? [100] : [canary, 100];
    }
    case 'LINEAR': {
      const step = configuration.linearConfiguration?.stepPercent ?? DEFAULT_LINEAR_STEP_PERCENT;
      const steps: number[] = [];
      for (let k = 1; ; k += 1) {
        const percent = Math.min(100, Math.round(k * step * 10) / 10);
        steps.push(percent);
        if (percent >= 100) return steps;
      }
    }
    default:
      return [100];
  }
}

/** Minutes to wait after each production step but the last. */
export function stepBakeMinutes(configuration: DeploymentConfiguration): number {
  switch (strategyOf(configuration)) {
    case 'CANARY':
      return (
        configuration.canaryConfiguration?.canaryBakeTimeInMinutes ?? DEFAULT_CANARY_BAKE_MINUTES
      );
    case 'LINEAR':
      return (
        configuration.linearConfiguration?.stepBakeTimeInMinutes ?? DEFAULT_LINEAR_STEP_BAKE_MINUTES
      );
    default:
      return 0;
  }
}

/** The circuit breaker's failure threshold (thresholdConfiguration, default BOUNDED_PERCENT 50). */
export function failureThreshold(configuration: DeploymentConfiguration, desired: number): number {
  const threshold = configuration.deploymentCircuitBreaker?.thresholdConfiguration;
  const type = threshold?.type ?? 'BOUNDED_PERCENT';
  const value = threshold?.value ?? 50;
  if (type === 'COUNT') return value;
  const computed = Math.ceil((value / 100) * desired);
  return type === 'UNBOUNDED_PERCENT'
    ? Math.max(1, computed)
    : Math.min(200, Math.max(3, computed));
}

export function hooksAt(
  configuration: DeploymentConfiguration,
  stage: HookStage,
): DeploymentLifecycleHook[] {
  return (configuration.lifecycleHooks ?? []).filter((h) => h.lifecycleStages?.includes(stage));
}

function integerIn(member: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`${member} must be an integer between ${min} and ${max}.`);
  }
}

function isMultipleOfTenth(value: number): boolean {
  return Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;
}
