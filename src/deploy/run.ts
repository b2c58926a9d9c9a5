// One environment deployed in one step: assume the deploy role, settle the target (the stack's
// deploy document filling what the inputs leave out), look at the expand migrations,
// record the GitHub Deployment in_progress (before anything changes), apply the migrations, run
// the canary, and record how it ended (success, failure, or inactive when cancelled) whatever
// happened. A failed migration stops the deploy before the canary.
import { oneLine } from '../lib/errors.ts';
import type {
  CanaryOutcome,
  DeployEnvironmentPorts,
  MigrationOutcome,
  RecordOutcome,
} from './ports.ts';

export type DeployEnvironmentResult =
  | {
      readonly outcome: 'succeeded';
      readonly deploymentId: number;
      readonly migrationsApplied: readonly string[];
      readonly canary: CanaryOutcome;
    }
  | {
      readonly outcome: 'rolled-back' | 'failed';
      /** The phase that decided: the migrations, or the canary (rolled back or failed). */
      readonly failedPhase: 'migrate' | 'canary';
      readonly reason: string;
      readonly deploymentId: number;
      readonly migrationsApplied: readonly string[];
      readonly canary: CanaryOutcome | undefined;
    };

/**
 * Throws when a phase throws (the record, if made, is finished first: failure, or cancelled when
 * the step was aborted); otherwise the result says how the deploy ended.
 */
export async function deployEnvironment(
  ports: DeployEnvironmentPorts,
): Promise<DeployEnvironmentResult> {
  const { onEvent } = ports;
  onEvent({ type: 'phase', phase: 'assume' });
  await ports.assume();
  let migrations = ports.planMigrations !== undefined;
  if (ports.target) {
    onEvent({ type: 'phase', phase: 'target' });
    ({ migrations } = await ports.target());
  }
  let pending: readonly string[] = [];
  if (migrations && ports.planMigrations) {
    onEvent({ type: 'phase', phase: 'plan' });
    pending = await ports.planMigrations();
  }
  onEvent({ type: 'phase', phase: 'record' });
  const deploymentId = await ports.startRecord({ migrationVersions: pending });
  onEvent({ type: 'recorded', deploymentId, state: 'in_progress' });

  let result: DeployEnvironmentResult;
  try {
    result = await changes(ports, deploymentId, migrations);
  } catch (error) {
    await finish(ports, deploymentId, ports.signal.aborted ? 'cancelled' : 'failure');
    throw error;
  }
  // A canary stopped by cancellation reports a rollback; the record says the deploy was cancelled.
  const outcome =
    result.outcome === 'succeeded' ? 'success' : ports.signal.aborted ? 'cancelled' : 'failure';
  await finish(ports, deploymentId, outcome);
  return result;
}

async function changes(
  ports: DeployEnvironmentPorts,
  deploymentId: number,
  withMigrations: boolean,
): Promise<DeployEnvironmentResult> {
  let migrations: MigrationOutcome = { ok: true, applied: [] };
  if (withMigrations && ports.planMigrations && ports.applyMigrations) {
    ports.onEvent({ type: 'phase', phase: 'migrate' });
    migrations = await ports.applyMigrations();
    if (!migrations.ok) {
      return {
        outcome: 'failed',
        failedPhase: 'migrate',
        reason: `The migrations failed, so the canary did not start: ${migrations.reason}`,
        deploymentId,
        migrationsApplied: migrations.applied,
        canary: undefined,
      };
    }
  }
  ports.onEvent({ type: 'phase', phase: 'canary' });
  const canary = await ports.canary();
  if (canary.outcome === 'succeeded') {
    return { outcome: 'succeeded', deploymentId, migrationsApplied: migrations.applied, canary };
  }
  return {
    outcome: canary.outcome,
    failedPhase: 'canary',
    reason:
      canary.reason ??
      (canary.outcome === 'rolled-back' ? 'The canary was rolled back.' : 'The canary failed.'),
    deploymentId,
    migrationsApplied: migrations.applied,
    canary,
  };
}

/**
 * The record's last status. A failure to write it does not hide how the deploy went (the error
 * of the deploy, or its result, stands): it is reported as an event.
 */
async function finish(
  ports: DeployEnvironmentPorts,
  deploymentId: number,
  outcome: RecordOutcome,
): Promise<void> {
  ports.onEvent({ type: 'phase', phase: 'finish' });
  const state = outcome === 'cancelled' ? 'inactive' : outcome;
  try {
    await ports.finishRecord(deploymentId, outcome);
    ports.onEvent({ type: 'recorded', deploymentId, state });
  } catch (error) {
    ports.onEvent({ type: 'record-failed', deploymentId, reason: oneLine(error) });
  }
}
