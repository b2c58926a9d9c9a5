// What the engine answers at a PAUSE hook: the smoke check's result after the test traffic
// shift, the analysis's verdict before a production step and after the last one. Pure.
import {
  type AnalysisResult,
  type InconclusivePolicy,
  decideAfterAnalysis,
} from '../../canary/analysis/index.ts';
import { formatDuration } from '../../lib/durations.ts';

export type HookAnswer =
  | { action: 'CONTINUE'; reason: string }
  | { action: 'ROLLBACK'; reason: string; decidedBy: 'analysis' | 'smoke-check' }
  /** Keep the hook waiting and look again at `until`; `extension` when on-inconclusive extended. */
  | { action: 'hold'; until: number; reason: string; extension?: number };

/** The last moment to answer a hook: its expiry less a margin for clock skew and a slow call. */
export function answerBy(expiresAt: Date | undefined, marginMs: number): number {
  return expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt.getTime() - marginMs;
}

export function smokeCheckAnswer(check: { ok: boolean; detail: string }): HookAnswer {
  return check.ok
    ? { action: 'CONTINUE', reason: `smoke check passed: ${check.detail}` }
    : {
        action: 'ROLLBACK',
        reason: `The smoke check failed before any production traffic moved: ${check.detail}`,
        decidedBy: 'smoke-check',
      };
}

/**
 * A gate judges at least one analysis interval of its window: a step that ECS shifted with no
 * bake (or a blue/green shift straight to 100 %) is watched that long before it is judged.
 * Returns when to look, or undefined to judge now.
 */
export function observationHold(
  now: number,
  windowStart: number,
  intervalMs: number,
  latest: number,
): number | undefined {
  const ready = windowStart + intervalMs;
  if (ready <= now) return undefined;
  const until = Math.min(ready, latest);
  return until > now ? until : undefined;
}

export interface GateFacts {
  result: AnalysisResult;
  policy: InconclusivePolicy;
  extensionsUsed: number;
  now: number;
  intervalMs: number;
  /** answerBy() of the hook. */
  latest: number;
  /** "before the shift to 25 %", "after the last shift", for the reasons. */
  where: string;
}

export function gateAnswer(facts: GateFacts): HookAnswer {
  const { result, policy } = facts;
  if (result.verdict === 'inconclusive' && result.cause === 'nothing-to-judge') {
    // Only at full traffic: the baseline serves nothing and no absolute limit is set.
    return {
      action: 'CONTINUE',
      reason: `nothing to judge the canary against ${facts.where} (the baseline serves no traffic and no absolute limit is set): continuing`,
    };
  }
  const decision = decideAfterAnalysis(result.verdict, policy, facts.extensionsUsed);
  const figures = result.reasons.join('; ');
  switch (decision.action) {
    case 'continue':
      return { action: 'CONTINUE', reason: `${decision.reason} (${facts.where}): ${figures}` };
    case 'rollback':
      return {
        action: 'ROLLBACK',
        reason:
          result.verdict === 'fail'
            ? `Canary analysis failed ${facts.where}: ${figures}`
            : `Canary analysis ${facts.where}: ${decision.reason}: ${figures}`,
        decidedBy: 'analysis',
      };
    case 'extend': {
      const until = facts.now + facts.intervalMs;
      if (until <= facts.latest) {
        return {
          action: 'hold',
          until,
          extension: decision.extension,
          reason: `${decision.reason} (${facts.where}): judging again in ${formatDuration(facts.intervalMs)}`,
        };
      }
      // No room for another interval before ECS's own timeout: do what spent extensions do.
      const then = policy.afterExtensions;
      const why = `analysis inconclusive ${facts.where} and the PAUSE hook expires before another ${formatDuration(facts.intervalMs)} extension`;
      return then === 'continue'
        ? { action: 'CONTINUE', reason: `${why}: continuing (after-extensions: continue)` }
        : {
            action: 'ROLLBACK',
            reason: `Canary ${why}: rolling back (after-extensions: rollback): ${figures}`,
            decidedBy: 'analysis',
          };
    }
  }
}
