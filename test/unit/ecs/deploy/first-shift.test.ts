import { describe, expect, it } from '@jest/globals';
import {
  ALIGN_LEAD_MS,
  type FirstShiftFacts,
  alignedAnswerAt,
  alignsFirstShift,
  firstShiftAnswer,
  longestAlignmentMs,
} from '../../../../src/ecs/deploy/first-shift.ts';
import { gateWindow } from '../../../../src/ecs/deploy/hook-decisions.ts';

const at = (hhmmss: string) => Date.parse(`2026-03-01T${hhmmss}Z`);
const facts: FirstShiftFacts = {
  now: at('12:01:30'),
  aligns: true,
  periodSeconds: 60,
  intervalMs: 60_000,
  latest: Number.POSITIVE_INFINITY,
  heldUntil: undefined,
};

describe('alignedAnswerAt', () => {
  it.each<[string, string, number]>([
    ['30 s into a minute: the next minute plus the lead', '12:01:30', at('12:02:01')],
    ['just after the lead: at once', '12:01:01', at('12:01:01')],
    ['within the slack: at once', '12:01:06', at('12:01:06')],
    ['just past the slack: the next minute', '12:01:06.001', at('12:02:01')],
    ['on the boundary: after the lead', '12:01:00', at('12:01:01')],
    ['inside the lead: at its end', '12:01:00.400', at('12:01:01')],
    ['the last second of a minute', '12:01:59.999', at('12:02:01')],
  ])('%s', (_name, now, expected) => {
    expect(alignedAnswerAt(at(now), 60)).toBe(expected);
  });

  it('follows the period grid from the epoch', () => {
    // 120 s periods: 12:00 and 12:02 are boundaries, 12:01 is not.
    expect(alignedAnswerAt(at('12:01:00'), 120)).toBe(at('12:02:00') + ALIGN_LEAD_MS);
    expect(alignedAnswerAt(at('12:02:03'), 120)).toBe(at('12:02:03'));
  });
});

describe('firstShiftAnswer', () => {
  it('holds to the next minute and says for how long', () => {
    expect(firstShiftAnswer(facts)).toEqual({
      action: 'hold',
      until: at('12:02:01'),
      reason: 'aligning the first shift to the next CloudWatch minute: 31s',
    });
  });

  it('continues once its hold has ended, even when the wake-up came late', () => {
    expect(firstShiftAnswer({ ...facts, now: at('12:02:09'), heldUntil: at('12:02:01') })).toEqual({
      action: 'CONTINUE',
      reason:
        'no production traffic on the new revision yet: nothing to judge; the first shift starts a CloudWatch minute',
    });
  });

  it('continues at once in the first seconds of a minute', () => {
    expect(firstShiftAnswer({ ...facts, now: at('12:01:03') })).toMatchObject({
      action: 'CONTINUE',
      reason: /starts a CloudWatch minute already/,
    });
  });

  it('never holds past the time the hook must be answered', () => {
    expect(firstShiftAnswer({ ...facts, latest: at('12:02:00.999') })).toEqual({
      action: 'CONTINUE',
      reason:
        'no production traffic on the new revision yet: nothing to judge; not aligning the first shift to the next CloudWatch minute (31s: the hook must be answered before)',
    });
    expect(firstShiftAnswer({ ...facts, latest: at('12:02:01') })).toMatchObject({
      action: 'hold',
      until: at('12:02:01'),
    });
  });

  it('holds no longer than one analysis interval', () => {
    const short = { ...facts, intervalMs: 10_000 };
    expect(firstShiftAnswer(short)).toMatchObject({
      action: 'CONTINUE',
      reason: /not aligning .*\(31s: longer than an interval\)/,
    });
    expect(firstShiftAnswer({ ...short, now: at('12:01:51') })).toEqual({
      action: 'hold',
      until: at('12:02:01'),
      reason: 'aligning the first shift to the next CloudWatch minute: 10s',
    });
  });

  it('lets a first shift straight to 100 % go at once', () => {
    expect(firstShiftAnswer({ ...facts, aligns: false })).toEqual({
      action: 'CONTINUE',
      reason:
        'no production traffic on the new revision yet: nothing to judge before the first shift',
    });
  });
});

describe('alignsFirstShift', () => {
  it('aligns a first shift to a partial weight only', () => {
    const bake = { canaryBakeMinutes: 10, bakeMinutes: 10 };
    expect(alignsFirstShift({ kind: 'canary', canaryPercent: 10, ...bake })).toBe(true);
    expect(alignsFirstShift({ kind: 'canary', canaryPercent: 100, ...bake })).toBe(false);
    expect(
      alignsFirstShift({ kind: 'linear', stepPercent: 20, stepBakeMinutes: 3, bakeMinutes: 10 }),
    ).toBe(true);
    expect(
      alignsFirstShift({ kind: 'linear', stepPercent: 100, stepBakeMinutes: 3, bakeMinutes: 10 }),
    ).toBe(false);
    // Blue/green's baseline is the shift minute's traffic before the shift: aligning would empty it.
    expect(alignsFirstShift({ kind: 'blue-green', bakeMinutes: 10 })).toBe(false);
    expect(alignsFirstShift({ kind: 'rolling' })).toBe(false);
  });

  it('holds at most one period, or one interval when that is shorter', () => {
    expect(longestAlignmentMs(60, 60_000)).toBe(60_000);
    expect(longestAlignmentMs(60, 300_000)).toBe(60_000);
    expect(longestAlignmentMs(60, 10_000)).toBe(10_000);
  });
});

describe('gateWindow before the first shift', () => {
  const gate = {
    gate: 'step' as const,
    now: at('12:01:30'),
    productionWeight: 0,
    weightSince: undefined,
    exposureSince: undefined,
    intervalMs: 60_000,
    latest: Number.POSITIVE_INFINITY,
  };
  it('aligns when told how', () => {
    expect(
      gateWindow({
        ...gate,
        firstShift: { aligns: true, periodSeconds: 60, heldUntil: undefined },
      }),
    ).toMatchObject({ action: 'hold', until: at('12:02:01') });
  });
  it('continues at once without it', () => {
    expect(gateWindow(gate)).toMatchObject({ action: 'CONTINUE' });
  });
});
