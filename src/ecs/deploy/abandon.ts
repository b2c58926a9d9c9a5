// Leaving a deployment unfinished: cancelled or timed out, or blind because the watch's own calls
// keep failing. Either way a rollback is requested on a deadline of its own, and the result says
// what happens next without this job.
import { describeAwsError } from '../../lib/aws-errors.ts';
import { formatDuration } from '../../lib/durations.ts';
import { oneLine } from '../../lib/errors.ts';
import { abortKind } from './attach-or-start.ts';
import type { DeployResult } from './result.ts';
import { ecsDecider, iso } from './result.ts';
import { resultOf } from './result-assembly.ts';
import { WINDING_DOWN, awaitingPauseHook, requestRollback } from './rollback.ts';
import { type Failure, type Watch, emit, now } from './watch-state.ts';

/** Cancelled or timed out: roll back on a deadline of its own, and leave without waiting. */
export async function abandon(w: Watch): Promise<DeployResult> {
  const at = now(w);
  const by = abortKind(w.deps.signal, at >= w.request.deadlineAt);
  const why =
    by === 'timeout'
      ? `The deployment did not finish within the timeout${w.request.timeoutMs === undefined ? '' : ` (${formatDuration(w.request.timeoutMs)})`}`
      : `The job was cancelled (${oneLine(w.deps.signal.reason)})`;
  const s = w.state.seen.snapshot;
  const { steering } = w.state;
  if (s !== undefined && WINDING_DOWN.has(s.status)) {
    const ecsReason = s.rollback?.reason ?? s.statusReason ?? 'ECS is rolling back';
    return resultOf(w, {
      outcome: 'rolled-back',
      decidedBy: steering.decision?.decidedBy ?? ecsDecider(s),
      reason: `${steering.decision?.reason ?? ecsReason} (${lower(why)} while ECS was rolling back; it finishes without this job)`,
    });
  }
  steering.decision ??= { decidedBy: by, reason: why, at };
  try {
    const via = await rollBackOnDeadline(w);
    emit(w, { type: 'rollback', at: iso(now(w)), decidedBy: by, reason: why, via });
    const call =
      via === 'hook' ? 'ContinueServiceDeployment ROLLBACK' : 'StopServiceDeployment ROLLBACK';
    return resultOf(w, {
      outcome: 'rolled-back',
      decidedBy: by,
      reason: `${why}: rollback requested (${call}); ECS completes it without this job.`,
    });
  } catch (error) {
    return resultOf(w, {
      outcome: 'failed',
      reason: `${why}, and the rollback request failed: ${describeAwsError(error)}. ${fallbackHint(w)}`,
    });
  }
}

/** The watch cannot see the deployment any more: try a rollback, and say what happens next. */
export async function lostTrack(w: Watch, failure: Failure): Promise<DeployResult> {
  const arn = w.request.serviceDeploymentArn;
  const error = describeAwsError(failure.error);
  const what =
    failure.kind === 'credentials'
      ? `The AWS credentials stopped working while deployment ${arn} was being watched (${error}): they expired and were not refreshed. Give the role a session longer than the deploy (role-duration-seconds), or let the step refresh its credentials.`
      : failure.kind === 'fatal'
        ? `AWS refused ${failure.call} for deployment ${arn}: ${error}.`
        : `Lost track of deployment ${arn}: ${w.state.calls.consecutiveErrors} ${failure.call} calls failed in a row, the last with ${error}.`;
  const s = w.state.seen.snapshot;
  if (s !== undefined && WINDING_DOWN.has(s.status)) {
    return resultOf(w, { outcome: 'failed', reason: `${what} ECS was already rolling it back.` });
  }
  try {
    await rollBackOnDeadline(w);
    return resultOf(w, { outcome: 'failed', reason: `${what} A rollback was requested.` });
  } catch (rollbackError) {
    return resultOf(w, {
      outcome: 'failed',
      reason: `${what} The rollback request failed too (${describeAwsError(rollbackError)}). ${fallbackHint(w)}`,
    });
  }
}

/** A fresh signal: the main one may have aborted already. */
function rollBackOnDeadline(w: Watch): Promise<'hook' | 'stop'> {
  return requestRollback(
    w.request.serviceDeploymentArn,
    awaitingPauseHook(w.state.seen.snapshot)?.hookId,
    w.deps.deployments,
    w.deps.deadline(w.request.polling.rollbackDeadlineMs),
  );
}

/** What rolls the deployment back when this job could not. */
export function fallbackHint(w: Watch): string {
  return w.request.strategy.kind !== 'rolling'
    ? `ECS rolls the deployment back on its own if it reaches a PAUSE hook nobody answers within ${w.request.hookTimeoutMinutes} min; the post step also tries again.`
    : 'The post step tries the rollback again; check the service in the ECS console.';
}

function lower(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}
