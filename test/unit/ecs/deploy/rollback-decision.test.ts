import { describe, expect, it } from '@jest/globals';
import {
  type AnalysisResult,
  type InconclusiveCause,
  type OnInconclusive,
  validateInconclusivePolicy,
} from '../../../../src/canary/analysis/index.ts';
import {
  type Evidence,
  type Place,
  type RollbackDecision,
  decideRollback,
} from '../../../../src/ecs/deploy/rollback-decision.ts';

const NOW = 5_000_000;
const INTERVAL = 60_000;
const traffic = {
  canaryRequests: 500,
  baselineRequests: 5000,
  canaryPeriods: 5,
  baselinePeriods: 5,
};
const verdict = (v: 'pass' | 'fail', suspicious = false): Evidence => ({
  kind: 'verdict',
  result: { verdict: v, reasons: [`5xx rate: ${v}`], metrics: [], traffic },
  suspicious,
});
const inconclusive = (cause: InconclusiveCause, suspicious = false): Evidence => {
  const result: AnalysisResult = {
    verdict: 'inconclusive',
    cause,
    reasons: [`${cause}`],
    metrics: [],
    traffic,
  };
  return { kind: 'verdict', result, suspicious };
};
const unreadable = (giveUp: boolean): Evidence => ({ kind: 'unreadable', error: 'boom', giveUp });

const step = (answerBy = Number.POSITIVE_INFINITY, extensionsUsed = 0): Place => ({
  at: 'gate',
  gate: 'step',
  answerBy,
  extensionsUsed,
});
const final: Place = {
  at: 'gate',
  gate: 'final',
  answerBy: Number.POSITIVE_INFINITY,
  extensionsUsed: 0,
};
const between: Place = { at: 'between-gates' };

function decide(
  evidence: Evidence,
  place: Place,
  policy: OnInconclusive = 'continue',
  stage = 'PRE_PRODUCTION_TRAFFIC_SHIFT',
): RollbackDecision {
  return decideRollback({
    evidence,
    place,
    policy: validateInconclusivePolicy({
      onInconclusive: policy,
      maxExtensions: 2,
      afterExtensions: 'rollback',
    }),
    intervalMs: INTERVAL,
    deployment: { now: NOW, productionWeight: 10, stage },
  });
}

const ROLLBACK = (reason: RegExp) => ({ action: 'ROLLBACK', decidedBy: 'analysis', reason });
const CONTINUE = (reason: RegExp) => ({ action: 'CONTINUE', reason });

describe('decideRollback', () => {
  it.each<[string, RollbackDecision, object]>([
    // At a gate: the verdict and on-inconclusive answer the hook.
    [
      'gate: pass continues',
      decide(verdict('pass'), step()),
      CONTINUE(/passed.*at 10 % before the next shift/),
    ],
    [
      'gate: fail rolls back',
      decide(verdict('fail'), step()),
      ROLLBACK(/^Canary analysis failed at 10 % before the next shift: 5xx rate: fail$/),
    ],
    [
      'gate: fail after the last shift',
      decide(verdict('fail'), final),
      ROLLBACK(/^Canary analysis failed after the last shift/),
    ],
    [
      'gate: inconclusive, on-inconclusive continue',
      decide(inconclusive('too-few-requests'), step(), 'continue'),
      CONTINUE(/on-inconclusive: continue/),
    ],
    [
      'gate: inconclusive, on-inconclusive rollback',
      decide(inconclusive('too-few-requests'), step(), 'rollback'),
      ROLLBACK(/on-inconclusive: rollback/),
    ],
    [
      'gate: inconclusive, extend holds one interval',
      decide(inconclusive('too-few-requests'), step(), 'extend'),
      { action: 'hold', until: NOW + INTERVAL, extension: 1 },
    ],
    [
      'gate: extend with no room before the hook expires',
      decide(inconclusive('too-few-requests'), step(NOW + INTERVAL - 1), 'extend'),
      ROLLBACK(/expires before another 1m extension: rolling back/),
    ],
    [
      'gate: extensions spent',
      decide(inconclusive('too-few-requests'), step(Infinity, 2), 'extend'),
      ROLLBACK(/after 2 of 2 extensions/),
    ],
    [
      'gate: nothing to judge against continues whatever the policy',
      decide(inconclusive('nothing-to-judge'), final, 'rollback'),
      CONTINUE(/nothing to judge the canary against after the last shift/),
    ],
    [
      'gate: metrics unreadable, time left: look again',
      decide(unreadable(false), step(NOW + 1)),
      { action: 'retry' },
    ],
    [
      'gate: metrics unreadable when the hook must be answered',
      decide(unreadable(false), step(NOW)),
      ROLLBACK(
        /could not read the metrics before the PAUSE hook expires at 10 % before the next shift/,
      ),
    ],
    [
      'gate: analysis cannot run',
      decide(unreadable(true), step()),
      ROLLBACK(/^Canary analysis cannot run at PRE_PRODUCTION_TRAFFIC_SHIFT: boom$/),
    ],
    // Between gates: only a failing verdict acts, and a canary nobody can judge.
    ['between: pass goes on', decide(verdict('pass'), between), CONTINUE(/^passing so far$/)],
    [
      'between: pass with a worse last period goes on',
      decide(verdict('pass', true), between),
      CONTINUE(/^passing so far$/),
    ],
    [
      'between: fail rolls back',
      decide(verdict('fail'), between),
      ROLLBACK(/^Canary analysis failed at 10 % of production: 5xx rate: fail$/),
    ],
    [
      'between: inconclusive goes on whatever the policy',
      decide(inconclusive('too-few-requests'), between, 'rollback'),
      CONTINUE(/^inconclusive so far/),
    ],
    [
      'between: extend never holds',
      decide(inconclusive('too-few-requests'), between, 'extend'),
      CONTINUE(/^inconclusive so far/),
    ],
    [
      'between: suspicious goes on, sooner',
      decide(inconclusive('insufficient-evidence', true), between),
      CONTINUE(/^not significant yet: looking again sooner/),
    ],
    [
      'between: metrics unreadable: look again',
      decide(unreadable(false), between),
      { action: 'retry' },
    ],
    [
      'between: analysis cannot run',
      decide(unreadable(true), between, 'continue', 'BAKE_TIME'),
      ROLLBACK(/^Canary analysis cannot run at BAKE_TIME: boom$/),
    ],
    [
      'between: analysis cannot run, stage unknown',
      decide(unreadable(true), between, 'continue', ''),
      ROLLBACK(/^Canary analysis cannot run: boom$/),
    ],
  ])('%s', (_name, decision, expected) => {
    expect(decision).toMatchObject(expected);
  });

  it('answers a gate and the look between gates alike on a failing verdict', () => {
    for (const place of [step(), final, between]) {
      expect(decide(verdict('fail'), place).action).toBe('ROLLBACK');
    }
  });
});
