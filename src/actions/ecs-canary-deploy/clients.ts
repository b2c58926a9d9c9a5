// The options every SDK client of the step is built with: the region, the per-request timeout and,
// with role-to-assume, credentials assumed with the job's OIDC token and renewed before they end.
import { type ClientOptions, DEFAULT_CONNECT_TIMEOUT_MS } from '../../aws/client-factory.ts';
import type { Runner } from '../../runner/runner.ts';
import type { EcsCanaryDeployConfig } from './inputs.ts';

export const ACTION = 'ecs-canary-deploy';

/** Without role-to-assume the SDK's default chain uses whatever the job has (env, profile, instance role). */
export async function clientOptions(
  runner: Runner,
  config: EcsCanaryDeployConfig,
): Promise<ClientOptions> {
  // The STS client and the OIDC flow are a chunk of their own, loaded only with role-to-assume.
  const credentials =
    config.assume === undefined
      ? undefined
      : await (
          await import('../shared/job-credentials.ts')
        ).jobCredentials(
          runner,
          { region: config.region, action: ACTION, requestTimeoutMs: config.requestTimeoutMs },
          config.assume,
        );
  return {
    region: config.region,
    env: runner.env,
    action: ACTION,
    requestTimeoutMs: config.requestTimeoutMs,
    connectTimeoutMs: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, config.requestTimeoutMs),
    ...(credentials ? { credentials } : {}),
  };
}
