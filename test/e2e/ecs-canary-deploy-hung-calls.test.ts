// dist/ecs-canary-deploy/index.js when AWS calls hang: the request never answers, the step
// abandons it after request-timeout and tries again, on the watch, the analysis and the
// rollback itself. Same 120× world as the other deploy tests.
import { describe, expect, it } from '@jest/globals';
import {
  CANARY_TRAFFIC,
  expectDeployed,
  expectRolledBack,
  revision,
  useEcsDeployWorld,
} from './ecs-deploy-world.ts';

const KEYS = {
  accessKeyId: 'AKIAECSCANARYE2E0004',
  secretAccessKey: 'ecs-canary-e2e-hung-calls-secret-key-0000',
};
const HUNG = { 'request-timeout': '2s' };

const world = useEcsDeployWorld({ keys: KEYS, seed: 17 });
const { app, inputsFor, start, running } = world;
const hungCalls = (action: string) =>
  world.emulator.calls.filter((c) => c.action === action && c.fault === 'hang').length;

describe('ecs-canary-deploy bundle when AWS calls hang', () => {
  it('abandons hung DescribeServiceDeployments and GetMetricData calls, retries, and deploys', async () => {
    const a = app('hung-watch');
    const step = start(inputsFor(a, 'v2', HUNG));
    await step.waitForOutput(CANARY_TRAFFIC, 20_000);
    const watch = world.emulator.faults.inject({
      service: 'ecs',
      action: 'DescribeServiceDeployments',
      kind: 'hang',
      times: 2,
    });
    const metrics = world.emulator.faults.inject({
      action: 'GetMetricData',
      kind: 'hang',
      times: 1,
    });
    const r = await step.result;
    expectDeployed(r);
    expect([watch.applied, metrics.applied]).toEqual([2, 1]);
    expect(hungCalls('DescribeServiceDeployments')).toBe(2);
    expect(running(a)).toEqual([revision(a, 2)]);
  }, 60_000);

  it('still rolls back a failing canary when the rollback call itself hangs once', async () => {
    const a = app('hung-rollback');
    const v2 = revision(a, 2);
    world.emulator.scenario.setBehaviour(v2, { errorRate: 0.3 });
    const step = start(inputsFor(a, 'v2', HUNG));
    await step.waitForOutput(CANARY_TRAFFIC, 20_000);
    // From here the next answer to a PAUSE hook is the analysis's ROLLBACK: it hangs once.
    const rollback = world.emulator.faults.inject({
      service: 'ecs',
      action: 'ContinueServiceDeployment',
      kind: 'hang',
      times: 1,
    });
    const r = await step.result;
    expectRolledBack(r, 'analysis');
    expect(rollback.applied).toBe(1);
    expect(running(a)).toEqual([a.v1]);
  }, 60_000);
});
