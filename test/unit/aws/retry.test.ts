import { describe, expect, it } from '@jest/globals';
import { SuiteRetryStrategy } from '../../../src/aws/retry.ts';
import { fullJitterDelay, retry } from '../../../src/lib/retry.ts';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $metadata: { httpStatusCode: 400 },
  });
const denied = () =>
  Object.assign(new Error('Not authorized'), {
    name: 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });

describe('fullJitterDelay', () => {
  it('draws uniformly below the capped exponential ceiling', () => {
    expect(fullJitterDelay(0, policy, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(400);
    expect(fullJitterDelay(10, policy, () => 0.999)).toBe(999);
    expect(fullJitterDelay(5, policy, () => 0)).toBe(0);
  });
});

describe('retry', () => {
  it('retries throttling until success, sleeping the jittered delays', async () => {
    const slept: number[] = [];
    let calls = 0;
    const value = await retry(
      policy,
      async () => {
        calls++;
        if (calls < 3) throw throttled();
        return 'ok';
      },
      { sleep: async (ms) => void slept.push(ms), random: () => 0.5 },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(slept).toEqual([50, 100]);
  });

  it('never retries an access or validation error', async () => {
    let calls = 0;
    await expect(
      retry(
        policy,
        async () => {
          calls++;
          throw denied();
        },
        { sleep: async () => undefined },
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        policy,
        async () => {
          calls++;
          throw throttled();
        },
        { sleep: async () => undefined },
      ),
    ).rejects.toMatchObject({ name: 'Throttling' });
    expect(calls).toBe(4);
  });

  it('stops when the signal aborts during the backoff', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = retry(
      policy,
      async () => {
        calls++;
        throw throttled();
      },
      {
        signal: controller.signal,
        sleep: (_ms, signal) =>
          new Promise((_, reject) => {
            signal?.addEventListener('abort', () => reject(signal.reason));
            controller.abort(new Error('cancelled'));
          }),
      },
    );
    await expect(run).rejects.toThrow('cancelled');
    expect(calls).toBe(1);
  });
});

describe('SuiteRetryStrategy', () => {
  it('hands the SDK zero-delay tokens for retryable errors and refuses the rest', async () => {
    const slept: number[] = [];
    const strategy = new SuiteRetryStrategy(policy, {
      sleep: async (ms) => void slept.push(ms),
      random: () => 1,
    });
    const first = await strategy.acquireInitialRetryToken();
    const second = await strategy.refreshRetryTokenForRetry(first, {
      errorType: 'THROTTLING',
      error: throttled() as never,
    });
    expect(second.getRetryCount()).toBe(1);
    expect(second.getRetryDelay()).toBe(0);
    expect(slept).toEqual([100]);
    await expect(
      strategy.refreshRetryTokenForRetry(second, {
        errorType: 'CLIENT_ERROR',
        error: denied() as never,
      }),
    ).rejects.toThrow();
  });

  it('stops at maxAttempts', async () => {
    const strategy = new SuiteRetryStrategy(
      { ...policy, maxAttempts: 2 },
      { sleep: async () => undefined },
    );
    const first = await strategy.acquireInitialRetryToken();
    const second = await strategy.refreshRetryTokenForRetry(first, {
      errorType: 'THROTTLING',
      error: throttled() as never,
    });
    await expect(
      strategy.refreshRetryTokenForRetry(second, {
        errorType: 'THROTTLING',
        error: throttled() as never,
      }),
    ).rejects.toThrow();
  });
});
