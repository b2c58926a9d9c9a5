import { describe, expect, it } from '@jest/globals';
import {
  POLLING_DEFAULTS,
  classifyWatchError,
  expectedTransitionAt,
  pollDelay,
  pollingSettings,
  recoveredBackoff,
  throttledBackoff,
} from '../../../../src/ecs/deploy/poll-cadence.ts';
import type { Strategy } from '../../../../src/ecs/deploy/strategy.ts';
import { awsError } from './fake-ecs.ts';

const s = POLLING_DEFAULTS;
const canary: Strategy = {
  kind: 'canary',
  canaryPercent: 10,
  canaryBakeMinutes: 10,
  bakeMinutes: 30,
};
const NOW = 10_000_000;

describe('throttling backoff', () => {
  it('doubles from twice the interval up to the cap, then halves back one answer at a time', () => {
    const up: number[] = [];
    let b = 0;
    for (let i = 0; i < 6; i++) up.push((b = throttledBackoff(b, s)));
    expect(up).toEqual([20_000, 40_000, 80_000, 160_000, 160_000, 160_000]);
    const down: number[] = [];
    while (b > 0) down.push((b = recoveredBackoff(b, s)));
    expect(down).toEqual([80_000, 40_000, 20_000, 0]);
  });
});

describe('classifyWatchError', () => {
  it.each([
    ['ThrottlingException', 400, 'throttled'],
    ['InternalServerError', 500, 'transient'],
    ['ExpiredTokenException', 400, 'credentials'],
    ['AccessDeniedException', 400, 'fatal'],
    ['InvalidParameterException', 400, 'fatal'],
  ])('%s is %s', (name, status, kind) => {
    expect(classifyWatchError(awsError(name, status as number))).toBe(kind);
  });

  it('counts a network error as transient', () => {
    expect(
      classifyWatchError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    ).toBe('transient');
  });
});

describe('pollDelay', () => {
  const at = (expectedAt: number | undefined, extra = {}) =>
    pollDelay({ now: NOW, status: 'IN_PROGRESS', stage: 'BAKE_TIME', expectedAt, ...extra }, s);

  it('sleeps long through a predictable wait, waking at the expected time', () => {
    expect(at(NOW + 25 * 60_000)).toBe(60_000);
    expect(at(NOW + 30_000)).toBe(30_000);
    expect(at(NOW + 2_000)).toBe(5_000);
  });

  it('polls fast just after the expected time, then back to normal', () => {
    expect(at(NOW - 10_000)).toBe(5_000);
    expect(at(NOW - 60_000)).toBe(10_000);
  });

  it('polls at the normal interval when winding down or cleaning up, and fast after acting', () => {
    expect(at(NOW + 25 * 60_000, { status: 'ROLLBACK_IN_PROGRESS' })).toBe(10_000);
    expect(at(NOW + 25 * 60_000, { stage: 'CLEAN_UP' })).toBe(10_000);
    expect(at(undefined)).toBe(10_000);
    expect(at(undefined, { actedAt: NOW - 1_000 })).toBe(5_000);
  });

  it('sleeps long while the engine holds a hook (ECS waits for it), but not just after acting', () => {
    expect(at(undefined, { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', holding: true })).toBe(60_000);
    expect(at(undefined, { holding: true, actedAt: NOW - 1_000 })).toBe(5_000);
    expect(at(undefined, { holding: true, status: 'ROLLBACK_IN_PROGRESS' })).toBe(10_000);
    expect(at(undefined, { holding: false })).toBe(10_000);
  });

  it('a maxIntervalMs equal to the interval turns the long sleeps off', () => {
    const flat = pollingSettings({ maxIntervalMs: 10_000 });
    expect(pollDelay({ now: NOW, status: 'IN_PROGRESS', expectedAt: NOW + 600_000 }, flat)).toBe(
      10_000,
    );
  });
});

describe('expectedTransitionAt', () => {
  it('knows when a canary step and the bake end', () => {
    expect(expectedTransitionAt({ strategy: canary, productionWeight: 10, weightSince: NOW })).toBe(
      NOW + 10 * 60_000,
    );
    expect(
      expectedTransitionAt({
        strategy: canary,
        productionWeight: 100,
        weightSince: NOW,
        stage: 'BAKE_TIME',
        stageSince: NOW,
      }),
    ).toBe(NOW + 30 * 60_000);
    expect(expectedTransitionAt({ strategy: canary, productionWeight: 0 })).toBeUndefined();
  });
});
