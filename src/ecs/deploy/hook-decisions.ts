// What the engine answers at a PAUSE hook: the smoke check's result after the test traffic
// shift; before a production step and after the last one, whether the gate can judge yet (the
// verdict's answer is decideRollback's, in rollback-decision.ts). Pure.
import { formatDuration } from '../../lib/durations.ts';
import { type FirstShiftFacts, firstShiftAnswer } from './first-shift.ts';

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

export interface GateWindowFacts {
  /** `step`: before the next production shift; `final`: after the last. */
  gate: 'step' | 'final';
  now: number;
  productionWeight: number;
  /** The earliest the current weight, and the first production traffic, can have arrived. */
  weightSince: number | undefined;
  exposureSince: number | undefined;
  intervalMs: number;
  /** answerBy() of the hook. */
  latest: number;
  /** Before the first shift: whether and how to align it to a CloudWatch period (first-shift.ts). */
  firstShift?: Pick<FirstShiftFacts, 'aligns' | 'periodSeconds' | 'heldUntil'> | undefined;
}

/**
 * What a gate judges: before a step, the window since the last shift; after the last, everything
 * since the canary first took production traffic, its longest window against the baseline.
 * Before the first shift there is nothing to judge: it is let through, aligned to a CloudWatch
 * period when `firstShift` says so. Holds while the window is too short.
 */
export function gateWindow(facts: GateWindowFacts): HookAnswer | { action: 'judge'; from: number } {
  const { now, productionWeight: weight } = facts;
  if (facts.gate === 'step' && weight === 0) {
    return firstShiftAnswer({
      aligns: false,
      periodSeconds: 60,
      heldUntil: undefined,
      ...facts.firstShift,
      now,
      intervalMs: facts.intervalMs,
      latest: facts.latest,
    });
  }
  const from = (facts.gate === 'step' ? facts.weightSince : facts.exposureSince) ?? now;
  const hold = observationHold(now, from, facts.intervalMs, facts.latest);
  if (hold === undefined) return { action: 'judge', from };
  return {
    action: 'hold',
    until: hold,
    reason: `watching the new revision at ${weight} % of production for ${formatDuration(hold - from)} before judging it`,
  };
}
