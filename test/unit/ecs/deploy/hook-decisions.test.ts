import { describe, expect, it } from '@jest/globals';
import {
  type AnalysisResult,
  type InconclusiveCause,
  validateInconclusivePolicy,
} from '../../../../src/canary/analysis/index.ts';
import {
  answerBy,
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
