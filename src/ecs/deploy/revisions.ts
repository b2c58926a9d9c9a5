// DescribeServiceRevisions, once per revision: what a revision runs and which target group
// serves it do not change.
import type { DeploymentPort, RevisionDetails } from './ports.ts';

export type RevisionLookup = (
  arns: readonly string[],
  signal?: AbortSignal,
) => Promise<Map<string, RevisionDetails>>;

export function revisionLookup(deployments: DeploymentPort): RevisionLookup {
  const known = new Map<string, RevisionDetails>();
  return async (arns, signal) => {
    const missing = [...new Set(arns)].filter((arn) => !known.has(arn));
    if (missing.length > 0) {
      for (const details of await deployments.revisions(missing, signal)) {
        known.set(details.arn, details);
      }
    }
    const found = new Map<string, RevisionDetails>();
    for (const arn of arns) {
      const details = known.get(arn);
      if (details !== undefined) found.set(arn, details);
    }
    return found;
  };
}
