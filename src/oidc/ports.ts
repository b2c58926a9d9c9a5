// What the oidc engine needs from the world: STS, and the credentials it hands out.
// src/aws/sts.ts implements StsPort over the SDK client; src/github/id-token.ts fetches the token.

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface SessionPolicies {
  inlinePolicy?: string;
  managedPolicyArns?: readonly string[];
}

export interface AssumeParams extends SessionPolicies {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
}

export interface AssumedRole {
  credentials: Required<AwsCredentials>;
  assumedRoleArn: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface StsPort {
  assumeRoleWithWebIdentity(
    params: AssumeParams & { webIdentityToken: string },
    signal: AbortSignal,
  ): Promise<AssumedRole>;
  assumeRole(
    source: AwsCredentials,
    params: AssumeParams & { externalId?: string },
    signal: AbortSignal,
  ): Promise<AssumedRole>;
  getCallerIdentity(credentials: AwsCredentials, signal: AbortSignal): Promise<CallerIdentity>;
}

/** The job's OIDC token for an audience; throws IdTokenRequestError. */
export type FetchIdToken = (audience: string, signal: AbortSignal) => Promise<string>;

export class IdTokenRequestError extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'IdTokenRequestError';
    this.retryable = retryable;
  }
}
