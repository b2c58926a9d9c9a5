import { randomBytes, randomInt } from 'node:crypto';

/** Who a set of credentials belongs to, as GetCallerIdentity reports it. */
export interface Identity {
  /** arn:aws:iam::A:user/U, arn:aws:iam::A:root or arn:aws:sts::A:assumed-role/R/S */
  readonly arn: string;
  readonly userId: string;
  readonly account: string;
  /** The ARN trust policies name: the role ARN for a role session, otherwise `arn`. */
  readonly principalArn: string;
  /** True for role sessions: AssumeRole from them is role chaining (1 hour limit). */
  readonly isRoleSession: boolean;
}

export interface StoredCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
  readonly expiration: Date | undefined;
  readonly identity: Identity;
}

/** Long-lived (or test-made) credentials seeded by a test. */
export interface SeedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Required on every request signed with these keys when set. */
  readonly sessionToken?: string;
  readonly expiration?: Date;
  /** arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:root or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION */
  readonly arn: string;
  /** Defaults: AIDA… for users, the account id for root, AROA…:SESSION for role sessions. */
  readonly userId?: string;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function randomId(prefix: string, length: number, alphabet = UPPER_ALNUM): string {
  let id = prefix;
  while (id.length < prefix.length + length) id += alphabet[randomInt(alphabet.length)];
  return id;
}

/** Unique ids in IAM's shape: AROA… for roles, AIDA… for users (21 characters). */
export const uniqueId = (prefix: 'AROA' | 'AIDA'): string => randomId(prefix, 17);

export function identityFromArn(arn: string, userId?: string): Identity {
  const match = /^arn:aws:(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  const [, service, account, resource] = match ?? [];
  if (account === undefined || resource === undefined) {
    throw new Error(`not an IAM or STS identity ARN: ${arn}`);
  }
  if (service === 'iam' && resource === 'root') {
    return { arn, account, userId: userId ?? account, principalArn: arn, isRoleSession: false };
  }
  if (service === 'iam' && resource.startsWith('user/')) {
    return {
      arn,
      account,
      userId: userId ?? uniqueId('AIDA'),
      principalArn: arn,
      isRoleSession: false,
    };
  }
  const session = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
  if (service === 'sts' && session?.[1] !== undefined && session[2] !== undefined) {
    return {
      arn,
      account,
      userId: userId ?? `${uniqueId('AROA')}:${session[2]}`,
      principalArn: `arn:aws:iam::${account}:role/${session[1]}`,
      isRoleSession: true,
    };
  }
  throw new Error(`unsupported identity ARN (use a user, root or assumed-role ARN): ${arn}`);
}

/** Every access key the emulator accepts, whether seeded by a test or issued by STS. */
export class CredentialStore {
  readonly #byAccessKeyId = new Map<string, StoredCredentials>();

  add(seed: SeedCredentials): StoredCredentials {
    const stored: StoredCredentials = {
      accessKeyId: seed.accessKeyId,
      secretAccessKey: seed.secretAccessKey,
      sessionToken: seed.sessionToken,
      expiration: seed.expiration,
      identity: identityFromArn(seed.arn, seed.userId),
    };
    this.#byAccessKeyId.set(stored.accessKeyId, stored);
    return stored;
  }

  /** Temporary credentials in STS's shape: ASIA key id, 40-character secret, opaque token. */
  issue(identity: Identity, expiration: Date): StoredCredentials {
    const stored: StoredCredentials = {
      accessKeyId: randomId('ASIA', 16, BASE32),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(384).toString('base64'),
      expiration,
      identity,
    };
    this.#byAccessKeyId.set(stored.accessKeyId, stored);
    return stored;
  }

  get(accessKeyId: string): StoredCredentials | undefined {
    return this.#byAccessKeyId.get(accessKeyId);
  }
}
