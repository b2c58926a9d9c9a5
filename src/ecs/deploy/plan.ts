// What a deployment will do, stage by stage, and how long it should take: printed by dry-run and
// checked against the step's time budget before anything changes.
import { formatDuration } from '../../lib/durations.ts';
import { type Strategy, productionSteps } from './strategy.ts';

export interface PlanStage {
  name: string;
  /** Production traffic on the new revision once this stage is done, in percent. */
  productionWeight: number;
  /** Expected duration; undefined when ECS decides (scale-up, draining). */
  expectedMs: number | undefined;
  /** `expectedMs` is the longest it can take (counted whole in the plan's duration). */
  atMost?: boolean;
  note: string;
}

export interface DeploymentPlan {
  stages: PlanStage[];
  /** Sum of the stages' known durations plus the scale-up estimate. */
  expectedMs: number;
  budgetMs: number;
  fitsBudget: boolean;
}

export interface PlanFacts {
  strategy: Strategy;
  desiredCount: number;
  hasTestListener: boolean;
  smokeCheck: boolean;
  /** Estimate for starting the new tasks and passing health checks. */
  scaleUpEstimateMs: number;
  budgetMs: number;
  /** The longest the first production shift is held to a CloudWatch period (first-shift.ts); 0 or none: not held. */
  firstShiftAlignmentMs?: number | undefined;
}

const MINUTE = 60_000;

export function planDeployment(facts: PlanFacts): DeploymentPlan {
  const { strategy } = facts;
  const stages: PlanStage[] = [];
  const add = (name: string, weight: number, expectedMs: number | undefined, note: string) =>
    stages.push({ name, productionWeight: weight, expectedMs, note });

  if (strategy.kind === 'rolling') {
    add(
      'rolling replacement',
      100,
      undefined,
      `replace ${facts.desiredCount} task(s) within the min/max healthy percent`,
    );
  } else {
    add(
      'scale up',
      0,
      undefined,
      `start ${facts.desiredCount} new task(s) next to the ${facts.desiredCount} running (the task count doubles)`,
    );
    if (facts.hasTestListener)
      add('test traffic', 0, 0, 'the test listener rule forwards to the new revision');
    if (facts.smokeCheck)
      add(
        'smoke check',
        0,
        0,
        'the smoke check runs against the test listener before production traffic moves',
      );
    const steps = productionSteps(strategy);
    const stepBake =
      strategy.kind === 'canary'
        ? strategy.canaryBakeMinutes
        : strategy.kind === 'linear'
          ? strategy.stepBakeMinutes
          : 0;
    const alignment = facts.firstShiftAlignmentMs ?? 0;
    if (alignment > 0) {
      stages.push({
        name: 'first shift aligned',
        productionWeight: 0,
        expectedMs: alignment,
        atMost: true,
        note: 'the first production shift waits for the next CloudWatch minute, so the canary’s first minute of metrics is a whole one',
      });
    }
    steps.forEach((weight, index) => {
      const last = index === steps.length - 1;
      add(
        `production ${weight}%`,
        weight,
        last ? 0 : stepBake * MINUTE,
        last
          ? 'all production traffic on the new revision'
          : `analysis while the new revision takes ${weight}% for ${stepBake} min`,
      );
    });
    add(
      'bake',
      100,
      strategy.bakeMinutes * MINUTE,
      'the old revision stays up, so a rollback is only a traffic move',
    );
    add('clean up', 100, undefined, 'ECS stops the old revision');
  }
  const expectedMs =
    facts.scaleUpEstimateMs + stages.reduce((sum, s) => sum + (s.expectedMs ?? 0), 0);
  return { stages, expectedMs, budgetMs: facts.budgetMs, fitsBudget: expectedMs <= facts.budgetMs };
}

export function describePlan(plan: DeploymentPlan): string[] {
  return [
    ...plan.stages.map(
      (s, i) =>
        `${i + 1}. ${s.name}: ${s.note}${s.expectedMs === undefined ? '' : ` (${s.expectedMs === 0 ? 'at once' : `${s.atMost === true ? 'at most ' : ''}${formatDuration(s.expectedMs)}`})`}`,
    ),
    `Expected duration about ${formatDuration(plan.expectedMs)} (scale-up estimated), time budget ${formatDuration(plan.budgetMs)}${plan.fitsBudget ? '' : ': NOT enough'}.`,
  ];
}
