// dist/ecs-canary-deploy/index.js when AWS calls hang: the request never answers, the step
// abandons it after request-timeout and tries again, on the watch, the analysis and the
// rollback itself. Same 120× world as the other deploy tests.
import { describe, expect, it } from '@jest/globals';
import { useEcsDeployWorld } from './ecs-deploy-world.ts';
import { errors, expectFailure, result } from './step-assertions.ts';

const KEYS = {
  accessKeyId: 'AKIAECSCANARYE2E0004',
  secretAccessKey: 'ecs-canary-e2e-hung-calls-secret-key-0000',
};
const CANARY_TRAFFIC = /Traffic on the new revision: production 20%/;
const HUNG = { 'request-timeout': '2s' };

const world = useEcsDeployWorld({ keys: KEYS, seed: 17 });
const { app, inputsFor, start, running } = world;
const revision = (v1: string, n: number) => v1.replace(/:1$/, `:${n}`);
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
    expect({ exit: r.exitCode, errors: errors(r) }).toEqual({ exit: 0, errors: [] });
    expect(r.outputs.status).toBe('SUCCESSFUL');
    expect([watch.applied, metrics.applied]).toEqual([2, 1]);
    expect(hungCalls('DescribeServiceDeployments')).toBe(2);
    expect(running(a)).toEqual([revision(a.v1, 2)]);
  }, 60_000);

  it('still rolls back a failing canary when the rollback call itself hangs once', async () => {
    const a = app('hung-rollback');
    const v2 = revision(a.v1, 2);
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
    expectFailure(r, /^Rolled back \(analysis\): /);
    expect(r.outputs.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(result(r)).toMatchObject({ outcome: 'rolled-back', decidedBy: 'analysis' });
    expect(rollback.applied).toBe(1);
    expect(running(a)).toEqual([a.v1]);
  }, 60_000);
});
