// Sending a deployment back: through the PAUSE hook it waits at (ContinueServiceDeployment
// ROLLBACK), else StopServiceDeployment ROLLBACK. Also what the post step calls for a deployment
// that main left running.
import { describeAwsError } from '../../lib/aws-errors.ts';
import type { DeploymentPort, DeploymentSnapshot, DeploymentStatus } from './ports.ts';
import { FINAL_STATUSES } from './ports.ts';

/** Statuses in which ECS is already on its way back (or stopping): nothing to ask for. */
export const WINDING_DOWN: ReadonlySet<DeploymentStatus> = new Set([
  'STOP_REQUESTED',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
]);

export function awaitingPauseHook(snapshot: DeploymentSnapshot | undefined) {
  return snapshot?.hooks.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION');
}

/**
 * Asks ECS to roll back. A hook that is waiting is answered ROLLBACK; if ECS refuses that (the
 * hook was answered or timed out meanwhile), or no hook waits, StopServiceDeployment.
 */
export async function requestRollback(
  serviceDeploymentArn: string,
  hookId: string | undefined,
  deployments: DeploymentPort,
  signal?: AbortSignal,
): Promise<'hook' | 'stop'> {
  if (hookId !== undefined) {
    try {
      await deployments.resolveHook(serviceDeploymentArn, hookId, 'ROLLBACK', signal);
      return 'hook';
    } catch (error) {
      if (signal?.aborted) throw error;
    }
  }
  await deployments.rollBack(serviceDeploymentArn, signal);
  return 'stop';
}

export type UnfinishedRollback =
  | { action: 'none'; status: DeploymentStatus; reason: string }
  | { action: 'rolled-back'; via: 'hook' | 'stop'; status: DeploymentStatus }
  | { action: 'failed'; reason: string };

/**
 * For the post step: rolls back a deployment that main started but did not see to the end
 * (the job was cancelled, the runner lost main). Idempotent: a deployment already final, or
 * already rolling back, is left alone.
 */
export async function rollBackUnfinished(
  serviceDeploymentArn: string,
  ports: { deployments: DeploymentPort },
  signal?: AbortSignal,
): Promise<UnfinishedRollback> {
  let snapshot: DeploymentSnapshot;
  try {
    snapshot = await ports.deployments.describe(serviceDeploymentArn, signal);
  } catch (error) {
    return {
      action: 'failed',
      reason: `Could not read deployment ${serviceDeploymentArn} to roll it back: ${describeAwsError(error)}`,
    };
  }
  if (FINAL_STATUSES.has(snapshot.status)) {
    return { action: 'none', status: snapshot.status, reason: 'the deployment already finished' };
  }
  if (WINDING_DOWN.has(snapshot.status)) {
    return {
      action: 'none',
      status: snapshot.status,
      reason: 'ECS is already rolling the deployment back',
    };
  }
  try {
    const via = await requestRollback(
      serviceDeploymentArn,
      awaitingPauseHook(snapshot)?.hookId,
      ports.deployments,
      signal,
    );
    return { action: 'rolled-back', via, status: snapshot.status };
  } catch (error) {
    // It may have finished between the two calls.
    const now = await ports.deployments
      .describe(serviceDeploymentArn, signal)
      .catch(() => undefined);
    if (now !== undefined && (FINAL_STATUSES.has(now.status) || WINDING_DOWN.has(now.status))) {
      return { action: 'none', status: now.status, reason: 'the deployment finished meanwhile' };
    }
    return {
      action: 'failed',
      reason: `Could not roll back deployment ${serviceDeploymentArn}: ${describeAwsError(error)}`,
    };
  }
}
