import { describe, expect, it } from '@jest/globals';
import type { AwsCredentials } from '../../../src/oidc/ports.ts';
import { refreshingCredentials } from '../../../src/oidc/refreshing-credentials.ts';

const MINUTE = 60_000;

function setup(lifetimeMs = 60 * MINUTE) {
  let now = 0;
  const clock = { now: () => now };
  let issued = 0;
  const failures: unknown[] = [];
  let fail: Error | undefined;
  const refreshed: string[] = [];
  const refreshFailed: string[] = [];
  const resolvers: (() => void)[] = [];
  let gated = false;
  const obtain = async (): Promise<Required<AwsCredentials>> => {
    if (gated) await new Promise<void>((resolve) => resolvers.push(resolve));
    if (fail) {
      failures.push(fail);
      throw fail;
    }
    issued += 1;
    return {
      accessKeyId: `AKID${issued}`,
      secretAccessKey: `secret${issued}`,
      sessionToken: `token${issued}`,
      expiration: new Date(now + lifetimeMs),
    };
  };
  const provider = refreshingCredentials(obtain, {
    clock,
    onRefresh: (c) => refreshed.push(c.accessKeyId),
    onRefreshFailed: (error, until) =>
      refreshFailed.push(`${(error as Error).message} until ${until.getTime()}`),
  });
  return {
    provider,
    at: (ms: number) => {
      now = ms;
    },
    issued: () => issued,
    failWith: (error: Error | undefined) => {
      fail = error;
    },
    gate: (on: boolean) => {
      gated = on;
    },
    release: () => resolvers.splice(0).forEach((resolve) => resolve()),
    refreshed,
    refreshFailed,
    failures,
  };
}

const key = async (provider: () => Promise<Required<AwsCredentials>>) =>
  (await provider()).accessKeyId;

describe('refreshingCredentials', () => {
  it('assumes once, and reuses the session until 5 minutes before it expires', async () => {
    const s = setup();
    expect(await key(s.provider)).toBe('AKID1');
    s.at(54 * MINUTE);
    expect(await key(s.provider)).toBe('AKID1');
    expect(s.issued()).toBe(1);
    s.at(55 * MINUTE);
    expect(await key(s.provider)).toBe('AKID1'); // in hand while the refresh runs
    await Promise.resolve();
    expect(await key(s.provider)).toBe('AKID2');
    expect(s.refreshed).toEqual(['AKID2']);
  });

  it('refreshes at half the life of a short session', async () => {
    const s = setup(4 * MINUTE);
    await s.provider();
    s.at(2 * MINUTE - 1);
    await s.provider();
    expect(s.issued()).toBe(1);
    s.at(2 * MINUTE);
    await s.provider();
    await Promise.resolve();
    expect(await key(s.provider)).toBe('AKID2');
  });

  it('runs one refresh for every caller at once', async () => {
    const s = setup();
    await s.provider();
    s.at(59 * MINUTE + 55_000); // the last seconds: callers wait for the refresh
    s.gate(true);
    const waiting = [s.provider(), s.provider(), s.provider()];
    s.release();
    await Promise.resolve();
    s.release();
    expect((await Promise.all(waiting)).map((c) => c.accessKeyId)).toEqual([
      'AKID2',
      'AKID2',
      'AKID2',
    ]);
    expect(s.issued()).toBe(2);
  });

  it('keeps the valid session when a refresh fails, and tries again 30 s later', async () => {
    const s = setup();
    await s.provider();
    s.failWith(new Error('STS unavailable'));
    s.at(56 * MINUTE);
    expect(await key(s.provider)).toBe('AKID1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.refreshFailed).toEqual([`STS unavailable until ${60 * MINUTE}`]);
    s.at(56 * MINUTE + 29_000);
    expect(await key(s.provider)).toBe('AKID1');
    expect(s.failures).toHaveLength(1);
    s.failWith(undefined);
    s.at(56 * MINUTE + 30_000);
    await s.provider();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await key(s.provider)).toBe('AKID2');
  });

  it('fails the call when the session has expired and STS still refuses', async () => {
    const s = setup();
    await s.provider();
    s.failWith(new Error('AccessDenied'));
    s.at(61 * MINUTE);
    await expect(s.provider()).rejects.toThrow('AccessDenied');
    expect(s.refreshFailed).toEqual([]);
  });

  it('fails the first call when the first assume fails', async () => {
    const s = setup();
    s.failWith(new Error('no id-token permission'));
    await expect(s.provider()).rejects.toThrow('no id-token permission');
  });
});
