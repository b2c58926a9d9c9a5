import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { sleep as wallClockSleep } from '../lib/clock.ts';
import { isRetryableAwsError } from '../lib/aws-errors.ts';
import {
  DEFAULT_RETRY_POLICY,
  type RetryHooks,
  type RetryPolicy,
  fullJitterDelay,
} from '../lib/retry.ts';

interface SuiteRetryToken extends RetryToken {
  readonly retryCount: number;
}

/**
 * The SDK retry strategy every client gets from the factory: the same policy and error
 * classification as `retry()`, so an AccessDenied or a validation error is never retried.
 */
export class SuiteRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'suite-full-jitter';
  private readonly policy: RetryPolicy;
  private readonly hooks: RetryHooks;

  constructor(policy: RetryPolicy = DEFAULT_RETRY_POLICY, hooks: RetryHooks = {}) {
    this.policy = policy;
    this.hooks = hooks;
  }

  async acquireInitialRetryToken(): Promise<SuiteRetryToken> {
    return token(0);
  }

  async refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retryCount = (previous as SuiteRetryToken).retryCount;
    const error = info.error ?? info;
    const retryable = (this.hooks.isRetryable ?? isRetryableAwsError)(error, retryCount + 1);
    if (retryCount + 1 >= this.policy.maxAttempts || !retryable) {
      throw new Error('no retry for this error');
    }
    const delayMs = fullJitterDelay(retryCount, this.policy, this.hooks.random);
    this.hooks.onRetry?.({ attempt: retryCount + 1, delayMs, error });
    // Sleep here and hand the SDK a zero delay, so tests can inject a sleep that does not wait.
    await (this.hooks.sleep ?? wallClockSleep)(delayMs, this.hooks.signal);
    return token(retryCount + 1);
  }

  recordSuccess(): void {}
}

function token(retryCount: number): SuiteRetryToken {
  return { retryCount, getRetryCount: () => retryCount, getRetryDelay: () => 0 };
}
