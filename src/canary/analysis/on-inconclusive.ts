import { UserError } from '../../lib/errors.ts';
import type { Verdict } from './types.ts';

export const ON_INCONCLUSIVE = ['continue', 'rollback', 'extend'] as const;
export type OnInconclusive = (typeof ON_INCONCLUSIVE)[number];

export interface InconclusivePolicyInput {
  readonly onInconclusive: OnInconclusive;
  /** How many times `extend` may lengthen the analysis; needed (≥ 1) for `extend` only. */
  readonly maxExtensions?: number | undefined;
  /** What `extend` does once the extensions are spent and it is still inconclusive. */
  readonly afterExtensions?: 'continue' | 'rollback' | undefined;
}

export interface InconclusivePolicy {
  readonly onInconclusive: OnInconclusive;
  readonly maxExtensions: number;
  readonly afterExtensions: 'continue' | 'rollback';
}

const MAX_EXTENSIONS = 100;

export function validateInconclusivePolicy(input: InconclusivePolicyInput): InconclusivePolicy {
  if (!(ON_INCONCLUSIVE as readonly string[]).includes(input.onInconclusive)) {
    throw new UserError(
      `on-inconclusive is '${String(input.onInconclusive)}': use continue, rollback or extend.`,
    );
  }
  const maxExtensions = input.maxExtensions ?? (input.onInconclusive === 'extend' ? 1 : 0);
  if (!Number.isInteger(maxExtensions) || maxExtensions < 0 || maxExtensions > MAX_EXTENSIONS) {
    throw new UserError(
      `max-extensions is ${maxExtensions}: use a whole number from 0 to ${MAX_EXTENSIONS}.`,
    );
  }
  if (input.onInconclusive === 'extend' && maxExtensions === 0) {
    throw new UserError(
      'on-inconclusive is extend but max-extensions is 0: set max-extensions to 1 or more, or use continue or rollback.',
    );
  }
  const afterExtensions = input.afterExtensions ?? 'rollback';
  if (afterExtensions !== 'continue' && afterExtensions !== 'rollback') {
    throw new UserError(
      `after-extensions is '${String(afterExtensions)}': use continue or rollback.`,
    );
  }
  return { onInconclusive: input.onInconclusive, maxExtensions, afterExtensions };
}

export type LoopDecision =
  | { readonly action: 'continue'; readonly reason: string }
  | { readonly action: 'rollback'; readonly reason: string }
  /** Judge again after one more analysis interval; `extension` counts from 1. */
  | {
      readonly action: 'extend';
      readonly extension: number;
      readonly maxExtensions: number;
      readonly reason: string;
    };

/**
 * What the deploy loop does with an inconclusive verdict at the end of an analysis interval.
 * `extensionsUsed` is how many extensions this deployment has already had.
 */
export function decideOnInconclusive(
  policy: InconclusivePolicy,
  extensionsUsed: number,
): LoopDecision {
  if (!Number.isInteger(extensionsUsed) || extensionsUsed < 0) {
    throw new RangeError(`extensionsUsed must be a whole number ≥ 0, got ${extensionsUsed}`);
  }
  switch (policy.onInconclusive) {
    case 'continue':
      return {
        action: 'continue',
        reason: 'analysis inconclusive: continuing the deployment (on-inconclusive: continue)',
      };
    case 'rollback':
      return {
        action: 'rollback',
        reason: 'analysis inconclusive: rolling back (on-inconclusive: rollback)',
      };
    case 'extend': {
      if (extensionsUsed < policy.maxExtensions) {
        const extension = extensionsUsed + 1;
        return {
          action: 'extend',
          extension,
          maxExtensions: policy.maxExtensions,
          reason: `analysis inconclusive: extending it (${extension} of ${policy.maxExtensions}, on-inconclusive: extend)`,
        };
      }
      const then = policy.afterExtensions;
      return {
        action: then,
        reason: `analysis still inconclusive after ${policy.maxExtensions} of ${policy.maxExtensions} extensions: ${then === 'rollback' ? 'rolling back' : 'continuing the deployment'} (after-extensions: ${then})`,
      };
    }
  }
}

/** The loop's decision for any verdict at the end of an analysis interval. */
export function decideAfterAnalysis(
  verdict: Verdict,
  policy: InconclusivePolicy,
  extensionsUsed: number,
): LoopDecision {
  if (verdict === 'pass') return { action: 'continue', reason: 'analysis passed: continuing' };
  if (verdict === 'fail') return { action: 'rollback', reason: 'analysis failed: rolling back' };
  return decideOnInconclusive(policy, extensionsUsed);
}
