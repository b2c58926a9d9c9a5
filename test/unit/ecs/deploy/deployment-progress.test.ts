import { describe, expect, it } from '@jest/globals';
import { observe } from '../../../../src/ecs/deploy/deployment-progress.ts';
import type { DeploymentSnapshot } from '../../../../src/ecs/deploy/ports.ts';
import { MINUTE, START } from './virtual-time.ts';
import { watchOn } from './watch-fixture.ts';

const snapshot = (extra: Partial<DeploymentSnapshot> = {}): DeploymentSnapshot => ({
  arn: 'arn:d',
  status: 'IN_PROGRESS',
  lifecycleStage: 'BAKE_TIME',
  sources: [],
  hooks: [],
  startedAt: new Date(START - 5 * MINUTE),
  ...extra,
});
const target = (production: number) => ({
  arn: 'rev-new',
  requestedTaskCount: 2,
  runningTaskCount: 2,
  pendingTaskCount: 0,
  requestedProductionTrafficWeight: production,
  requestedTestTrafficWeight: 0,
});

describe('observe', () => {
  it('dates a change to just after the previous look; attaching, to the deployment start', async () => {
    const f = await watchOn();
    f.time.now = START;
    observe(f.w, snapshot());
    expect(f.w.state.seen.stageSince).toBe(START - 5 * MINUTE);
    f.time.now = START + MINUTE;
    observe(f.w, snapshot({ lifecycleStage: 'CLEAN_UP' }));
    expect(f.w.state.seen.stageSince).toBe(START);
    expect(f.w.state.report.timeline.map((t) => t.stage)).toEqual(['BAKE_TIME', 'CLEAN_UP']);
  });

  it('records a stage once, with the reason only when it is not simply in progress', async () => {
    const f = await watchOn();
    observe(f.w, snapshot());
    observe(f.w, snapshot());
    observe(f.w, snapshot({ status: 'ROLLBACK_IN_PROGRESS', statusReason: 'alarm' }));
    const stages = f.events.filter((e) => e.type === 'stage');
    expect(stages).toMatchObject([
      { status: 'IN_PROGRESS', stage: 'BAKE_TIME' },
      { status: 'ROLLBACK_IN_PROGRESS', reason: 'alarm' },
    ]);
    expect(stages[0]).not.toHaveProperty('reason');
  });

  it('ends the fast pace after acting once the final bake begins, not at other stages', async () => {
    const f = await watchOn();
    observe(f.w, snapshot({ lifecycleStage: 'POST_PRODUCTION_TRAFFIC_SHIFT' }));
    f.w.state.steering.actedAt = START;
    observe(f.w, snapshot({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }));
    expect(f.w.state.steering.actedAt).toBe(START);
    observe(f.w, snapshot({ lifecycleStage: 'BAKE_TIME' }));
    expect(f.w.state.steering.actedAt).toBeUndefined();
  });

  it('restarts the looks on a shift, and takes the first exposure once', async () => {
    const f = await watchOn();
    observe(f.w, snapshot({ target: target(0) }));
    f.w.state.steering.actedAt = START;
    f.time.now = START + MINUTE;
    observe(f.w, snapshot({ target: target(10) }));
    expect(f.w.state.seen).toMatchObject({ weight: 10, weightSince: START, exposureSince: START });
    expect(f.w.state.steering.actedAt).toBeUndefined();
    expect(f.w.state.looks.gridAt).toBe(START + MINUTE);
    f.time.now = START + 11 * MINUTE;
    observe(f.w, snapshot({ target: target(100) }));
    expect(f.w.state.seen).toMatchObject({
      weight: 100,
      weightSince: START + MINUTE,
      exposureSince: START,
    });
    expect(f.w.state.report.traffic.map((t) => t.production)).toEqual([0, 10, 100]);
  });

  it('reports task counts and the monitors when they change; a quiet start says nothing', async () => {
    const f = await watchOn();
    observe(f.w, snapshot({ target: target(0), circuitBreaker: { status: 'MONITORING' } }));
    observe(f.w, snapshot({ target: target(0), circuitBreaker: { status: 'MONITORING' } }));
    observe(
      f.w,
      snapshot({
        target: { ...target(0), runningTaskCount: 1 },
        alarms: { triggeredAlarmNames: ['web-5xx'] },
        circuitBreaker: { status: 'MONITORING' },
      }),
    );
    expect(f.events.filter((e) => e.type === 'tasks')).toHaveLength(2);
    expect(f.events.filter((e) => e.type === 'monitors')).toMatchObject([
      { triggeredAlarms: ['web-5xx'], circuitBreaker: { status: 'MONITORING' } },
    ]);
  });
});
