// AWS Secrets Manager (awsJson1_1, X-Amz-Target secretsmanager.<Action>): GetSecretValue of
// secrets a test puts in, by name or ARN, with the AWSCURRENT stage. Enough for the RDS secret
// (JSON with username, password, host, port, dbname) that rds-migrate reads.
import { randomBytes, randomUUID } from 'node:crypto';
import { ServiceError } from './errors.ts';
import { jsonProtocol, type JsonObject } from './json-protocol.ts';
import type { ActionCall, Service } from './service.ts';

interface Secret {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: Date;
  versionId: string;
  value: string;
}

export interface SecretsManagerDependencies {
  readonly clock: () => Date;
  readonly region?: string;
  readonly accountId?: string;
}

const notFound = () =>
  new ServiceError(
    'ResourceNotFoundException',
    400,
    "Secrets Manager can't find the specified secret.",
  );

export class SecretsManager implements Service<JsonObject> {
  readonly name = 'secretsmanager';
  readonly signingName = 'secretsmanager';
  readonly protocol = jsonProtocol({ targetPrefix: 'secretsmanager', jsonVersion: '1.1' });
  readonly actions: ReadonlySet<string> = new Set(['GetSecretValue']);
  readonly unsignedActions: ReadonlySet<string> = new Set();

  readonly #clock: () => Date;
  readonly #region: string;
  readonly #accountId: string;
  readonly #secrets = new Map<string, Secret>();

  constructor(dependencies: SecretsManagerDependencies) {
    this.#clock = dependencies.clock;
    this.#region = dependencies.region ?? 'us-east-1';
    this.#accountId = dependencies.accountId ?? '123456789012';
  }

  /** Creates or updates a secret (a new AWSCURRENT version); returns its ARN. */
  put(name: string, value: string | JsonObject): string {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const existing = this.#secrets.get(name);
    if (existing) {
      existing.value = text;
      existing.versionId = randomUUID();
      return existing.arn;
    }
    // Real ARNs end in '-' and six random characters.
    const suffix = randomBytes(6).toString('base64url').slice(0, 6);
    const arn = `arn:aws:secretsmanager:${this.#region}:${this.#accountId}:secret:${name}-${suffix}`;
    this.#secrets.set(name, {
      name,
      arn,
      createdAt: this.#clock(),
      versionId: randomUUID(),
      value: text,
    });
    return arn;
  }

  async handle(call: ActionCall<JsonObject>): Promise<unknown> {
    const id = call.input.SecretId;
    if (typeof id !== 'string' || id.length === 0 || id.length > 2048) {
      throw new ServiceError(
        'InvalidParameterException',
        400,
        'Invalid parameter: SecretId must be 1 to 2048 characters.',
      );
    }
    const stage = call.input.VersionStage;
    if (stage !== undefined && stage !== 'AWSCURRENT') throw notFound();
    const secret = this.#secrets.get(id) ?? [...this.#secrets.values()].find((s) => s.arn === id);
    if (!secret) throw notFound();
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdAt,
    };
  }
}
