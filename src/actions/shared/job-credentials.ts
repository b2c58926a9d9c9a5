// role-to-assume for any action: the role assumed with the job's OIDC token now, and again before
// the session ends (src/oidc/refreshing-credentials.ts), one provider for every SDK client of the
// step, so a run longer than role-duration-seconds keeps its credentials. Each assume has its own
// time limit, not the step's signal: a rollback after cancellation needs them. Import it
// dynamically: the STS client is in it, and runs without role-to-assume skip it.
import type { ClientOptions } from '../../aws/client-factory.ts';
import { sdkStsPort } from '../../aws/sts.ts';
import { idTokenFetcher } from '../../github/id-token.ts';
import { sleep, systemClock } from '../../lib/clock.ts';
import { oneLine } from '../../lib/errors.ts';
import { assumeRole } from '../../oidc/assume.ts';
import { refreshingCredentials } from '../../oidc/refreshing-credentials.ts';
import type { Runner } from '../../runner/runner.ts';
import type { WebIdentitySettings } from './web-identity-inputs.ts';

const ASSUME_RETRY = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 };
const ASSUME_TIMEOUT_MS = 60_000;

export interface AssumeSettings extends WebIdentitySettings {
  readonly roleArn: string;
}

export async function jobCredentials(
  runner: Runner,
  client: { region: string; action: string; requestTimeoutMs: number },
  assume: AssumeSettings,
): Promise<NonNullable<ClientOptions['credentials']>> {
  const sts = sdkStsPort({ ...client, env: runner.env });
  const fetchIdToken = idTokenFetcher(runner.env, client.requestTimeoutMs);
  const obtain = async () => {
    const assumed = await assumeRole(
      {
        roleArn: assume.roleArn,
        sessionName: assume.sessionName,
        durationSeconds: assume.durationSeconds,
        policies: {},
        source: { kind: 'web-identity', audience: assume.audience, fetchIdToken },
        allowedAccountIds: [],
        retry: ASSUME_RETRY,
      },
      {
        sts,
        mask: (secret) => runner.setSecret(secret),
        sleep,
        signal: AbortSignal.timeout(ASSUME_TIMEOUT_MS),
      },
    );
    return assumed.credentials;
  };
  const credentials = refreshingCredentials(obtain, {
    clock: systemClock,
    onRefresh: ({ expiration }) =>
      runner.info(
        `Assumed ${assume.roleArn} again before the session ended: valid until ${expiration.toISOString()}`,
      ),
    onRefreshFailed: (error, validUntil) =>
      runner.annotate(
        'warning',
        `Could not assume ${assume.roleArn} again (${oneLine(error)}); the credentials in hand last until ${validUntil.toISOString()}, and it is tried again.`,
      ),
  });
  const first = await credentials();
  runner.info(
    `Assumed ${assume.roleArn} with the job's OIDC token (audience ${assume.audience}): valid until ${first.expiration.toISOString()}, renewed before it ends`,
  );
  return credentials;
}
