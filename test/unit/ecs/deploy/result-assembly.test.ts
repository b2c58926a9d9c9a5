import { describe, expect, it } from '@jest/globals';
import type { Verdict } from '../../../../src/canary/analysis/index.ts';
import { finish, gatherTroubleOnce, resultOf } from '../../../../src/ecs/deploy/result-assembly.ts';
import { type AnalysisRecord, reportedVerdict } from '../../../../src/ecs/deploy/result.ts';
import { MINUTE, START } from './virtual-time.ts';
import { watchOn } from './watch-fixture.ts';

const look = (
  kind: AnalysisRecord['kind'],
  verdict: Verdict,
  action: AnalysisRecord['decision']['action'] = 'none',
): AnalysisRecord => ({
  at: '',
  kind,
  productionWeight: 10,
  window: { start: '', end: '' },
  canaryTargetGroup: 'green',
  baselineTargetGroup: 'blue',
  verdict,
  reasons: [],
  traffic: { canaryRequests: 0, baselineRequests: 0, canaryPeriods: 0, baselinePeriods: 0 },
  decision: { action, reason: '' },
});

describe('reportedVerdict', () => {
  it.each<[string, AnalysisRecord[], Parameters<typeof reportedVerdict>[1], Verdict | undefined]>([
    ['none without looks', [], undefined, undefined],
    [
      'the last look without a gate',
      [look('continuous', 'pass'), look('continuous', 'inconclusive')],
      undefined,
      'inconclusive',
    ],
    [
      'the last gate over later looks',
      [look('gate', 'pass'), look('continuous', 'inconclusive')],
      undefined,
      'pass',
    ],
    [
      'the analysis that rolled back',
      [look('continuous', 'fail', 'rollback'), look('gate', 'pass')],
      'analysis',
      'fail',
    ],
    [
      'the last gate when someone else decided',
      [look('continuous', 'fail', 'rollback'), look('gate', 'pass')],
      'cancelled',
      'pass',
    ],
  ])('%s', (_name, analyses, decidedBy, verdict) => {
    expect(reportedVerdict(analyses, decidedBy)).toBe(verdict);
  });
});

describe('finish', () => {
  it('succeeds without asking for trouble', async () => {
    const f = await watchOn();
    const s = await f.seeAt(1);
    const result = await finish(f.w, { ...s, status: 'SUCCESSFUL' });
    expect(result).toMatchObject({
      outcome: 'succeeded',
      attached: false,
      startedAt: new Date(START).toISOString(),
    });
    expect(result).not.toHaveProperty('trouble');
    expect(f.ecs.count('events')).toBe(0);
  });

  it('gathers the trouble report once when the deployment went wrong', async () => {
    const f = await watchOn({
      fake: {
        failure: { at: START + MINUTE, kind: 'circuit-breaker' },
        events: [{ at: new Date(START + 30_000), message: 'task failed to start' }],
      },
    });
    await f.seeAt(1.2);
    await gatherTroubleOnce(f.w);
    const s = await f.seeAt(2);
    const result = await finish(f.w, s);
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'circuit-breaker',
      status: 'ROLLBACK_SUCCESSFUL',
      rollbackReason: 'ECS deployment circuit breaker: tasks failed to start.',
      trouble: { events: [{ message: 'task failed to start' }] },
    });
    expect(f.ecs.count('events')).toBe(1);
    expect(f.events.filter((e) => e.type === 'trouble')).toHaveLength(1);
  });

  it('reports what was seen, with no ECS reason for a successful deployment', async () => {
    const f = await watchOn();
    const s = await f.seeAt(2);
    f.w.state.seen.snapshot = { ...s, status: 'SUCCESSFUL', statusReason: 'done' };
    const result = resultOf(f.w, { outcome: 'succeeded' });
    expect(result).not.toHaveProperty('rollbackReason');
    expect(result.timeline.length).toBeGreaterThan(0);
    expect(result.finishedAt).toBe(new Date(START + 2 * MINUTE).toISOString());
  });
});
