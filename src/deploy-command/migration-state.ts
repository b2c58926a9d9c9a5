// Whether a release may run again on the environment's database: a contract migration (expand
// and contract: it removes what the previous release still used) applied after that release was
// deployed, by another release, means its schema is gone. The truth is the Deployments history:
// each deploy's payload lists the contract migrations it applied (contractMigrations).
import type { DeploymentRecord } from './ports.ts';

export interface AppliedContract {
  readonly version: string;
  /** The deployment that applied it. */
  readonly deployment: DeploymentRecord;
}

/**
 * The contract migrations applied after `target` by deployments of other commits, oldest first.
 * A deployment counts whatever its outcome: a failed deploy may have applied its contract phase
 * before failing, and refusing is the safe side. `history` is the environment's, newest first.
 */
export function contractsSince(
  target: DeploymentRecord,
  history: readonly DeploymentRecord[],
): AppliedContract[] {
  return history
    .filter((d) => d.id > target.id && d.sha !== target.sha)
    .sort((a, b) => a.id - b.id)
    .flatMap((deployment) =>
      (deployment.facts.contractMigrations ?? []).map((version) => ({ version, deployment })),
    );
}
