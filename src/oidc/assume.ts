// The oidc-assume engine: GitHub OIDC token -> AssumeRoleWithWebIdentity (or AssumeRole from
// credentials already held, for role chaining) -> GetCallerIdentity -> account check.
import { awsErrorFacts, describeAwsError, isRetryableAwsError } from '../lib/aws-errors.ts';
import { type RetryPolicy, retry } from '../lib/retry.ts';
import {
  type AssumedRole,
  type AwsCredentials,
  type FetchIdToken,
  IdTokenRequestError,
  type SessionPolicies,
  type StsPort,
} from './ports.ts';
import type { Sleep } from '../lib/clock.ts';
import { UserError, oneLine } from '../lib/errors.ts';
import { decodeClaims, trustPolicyHints } from './token-claims.ts';

export type CredentialSource =
  | { kind: 'web-identity'; audience: string; fetchIdToken: FetchIdToken }
  | { kind: 'role-chaining'; credentials: AwsCredentials; externalId?: string };

export interface AssumeRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  policies: SessionPolicies;
  source: CredentialSource;
  allowedAccountIds: readonly string[];
  retry: RetryPolicy;
}

export type AssumeEvent =
  | { type: 'retrying'; call: string; attempt: number; delayMs: number; reason: string }
  | { type: 'assumed'; call: string; arn: string; expiration: Date };

export interface AssumeDeps {
  sts: StsPort;
  /** Called with every secret the moment it exists, before anything can print it. */
  mask(secret: string): void;
  sleep: Sleep;
  random?: () => number;
  signal: AbortSignal;
  onEvent?(event: AssumeEvent): void;
}

export interface AssumeResult {
  credentials: Required<AwsCredentials>;
  accountId: string;
  arn: string;
  via: CredentialSource['kind'];
}

const REFUSALS = new Set(['AccessDenied', 'InvalidIdentityToken', 'IDPRejectedClaim']);

export async function assumeRole(request: AssumeRequest, deps: AssumeDeps): Promise<AssumeResult> {
  const assumed =
    request.source.kind === 'web-identity'
      ? await assumeWithWebIdentity(request, request.source, deps)
      : await assumeByChaining(request, request.source, deps);

  const identity = await withRetries('GetCallerIdentity', request, deps, () =>
    deps.sts.getCallerIdentity(assumed.credentials, deps.signal),
  );
  if (
    request.allowedAccountIds.length > 0 &&
    !request.allowedAccountIds.includes(identity.account)
  ) {
    throw new UserError(
      `The role is in account ${identity.account}, which is not in allowed-account-ids (${request.allowedAccountIds.join(', ')}): check role-to-assume, or add the account if it is really meant.`,
    );
  }
  return {
    credentials: assumed.credentials,
    accountId: identity.account,
    arn: identity.arn,
    via: request.source.kind,
  };
}

async function assumeWithWebIdentity(
  request: AssumeRequest,
  source: Extract<CredentialSource, { kind: 'web-identity' }>,
  deps: AssumeDeps,
): Promise<AssumedRole> {
  const call = 'AssumeRoleWithWebIdentity';
  let token = '';
  let expiredRetried = false;
  const assumed = await withRetries(
    call,
    request,
    deps,
    async () => {
      // A fresh token for every attempt: one fetched before a long run of retries can expire.
      token = await source.fetchIdToken(source.audience, deps.signal);
      deps.mask(token);
      return deps.sts.assumeRoleWithWebIdentity(
        {
          roleArn: request.roleArn,
          sessionName: request.sessionName,
          durationSeconds: request.durationSeconds,
          webIdentityToken: token,
          ...request.policies,
        },
        deps.signal,
      );
    },
    (error) => {
      if (error instanceof IdTokenRequestError) return error.retryable;
      if (awsErrorFacts(error).code === 'ExpiredTokenException' && !expiredRetried) {
        expiredRetried = true;
        return true;
      }
      return isRetryableAwsError(error);
    },
    (error) => explainWebIdentityFailure(error, request, source.audience, token),
  );
  return received(call, assumed, deps);
}

async function assumeByChaining(
  request: AssumeRequest,
  source: Extract<CredentialSource, { kind: 'role-chaining' }>,
  deps: AssumeDeps,
): Promise<AssumedRole> {
  const call = 'AssumeRole';
  const assumed = await withRetries(
    call,
    request,
    deps,
    () =>
      deps.sts.assumeRole(
        source.credentials,
        {
          roleArn: request.roleArn,
          sessionName: request.sessionName,
          durationSeconds: request.durationSeconds,
          ...(source.externalId ? { externalId: source.externalId } : {}),
          ...request.policies,
        },
        deps.signal,
      ),
    isRetryableAwsError,
    (error) => {
      const { code } = awsErrorFacts(error);
      if (code === 'AccessDenied') {
        return new UserError(
          `AWS refused role chaining into ${request.roleArn}: ${describeAwsError(error)}. The role's trust policy must allow the first role (as AWS principal) to call sts:AssumeRole${source.externalId ? ' with this role-external-id' : ', and may require role-external-id'}.`,
          { cause: error },
        );
      }
      if (code === 'ExpiredToken' || code === 'InvalidClientTokenId') {
        return new UserError(
          `The credentials in the environment cannot be used for role chaining: ${describeAwsError(error)}. Run oidc-assume without role-chaining first, in the same job.`,
          { cause: error },
        );
      }
      return undefined;
    },
  );
  return received(call, assumed, deps);
}

/** New credentials are masked before anything else happens with them. */
function received(call: string, assumed: AssumedRole, deps: AssumeDeps): AssumedRole {
  const { credentials } = assumed;
  deps.mask(credentials.accessKeyId);
  deps.mask(credentials.secretAccessKey);
  deps.mask(credentials.sessionToken);
  deps.onEvent?.({
    type: 'assumed',
    call,
    arn: assumed.assumedRoleArn,
    expiration: credentials.expiration,
  });
  return assumed;
}

/**
 * Retries one STS call, and turns the final error into a UserError: `explain` gives the specific
 * one for errors a person can act on; anything else says which call failed and how often.
 */
async function withRetries<T>(
  call: string,
  request: AssumeRequest,
  deps: AssumeDeps,
  attempt: () => Promise<T>,
  isRetryable: (error: unknown) => boolean = isRetryableAwsError,
  explain: (error: unknown) => UserError | undefined = () => undefined,
): Promise<T> {
  let attempts = 0;
  let lastError: unknown;
  try {
    return await retry(
      request.retry,
      async (n) => {
        attempts = n;
        try {
          return await attempt();
        } catch (error) {
          if (!deps.signal.aborted) lastError = error;
          throw error;
        }
      },
      {
        sleep: deps.sleep,
        signal: deps.signal,
        isRetryable,
        ...(deps.random ? { random: deps.random } : {}),
        onRetry: ({ attempt: n, delayMs, error }) =>
          deps.onEvent?.({ type: 'retrying', call, attempt: n, delayMs, reason: describe(error) }),
      },
    );
  } catch (error) {
    if (deps.signal.aborted) {
      const last = lastError === undefined ? 'no answer yet' : describe(lastError);
      throw new UserError(
        `${call} did not finish: ${oneLine(deps.signal.reason)} (attempt ${attempts}, last error: ${last}).`,
        {
          cause: error,
        },
      );
    }
    const explained = explain(error);
    if (explained) throw explained;
    throw new UserError(
      `STS ${call} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof IdTokenRequestError) return error.message;
  return describeAwsError(error);
}

function explainWebIdentityFailure(
  error: unknown,
  request: AssumeRequest,
  audience: string,
  token: string,
): UserError | undefined {
  if (error instanceof IdTokenRequestError) return undefined;
  const { code, message } = awsErrorFacts(error);
  const details = trustPolicyHints(decodeClaims(token), audience);
  if (REFUSALS.has(code)) {
    const why = /audience/i.test(message)
      ? ` The token's audience '${audience}' is not a client ID of the IAM OIDC provider: set the audience input to one it lists, or add it to the provider.`
      : /No OpenIDConnect provider/i.test(message)
        ? ' The account has no IAM OIDC provider for this issuer: create one for the issuer shown above.'
        : " The role's trust policy does not accept this job's token: compare its conditions with the claims above.";
    return new UserError(
      `AWS refused to let this job assume ${request.roleArn}: ${describeAwsError(error)}.${why}`,
      {
        details,
        cause: error,
      },
    );
  }
  if (code === 'ExpiredTokenException') {
    return new UserError(
      `STS found the job's OIDC token expired, even a freshly fetched one: ${describeAwsError(error)}. Check the runner's clock.`,
      { details, cause: error },
    );
  }
  if (code === 'ValidationError' && /DurationSeconds/i.test(message)) {
    return new UserError(
      `STS rejected role-duration-seconds ${request.durationSeconds}: ${describeAwsError(error)}. Lower it, or raise the role's MaxSessionDuration.`,
      { cause: error },
    );
  }
  return undefined;
}
