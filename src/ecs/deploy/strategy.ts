// The deployment strategies ecs-canary-deploy drives (their limits, as the ECS API documents them
// in shared/reference/ecs-native-deployments.md, are checked where the inputs are parsed).
export type Strategy =
  | { kind: 'canary'; canaryPercent: number; canaryBakeMinutes: number; bakeMinutes: number }
  | { kind: 'linear'; stepPercent: number; stepBakeMinutes: number; bakeMinutes: number }
  | { kind: 'blue-green'; bakeMinutes: number }
  | { kind: 'rolling' };

export type StrategyKind = Strategy['kind'];

/** Production traffic percentages the canary revision gets, step by step. */
export function productionSteps(strategy: Strategy): number[] {
  switch (strategy.kind) {
    case 'canary':
      return strategy.canaryPercent >= 100 ? [100] : [strategy.canaryPercent, 100];
    case 'linear': {
      const steps: number[] = [];
      for (let p = strategy.stepPercent; p < 100; p += strategy.stepPercent) {
        steps.push(Math.round(p * 10) / 10);
      }
      return [...steps, 100];
    }
    case 'blue-green':
      return [100];
    case 'rolling':
      return [];
  }
}

/** Needs the load balancer's advancedConfiguration (alternate target group, listener rules, role). */
export function shiftsTraffic(strategy: Strategy): boolean {
  return strategy.kind !== 'rolling';
}
