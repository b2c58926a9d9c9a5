import { UserError } from '../lib/errors.ts';

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** The input wins, then AWS_REGION, then AWS_DEFAULT_REGION, like the AWS CLI and SDKs. */
export function resolveRegion(input: string | undefined, env: NodeJS.ProcessEnv): string {
  const region = input?.trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!region) {
    throw new UserError(
      "No AWS region: set the 'aws-region' input (for example aws-region: eu-west-1) or AWS_REGION in the job's env.",
    );
  }
  if (!REGION.test(region)) {
    throw new UserError(
      `'${region}' is not an AWS region name: use one like us-east-1 or eu-west-1.`,
    );
  }
  return region;
}
