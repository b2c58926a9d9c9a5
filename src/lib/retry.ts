// Retrying a call: the policy, full-jitter backoff and the loop; the SDK clients' strategy
// (src/aws/retry.ts) uses the same policy and classification.
import { isRetryableAwsError } from './aws-errors.ts';
import { type Sleep, sleep as wallClockSleep } from './clock.ts';

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
