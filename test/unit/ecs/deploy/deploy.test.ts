import { describe, expect, it } from '@jest/globals';
import type { DeployEvent } from '../../../../src/ecs/deploy/events.ts';
import { deploymentConfiguration } from '../../../../src/ecs/deploy/deployment-configuration.ts';
import type { DeployResult } from '../../../../src/ecs/deploy/result.ts';
import { UserError } from '../../../../src/lib/errors.ts';
import { LOG_GROUP, TD_NEW, TD_OTHER, awsError } from './fake-ecs.ts';
import { CANARY, HEALTHY, setUp, shiftedAt } from './harness.ts';
import { MINUTE, SECOND, START } from './virtual-time.ts';

const hooksOf = (result: DeployResult) => result.hooks.map((h) => `${h.stage} ${h.action}`);
const ofType = <T extends DeployEvent['type']>(events: DeployEvent[], type: T) =>
  events.filter((e): e is Extract<DeployEvent, { type: T }> => e.type === type);

describe('deploy: a healthy canary', () => {
  it('runs the smoke check, passes every gate and succeeds', async () => {
    let smokeAt: number | undefined;
    const h = setUp({
      deps: {
        smokeCheck: async () => {
          smokeAt = h.time.now;
          return { ok: true, detail: 'GET http://test-listener/health → 200' };
        },
      },
    });
    const result = await h.run();

    expect(result.outcome).toBe('succeeded');
    expect(result.status).toBe('SUCCESSFUL');
    expect(result.verdict).toBe('pass');
    expect(result.attached).toBe(false);
    expect(hooksOf(result)).toEqual([
      'POST_TEST_TRAFFIC_SHIFT CONTINUE',
      'PRE_PRODUCTION_TRAFFIC_SHIFT hold',
      'PRE_PRODUCTION_TRAFFIC_SHIFT CONTINUE',
      'PRE_PRODUCTION_TRAFFIC_SHIFT CONTINUE',
      'POST_PRODUCTION_TRAFFIC_SHIFT CONTINUE',
    ]);
    // The first shift was held to just after a minute's start (ECS moves the weights 5 s after
    // the answer), so the canary's first CloudWatch minute holds 54 s of its traffic; the watch
    // slept through the hold and described the deployment once, at its end, before answering.
    expect(shiftedAt(h.ecs, 10)! % MINUTE).toBe(6 * SECOND);
    const [held, continued] = result.hooks.filter(
      (x) => x.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT',
    );
    const during = h.ecs.calls.filter(
      (c) => c.at > Date.parse(held!.at) && c.at <= Date.parse(continued!.at),
    );
    expect(during.map((c) => [c.name, c.at])).toEqual([
      ['describe', Date.parse(held!.until!)],
      ['resolveHook', Date.parse(held!.until!)],
    ]);
    // The smoke check ran before any production traffic moved.
    expect(smokeAt).toBeLessThan(shiftedAt(h.ecs, 10)!);
    expect(result.trafficSteps.map((s) => s.production)).toEqual([0, 0, 10, 100]);
    expect(result.analyses.filter((a) => a.kind === 'gate').map((a) => a.verdict)).toEqual([
      'pass',
      'pass',
    ]);
    expect(result.analyses.every((a) => a.decision.action !== 'rollback')).toBe(true);
    expect(h.ecs.count('rollBack')).toBe(0);
    expect(result.trouble).toBeUndefined();
    expect(result.timeline.at(-1)).toMatchObject({ status: 'SUCCESSFUL' });
    // The whole result is plain data.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('sends the strategy, the alarms and ROLLBACK-on-timeout PAUSE hooks to UpdateService', async () => {
    const h = setUp({ deps: { smokeCheck: async () => ({ ok: true, detail: '200' }) } });
    await h.run();
    expect(h.ecs.ours.configuration).toEqual({
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
      bakeTimeInMinutes: 15,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: [
            'POST_TEST_TRAFFIC_SHIFT',
            'PRE_PRODUCTION_TRAFFIC_SHIFT',
            'POST_PRODUCTION_TRAFFIC_SHIFT',
          ],
          timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' },
        },
      ],
    });
  });

  it('makes far fewer AWS calls than a fixed 15 s poll, and exits within one poll of the end', async () => {
    const h = setUp();
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    const durationMs = h.time.now - START;
    const fixedPolls = Math.ceil(durationMs / (15 * SECOND));
    const describes = h.ecs.count('describe');
    const all = h.ecs.calls.length + h.metrics.calls.length;
    // About 28 minutes: a 15 s poll makes ~112 calls; the engine polls about half as often and,
    // with its analysis every minute, still stays below that in all.
    expect(fixedPolls).toBeGreaterThan(100);
    expect(describes).toBeLessThanOrEqual(60);
    expect(all).toBeLessThan(fixedPolls);
    expect(h.ecs.count('revisions')).toBe(1);
    expect(h.ecs.count('unfinished')).toBe(1);
    expect(h.ecs.count('start')).toBe(1);
    expect(h.ecs.count('resolveHook')).toBe(3);
    // Long waits are slept through in long stretches, never past the analysis interval.
    expect(Math.max(...h.time.sleeps.map((s) => s.ms))).toBeLessThanOrEqual(60 * SECOND);
    expect(h.time.now - h.ecs.ours.finishedAt!).toBeLessThanOrEqual(10 * SECOND);
  });

  it('streams stages, traffic weights and task counts as they change', async () => {
    const h = setUp();
    await h.run();
    const stages = ofType(h.events, 'stage').map((e) => e.stage);
    expect(stages).toEqual(
      expect.arrayContaining(['SCALE_UP', 'PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']),
    );
    expect(ofType(h.events, 'traffic').map((e) => e.production)).toEqual([0, 0, 10, 100]);
    expect(ofType(h.events, 'tasks')[0]).toMatchObject({
      target: { requested: 2, running: 0, pending: 2 },
    });
    expect(ofType(h.events, 'deployment')).toEqual([expect.objectContaining({ attached: false })]);
  });
});

describe('deploy: the cadence of a long linear rollout', () => {
  it('judges once an interval without a describe for every look', async () => {
    const h = setUp({
      strategy: { kind: 'linear', stepPercent: 10, stepBakeMinutes: 6, bakeMinutes: 10 },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    const looks = h.metrics.calls.filter((c) => c.name === 'windows');
    const describes = h.ecs.calls.filter((c) => c.name === 'describe');
    // Ten 6-minute steps and the final bake, judged about once a minute: ECS is expected to do
    // nothing between the ends of the steps, so the looks do not each poll it. (Most looks come
    // without a describe at the same moment; the healthy canary is no longer re-checked 15 s
    // after every look, so there are fewer looks than describes in all.)
    expect(looks.length).toBeGreaterThanOrEqual(60);
    const alone = looks.filter((look) => !describes.some((d) => d.at === look.at));
    expect(alone.length).toBeGreaterThanOrEqual(looks.length / 2);
  });
});

describe('deploy: the analysis rolls back', () => {
  it.each([6.2, 6.35, 6.9])(
    'a 5xx spike on the canary at %d min is rolled back within one analysis interval',
    async (minute) => {
      const spikeAt = START + minute * MINUTE;
      const h = setUp({
        scenario: {
          rpm: 2000,
          canary: (t) => ({ errorRate: t >= spikeAt ? 0.3 : 0.002 }),
          baseline: () => ({ errorRate: 0.002 }),
        },
      });
      const result = await h.run();
      const rollback = h.firstCall('rollBack');
      expect(rollback).toBeDefined();
      expect(rollback!.at).toBeGreaterThan(spikeAt);
      expect(rollback!.at - spikeAt).toBeLessThanOrEqual(60 * SECOND);
      expect(result).toMatchObject({
        outcome: 'rolled-back',
        decidedBy: 'analysis',
        status: 'ROLLBACK_SUCCESSFUL',
        verdict: 'fail',
      });
      if (result.outcome !== 'rolled-back') throw new Error('unreachable');
      expect(result.reason).toMatch(/5xx rate/);
      expect(result.trafficSteps.some((s) => s.production === 100)).toBe(false);
      const deciding = result.analyses.find((a) => a.decision.action === 'rollback');
      expect(deciding?.metrics?.length).toBeGreaterThan(0);
    },
  );

  it('keeps that bound whatever the phase of the spike against the analysis ticks', async () => {
    const delays: number[] = [];
    for (let second = 4 * 60; second < 6 * 60; second += 4) {
      const spikeAt = START + second * SECOND;
      const h = setUp({
        scenario: {
          rpm: 2000,
          canary: (t) => ({ errorRate: t >= spikeAt ? 0.3 : 0.002 }),
          baseline: () => ({ errorRate: 0.002 }),
        },
      });
      await h.run();
      delays.push(h.firstCall('rollBack')!.at - spikeAt);
    }
    expect(Math.max(...delays)).toBeLessThanOrEqual(60 * SECOND);
    expect(Math.min(...delays)).toBeGreaterThan(0);
  });

  it('rolls back a latency regression against the baseline during the canary step', async () => {
    const h = setUp({
      scenario: {
        rpm: 2000,
        canary: () => ({ errorRate: 0.002, latencyFactor: 2 }),
        baseline: () => ({ errorRate: 0.002 }),
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'analysis',
      verdict: 'fail',
    });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/p9[59] latency/);
    // Caught between gates, before the step's bake was over.
    const rollback = h.firstCall('rollBack')!;
    expect(rollback.at).toBeLessThan(shiftedAt(h.ecs, 10)! + 10 * MINUTE);
    expect(result.trafficSteps.some((s) => s.production === 100)).toBe(false);
  });

  it('fails the canary at a gate through the hook (ContinueServiceDeployment ROLLBACK)', async () => {
    // The load balancer marks a canary target unhealthy just as the step's bake ends: the gate's
    // target-health check sees it before the next shift.
    const h = setUp({
      scenario: {
        rpm: 2000,
        canary: (t) => {
          const shift = shiftedAt(h.ecs, 10);
          const late = shift !== undefined && t >= shift + 10 * MINUTE - 2 * SECOND;
          return { errorRate: 0.002, unhealthy: late ? 1 : 0 };
        },
        baseline: () => ({ errorRate: 0.002 }),
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'analysis',
      verdict: 'fail',
    });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(
      /^Canary analysis failed at 10 % before the next shift: canary had unhealthy hosts/,
    );
    expect(h.ecs.count('rollBack')).toBe(0);
    expect(h.firstCall('resolveHook', /ROLLBACK/)).toBeDefined();
    expect(result.hooks.at(-1)).toMatchObject({
      stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT',
      action: 'ROLLBACK',
    });
    expect(result.trafficSteps.some((s) => s.production === 100)).toBe(false);
  });
});

describe('deploy: ECS decides', () => {
  it('reports an alarm rollback as a failure with the triggered alarms, never as success', async () => {
    const h = setUp({ fake: { failure: { at: START + 8 * MINUTE, kind: 'alarm' } } });
    const result = await h.run();
    expect(result.outcome).toBe('rolled-back');
    expect(result).toMatchObject({
      decidedBy: 'alarm',
      status: 'ROLLBACK_SUCCESSFUL',
      triggeredAlarms: ['web-5xx'],
    });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/web-5xx went into ALARM/);
    expect(result.rollbackReason).toMatch(/CloudWatch alarm/);
    // The engine only answered the gate before the first shift; ECS rolled back by itself.
    expect(h.ecs.count('rollBack')).toBe(0);
    expect(h.ecs.calls.filter((c) => c.name === 'resolveHook').map((c) => c.detail)).toEqual([
      'ecs-pause-1 CONTINUE',
    ]);
    expect(ofType(h.events, 'monitors')).toEqual([
      expect.objectContaining({ triggeredAlarms: ['web-5xx'] }),
    ]);
  });

  it('turns a circuit-breaker rollback into a trouble report: events, stopped tasks, log tails', async () => {
    const stream = 'web/web/0f1e2d';
    const h = setUp({
      fake: {
        failure: { at: START + 40 * SECOND, kind: 'circuit-breaker' },
        events: [
          {
            at: new Date(START + 35 * SECOND),
            message: '(service web) deployment failed: tasks failed to start.',
          },
          {
            at: new Date(START - 60 * MINUTE),
            message: '(service web) has reached a steady state.',
          },
        ],
        stoppedTasks: [
          {
            taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/0f1e2d',
            stoppedReason: 'Essential container in task exited',
            containers: [
              { name: 'web', exitCode: 1, logGroup: LOG_GROUP, logStream: stream },
              { name: 'xray', exitCode: 0, logGroup: LOG_GROUP, logStream: 'xray/x/1' },
            ],
          },
          {
            taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/old',
            stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/123)',
            containers: [
              { name: 'web', exitCode: 0, logGroup: LOG_GROUP, logStream: 'web/web/old' },
            ],
          },
        ],
      },
      logs: { [stream]: ['listening on :8080', 'Error: connect ECONNREFUSED 10.0.3.4:5432'] },
    });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'circuit-breaker' });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/circuit breaker .* after 3 failed tasks \(threshold 3\)/);
    expect(result.trouble?.events.map((e) => e.message)).toEqual([
      '(service web) deployment failed: tasks failed to start.',
    ]);
    expect(result.trouble?.stoppedTasks).toEqual([
      expect.objectContaining({
        stoppedReason: 'Essential container in task exited',
        containers: [
          { name: 'web', exitCode: 1 },
          { name: 'xray', exitCode: 0 },
        ],
      }),
    ]);
    expect(result.trouble?.logTails).toEqual([
      expect.objectContaining({
        container: 'web',
        lines: ['listening on :8080', 'Error: connect ECONNREFUSED 10.0.3.4:5432'],
      }),
    ]);
    // Gathered while ECS was rolling back, not after the end.
    const trouble = h.events.findIndex((e) => e.type === 'trouble');
    const final = h.events.findIndex(
      (e) => e.type === 'stage' && e.status === 'ROLLBACK_SUCCESSFUL',
    );
    expect(trouble).toBeGreaterThan(-1);
    expect(trouble).toBeLessThan(final);
  });

  it('reports a deployment that ECS stopped without a rollback as failed', async () => {
    const h = setUp();
    h.time.at(START + 3 * MINUTE, () => {
      const d = h.ecs.ours;
      d.status = 'STOPPED';
      d.statusReason = 'A new service deployment was started.';
    });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'failed', status: 'STOPPED' });
    if (result.outcome !== 'failed') throw new Error('unreachable');
    expect(result.reason).toMatch(/without a rollback: A new service deployment was started/);
  });
});

describe('deploy: cancel and timeout', () => {
  it('rolls back when the job is cancelled mid-canary, on a deadline of its own', async () => {
    const h = setUp();
    const cancelAt = START + 6 * MINUTE;
    h.time.at(cancelAt, () => h.controller.abort(new Error('SIGTERM')));
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'cancelled' });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/cancelled \(SIGTERM\).*StopServiceDeployment/);
    const rollback = h.firstCall('rollBack')!;
    expect(rollback.at).toBe(cancelAt);
    expect(rollback.signal?.aborted).toBe(false);
    // It leaves at once: no more watching after the rollback call.
    expect(h.ecs.calls.at(-1)?.name).toBe('rollBack');
    h.ecs.ours.advance(h.time.now + MINUTE);
    expect(h.ecs.ours.status).toBe('ROLLBACK_SUCCESSFUL');
  });

  it('answers ROLLBACK, with no production traffic moved, when cancelled while the first shift is held', async () => {
    const h = setUp();
    // The hook before the first shift is seen at 12:01:30 and held to 12:02:01.
    const cancelAt = Date.parse('2026-03-01T12:01:45Z');
    h.time.at(cancelAt, () => h.controller.abort(new Error('SIGTERM')));
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'cancelled' });
    expect(result.hooks.map((x) => `${x.stage} ${x.action}`)).toEqual([
      'PRE_PRODUCTION_TRAFFIC_SHIFT hold',
    ]);
    expect(h.firstCall('resolveHook', /ROLLBACK/)?.at).toBe(cancelAt);
    expect(h.firstCall('resolveHook', /CONTINUE/)).toBeUndefined();
    h.ecs.ours.advance(h.time.now + MINUTE);
    expect(Math.max(...h.ecs.ours.weights.map((x) => x.production))).toBe(0);
  });

  it('answers a waiting hook ROLLBACK when cancelled while the gate holds it', async () => {
    const h = setUp({
      scenario: { rpm: 40, canary: () => ({}), baseline: () => ({}) },
      request: {
        analysis: {
          config: { minRequests: 300 },
          onInconclusive: { onInconclusive: 'extend', maxExtensions: 5 },
        },
      },
    });
    h.time.at(START + 12 * MINUTE + 30 * SECOND, () => h.controller.abort(new Error('SIGINT')));
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'cancelled' });
    expect(h.ecs.calls.at(-1)).toMatchObject({
      name: 'resolveHook',
      detail: expect.stringMatching(/ROLLBACK$/),
    });
    expect(h.ecs.count('rollBack')).toBe(0);
  });

  it('rolls back when the timeout passes', async () => {
    const h = setUp({ request: { timeoutMs: 8 * MINUTE } });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'timeout' });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/within the timeout \(8m\)/);
    expect(h.firstCall('rollBack')!.at).toBe(START + 8 * MINUTE);
  });

  it('treats an abort whose reason is a TimeoutError as the timeout', async () => {
    const h = setUp();
    h.time.at(START + 4 * MINUTE, () =>
      h.controller.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    );
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'timeout' });
  });

  it('reports a failed rollback request with what happens next', async () => {
    const h = setUp({
      fake: {
        fault: (call, now) =>
          call === 'rollBack' && now >= START ? awsError('ServerException', 500) : undefined,
      },
    });
    h.time.at(START + 6 * MINUTE, () => h.controller.abort(new Error('SIGTERM')));
    const result = await h.run();
    expect(result.outcome).toBe('failed');
    if (result.outcome !== 'failed') throw new Error('unreachable');
    expect(result.reason).toMatch(/rollback request failed: ServerException/);
    expect(result.reason).toMatch(/PAUSE hook nobody answers within 30 min/);
  });
});

describe('deploy: one deployment at a time', () => {
  it('attaches to the deployment a previous run started for the same task definition', async () => {
    const configuration = deploymentConfiguration(CANARY, {
      alarms: ['web-5xx'],
      hookTimeoutMinutes: 30,
      smokeCheck: false,
    });
    const h = setUp({ fake: { existing: { startedAt: START - 3 * MINUTE, configuration } } });
    const result = await h.run();
    expect(h.ecs.count('start')).toBe(0);
    expect(result).toMatchObject({ outcome: 'succeeded', attached: true });
    expect(ofType(h.events, 'deployment')).toEqual([expect.objectContaining({ attached: true })]);
    // The revision looked up to recognise it is not looked up again for the analysis.
    expect(h.ecs.count('revisions')).toBe(2);
  });

  it('waits for a deployment of another task definition with on-busy: wait', async () => {
    const busyUntil = START + 20 * MINUTE;
    const h = setUp({
      fake: { busy: { taskDefinition: TD_OTHER, status: 'IN_PROGRESS', until: busyUntil } },
      request: { onBusy: 'wait' },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    expect(h.firstCall('start')!.at).toBeGreaterThanOrEqual(busyUntil);
    expect(h.firstCall('start')!.at - busyUntil).toBeLessThanOrEqual(60 * SECOND);
    expect(ofType(h.events, 'busy')).toEqual([
      expect.objectContaining({ action: 'wait', taskDefinition: TD_OTHER, status: 'IN_PROGRESS' }),
    ]);
    // Waiting out another deploy is done at a slow pace.
    expect(h.ecs.count('unfinished')).toBeLessThanOrEqual(22);
  });

  it('fails at once with on-busy: fail, and starts nothing', async () => {
    const h = setUp({
      fake: {
        busy: { taskDefinition: TD_OTHER, status: 'IN_PROGRESS', until: START + 20 * MINUTE },
      },
      request: { onBusy: 'fail' },
    });
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/web:8, IN_PROGRESS\) and on-busy is fail/);
    expect(h.ecs.count('start')).toBe(0);
  });

  it('waits out a deployment that is already rolling back, even with on-busy: fail', async () => {
    const h = setUp({
      fake: {
        busy: {
          taskDefinition: TD_OTHER,
          status: 'ROLLBACK_IN_PROGRESS',
          until: START + 45 * SECOND,
        },
      },
      request: { onBusy: 'fail' },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    expect(h.firstCall('start')!.at).toBeGreaterThanOrEqual(START + 45 * SECOND);
  });

  it('gives up without deploying when cancelled while waiting', async () => {
    const h = setUp({
      fake: {
        busy: { taskDefinition: TD_OTHER, status: 'IN_PROGRESS', until: START + 60 * MINUTE },
      },
    });
    h.time.at(START + 5 * MINUTE, () => h.controller.abort(new Error('SIGINT')));
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'failed', attached: false });
    if (result.outcome !== 'failed') throw new Error('unreachable');
    expect(result.reason).toMatch(
      /^Nothing was deployed: the job was cancelled \(SIGINT\) while deployment .*other/,
    );
    expect(h.ecs.count('start')).toBe(0);
  });
});

describe('deploy: low traffic', () => {
  const lowTraffic = {
    rpm: 10, // 1 canary request a minute at 10 %, 10 at 100 %: min-requests 300 is never reached
    canary: () => ({ errorRate: 0.25 }), // ugly, but on a handful of requests
    baseline: () => ({ errorRate: 0.002 }),
  };

  it('is inconclusive, never a false rollback; on-inconclusive: continue goes on', async () => {
    const h = setUp({ scenario: lowTraffic });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    expect(result.verdict).toBe('inconclusive');
    expect(h.ecs.count('rollBack')).toBe(0);
    const gates = result.analyses.filter((a) => a.kind === 'gate');
    expect(gates.map((a) => a.cause)).toEqual(['too-few-requests', 'too-few-requests']);
    expect(result.hooks.filter((x) => x.action === 'CONTINUE').at(-1)?.reason).toMatch(
      /on-inconclusive: continue/,
    );
  });

  it('on-inconclusive: rollback rolls back at the gate', async () => {
    const h = setUp({
      scenario: lowTraffic,
      request: {
        analysis: { config: { minRequests: 300 }, onInconclusive: { onInconclusive: 'rollback' } },
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'analysis',
      verdict: 'inconclusive',
    });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/on-inconclusive: rollback/);
    expect(h.firstCall('resolveHook', /ROLLBACK/)).toBeDefined();
  });

  it('on-inconclusive: extend holds the hook one interval at a time, then after-extensions decides', async () => {
    const h = setUp({
      scenario: lowTraffic,
      request: {
        analysis: {
          config: { minRequests: 300 },
          onInconclusive: {
            onInconclusive: 'extend',
            maxExtensions: 2,
            afterExtensions: 'continue',
          },
        },
      },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    const pre = result.hooks.filter((x) => x.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT');
    expect(pre.map((x) => x.action)).toEqual(['hold', 'CONTINUE', 'hold', 'hold', 'CONTINUE']);
    const [, , first, second, last] = pre;
    expect(Date.parse(second!.at) - Date.parse(first!.at)).toBe(60 * SECOND);
    expect(last!.reason).toMatch(/after 2 of 2 extensions.*after-extensions: continue/);
  });

  it('extends never past the hook expiry less a margin', async () => {
    const h = setUp({
      scenario: lowTraffic,
      request: {
        hookTimeoutMinutes: 4,
        analysis: {
          config: { minRequests: 300 },
          onInconclusive: { onInconclusive: 'extend', maxExtensions: 10 },
        },
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'analysis' });
    const hook = h.ecs.ours.hooks.find((x) => x.status === 'FAILED')!;
    const answered = h.firstCall('resolveHook', /ROLLBACK/)!;
    // 4 min timeout, 1 min margin, 1 min interval: three extensions fit, a fourth does not.
    expect(hook.expiresAt!.getTime() - answered.at).toBeGreaterThanOrEqual(60 * SECOND);
    expect(
      result.hooks.filter((x) => x.action === 'hold' && x.hookId === hook.hookId),
    ).toHaveLength(3);
    expect(result.hooks.at(-1)?.reason).toMatch(/expires before another 1m extension/);
  });
});

describe('deploy: the smoke check', () => {
  it('rolls back at POST_TEST_TRAFFIC_SHIFT before any production traffic moves', async () => {
    let runs = 0;
    const h = setUp({
      deps: {
        smokeCheck: async () => {
          runs++;
          return { ok: false, detail: 'GET http://test-listener/health → 503 (expected 200)' };
        },
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'smoke-check' });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/before any production traffic moved: GET .* 503/);
    expect(runs).toBe(1);
    expect(h.ecs.ours.weights.every((w) => w.production === 0)).toBe(true);
    expect(hooksOf(result)).toEqual(['POST_TEST_TRAFFIC_SHIFT ROLLBACK']);
    expect(result.analyses).toEqual([]);
  });

  it('counts a smoke check that throws as failed', async () => {
    const h = setUp({
      deps: {
        smokeCheck: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.9:8080');
        },
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'smoke-check' });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/the check threw: connect ECONNREFUSED/);
  });
});

describe('deploy: AWS trouble while watching', () => {
  it('survives throttling with a backoff that doubles and recovers gradually', async () => {
    const from = START + 3 * MINUTE;
    const to = START + 7 * MINUTE;
    const h = setUp({
      fake: {
        fault: (call, now) =>
          call === 'describe' && now >= from && now < to
            ? awsError('ThrottlingException', 400, 'Rate exceeded')
            : undefined,
      },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    const errors = ofType(h.events, 'call-error');
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.every((e) => e.kind === 'throttled')).toBe(true);
    expect(errors.map((e) => e.retryInMs).slice(0, 3)).toEqual([20_000, 40_000, 80_000]);
    // Few calls while throttled; back at the normal pace after a few good answers.
    const throttled = h.ecs.calls.filter((c) => c.name === 'describe' && c.at >= from && c.at < to);
    expect(throttled.length).toBeLessThanOrEqual(6);
    const sleeps = h.time.sleeps
      .filter((s) => s.at >= to && s.at < to + 5 * MINUTE)
      .map((s) => s.ms);
    expect(sleeps[0]).toBeGreaterThan(20_000);
    expect(Math.min(...sleeps)).toBeLessThanOrEqual(60_000);
  });

  it('retries transient errors without giving up', async () => {
    let n = 0;
    const h = setUp({
      fake: {
        fault: (call) =>
          call === 'describe' && ++n % 3 === 0 ? awsError('InternalServerError', 500) : undefined,
      },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    expect(ofType(h.events, 'call-error').every((e) => e.kind === 'transient')).toBe(true);
  });

  it('says clearly when the credentials expired for good, and tries a rollback', async () => {
    const h = setUp({
      fake: {
        fault: (call, now) =>
          call === 'describe' && now >= START + 5 * MINUTE
            ? awsError(
                'ExpiredTokenException',
                400,
                'The security token included in the request is expired',
              )
            : undefined,
      },
    });
    const result = await h.run();
    expect(result.outcome).toBe('failed');
    if (result.outcome !== 'failed') throw new Error('unreachable');
    expect(result.reason).toMatch(
      /AWS credentials stopped working.*ExpiredTokenException.*role-duration-seconds/,
    );
    expect(result.reason).toMatch(/A rollback was requested/);
    expect(h.ecs.count('rollBack')).toBe(1);
  });

  it('survives a credential error that a refresh cures', async () => {
    let n = 0;
    const h = setUp({
      fake: {
        fault: (call, now) =>
          call === 'describe' && now >= START + 5 * MINUTE && n++ < 2
            ? awsError('ExpiredTokenException', 400)
            : undefined,
      },
    });
    expect((await h.run()).outcome).toBe('succeeded');
  });

  it('stops at once on an error no retry can fix', async () => {
    const h = setUp({
      fake: {
        fault: (call, now) =>
          call === 'describe' && now >= START + 2 * MINUTE
            ? awsError(
                'AccessDeniedException',
                400,
                'not authorized to perform: ecs:DescribeServiceDeployments',
              )
            : undefined,
      },
    });
    const result = await h.run();
    expect(result.outcome).toBe('failed');
    if (result.outcome !== 'failed') throw new Error('unreachable');
    expect(result.reason).toMatch(/AWS refused DescribeServiceDeployments .*AccessDeniedException/);
    expect(
      h.ecs.calls.filter((c) => c.name === 'describe' && c.at >= START + 2 * MINUTE),
    ).toHaveLength(1);
  });

  it('rolls back rather than shift traffic to a canary it cannot judge', async () => {
    const h = setUp();
    h.metrics.fault = (call) =>
      call === 'windows'
        ? awsError('AccessDenied', 403, 'not authorized: cloudwatch:GetMetricData')
        : undefined;
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'rolled-back', decidedBy: 'analysis' });
    if (result.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(result.reason).toMatch(/Canary analysis cannot run.*cloudwatch:GetMetricData/);
  });

  it('keeps judging through transient metric errors', async () => {
    let n = 0;
    const h = setUp();
    h.metrics.fault = (call) =>
      call === 'windows' && ++n % 2 === 0 ? awsError('ServiceUnavailable', 503) : undefined;
    expect((await h.run()).outcome).toBe('succeeded');
  });
});

describe('deploy: other strategies', () => {
  /** Blue/green with a 5-minute bake and a gate that continues when inconclusive. */
  const blueGreenWithGate = () =>
    setUp({
      strategy: { kind: 'blue-green', bakeMinutes: 5 },
      request: {
        analysis: {
          config: { minRequests: 300, maxErrorRate: 0.05 },
          onInconclusive: { onInconclusive: 'continue' },
        },
      },
    });

  it('rolling: no hooks, no analysis, ECS monitors only', async () => {
    const h = setUp({ strategy: { kind: 'rolling' } });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    expect(h.ecs.ours.configuration.lifecycleHooks).toBeUndefined();
    expect(h.metrics.calls).toEqual([]);
    expect(result.hooks).toEqual([]);
  });

  it('blue/green: watches one interval at 100 % after the shift, then judges', async () => {
    const h = blueGreenWithGate();
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    expect(h.ecs.ours.configuration.lifecycleHooks?.[0]?.lifecycleStages).toEqual([
      'POST_PRODUCTION_TRAFFIC_SHIFT',
    ]);
    expect(hooksOf(result)).toEqual([
      'POST_PRODUCTION_TRAFFIC_SHIFT hold',
      'POST_PRODUCTION_TRAFFIC_SHIFT CONTINUE',
    ]);
    const gate = result.analyses.find((a) => a.kind === 'gate')!;
    expect(gate.verdict).toBe('pass');
    expect(Date.parse(gate.at) - shiftedAt(h.ecs, 100)!).toBeGreaterThanOrEqual(50 * SECOND);
  });

  it('blue/green: no describe while the hook is held, no re-read of the gate window, a slow bake', async () => {
    const h = blueGreenWithGate();
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    const describes = h.ecs.calls.filter((c) => c.name === 'describe').map((c) => c.at);
    const hold = result.hooks.find((k) => k.action === 'hold')!;
    const [heldAt, until] = [Date.parse(hold.at), Date.parse(hold.until!)];
    expect(describes.filter((t) => t > heldAt && t < until)).toEqual([]);
    // The first look between gates follows the gate by a whole interval, not at the next poll.
    const gate = result.analyses.find((a) => a.kind === 'gate')!;
    const firstLook = result.analyses.find((a) => a.kind === 'continuous')!;
    expect(Date.parse(firstLook.at) - Date.parse(gate.at)).toBeGreaterThanOrEqual(MINUTE);
    // Through the 5-minute bake: one confirmation that ECS moved on, then one a minute at most.
    const bake = h.ecs.ours.stages.find((st) => st.stage === 'BAKE_TIME')!.at;
    const inBake = describes.filter((t) => t > bake && t < bake + 5 * MINUTE);
    expect(inBake.length).toBeLessThanOrEqual(6);
    expect(inBake.length).toBeGreaterThanOrEqual(5);
  });

  it('blue/green: a canary that fails at 100 % goes back through the hook before the bake', async () => {
    const h = setUp({
      strategy: { kind: 'blue-green', bakeMinutes: 5 },
      scenario: {
        rpm: 2000,
        canary: () => ({ errorRate: 0.3 }),
        baseline: () => ({ errorRate: 0.002 }),
      },
      request: {
        analysis: {
          config: { minRequests: 300, maxErrorRate: 0.05 },
          onInconclusive: { onInconclusive: 'continue' },
        },
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'analysis',
      verdict: 'fail',
    });
    expect(hooksOf(result)).toEqual([
      'POST_PRODUCTION_TRAFFIC_SHIFT hold',
      'POST_PRODUCTION_TRAFFIC_SHIFT ROLLBACK',
    ]);
    expect(result.timeline.some((t) => t.stage === 'BAKE_TIME')).toBe(false);
  });

  it('blue/green: holds the hook while max-error-rate cannot decide yet, then judges before the bake', async () => {
    // 300 requests a minute without errors: max-error-rate 1 % needs 390 to pass at 98 %.
    const h = setUp({
      strategy: { kind: 'blue-green', bakeMinutes: 5 },
      scenario: { rpm: 300, canary: () => ({ errorRate: 0 }), baseline: () => ({}) },
      request: {
        analysis: {
          config: { minRequests: 300, maxErrorRate: 0.01 },
          onInconclusive: { onInconclusive: 'rollback' },
        },
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'succeeded', verdict: 'pass' });
    expect(hooksOf(result)).toEqual([
      'POST_PRODUCTION_TRAFFIC_SHIFT hold',
      'POST_PRODUCTION_TRAFFIC_SHIFT hold',
      'POST_PRODUCTION_TRAFFIC_SHIFT hold',
      'POST_PRODUCTION_TRAFFIC_SHIFT CONTINUE',
    ]);
    const shift = shiftedAt(h.ecs, 100)!;
    const SHIFT_NOTE =
      'the baseline served only in the minute of the shift: the comparisons with it can only fail';
    const holding = (why: string) =>
      `no baseline beside the new revision after the shift: the absolute limits decide, and cannot yet on 2 periods (${why}; max-error-rate judges every period since); looking again as CloudWatch publishes, until 2026-03-01T12:06:00.000Z at the latest`;
    expect(
      result.hooks
        .slice(1, 3)
        .map((k) => [Date.parse(k.at) - shift, Date.parse(k.until!) - shift, k.reason]),
    ).toEqual([
      [
        50 * SECOND,
        65 * SECOND,
        holding(
          `canary served 250 requests, fewer than min-requests 300: inconclusive; ${SHIFT_NOTE} (5xx-rate, connection-error-rate, p95-latency, p99-latency did not decide there)`,
        ),
      ],
      [
        65 * SECOND,
        80 * SECOND,
        holding(
          `canary error rate (5xx + connection errors) 0 % (0/325): 98 % upper bound 1.2 % is above max-error-rate 1 %, which needs 390 requests without errors: inconclusive; ${SHIFT_NOTE}`,
        ),
      ],
    ]);
    // Judged once: the holds are waits, not verdicts (on-inconclusive: rollback never saw one).
    const gates = result.analyses.filter((a) => a.kind === 'gate');
    expect(gates.map((g) => g.verdict)).toEqual(['pass']);
    expect(gates[0]!.traffic.canaryRequests).toBeGreaterThanOrEqual(390);
    const bake = h.ecs.ours.stages.find((st) => st.stage === 'BAKE_TIME')!.at;
    expect(bake).toBeGreaterThanOrEqual(Date.parse(gates[0]!.at));
    expect(bake - shift).toBe(80 * SECOND);
  });

  it('blue/green without a limit: a minute of the shift that does not decide continues, and says why', async () => {
    const h = setUp({
      strategy: { kind: 'blue-green', bakeMinutes: 5 },
      scenario: {
        rpm: 600,
        canary: () => ({ errorRate: 0.01 }),
        baseline: () => ({ errorRate: 0.002 }),
      },
      request: {
        analysis: { config: { minRequests: 300 }, onInconclusive: { onInconclusive: 'rollback' } },
      },
    });
    const result = await h.run();
    expect(result).toMatchObject({ outcome: 'succeeded', verdict: 'inconclusive' });
    expect(hooksOf(result)).toEqual([
      'POST_PRODUCTION_TRAFFIC_SHIFT hold',
      'POST_PRODUCTION_TRAFFIC_SHIFT CONTINUE',
    ]);
    expect(result.hooks.at(-1)!.reason).toMatch(
      /^nothing to judge the canary against after the last shift \(the baseline served only in the minute of the shift, where 5xx-rate did not decide, and no absolute limit is set \(max-error-rate, max-p95-latency, max-p99-latency\)\): continuing$/,
    );
  });

  it('linear: judges before every step', async () => {
    const h = setUp({
      strategy: { kind: 'linear', stepPercent: 25, stepBakeMinutes: 3, bakeMinutes: 2 },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    const gates = result.analyses.filter((a) => a.kind === 'gate');
    expect(gates.map((a) => a.productionWeight)).toEqual([25, 50, 75, 100]);
    expect(result.trafficSteps.map((s) => s.production)).toEqual([0, 0, 25, 50, 75, 100]);
  });

  it('without analysis: the hooks carry only the smoke check', async () => {
    const h = setUp({
      request: { analysis: undefined },
      deps: { metrics: undefined, smokeCheck: async () => ({ ok: true, detail: '200' }) },
    });
    const result = await h.run();
    expect(result.outcome).toBe('succeeded');
    expect(hooksOf(result)).toEqual(['POST_TEST_TRAFFIC_SHIFT CONTINUE']);
  });

  it('validates the analysis settings before anything changes', async () => {
    const h = setUp({
      request: {
        analysis: { config: { minRequests: 0 }, onInconclusive: { onInconclusive: 'continue' } },
      },
    });
    await expect(h.run()).rejects.toThrow(/min-requests is 0/);
    expect(h.ecs.calls).toEqual([]);
  });
});

it('HEALTHY is what the harness uses by default', () => {
  expect(HEALTHY.rpm).toBe(2000);
  expect(TD_NEW).toMatch(/web:7$/);
});
