import { UserError, shown } from '../lib/errors.ts';
import { isRegionName } from '../lib/partitions.ts';

export { isRegionName };

/**
 * The input wins, then AWS_REGION, then AWS_DEFAULT_REGION, like the AWS CLI and SDKs. Any region
 * of any partition the bundled SDK knows is accepted (src/lib/partitions.ts); `input` names the
 * input in messages.
 */
export function resolveRegion(
  value: string | undefined,
  env: NodeJS.ProcessEnv,
  input = 'aws-region',
): string {
  const given = value?.trim();
  const fromEnv = env.AWS_REGION?.trim() ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  const region = given || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!region) {
    throw new UserError(
      `No AWS region: set the '${input}' input (for example ${input}: eu-west-1) or AWS_REGION in the job's env.`,
    );
  }
  if (!isRegionName(region)) {
    throw new UserError(
      `${given ? `Input '${input}'` : `The job's ${fromEnv}`}: ${shown(region)} is not an AWS region name: use one like us-east-1, eu-west-1 or eusc-de-east-1 (any region of the AWS partitions the bundled SDK knows).`,
    );
  }
  return region;
}
