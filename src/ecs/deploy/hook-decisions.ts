// What the engine answers at a PAUSE hook: the smoke check's result after the test traffic
// shift; before a production step and after the last one, whether the gate can judge yet (the
// verdict's answer is decideRollback's, in rollback-decision.ts). Pure.
import { formatDuration } from '../../lib/durations.ts';
import { periodStart } from './continuous-analysis.ts';
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

/**
 * Blue/green's gate holds for evidence while its window holds fewer periods of the new revision
 * than this since the shift: the shift's own (part of a minute) and two whole minutes, at 50
 * requests/s some 6,000 requests, 15 times what `max-error-rate` 1 % needs without errors.
 */
export const EVIDENCE_PERIODS = 3;

export interface FinalGateWaitFacts {
  now: number;
  /** answerBy() of the hook. */
  latest: number;
  /** The watch's poll interval: the pace of the wait for the shift's first published period. */
  pollIntervalMs: number;
  /** The analysis interval: a held gate looks again a quarter of it later. */
  intervalMs: number;
  periodMs: number;
  /** The earliest the last shift can have happened. */
  shiftSince: number;
  /** The new revision took all production traffic in that shift (blue/green). */
  baselineAtShiftOnly: boolean;
  /** Periods with requests of the new revision read, from the shift's period on. */
  periodsSinceShift: number;
  verdict: 'pass' | 'fail' | 'inconclusive';
  cause?: 'too-few-requests' | 'insufficient-evidence' | 'nothing-to-judge' | undefined;
  /** The inconclusive checks' reasons, for the hold's. */
  reasons: readonly string[];
}

/**
 * Whether the gate after the last shift waits instead of answering an inconclusive verdict:
 *
 * - `retry` (at the next poll) while CloudWatch has published no period since the shift, and the
 *   hook leaves time for another poll (a gate one interval after the shift may read none);
 * - `hold` the hook, when the new revision took all production traffic at once (blue/green), no
 *   concurrent baseline is left and the absolute limits cannot yet pass or fail on the periods
 *   read: a quarter interval (10 s at least) at a time, while the window holds fewer than
 *   EVIDENCE_PERIODS periods of it, and at most until CloudWatch can have published the last of
 *   those (two periods after it ends), never past `latest`. ECS starts the bake only after the
 *   hook, so the hold lengthens the deployment by what it waits.
 *
 * Undefined: answer now (the verdict's answer is decideRollback's).
 */
export function finalGateWait(
  facts: FinalGateWaitFacts,
): { action: 'retry' } | Extract<HookAnswer, { action: 'hold' }> | undefined {
  const { now, periodMs } = facts;
  if (facts.verdict !== 'inconclusive') return undefined;
  if (facts.periodsSinceShift === 0 && now + facts.pollIntervalMs < facts.latest) {
    return { action: 'retry' };
  }
  if (
    !facts.baselineAtShiftOnly ||
    facts.cause === 'nothing-to-judge' ||
    facts.periodsSinceShift >= EVIDENCE_PERIODS
  ) {
    return undefined;
  }
  const shiftPeriod = periodStart(facts.shiftSince, periodMs / 1000);
  const bound = Math.min(shiftPeriod + (EVIDENCE_PERIODS + 2) * periodMs, facts.latest);
  const until = Math.min(now + Math.max(10_000, Math.round(facts.intervalMs / 4)), bound);
  if (until <= now) return undefined;
  const read = `${facts.periodsSinceShift} ${facts.periodsSinceShift === 1 ? 'period' : 'periods'}`;
  return {
    action: 'hold',
    until,
    reason: `no baseline beside the new revision after the shift: the absolute limits decide, and cannot yet on ${read} (${facts.reasons.join('; ')}); looking again as CloudWatch publishes, until ${new Date(bound).toISOString()} at the latest`,
  };
}
