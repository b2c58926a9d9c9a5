// The narrow STS port the oidc engine uses, over the SDK client.
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { AssumedRole, AwsCredentials, SessionPolicies, StsPort } from '../oidc/ports.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';

/**
 * SDK-backed port. Each call is one attempt (`maxAttempts: 1`): the engine owns the retry loop so
 * it can fetch a fresh OIDC token for every attempt.
 */
export function sdkStsPort(options: Omit<ClientOptions, 'credentials' | 'retry'>): StsPort {
  const client = (credentials?: AwsCredentials) =>
    new STSClient(
      clientConfig('STS', {
        ...options,
        ...(credentials ? { credentials } : {}),
        retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      }),
    );
  const anonymous = client();

  return {
    async assumeRoleWithWebIdentity(params, signal) {
      const out = await anonymous.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: params.roleArn,
          RoleSessionName: params.sessionName,
          WebIdentityToken: params.webIdentityToken,
          DurationSeconds: params.durationSeconds,
          ...policyParams(params),
        }),
        { abortSignal: signal },
      );
      return assumed(out.Credentials, out.AssumedRoleUser?.Arn);
    },
    async assumeRole(source, params, signal) {
      const sts = client(source);
      try {
        const out = await sts.send(
          new AssumeRoleCommand({
            RoleArn: params.roleArn,
            RoleSessionName: params.sessionName,
            DurationSeconds: params.durationSeconds,
            ...(params.externalId ? { ExternalId: params.externalId } : {}),
            ...policyParams(params),
          }),
          { abortSignal: signal },
        );
        return assumed(out.Credentials, out.AssumedRoleUser?.Arn);
      } finally {
        sts.destroy();
      }
    },
    async getCallerIdentity(credentials, signal) {
      const sts = client(credentials);
      try {
        const out = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
        if (!out.Account || !out.Arn) throw new Error('GetCallerIdentity returned no account');
        return { account: out.Account, arn: out.Arn, userId: out.UserId ?? '' };
      } finally {
        sts.destroy();
      }
    },
  };
}

function policyParams(params: SessionPolicies) {
  return {
    ...(params.inlinePolicy ? { Policy: params.inlinePolicy } : {}),
    ...(params.managedPolicyArns?.length
      ? { PolicyArns: params.managedPolicyArns.map((arn) => ({ arn })) }
      : {}),
  };
}

function assumed(
  credentials:
    | {
        AccessKeyId?: string | undefined;
        SecretAccessKey?: string | undefined;
        SessionToken?: string | undefined;
        Expiration?: Date | undefined;
      }
    | undefined,
  arn: string | undefined,
): AssumedRole {
  if (
    !credentials?.AccessKeyId ||
    !credentials.SecretAccessKey ||
    !credentials.SessionToken ||
    !credentials.Expiration
  ) {
    throw new Error('STS returned no credentials');
  }
  return {
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    },
    assumedRoleArn: arn ?? '',
  };
}
