import { expect, it } from '@jest/globals';
import { type GateWindowFacts, gateWindow } from '../../../../src/ecs/deploy/hook-decisions.ts';

const NOW = 10_000_000;
const facts: GateWindowFacts = {
  gate: 'step',
  now: NOW,
  productionWeight: 10,
  weightSince: NOW - 600_000,
  exposureSince: NOW - 1_200_000,
  intervalMs: 60_000,
  latest: Number.POSITIVE_INFINITY,
};

it.each<[string, Partial<GateWindowFacts>, object]>([
  ['before a step: the window since the last shift', {}, { action: 'judge', from: NOW - 600_000 }],
  [
    'after the last shift: everything since the first exposure',
    { gate: 'final' },
    { action: 'judge', from: NOW - 1_200_000 },
  ],
  [
    'nothing to judge before the first shift',
    { productionWeight: 0 },
    { action: 'CONTINUE', reason: expect.stringMatching(/before the first shift/) },
  ],
  [
    'a window shorter than an interval is watched first',
    { weightSince: NOW - 15_000 },
    {
      action: 'hold',
      until: NOW + 45_000,
      reason: 'watching the new revision at 10 % of production for 1m before judging it',
    },
  ],
  [
    'never past the time the hook must be answered',
    { weightSince: NOW - 15_000, latest: NOW + 20_000 },
    { action: 'hold', until: NOW + 20_000 },
  ],
  [
    'and judged as it is when that time has come',
    { weightSince: NOW - 15_000, latest: NOW },
    { action: 'judge', from: NOW - 15_000 },
  ],
  [
    'a shift not seen yet counts from now',
    { gate: 'final', exposureSince: undefined, productionWeight: 100 },
    { action: 'hold', until: NOW + 60_000 },
  ],
])('gateWindow: %s', (_name, overrides, expected) => {
  expect(gateWindow({ ...facts, ...overrides })).toMatchObject(expected);
});
