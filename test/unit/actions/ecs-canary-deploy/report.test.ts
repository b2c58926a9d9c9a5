import { describe, expect, it } from '@jest/globals';
import type { AnalysisRecord, DeployEvent } from '../../../../src/ecs/deploy/index.ts';
import { analysisLines } from '../../../../src/actions/ecs-canary-deploy/analysis-lines.ts';
import {
  eventDescriber,
  promotedWithoutEvidence,
} from '../../../../src/actions/ecs-canary-deploy/report.ts';
import type { DeployResult } from '../../../../src/ecs/deploy/index.ts';

const LONG_REASON =
  'Canary analysis before the shift to 100 %: 5xx-rate: canary 3 of 753 (0.40%) vs baseline 4 of 7894 (0.05%), 7.86x over a 1.25x tolerance, Fisher p=0.018 < 0.02: fail; p95-latency: canary 0.120 s vs baseline 0.110 s, Mann-Whitney p=0.4: pass';

const gate: AnalysisRecord = {
  at: '2026-12-07T03:00:00.000Z',
  kind: 'gate',
  stage: 'PRODUCTION_TRAFFIC_SHIFT',
  productionWeight: 10,
  window: { start: '2026-12-07T02:50:00.000Z', end: '2026-12-07T03:00:00.000Z' },
  canaryTargetGroup: 'green',
  baselineTargetGroup: 'blue',
  verdict: 'fail',
  reasons: [LONG_REASON],
  traffic: { canaryRequests: 753, baselineRequests: 7894, canaryPeriods: 10, baselinePeriods: 10 },
  metrics: [
    {
      name: '5xx-rate',
      against: 'baseline',
      canary: 0.004,
      baseline: 0.0005,
      limit: null,
      test: { method: 'fisher-exact', p: 0.018, effect: 7.86 },
      outcome: 'fail',
      why: 'long',
    },
    {
      name: 'p95-latency',
      against: 'baseline',
      canary: 0.12,
      baseline: 0.11,
      limit: 2,
      test: { method: 'mann-whitney', p: 1e-12, effect: 1.09 },
      outcome: 'pass',
      why: 'long',
    },
  ],
  decision: { action: 'rollback', reason: LONG_REASON },
};

describe('analysisLines', () => {
  it('prints a heading and an aligned table of the checks, not the long reasoning', () => {
    const lines = analysisLines(gate);
    expect(lines).toEqual([
      'Analysis, gate at PRODUCTION_TRAFFIC_SHIFT: fail -> rollback; canary at 10%, 753 canary / 7894 baseline requests',
      '  metric       canary  baseline  limit    verdict',
      '  5xx-rate     0.40%   0.05%     —        fail (p=0.018)',
      '  p95-latency  120 ms  110 ms    2000 ms  pass (p<0.001)',
    ]);
    expect(lines.join('\n')).not.toContain('Fisher');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(120);
  });

  it('is one line for a look that kept no figures', () => {
    const look: AnalysisRecord = { ...gate };
    delete look.metrics;
    expect(
      analysisLines({
        ...look,
        kind: 'continuous',
        verdict: 'pass',
        decision: { action: 'none', reason: 'x' },
      }),
    ).toEqual([
      'Analysis, look at PRODUCTION_TRAFFIC_SHIFT: pass -> none; canary at 10%, 753 canary / 7894 baseline requests',
    ]);
  });
});

describe('eventDescriber', () => {
  it('prints an analysis once: the hook it answered refers to it instead of repeating it', () => {
    const describe = eventDescriber();
    const analysis = describe({ type: 'analysis', analysis: gate });
    const hook = describe({
      type: 'hook',
      at: gate.at,
      hookId: 'h1',
      stage: 'PRODUCTION_TRAFFIC_SHIFT',
      action: 'ROLLBACK',
      reason: LONG_REASON,
    } as DeployEvent);
    expect(analysis).toContain('fail -> rollback');
    expect(hook).toBe('Hook at PRODUCTION_TRAFFIC_SHIFT: ROLLBACK (the analysis above)');
    expect(`${analysis}\n${hook}`).not.toContain('Fisher');
  });

  it('gives a hook answered on something else its own reason', () => {
    const describe = eventDescriber();
    describe({ type: 'analysis', analysis: gate });
    describe({ type: 'smoke-check', at: gate.at, ok: true, detail: 'GET / answered 200' });
    expect(
      describe({
        type: 'hook',
        at: gate.at,
        hookId: 'h2',
        stage: 'TEST_TRAFFIC_SHIFT',
        action: 'CONTINUE',
        reason: 'smoke check passed',
      } as DeployEvent),
    ).toBe('Hook at TEST_TRAFFIC_SHIFT: CONTINUE: smoke check passed');
  });
});

describe('promotedWithoutEvidence', () => {
  const inconclusive: AnalysisRecord = {
    ...gate,
    kind: 'gate',
    verdict: 'inconclusive',
    cause: 'too-few-requests',
    reasons: ['canary served 14 requests, fewer than min-requests 300: inconclusive'],
    traffic: { canaryRequests: 14, baselineRequests: 130, canaryPeriods: 2, baselinePeriods: 2 },
    decision: { action: 'continue', reason: 'analysis inconclusive: continuing' },
  };
  const result = (outcome: 'succeeded' | 'rolled-back', analyses: AnalysisRecord[]) =>
    ({
      outcome,
      ...(outcome === 'rolled-back' ? { reason: 'r', decidedBy: 'analysis' } : {}),
      resultVersion: 1,
      attached: false,
      triggeredAlarms: [],
      timeline: [],
      trafficSteps: [],
      hooks: [],
      analyses,
      startedAt: '',
      finishedAt: '',
    }) as unknown as DeployResult;

  it('says so when the gate that let the deployment through was inconclusive', () => {
    expect(promotedWithoutEvidence(result('succeeded', [gate, inconclusive]))).toBe(
      'Promoted without evidence: 14 canary requests; the canary analysis was inconclusive (canary served 14 requests, fewer than min-requests 300: inconclusive)',
    );
  });

  it('is quiet for a pass, a rollback, or no analysis', () => {
    const passed = { ...inconclusive, verdict: 'pass' as const };
    expect(promotedWithoutEvidence(result('succeeded', [inconclusive, passed]))).toBeUndefined();
    expect(promotedWithoutEvidence(result('rolled-back', [inconclusive]))).toBeUndefined();
    expect(promotedWithoutEvidence(result('succeeded', []))).toBeUndefined();
    // A later continuous look does not hide an inconclusive gate.
    const look = { ...passed, kind: 'continuous' as const };
    expect(promotedWithoutEvidence(result('succeeded', [inconclusive, look]))).toMatch(
      /^Promoted without evidence: 14 canary requests/,
    );
  });
});
