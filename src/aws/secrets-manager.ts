// Reads one secret's string from AWS Secrets Manager, with the suite's client configuration.
import { UserError } from '../lib/errors.ts';
import type { ClientOptions } from './client-factory.ts';
import { explainAwsError, sendOptions } from './explain.ts';

export async function readSecretString(
  secretId: string,
  options: ClientOptions,
  signal?: AbortSignal,
): Promise<string> {
  // Loaded on first use: a run given a database URL never loads the SDK (bench/README.md,
  // "rds-migrate against psql").
  const [{ GetSecretValueCommand, SecretsManagerClient }, { clientConfig }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('./client-factory.ts'),
  ]);
  const client = new SecretsManagerClient(clientConfig('Secrets Manager', options));
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: secretId }),
      sendOptions(signal),
    );
    if (out.SecretString === undefined) {
      throw new UserError(
        `Secret '${secretId}' holds binary data: rds-migrate reads the RDS secret's JSON string.`,
      );
    }
    return out.SecretString;
  } catch (error) {
    throw explainAwsError(error, {
      action: `read secret '${secretId}'`,
      permission: 'secretsmanager:GetSecretValue (and kms:Decrypt for its key)',
      service: 'Secrets Manager',
      userFixable: new Set([
        'ResourceNotFoundException',
        'InvalidParameterException',
        'InvalidRequestException',
        'DecryptionFailure',
      ]),
      hint: 'Check secret-id (name or ARN) and aws-region.',
    });
  } finally {
    client.destroy();
  }
}
