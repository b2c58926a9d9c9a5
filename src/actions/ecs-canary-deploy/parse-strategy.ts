// The strategy inputs: `strategy` and the percentages and bake times that shape it, within the
// limits the ECS API documents (shared/reference/ecs-native-deployments.md).
import type { Strategy, StrategyKind } from '../../ecs/deploy/strategy.ts';
import { UserError } from '../../lib/errors.ts';
import { shown as quote } from '../../lib/errors.ts';

export interface StrategyInputs {
  strategy: string;
  'canary-percent': string;
  'canary-bake': string;
  'step-percent': string;
  'step-bake': string;
  'bake-time': string;
}

const KINDS: readonly StrategyKind[] = ['canary', 'linear', 'blue-green', 'rolling'];

/** Percent with at most one decimal, within [min, max]. */
function percent(input: string, text: string, min: number, max: number): number {
  const value = Number(text.trim());
  if (!/^\d+(\.\d)?$/.test(text.trim()) || value < min || value > max) {
    throw new UserError(
      `Input '${input}' is ${quote(text)}: use a percentage from ${min} to ${max} in steps of 0.1.`,
    );
  }
  return value;
}

/** Whole minutes 0..1440, given as `10`, `10m` or `2h`. */
function minutes(input: string, text: string): number {
  const match = /^(\d+)\s*(m|h)?$/.exec(text.trim());
  const value = match ? Number(match[1]) * (match[2] === 'h' ? 60 : 1) : NaN;
  if (!match || value > 1440) {
    throw new UserError(
      `Input '${input}' is ${quote(text)}: use whole minutes from 0 to 1440, e.g. 10m or 1h (ECS counts bake times in minutes).`,
    );
  }
  return value;
}

export function parseStrategy(inputs: StrategyInputs): Strategy {
  const kind = inputs.strategy.trim() as StrategyKind;
  if (!KINDS.includes(kind)) {
    throw new UserError(
      `Input 'strategy' is ${quote(inputs.strategy)}: use one of ${KINDS.join(', ')}.`,
    );
  }
  switch (kind) {
    case 'canary':
      return {
        kind,
        canaryPercent: percent('canary-percent', inputs['canary-percent'], 0.1, 100),
        canaryBakeMinutes: minutes('canary-bake', inputs['canary-bake']),
        bakeMinutes: minutes('bake-time', inputs['bake-time']),
      };
    case 'linear':
      return {
        kind,
        stepPercent: percent('step-percent', inputs['step-percent'], 3, 100),
        stepBakeMinutes: minutes('step-bake', inputs['step-bake']),
        bakeMinutes: minutes('bake-time', inputs['bake-time']),
      };
    case 'blue-green':
      return { kind, bakeMinutes: minutes('bake-time', inputs['bake-time']) };
    case 'rolling':
      return { kind };
  }
}
