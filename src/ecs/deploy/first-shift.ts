// When to let the first production shift happen. ALB publishes 60 s periods on the epoch's
// minute grid; a canary that first takes traffic 40 s into a minute has a first period holding
// 20 s of its requests, too few to decide on, and the next is published a minute later. So the
// PAUSE hook before the first shift is held until just after the next period boundary, and the
// canary's first period holds (almost) a whole period of its traffic. Pure.
import { formatDuration } from '../../lib/durations.ts';
import { periodStart } from './continuous-analysis.ts';
import type { HookAnswer } from './hook-decisions.ts';
import { type Strategy, productionSteps } from './strategy.ts';

/**
 * CONTINUE this long after the boundary. The shift lands after the answer in any case (ECS moves
 * the listener weights in its PRODUCTION_TRAFFIC_SHIFT stage, 5 s in the fake ECS and the
 * emulator), so the lead only has to cover the runner's clock running ahead of the load
 * balancer's; NTP keeps both within milliseconds, a second is ample.
 */
export const ALIGN_LEAD_MS = 1_000;
/**
 * A hook seen this soon after `boundary + lead` is answered at once: it costs the canary's first
 * period a few seconds of traffic, where holding costs the deployment a whole period.
 */
export const ALIGN_SLACK_MS = 5_000;

/** Whether the strategy's first shift is worth aligning: one to a partial weight, with a baseline beside it. */
export function alignsFirstShift(strategy: Strategy): boolean {
  const first = productionSteps(strategy)[0];
  return strategy.kind !== 'blue-green' && first !== undefined && first < 100;
}

/**
 * The longest the alignment can hold a deployment: one period, and never more than one analysis
 * interval (the time a user lets a judgement wait for data; with a shorter interval the hold is
 * made only when the boundary is that close).
 */
export function longestAlignmentMs(periodSeconds: number, intervalMs: number): number {
  return Math.min(periodSeconds * 1000, intervalMs);
}

/** The first moment at or after `now` to answer: now, or the next boundary plus the lead. */
export function alignedAnswerAt(now: number, periodSeconds: number): number {
  const boundary = periodStart(now, periodSeconds);
  const into = now - boundary;
  if (into < ALIGN_LEAD_MS) return boundary + ALIGN_LEAD_MS;
  if (into <= ALIGN_LEAD_MS + ALIGN_SLACK_MS) return now;
  return boundary + periodSeconds * 1000 + ALIGN_LEAD_MS;
}

export interface FirstShiftFacts {
  now: number;
  /** alignsFirstShift() of the strategy. */
  aligns: boolean;
  periodSeconds: number;
  intervalMs: number;
  /** answerBy() of the hook. */
  latest: number;
  /** The end of a hold the engine already made on this hook (it has passed: the hold is over). */
  heldUntil: number | undefined;
}

const NOTHING_TO_JUDGE = 'no production traffic on the new revision yet: nothing to judge';

/** The answer at the PAUSE hook before the first production shift (weight 0). */
export function firstShiftAnswer(facts: FirstShiftFacts): HookAnswer {
  const { now } = facts;
  if (!facts.aligns) {
    return { action: 'CONTINUE', reason: `${NOTHING_TO_JUDGE} before the first shift` };
  }
  if (facts.heldUntil !== undefined) {
    return {
      action: 'CONTINUE',
      reason: `${NOTHING_TO_JUDGE}; the first shift starts a CloudWatch minute`,
    };
  }
  const at = alignedAnswerAt(now, facts.periodSeconds);
  if (at <= now) {
    return {
      action: 'CONTINUE',
      reason: `${NOTHING_TO_JUDGE}; the first shift starts a CloudWatch minute already`,
    };
  }
  const wait = at - now;
  if (at > facts.latest || wait > longestAlignmentMs(facts.periodSeconds, facts.intervalMs)) {
    const why = at > facts.latest ? 'the hook must be answered before' : 'longer than an interval';
    return {
      action: 'CONTINUE',
      reason: `${NOTHING_TO_JUDGE}; not aligning the first shift to the next CloudWatch minute (${formatDuration(wait)}: ${why})`,
    };
  }
  return {
    action: 'hold',
    until: at,
    reason: `aligning the first shift to the next CloudWatch minute: ${formatDuration(wait)}`,
  };
}
