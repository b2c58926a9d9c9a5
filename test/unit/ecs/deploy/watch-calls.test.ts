import { describe, expect, it } from '@jest/globals';
import { callFailed, nextWake, pause, poll } from '../../../../src/ecs/deploy/watch-calls.ts';
import { awsError } from './fake-ecs.ts';
import { MINUTE, SECOND, START } from './virtual-time.ts';
import { watchOn } from './watch-fixture.ts';

describe('nextWake', () => {
  const NOW = 1_000_000;
  const wake = (facts: Partial<Parameters<typeof nextWake>[0]>) =>
    nextWake({
      now: NOW,
      pollAt: NOW + 30_000,
      holdUntil: undefined,
      lookAt: undefined,
      backoffMs: 0,
      ...facts,
    });

  it.each([
    ['the cadence decides', {}, NOW + 30_000, NOW + 30_000],
    [
      'a held hook is looked at when its hold ends',
      { holdUntil: NOW + 5_000 },
      NOW + 5_000,
      NOW + 5_000,
    ],
    [
      'a look wakes earlier, the poll stays due',
      { lookAt: NOW + 12_000 },
      NOW + 30_000,
      NOW + 12_000,
    ],
    [
      'no look without a poll while a hook is held',
      { holdUntil: NOW + 20_000, lookAt: NOW + 12_000 },
      NOW + 20_000,
      NOW + 20_000,
    ],
    ['never sooner than a second', { pollAt: NOW, lookAt: NOW - 5_000 }, NOW + 1_000, NOW + 1_000],
    [
      'nor than the throttling backoff allows',
      { backoffMs: 80_000, lookAt: NOW + 12_000 },
      NOW + 80_000,
      NOW + 80_000,
    ],
  ])('%s', (_name, facts, pollDueAt, wakeAt) => {
    expect(wake(facts)).toEqual({ pollDueAt, wakeAt });
  });
});

describe('callFailed', () => {
  it('loses track when its own describes keep failing, after reporting each failure', async () => {
    const f = await watchOn();
    const { maxConsecutiveErrors } = f.w.request.polling;
    for (let i = 0; i < maxConsecutiveErrors; i++) {
      expect(
        callFailed(f.w, 'DescribeServiceDeployments', awsError('InternalServerError', 500), true),
      ).toBe('transient');
    }
    expect(f.w.state.calls.lost).toBeUndefined();
    expect(f.events.filter((e) => e.type === 'call-error')).toHaveLength(maxConsecutiveErrors);
    callFailed(f.w, 'DescribeServiceDeployments', awsError('InternalServerError', 500), true);
    expect(f.w.state.calls.lost).toMatchObject({
      kind: 'transient',
      call: 'DescribeServiceDeployments',
    });
  });

  it('gives up at once on an error no retry fixes, after a few on expired credentials', async () => {
    const f = await watchOn();
    callFailed(f.w, 'DescribeServiceDeployments', awsError('AccessDeniedException', 400), true);
    expect(f.w.state.calls.lost?.kind).toBe('fatal');
    const g = await watchOn();
    const expired = awsError('ExpiredTokenException', 400);
    for (let i = 0; i < g.w.request.polling.maxCredentialErrors; i++) {
      callFailed(g.w, 'DescribeServiceDeployments', expired, true);
    }
    expect(g.w.state.calls.lost).toBeUndefined();
    callFailed(g.w, 'DescribeServiceDeployments', expired, true);
    expect(g.w.state.calls.lost?.kind).toBe('credentials');
  });

  it('never loses track over a call the watch can do without', async () => {
    const f = await watchOn();
    expect(callFailed(f.w, 'GetMetricData', awsError('AccessDenied', 403), false)).toBe('fatal');
    expect(f.w.state.calls).toMatchObject({ lost: undefined, consecutiveErrors: 0 });
  });

  it('slows down while throttled and recovers one answer at a time', async () => {
    const f = await watchOn();
    for (let i = 0; i < 3; i++) {
      callFailed(f.w, 'DescribeServiceDeployments', awsError('ThrottlingException', 400), true);
    }
    const retries = f.events.flatMap((e) => (e.type === 'call-error' ? [e.retryInMs] : []));
    expect(retries).toEqual([20_000, 40_000, 80_000]);
    await poll(f.w);
    expect(f.w.state.calls).toMatchObject({ backoffMs: 40_000, consecutiveErrors: 0 });
  });

  it('counts nothing once the job is cancelled', async () => {
    const f = await watchOn();
    f.controller.abort(new Error('SIGTERM'));
    expect(
      callFailed(f.w, 'DescribeServiceDeployments', new Error('aborted'), true),
    ).toBeUndefined();
    expect(f.w.state.calls.consecutiveErrors).toBe(0);
    expect(f.events).toEqual([]);
  });
});

describe('pause', () => {
  it('never sleeps past the deadline', async () => {
    const f = await watchOn({ request: { deadlineAt: START + 30 * SECOND } });
    await pause(f.w, MINUTE);
    expect(f.time.sleeps).toEqual([{ at: START, ms: 30 * SECOND }]);
    await pause(f.w, MINUTE);
    expect(f.time.sleeps).toHaveLength(1);
  });
});
