import { describe, expect, it } from '@jest/globals';
import { lookBetweenGates } from '../../../../src/ecs/deploy/analysis-looks.ts';
import { POLLING_DEFAULTS } from '../../../../src/ecs/deploy/poll-cadence.ts';
import { awsError } from './fake-ecs.ts';
import type { MetricsScenario } from './fake-metrics.ts';
import { MINUTE, SECOND, START } from './virtual-time.ts';
import { type WatchSetUp, watchOn } from './watch-fixture.ts';

/** The canary at 10 % of production since 1.5 min (seen at 2 min), looked at `minutes` after START. */
async function lookAt(minutes: number, options: WatchSetUp = {}) {
  const f = await watchOn(options);
  const hook = (await f.seeAt(1.5)).hooks[0]!;
  await f.ecs.resolveHook(f.w.request.serviceDeploymentArn, hook.hookId, 'CONTINUE');
  await f.seeAt(2);
  const s = await f.seeAt(minutes);
  return { f, s, look: () => lookBetweenGates(f.w, s) };
}

const spiking: MetricsScenario = {
  rpm: 2000,
  canary: () => ({ errorRate: 0.3 }),
  baseline: () => ({ errorRate: 0.002 }),
};

describe('lookBetweenGates', () => {
  it('judges the window since the shift and goes on while the canary holds up', async () => {
    const { f, look } = await lookAt(4);
    await look();
    expect(f.metrics.calls).toEqual([
      { name: 'windows', at: START + 4 * MINUTE, start: START + MINUTE },
    ]);
    expect(f.w.state.report.analyses).toMatchObject([
      { kind: 'continuous', productionWeight: 10, decision: { action: 'none' } },
    ]);
    expect(f.w.state.report.analyses[0]).not.toHaveProperty('metrics');
    // It read a new period: the next one is expected an interval later.
    expect(f.w.state.looks.gridAt).toBe(START + 5 * MINUTE);
    expect(f.w.state.looks.readThrough).toBe(START + 3 * MINUTE);
    expect(f.ecs.count('rollBack')).toBe(0);
  });

  it('stays on the grid when nothing new was published and no period can be overdue yet', async () => {
    const { f, look } = await lookAt(4);
    await look();
    // At 6 min the fake has published through the period from 5 min. As if a look had read it
    // already: this one reads nothing new.
    f.w.state.looks.readThrough = START + 5 * MINUTE;
    f.w.state.looks.gridAt = START + 6 * MINUTE;
    await lookBetweenGates(f.w, (await f.seeAt(6))!);
    expect(f.w.state.looks.readThrough).toBe(START + 5 * MINUTE);
    // The period from 6 min has not ended: nothing can be overdue, the next look on the grid.
    expect(f.w.state.looks.soonAt).toBeUndefined();
    expect(f.w.state.looks.gridAt).toBe(START + 7 * MINUTE);
    // (The fake publishes at once, so the overdue case is followPublication's own test.)
  });

  it('rolls back through StopServiceDeployment on a failing verdict, keeping its figures', async () => {
    const { f, look } = await lookAt(4, { scenario: spiking });
    await look();
    expect(f.w.state.steering).toMatchObject({
      decision: {
        decidedBy: 'analysis',
        reason: /^Canary analysis failed at 10 % of production: /,
      },
      rollbackPending: false,
    });
    expect(f.w.state.report.analyses[0]).toMatchObject({
      verdict: 'fail',
      decision: { action: 'rollback' },
    });
    expect(f.w.state.report.analyses[0]!.metrics?.length).toBeGreaterThan(0);
    expect(f.ecs.count('rollBack')).toBe(1);
    expect(f.events.at(-1)).toMatchObject({ type: 'rollback', decidedBy: 'analysis', via: 'stop' });
  });

  it('looks again at the next poll when the metrics cannot be read', async () => {
    const { f, look } = await lookAt(4);
    f.metrics.fault = () => awsError('ServiceUnavailable', 503);
    await look();
    expect(f.w.state.looks).toMatchObject({ soonAt: START + 4 * MINUTE + 10 * SECOND, errors: 1 });
    expect(f.events.at(-1)).toMatchObject({
      type: 'call-error',
      call: 'GetMetricData',
      kind: 'transient',
    });
    expect(f.w.state.report.analyses).toEqual([]);
  });

  it('rolls back once the metrics stay unreadable', async () => {
    const { f, look } = await lookAt(4, {
      request: { polling: { ...POLLING_DEFAULTS, maxConsecutiveErrors: 1 } },
    });
    f.metrics.fault = () => awsError('ServiceUnavailable', 503);
    await look();
    expect(f.ecs.count('rollBack')).toBe(0);
    f.time.now += 10 * SECOND;
    await look();
    expect(f.w.state.steering.decision?.reason).toMatch(
      /^Canary analysis cannot run at PRODUCTION_TRAFFIC_SHIFT: ServiceUnavailable/,
    );
    expect(f.ecs.count('rollBack')).toBe(1);
  });

  it('leaves the look to the gate due in a moment', async () => {
    const { f, look } = await lookAt(11.2);
    await look();
    expect(f.metrics.calls).toEqual([]);
  });
});

describe('lookBetweenGates: the false-rollback budget', () => {
  it('spends what the spending function released since exposure, and nothing on a look that reads the same data', async () => {
    // The fixture's canary: 10 % from 1.5 min, a 10-minute canary bake and a 15-minute bake, so
    // 25 planned minutes of exposure; the first look 2.5 minutes in.
    const { f, look } = await lookAt(4);
    const exposedMs = START + 4 * MINUTE - f.w.state.seen.exposureSince!;
    expect(exposedMs).toBe(2.5 * MINUTE);
    await look();
    const planned = 25 * MINUTE;
    // 0.9 · 0.01 · √t, t the exposure the data covers (through the partial period at 4 min)
    const released = 0.009 * Math.sqrt(exposedMs / planned);
    expect(released).toBeCloseTo(0.0028460498941515412, 15);
    expect(f.w.state.looks.alphaSpent).toBeCloseTo(released, 15);
    expect(f.w.state.report.analyses).toHaveLength(1);
    // The record says what the look could spend and what it did.
    expect(f.w.state.report.analyses[0]!.errorControl).toMatchObject({
      lookAlpha: expect.closeTo(released, 15),
      spent: expect.closeTo(released, 15),
    });

    // A look that reads the same periods (the fake's data cannot change at the same instant).
    f.w.state.looks.gridAt = START + 4 * MINUTE;
    await lookBetweenGates(f.w, (await f.seeAt(4))!);
    expect(f.w.state.report.analyses).toHaveLength(2);
    expect(f.w.state.looks.alphaSpent).toBeCloseTo(released, 15);
  });
});

describe('lookBetweenGates: the window', () => {
  it('starts when the new revision first took traffic, not at the last shift', async () => {
    const { f, look } = await lookAt(6);
    // As if a later linear step had shifted more traffic at 4 min.
    f.w.state.seen.weightSince = START + 4 * MINUTE;
    await look();
    expect(f.metrics.calls.at(-1)).toMatchObject({ name: 'windows', start: START + MINUTE });
  });
});
