import { describe, expect, it } from '@jest/globals';
import {
  deploymentConfiguration,
  pauseStages,
} from '../../../../src/ecs/deploy/deployment-configuration.ts';
import type { Strategy } from '../../../../src/ecs/deploy/strategy.ts';

const canary: Strategy = {
  kind: 'canary',
  canaryPercent: 5,
  canaryBakeMinutes: 10,
  bakeMinutes: 20,
};
const linear: Strategy = { kind: 'linear', stepPercent: 25, stepBakeMinutes: 6, bakeMinutes: 10 };
const blueGreen: Strategy = { kind: 'blue-green', bakeMinutes: 15 };
const rolling: Strategy = { kind: 'rolling' };

const pause = (stages: string[], timeoutInMinutes = 60) => [
  {
    targetType: 'PAUSE',
    lifecycleStages: stages,
    timeoutConfiguration: { timeoutInMinutes, action: 'ROLLBACK' },
  },
];

describe('deploymentConfiguration', () => {
  it('canary: strategy, bake times, alarms, circuit breaker and the three PAUSE gates', () => {
    expect(
      deploymentConfiguration(canary, {
        alarms: ['web-5xx', 'web-latency'],
        hookTimeoutMinutes: 60,
        smokeCheck: true,
      }),
    ).toEqual({
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 },
      bakeTimeInMinutes: 20,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ['web-5xx', 'web-latency'], enable: true, rollback: true },
      lifecycleHooks: pause([
        'POST_TEST_TRAFFIC_SHIFT',
        'PRE_PRODUCTION_TRAFFIC_SHIFT',
        'POST_PRODUCTION_TRAFFIC_SHIFT',
      ]),
    });
  });

  it('linear: its step configuration; no smoke check, no POST_TEST pause', () => {
    const c = deploymentConfiguration(linear, { hookTimeoutMinutes: 45, smokeCheck: false });
    expect(c.strategy).toBe('LINEAR');
    expect(c.linearConfiguration).toEqual({ stepPercent: 25, stepBakeTimeInMinutes: 6 });
    expect(c.lifecycleHooks).toEqual(
      pause(['PRE_PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'], 45),
    );
  });

  it('leaves the alarms out when none are given, so the service keeps its own', () => {
    const c = deploymentConfiguration(canary, {
      hookTimeoutMinutes: 60,
      smokeCheck: false,
      alarms: [],
    });
    expect(c.alarms).toBeUndefined();
    expect(c.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
  });

  it('blue/green: a single shift from 0 %, so no pause before it', () => {
    const c = deploymentConfiguration(blueGreen, { hookTimeoutMinutes: 60, smokeCheck: true });
    expect(c).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 15 });
    expect(c.lifecycleHooks).toEqual(
      pause(['POST_TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']),
    );
  });

  it('rolling: no lifecycle hooks at all, ECS monitors only', () => {
    const c = deploymentConfiguration(rolling, {
      alarms: ['web-5xx'],
      hookTimeoutMinutes: 60,
      smokeCheck: true,
    });
    expect(c).toEqual({
      strategy: 'ROLLING',
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
    });
  });

  it('clears stale hooks with an empty list when nothing needs a pause', () => {
    const c = deploymentConfiguration(blueGreen, {
      hookTimeoutMinutes: 60,
      smokeCheck: false,
      analysis: false,
    });
    expect(c.lifecycleHooks).toEqual([]);
  });

  it('never pauses at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT', () => {
    for (const strategy of [canary, linear, blueGreen, rolling]) {
      for (const smokeCheck of [true, false]) {
        const stages = pauseStages(strategy, { smokeCheck });
        expect(stages).not.toContain('TEST_TRAFFIC_SHIFT');
        expect(stages).not.toContain('PRODUCTION_TRAFFIC_SHIFT');
      }
    }
  });
});
