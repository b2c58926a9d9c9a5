// The watch's calls to ECS and its pace: DescribeServiceDeployments, what a failed call costs
// (a slower pace while throttled, losing track when the errors persist) and when to wake next.
import { describeAwsError } from '../../lib/aws-errors.ts';
import { analysing, nextLookAt } from './analysis-schedule.ts';
import type { WatchErrorKind } from './events.ts';
import {
  classifyWatchError,
  expectedTransitionAt,
  pollDelay,
  recoveredBackoff,
  throttledBackoff,
} from './poll-cadence.ts';
import type { DeploymentSnapshot } from './ports.ts';
import { iso } from './result.ts';
import { awaitingPauseHook } from './rollback.ts';
import { type Watch, emit, now } from './watch-state.ts';

export function interrupted(w: Watch): boolean {
  return w.deps.signal.aborted || now(w) >= w.request.deadlineAt;
}

/** The deployment now, or undefined when the call failed (counted). */
export async function poll(w: Watch): Promise<DeploymentSnapshot | undefined> {
  const calls = w.state.calls;
  try {
    const snapshot = await w.deps.deployments.describe(
      w.request.serviceDeploymentArn,
      w.deps.signal,
    );
    calls.consecutiveErrors = 0;
    calls.credentialErrors = 0;
    calls.backoffMs = recoveredBackoff(calls.backoffMs, w.request.polling);
    return snapshot;
  } catch (error) {
    callFailed(w, 'DescribeServiceDeployments', error, true);
    return undefined;
  }
}

/**
 * Counts a failed call. Throttling and transient errors only slow the watch down; credential
 * errors get a few tries; `vital` calls (the watch's own eyes) lose track when errors persist.
 */
export function callFailed(
  w: Watch,
  call: string,
  error: unknown,
  vital: boolean,
): WatchErrorKind | undefined {
  if (w.deps.signal.aborted) return undefined;
  const calls = w.state.calls;
  const { polling } = w.request;
  const kind = classifyWatchError(error);
  if (vital) {
    calls.consecutiveErrors += 1;
    if (kind === 'credentials') calls.credentialErrors += 1;
    if (
      kind === 'fatal' ||
      calls.consecutiveErrors > polling.maxConsecutiveErrors ||
      calls.credentialErrors > polling.maxCredentialErrors
    ) {
      calls.lost = { error, kind, call };
      return kind;
    }
  }
  if (kind === 'throttled') calls.backoffMs = throttledBackoff(calls.backoffMs, polling);
  emit(w, {
    type: 'call-error',
    at: iso(now(w)),
    call,
    error: describeAwsError(error),
    kind,
    consecutive: calls.consecutiveErrors,
    retryInMs: Math.max(calls.backoffMs, polling.intervalMs),
  });
  return kind;
}

export interface WakeFacts {
  now: number;
  /** When the cadence wants the next DescribeServiceDeployments. */
  pollAt: number;
  /** A held hook is looked at again when its hold ends. */
  holdUntil: number | undefined;
  /** A look at the canary's metrics due before then (only when no hook is held). */
  lookAt: number | undefined;
  backoffMs: number;
}

/**
 * When the next poll is due, and when to wake: for it, or earlier for a look that goes without
 * one. Never sooner than a second, nor than the throttling backoff allows.
 */
export function nextWake(facts: WakeFacts): { pollDueAt: number; wakeAt: number } {
  let wake = facts.pollAt;
  if (facts.holdUntil !== undefined) wake = Math.min(wake, facts.holdUntil);
  const floor = facts.now + Math.max(facts.backoffMs, 1000);
  const pollDueAt = Math.max(wake, floor);
  if (facts.holdUntil === undefined && facts.lookAt !== undefined) {
    wake = Math.min(wake, facts.lookAt);
  }
  return { pollDueAt, wakeAt: Math.max(wake, floor) };
}

/** Milliseconds until the watch wakes next; remembers when the poll is due. */
export function nextDelay(w: Watch): number {
  const at = now(w);
  const { seen, calls } = w.state;
  const pollAt =
    at +
    pollDelay(
      {
        now: at,
        status: seen.status ?? 'PENDING',
        stage: seen.stage,
        expectedAt: expectedTransitionAt({
          strategy: w.request.strategy,
          productionWeight: seen.weight,
          weightSince: seen.weightSince,
          stage: seen.stage,
          stageSince: seen.stageSince,
        }),
        actedAt: w.state.steering.actedAt,
        holding: (w.state.hooks.hold?.until ?? at) > at,
      },
      w.request.polling,
    );
  const { pollDueAt, wakeAt } = nextWake({
    now: at,
    pollAt,
    holdUntil: w.state.hooks.hold?.until,
    // While a hook waits for its gate, the gate reads the metrics at each poll: a look between
    // gates cannot come first, and waking for one that is due would poll and read every second.
    lookAt:
      analysing(w) && awaitingPauseHook(seen.snapshot) === undefined
        ? nextLookAt(w.state.looks)
        : undefined,
    backoffMs: calls.backoffMs,
  });
  calls.pollDueAt = pollDueAt;
  return wakeAt - at;
}

/** Sleeps, never past the deadline; an abort ends the sleep early (the loop sees it). */
export async function pause(w: Watch, ms: number): Promise<void> {
  const wait = Math.min(ms, w.request.deadlineAt - now(w));
  if (wait <= 0) return;
  try {
    await w.deps.sleep(wait, w.deps.signal);
  } catch {
    // Aborted: the loop sees it.
  }
}
