import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../aws/client-factory.ts';
import { resolveRegion } from '../../aws/region.ts';
import type { RetryPolicy } from '../../lib/retry.ts';
import type { AwsCredentials, SessionPolicies } from '../../oidc/ports.ts';
import { type InputRegistry, readInputs } from '../../lib/action-io.ts';
import { parseTimeouts } from '../../lib/durations.ts';
import { UserError } from '../../lib/errors.ts';
import { parseBoolean, parseInteger, parseList } from '../../lib/parse.ts';
import { PROFILE_NAME } from '../../oidc/aws-profile.ts';
import { ACCOUNT_ID, POLICY_ARN } from '../../oidc/identifiers.ts';
import { checkExternalId, checkRoleArn } from '../shared/identifier-inputs.ts';
import { WEB_IDENTITY_INPUTS, parseWebIdentityInputs } from '../shared/web-identity-inputs.ts';

export const INPUTS = {
  'aws-region': { kind: 'region' },
  'role-to-assume': { kind: 'arn', arn: 'iam-role', required: true },
  ...WEB_IDENTITY_INPUTS,
  'role-chaining': { kind: 'boolean', default: 'false' },
  'role-external-id': { kind: 'text' },
  'inline-session-policy': { kind: 'json' },
  'managed-session-policies': { kind: 'list', arn: 'iam-policy' },
  'output-credentials': { kind: 'boolean', default: 'false' },
  'aws-profile': { kind: 'name' },
  'allowed-account-ids': { kind: 'list' },
  'mask-aws-account-id': { kind: 'boolean', default: 'false' },
  'deploy-document': { kind: 'boolean', default: 'false' },
  'retry-max-attempts': { kind: 'integer', default: '8' },
  'request-timeout': { kind: 'duration', max: '5m', default: '10s' },
  timeout: { kind: 'duration', max: '1h', default: '2m' },
} as const satisfies InputRegistry;

export const OUTPUTS = [
  'aws-account-id',
  'authenticated-arn',
  'aws-expiration',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'deploy-document',
  'result',
] as const;

export interface OidcAssumeConfig {
  region: string;
  roleArn: string;
  audience: string;
  sessionName: string;
  durationSeconds: number;
  /** With role-chaining: the credentials already in the environment, which sign AssumeRole. */
  chainFrom: AwsCredentials | undefined;
  externalId: string | undefined;
  policies: SessionPolicies;
  outputCredentials: boolean;
  profile: string | undefined;
  allowedAccountIds: string[];
  maskAccountId: boolean;
  /** Read /aws-ship-suite/<role name> with the new credentials. */
  deployDocument: boolean;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  timeoutMs: number;
}

const MAX_POLICY_CHARACTERS = 2048;

/** Every input checked before any call to AWS; the first problem is thrown as a UserError. */
export function parseInputs(
  read: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
): OidcAssumeConfig {
  const { values: v } = readInputs(INPUTS, read);

  const roleArn = checkRoleArn('role-to-assume', v['role-to-assume']);
  const region = resolveRegion(v['aws-region'], env);
  if (v.audience === '') {
    throw new UserError(
      "Input 'audience' is empty: leave it out for the default sts.amazonaws.com, or name the audience your IAM OIDC provider lists.",
    );
  }
  const roleChaining = parseBoolean('role-chaining', v['role-chaining']);
  const externalId = v['role-external-id']
    ? checkExternalId('role-external-id', v['role-external-id'])
    : undefined;
  if (externalId && !roleChaining) {
    throw new UserError(
      "Input 'role-external-id' only applies with role-chaining: true (AssumeRoleWithWebIdentity takes no external id).",
    );
  }
  const { sessionName, durationSeconds } = parseWebIdentityInputs(v, env);

  const allowedAccountIds = parseList(v['allowed-account-ids']);
  const badAccount = allowedAccountIds.find((id) => !ACCOUNT_ID.test(id));
  if (badAccount !== undefined) {
    throw new UserError(
      `Input 'allowed-account-ids' has '${badAccount}', which is not a 12-digit AWS account id: list ids like 123456789012, separated by commas or new lines.`,
    );
  }

  const profile = v['aws-profile'] || undefined;
  if (profile !== undefined && !PROFILE_NAME.test(profile)) {
    throw new UserError(
      `Input 'aws-profile' is '${profile}': use up to 64 letters, digits, '_', '-' or '.'.`,
    );
  }

  const { requestTimeoutMs, timeoutMs } = parseTimeouts(v);

  if (roleChaining && durationSeconds > 3600) {
    throw new UserError(
      `Input 'role-duration-seconds' is ${durationSeconds}, but AWS limits role-chained sessions to 3600 seconds: lower it to 3600 or less.`,
    );
  }
  const roleAccount = roleArn.split(':')[4]!;
  if (allowedAccountIds.length > 0 && !allowedAccountIds.includes(roleAccount)) {
    throw new UserError(
      `Input 'role-to-assume' names account ${roleAccount}, which is not in allowed-account-ids (${allowedAccountIds.join(', ')}): check the role ARN.`,
    );
  }

  return {
    region,
    roleArn,
    audience: v.audience,
    sessionName,
    durationSeconds,
    chainFrom: roleChaining ? credentialsInEnvironment(env) : undefined,
    externalId,
    policies: {
      ...inlinePolicy(v['inline-session-policy']),
      ...managedPolicies(v['managed-session-policies']),
    },
    outputCredentials: parseBoolean('output-credentials', v['output-credentials']),
    profile,
    allowedAccountIds,
    maskAccountId: parseBoolean('mask-aws-account-id', v['mask-aws-account-id']),
    deployDocument: parseBoolean('deploy-document', v['deploy-document']),
    retry: {
      maxAttempts: parseInteger('retry-max-attempts', v['retry-max-attempts'], 1, 20),
      baseDelayMs: 500,
      maxDelayMs: 20_000,
    },
    requestTimeoutMs,
    connectTimeoutMs: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, requestTimeoutMs),
    timeoutMs,
  };
}

function inlinePolicy(text: string): { inlinePolicy?: string } {
  if (text === '') return {};
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `Input 'inline-session-policy' is not valid JSON (${(error as Error).message}): give an IAM policy document.`,
    );
  }
  if (!policy || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new UserError(
      "Input 'inline-session-policy' must be a JSON object: an IAM policy document.",
    );
  }
  const compact = JSON.stringify(policy);
  if (compact.length > MAX_POLICY_CHARACTERS) {
    throw new UserError(
      `Input 'inline-session-policy' is ${compact.length} characters without white space; STS takes at most ${MAX_POLICY_CHARACTERS}.`,
    );
  }
  return { inlinePolicy: compact };
}

function managedPolicies(text: string): { managedPolicyArns?: string[] } {
  const arns = parseList(text);
  if (arns.length === 0) return {};
  const bad = arns.find((arn) => !POLICY_ARN.test(arn));
  if (bad !== undefined) {
    throw new UserError(
      `Input 'managed-session-policies' has '${bad}', which is not an IAM policy ARN: use arn:aws:iam::<account or aws>:policy/<name>, one per line.`,
    );
  }
  if (arns.length > 10) {
    throw new UserError(
      `Input 'managed-session-policies' lists ${arns.length} policies; STS takes at most 10.`,
    );
  }
  return { managedPolicyArns: arns };
}

function credentialsInEnvironment(env: NodeJS.ProcessEnv): AwsCredentials {
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new UserError(
      'role-chaining: true needs AWS credentials in the environment: run oidc-assume without role-chaining in an earlier step of this job.',
    );
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
