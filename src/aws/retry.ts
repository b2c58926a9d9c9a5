import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { type Sleep, sleep as wallClockSleep } from '../lib/clock.ts';
import { isRetryableAwsError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
};

/** "Full jitter": a uniform delay between 0 and the capped exponential backoff. */
export function fullJitterDelay(
  retryNumber: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryNumber);
  return Math.floor(random() * ceiling);
}

export interface RetryHooks {
  sleep?: Sleep;
  random?: () => number;
  signal?: AbortSignal;
  isRetryable?: (error: unknown, attempt: number) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * Runs `attempt` until it succeeds, the error is not retryable, the attempts run out or the
 * signal aborts. Each attempt starts from scratch, so callers can fetch fresh inputs (a new OIDC
 * token) inside it.
 */
export async function retry<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  const { sleep = wallClockSleep, random = Math.random, signal } = hooks;
  const isRetryable = hooks.isRetryable ?? isRetryableAwsError;
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      if (signal?.aborted || n >= policy.maxAttempts || !isRetryable(error, n)) throw error;
      const delayMs = fullJitterDelay(n - 1, policy, random);
      hooks.onRetry?.({ attempt: n, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

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
