import { describe, expect, it } from '@jest/globals';
import { describePlan, planDeployment } from '../../../../src/ecs/deploy/plan.ts';
import {
  type StrategyInputs,
  parseStrategy,
  productionSteps,
} from '../../../../src/ecs/deploy/strategy.ts';

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

describe('productionSteps', () => {
  it('goes canary then all, or in linear steps', () => {
    expect(productionSteps(parseStrategy(inputs()))).toEqual([10, 100]);
    expect(productionSteps(parseStrategy(inputs({ 'canary-percent': '100' })))).toEqual([100]);
    expect(
      productionSteps(parseStrategy(inputs({ strategy: 'linear', 'step-percent': '30' }))),
    ).toEqual([30, 60, 90, 100]);
    expect(
      productionSteps(parseStrategy(inputs({ strategy: 'linear', 'step-percent': '33.3' }))),
    ).toEqual([33.3, 66.6, 99.9, 100]);
    expect(productionSteps(parseStrategy(inputs({ strategy: 'blue-green' })))).toEqual([100]);
  });
});

describe('planDeployment', () => {
  const facts = {
    desiredCount: 4,
    hasTestListener: true,
    smokeCheck: true,
    scaleUpEstimateMs: 120_000,
    budgetMs: 45 * 60_000,
  };

  it('lists the stages of a canary with their weights and the expected duration', () => {
    const plan = planDeployment({ ...facts, strategy: parseStrategy(inputs()) });
    expect(plan.stages.map((s) => [s.name, s.productionWeight])).toEqual([
      ['scale up', 0],
      ['test traffic', 0],
      ['smoke check', 0],
      ['production 10%', 10],
      ['production 100%', 100],
      ['bake', 100],
      ['clean up', 100],
    ]);
    // 2 min scale-up + 10 min canary bake + 15 min bake.
    expect(plan.expectedMs).toBe(27 * 60_000);
    expect(plan.fitsBudget).toBe(true);
    const text = describePlan(plan).join('\n');
    expect(text).toContain('start 4 new task(s) next to the 4 running (the task count doubles)');
    expect(text).toContain(
      '4. production 10%: analysis while the new revision takes 10% for 10 min (10m)',
    );
    expect(text).toContain('Expected duration about 27m (scale-up estimated), time budget 45m.');
  });

  it('says when the time budget is too short', () => {
    const plan = planDeployment({
      ...facts,
      budgetMs: 20 * 60_000,
      strategy: parseStrategy(inputs({ strategy: 'linear' })),
    });
    // 9 steps of 6 min before 100 %, 15 min bake, 2 min scale-up.
    expect(plan.expectedMs).toBe((9 * 6 + 15 + 2) * 60_000);
    expect(plan.fitsBudget).toBe(false);
    expect(describePlan(plan).at(-1)).toMatch(/time budget 20m: NOT enough\.$/);
  });

  it('keeps a rolling deployment to one stage without traffic steps', () => {
    const plan = planDeployment({ ...facts, strategy: { kind: 'rolling' } });
    expect(plan.stages.map((s) => s.name)).toEqual(['rolling replacement']);
  });
});
