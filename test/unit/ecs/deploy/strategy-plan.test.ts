import { describe, expect, it } from '@jest/globals';
import { describePlan, planDeployment } from '../../../../src/ecs/deploy/plan.ts';
import { type Strategy, productionSteps } from '../../../../src/ecs/deploy/strategy.ts';

const CANARY: Strategy = {
  kind: 'canary',
  canaryPercent: 10,
  canaryBakeMinutes: 10,
  bakeMinutes: 15,
};
const linear = (stepPercent: number): Strategy => ({
  kind: 'linear',
  stepPercent,
  stepBakeMinutes: 6,
  bakeMinutes: 15,
});

describe('productionSteps', () => {
  it('goes canary then all, or in linear steps', () => {
    expect(productionSteps(CANARY)).toEqual([10, 100]);
    expect(productionSteps({ ...CANARY, canaryPercent: 100 })).toEqual([100]);
    expect(productionSteps(linear(30))).toEqual([30, 60, 90, 100]);
    expect(productionSteps(linear(33.3))).toEqual([33.3, 66.6, 99.9, 100]);
    expect(productionSteps({ kind: 'blue-green', bakeMinutes: 15 })).toEqual([100]);
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
    const plan = planDeployment({ ...facts, strategy: CANARY });
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

  it('counts the longest hold of the first shift to a CloudWatch minute', () => {
    const plan = planDeployment({ ...facts, strategy: CANARY, firstShiftAlignmentMs: 60_000 });
    expect(plan.stages.map((s) => [s.name, s.productionWeight])).toEqual([
      ['scale up', 0],
      ['test traffic', 0],
      ['smoke check', 0],
      ['first shift aligned', 0],
      ['production 10%', 10],
      ['production 100%', 100],
      ['bake', 100],
      ['clean up', 100],
    ]);
    expect(plan.expectedMs).toBe(28 * 60_000);
    expect(describePlan(plan)[3]).toBe(
      '4. first shift aligned: the first production shift waits for the next CloudWatch minute, so the canary’s first minute of metrics is a whole one (at most 1m)',
    );
    expect(planDeployment({ ...facts, strategy: CANARY, budgetMs: 27 * 60_000 }).fitsBudget).toBe(
      true,
    );
    expect(
      planDeployment({
        ...facts,
        strategy: CANARY,
        budgetMs: 27 * 60_000,
        firstShiftAlignmentMs: 60_000,
      }).fitsBudget,
    ).toBe(false);
  });

  it('says when the time budget is too short', () => {
    const plan = planDeployment({
      ...facts,
      budgetMs: 20 * 60_000,
      strategy: linear(10),
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
