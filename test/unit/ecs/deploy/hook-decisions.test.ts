import { describe, expect, it } from '@jest/globals';
import {
  type AnalysisResult,
  type InconclusiveCause,
  validateInconclusivePolicy,
} from '../../../../src/canary/analysis/index.ts';
import {
  EVIDENCE_PERIODS,
  type FinalGateWaitFacts,
  answerBy,
  finalGateWait,
  observationHold,
  smokeCheckAnswer,
} from '../../../../src/ecs/deploy/hook-decisions.ts';
import { gateAnswer } from '../../../../src/ecs/deploy/rollback-decision.ts';

const traffic = {
  canaryRequests: 500,
  baselineRequests: 5000,
  canaryPeriods: 5,
  baselinePeriods: 5,
};
const result = (verdict: 'pass' | 'fail'): AnalysisResult => ({
  verdict,
  reasons: [`5xx rate: ${verdict}`],
  metrics: [],
  traffic,
});
const inconclusive = (cause: InconclusiveCause): AnalysisResult => ({
  verdict: 'inconclusive',
  cause,
  reasons: [`${cause}: inconclusive`],
  metrics: [],
  traffic,
});
const NOW = 1_000_000;
const facts = {
  extensionsUsed: 0,
  now: NOW,
  intervalMs: 60_000,
  latest: Number.POSITIVE_INFINITY,
  where: 'at 10 % before the next shift',
};
const policy = (onInconclusive: 'continue' | 'rollback' | 'extend', more = {}) =>
  validateInconclusivePolicy({ onInconclusive, ...more });

describe('gateAnswer', () => {
  it('continues on pass and rolls back on fail, whatever the policy', () => {
    expect(gateAnswer({ ...facts, result: result('pass'), policy: policy('rollback') })).toEqual({
      action: 'CONTINUE',
      reason: 'analysis passed: continuing (at 10 % before the next shift): 5xx rate: pass',
    });
    expect(gateAnswer({ ...facts, result: result('fail'), policy: policy('continue') })).toEqual({
      action: 'ROLLBACK',
      reason: 'Canary analysis failed at 10 % before the next shift: 5xx rate: fail',
      decidedBy: 'analysis',
    });
  });

  it('lets on-inconclusive decide an inconclusive verdict', () => {
    const r = inconclusive('too-few-requests');
    expect(gateAnswer({ ...facts, result: r, policy: policy('continue') }).action).toBe('CONTINUE');
    expect(gateAnswer({ ...facts, result: r, policy: policy('rollback') })).toMatchObject({
      action: 'ROLLBACK',
      decidedBy: 'analysis',
    });
    expect(
      gateAnswer({ ...facts, result: r, policy: policy('extend', { maxExtensions: 2 }) }),
    ).toEqual({
      action: 'hold',
      until: NOW + 60_000,
      extension: 1,
      reason: expect.stringMatching(/extending it \(1 of 2.*judging again in 1m/),
    });
  });

  it('does what spent extensions do when the hook would expire during another one', () => {
    const extend = (afterExtensions: 'continue' | 'rollback') =>
      gateAnswer({
        ...facts,
        result: inconclusive('insufficient-evidence'),
        policy: policy('extend', { maxExtensions: 5, afterExtensions }),
        latest: NOW + 59_999,
      });
    expect(extend('rollback')).toMatchObject({
      action: 'ROLLBACK',
      reason: expect.stringMatching(/expires before another 1m extension: rolling back/),
    });
    expect(extend('continue')).toMatchObject({ action: 'CONTINUE' });
  });

  it('continues when there is nothing to judge the canary against', () => {
    const answer = gateAnswer({
      ...facts,
      result: inconclusive('nothing-to-judge'),
      policy: policy('rollback'),
      where: 'after the last shift',
    });
    expect(answer).toMatchObject({
      action: 'CONTINUE',
      reason: expect.stringMatching(/nothing to judge/),
    });
  });

  it('says why there is nothing to judge: blue/green without a limit', () => {
    const answer = gateAnswer({
      ...facts,
      result: {
        ...inconclusive('nothing-to-judge'),
        reasons: [
          'the baseline served only in the minute of the shift, where 5xx-rate did not decide, and no absolute limit is set (max-error-rate, max-p95-latency, max-p99-latency): nothing to judge the canary against: inconclusive',
        ],
      },
      policy: policy('rollback'),
      where: 'after the last shift',
    });
    expect(answer).toEqual({
      action: 'CONTINUE',
      reason:
        'nothing to judge the canary against after the last shift (the baseline served only in the minute of the shift, where 5xx-rate did not decide, and no absolute limit is set (max-error-rate, max-p95-latency, max-p99-latency)): continuing',
    });
  });
});

describe('finalGateWait', () => {
  // The shift at 12:01:40, in the period from 12:01; the gate judges a minute later.
  const SHIFT = Date.parse('2026-03-01T12:01:40Z');
  const wait = (over: Partial<FinalGateWaitFacts> = {}) =>
    finalGateWait({
      now: SHIFT + 60_000,
      latest: SHIFT + 29 * 60_000,
      pollIntervalMs: 10_000,
      intervalMs: 60_000,
      periodMs: 60_000,
      shiftSince: SHIFT,
      baselineAtShiftOnly: true,
      periodsSinceShift: 1,
      verdict: 'inconclusive',
      cause: 'too-few-requests',
      reasons: ['canary served 120 requests, fewer than min-requests 300: inconclusive'],
      ...over,
    });

  it('holds blue/green a quarter interval at a time while the limits cannot decide', () => {
    expect(wait()).toEqual({
      action: 'hold',
      until: SHIFT + 75_000,
      reason:
        'no baseline beside the new revision after the shift: the absolute limits decide, and cannot yet on 1 period (canary served 120 requests, fewer than min-requests 300: inconclusive); looking again as CloudWatch publishes, until 2026-03-01T12:06:00.000Z at the latest',
    });
    expect(wait({ cause: 'insufficient-evidence', periodsSinceShift: 2 })).toMatchObject({
      action: 'hold',
      until: SHIFT + 75_000,
    });
    // 10 s at least, with a short analysis interval.
    expect(wait({ intervalMs: 20_000 })).toMatchObject({ until: SHIFT + 70_000 });
  });

  it('holds no longer than CloudWatch takes to publish the third period, nor past the hook', () => {
    // The third period (12:03–12:04) is readable by 12:06: the hold ends there.
    const bound = Date.parse('2026-03-01T12:06:00Z');
    expect(wait({ now: bound - 5_000 })).toMatchObject({ action: 'hold', until: bound });
    expect(wait({ now: bound })).toBeUndefined();
    expect(wait({ latest: SHIFT + 65_000 })).toMatchObject({ until: SHIFT + 65_000 });
    expect(wait({ latest: SHIFT + 60_000 })).toBeUndefined();
  });

  it('answers once the window holds the periods it waits for, or nothing could judge them', () => {
    expect(EVIDENCE_PERIODS).toBe(3);
    expect(wait({ periodsSinceShift: 3 })).toBeUndefined();
    expect(wait({ cause: 'nothing-to-judge' })).toBeUndefined();
    expect(wait({ verdict: 'pass', cause: undefined })).toBeUndefined();
    expect(wait({ verdict: 'fail', cause: undefined })).toBeUndefined();
  });

  it('does not hold a canary or linear rollout: its comparisons had their steps', () => {
    expect(wait({ baselineAtShiftOnly: false })).toBeUndefined();
  });

  it('waits poll by poll for the first period since the shift, in every strategy', () => {
    for (const baselineAtShiftOnly of [true, false]) {
      expect(wait({ baselineAtShiftOnly, periodsSinceShift: 0 })).toEqual({ action: 'retry' });
      expect(
        wait({ baselineAtShiftOnly, periodsSinceShift: 0, cause: 'nothing-to-judge' }),
      ).toEqual({ action: 'retry' });
    }
    // No time for another poll: blue/green holds what is left, the others answer.
    const late = { periodsSinceShift: 0, latest: SHIFT + 65_000 };
    expect(wait({ ...late, baselineAtShiftOnly: false })).toBeUndefined();
    expect(wait(late)).toMatchObject({ action: 'hold', until: SHIFT + 65_000 });
  });
});

describe('observationHold', () => {
  it('holds a fresh window until it spans one interval, never past the answer deadline', () => {
    expect(observationHold(NOW, NOW - 10_000, 60_000, Number.POSITIVE_INFINITY)).toBe(NOW + 50_000);
    expect(observationHold(NOW, NOW - 10_000, 60_000, NOW + 20_000)).toBe(NOW + 20_000);
    expect(observationHold(NOW, NOW - 60_000, 60_000, Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(observationHold(NOW, NOW - 10_000, 60_000, NOW - 1)).toBeUndefined();
  });
});

describe('smokeCheckAnswer and answerBy', () => {
  it('continues on ok, rolls back otherwise', () => {
    expect(smokeCheckAnswer({ ok: true, detail: '200' })).toEqual({
      action: 'CONTINUE',
      reason: 'smoke check passed: 200',
    });
    expect(smokeCheckAnswer({ ok: false, detail: '503' })).toMatchObject({
      action: 'ROLLBACK',
      decidedBy: 'smoke-check',
    });
  });

  it('answers a margin before the hook expires', () => {
    expect(answerBy(new Date(NOW), 60_000)).toBe(NOW - 60_000);
    expect(answerBy(undefined, 60_000)).toBe(Number.POSITIVE_INFINITY);
  });
});
