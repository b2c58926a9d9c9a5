// The engine's own rollback while it watches: the first decision stands, the request goes to ECS
// through the hook that waits (else StopServiceDeployment), and a refused or failed request is
// sent again at the next poll.
import { type EngineDecision, iso } from './result.ts';
import { requestRollback } from './rollback.ts';
import { callFailed } from './watch-calls.ts';
import { type Watch, emit, now } from './watch-state.ts';

export async function rollBack(
  w: Watch,
  decidedBy: EngineDecision['decidedBy'],
  reason: string,
  hookId: string | undefined,
): Promise<void> {
  const steering = w.state.steering;
  if (steering.decision === undefined) {
    steering.decision = { decidedBy, reason, at: now(w) };
    steering.rollbackPending = true;
  }
  await sendRollback(w, hookId);
}

/** Asks ECS to roll back for the decision made; a refused or failed request is tried again at the next poll. */
export async function sendRollback(w: Watch, hookId: string | undefined): Promise<void> {
  const { steering } = w.state;
  const decision = steering.decision;
  if (decision === undefined) return;
  try {
    const via = await requestRollback(
      w.request.serviceDeploymentArn,
      hookId,
      w.deps.deployments,
      w.deps.signal,
    );
    steering.rollbackPending = false;
    steering.actedAt = now(w);
    if (hookId !== undefined) w.state.hooks.answered.set(hookId, now(w));
    emit(w, {
      type: 'rollback',
      at: iso(now(w)),
      decidedBy: decision.decidedBy,
      reason: decision.reason,
      via,
    });
  } catch (error) {
    callFailed(w, 'StopServiceDeployment', error, false);
  }
}
