import { describe, expect, it } from '@jest/globals';
import {
  type StrategyInputs,
  parseStrategy,
} from '../../../../src/actions/ecs-canary-deploy/parse-strategy.ts';

const inputs = (overrides: Partial<StrategyInputs> = {}): StrategyInputs => ({
  strategy: 'canary',
  'canary-percent': '10',
  'canary-bake': '10m',
  'step-percent': '10',
  'step-bake': '6m',
  'bake-time': '15m',
  ...overrides,
});

describe('parseStrategy', () => {
  it('reads each strategy with its own inputs', () => {
    expect(parseStrategy(inputs())).toEqual({
      kind: 'canary',
      canaryPercent: 10,
      canaryBakeMinutes: 10,
      bakeMinutes: 15,
    });
    expect(
      parseStrategy(inputs({ strategy: 'linear', 'step-percent': '25', 'step-bake': '1h' })),
    ).toEqual({
      kind: 'linear',
      stepPercent: 25,
      stepBakeMinutes: 60,
      bakeMinutes: 15,
    });
    expect(parseStrategy(inputs({ strategy: 'blue-green', 'bake-time': '0' }))).toEqual({
      kind: 'blue-green',
      bakeMinutes: 0,
    });
    expect(parseStrategy(inputs({ strategy: 'rolling', 'canary-percent': 'ignored' }))).toEqual({
      kind: 'rolling',
    });
  });

  it.each<[Partial<StrategyInputs>, RegExp]>([
    [
      { strategy: 'big-bang' },
      /^Input 'strategy' is 'big-bang': use one of canary, linear, blue-green, rolling/,
    ],
    [
      { 'canary-percent': '0' },
      /'canary-percent' is '0': use a percentage from 0.1 to 100 in steps of 0.1/,
    ],
    [{ 'canary-percent': '12.55' }, /in steps of 0.1/],
    [{ 'canary-percent': '101' }, /from 0.1 to 100/],
    [
      { strategy: 'linear', 'step-percent': '2' },
      /'step-percent' is '2': use a percentage from 3 to 100/,
    ],
    [{ 'canary-bake': '90s' }, /'canary-bake' is '90s': use whole minutes from 0 to 1440/],
    [{ 'bake-time': '25h' }, /'bake-time' is '25h'/],
  ])('rejects %p in one line', (overrides, message) => {
    expect(() => parseStrategy(inputs(overrides))).toThrow(message);
  });
});
