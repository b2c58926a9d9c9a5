// The one place AWS SDK clients get their configuration: region, endpoint overrides, timeouts,
// the suite's retry strategy and user agent.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { proxyAgents } from '../lib/proxy.ts';
import type { AwsCredentials } from '../oidc/ports.ts';
import { SUITE_NAME, SUITE_VERSION } from '../lib/version.ts';
import { endpointOverride } from './endpoint.ts';
import { DEFAULT_RETRY_POLICY, type RetryHooks, type RetryPolicy } from '../lib/retry.ts';
import { SuiteRetryStrategy } from './retry.ts';

export interface ClientOptions {
  region: string;
  /** Leave out for calls that need no signature (AssumeRoleWithWebIdentity). */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  env?: NodeJS.ProcessEnv;
  /** Time to open a connection, per attempt. */
  connectTimeoutMs?: number;
  /** Per attempt: time until the response headers, and the longest silence while reading the body. */
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  retryHooks?: RetryHooks;
  /** Names the action in the user agent, e.g. `oidc-assume`. */
  action?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** SDK v3 constructor config: `new STSClient(clientConfig('STS', options))`. */
export function clientConfig(serviceId: string, options: ClientOptions) {
  const endpoint = endpointOverride(serviceId, options.env ?? process.env);
  return {
    region: options.region,
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: new NodeHttpHandler({
      ...proxyAgents(options.env ?? process.env),
      connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without this the SDK only warns when the time runs out, and a hung call hangs forever.
      throwOnRequestTimeout: true,
      // requestTimeout stops counting once the headers arrive: a body that stalls needs this.
      socketTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    }),
    retryStrategy: new SuiteRetryStrategy(
      options.retry ?? DEFAULT_RETRY_POLICY,
      options.retryHooks,
    ),
    customUserAgent: [
      [SUITE_NAME, SUITE_VERSION],
      ...(options.action ? ([[`${SUITE_NAME}-${options.action}`]] as [string][]) : []),
    ] as [string, string?][],
  };
}
