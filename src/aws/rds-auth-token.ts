// An RDS IAM authentication token: a SigV4-presigned `connect` request, used as the password.
// It is made locally (no call to AWS) with the job's credentials and lives 15 minutes, enough
// to open the one session a run uses.
import { UserError } from '../lib/errors.ts';

export async function rdsAuthToken(options: {
  host: string;
  port: number;
  user: string;
  region: string;
}): Promise<string> {
  // Loaded on first use, like the Secrets Manager client (secrets-manager.ts).
  const { Signer } = await import('@aws-sdk/rds-signer');
  try {
    return await new Signer({
      hostname: options.host,
      port: options.port,
      username: options.user,
      region: options.region,
    }).getAuthToken();
  } catch (error) {
    throw new UserError(
      `Cannot make an RDS IAM auth token: ${(error as Error).message}. iam-auth needs AWS credentials in the job (e.g. from oidc-assume) allowed rds-db:connect on the database user.`,
      { cause: error },
    );
  }
}
