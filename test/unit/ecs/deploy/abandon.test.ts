import { describe, expect, it } from '@jest/globals';
import { abandon, fallbackHint, lostTrack } from '../../../../src/ecs/deploy/abandon.ts';
import { awsError } from './fake-ecs.ts';
import { MINUTE, START } from './virtual-time.ts';
import { watchOn } from './watch-fixture.ts';

type Fixture = Awaited<ReturnType<typeof watchOn>>;

const rollbackCalls = (f: Fixture) =>
  f.ecs.calls
    .filter(
      (c) => c.name === 'rollBack' || (c.name === 'resolveHook' && /ROLLBACK/.test(c.detail!)),
    )
    .map((c) => ({ name: c.name, aborted: c.signal?.aborted }));

describe('abandon', () => {
  it('answers the waiting hook ROLLBACK when cancelled, on a signal of its own', async () => {
    const f = await watchOn();
    await f.seeAt(1.5);
    f.controller.abort(new Error('SIGTERM'));
    const result = await abandon(f.w);
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'cancelled',
      reason:
        'The job was cancelled (SIGTERM): rollback requested (ContinueServiceDeployment ROLLBACK); ECS completes it without this job.',
    });
    expect(rollbackCalls(f)).toEqual([{ name: 'resolveHook', aborted: false }]);
    expect(f.w.state.steering.decision).toMatchObject({ decidedBy: 'cancelled' });
  });

  it('stops the deployment when the timeout passes between hooks', async () => {
    const f = await watchOn({ request: { deadlineAt: START + 3 * MINUTE, timeoutMs: 3 * MINUTE } });
    await f.seeAt(1);
    f.time.now = START + 3 * MINUTE;
    const result = await abandon(f.w);
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'timeout',
      reason:
        /^The deployment did not finish within the timeout \(3m\): rollback requested \(StopServiceDeployment ROLLBACK\)/,
    });
    expect(rollbackCalls(f)).toEqual([{ name: 'rollBack', aborted: false }]);
  });

  it('asks nothing of ECS when it is already rolling back, and says who decided', async () => {
    const f = await watchOn({ fake: { failure: { at: START + MINUTE, kind: 'circuit-breaker' } } });
    await f.seeAt(1.2);
    f.controller.abort(new Error('SIGINT'));
    const result = await abandon(f.w);
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      decidedBy: 'circuit-breaker',
      reason:
        /^ECS deployment circuit breaker: tasks failed to start\. \(the job was cancelled \(SIGINT\) while ECS was rolling back; it finishes without this job\)$/,
    });
    expect(rollbackCalls(f)).toEqual([]);
  });

  it('fails, saying what rolls the deployment back instead, when the request fails', async () => {
    const f = await watchOn({
      fake: {
        fault: (call) => (call === 'rollBack' ? awsError('ClientException', 400) : undefined),
      },
    });
    await f.seeAt(1);
    f.controller.abort(new Error('SIGTERM'));
    const result = await abandon(f.w);
    expect(result).toMatchObject({
      outcome: 'failed',
      reason:
        /^The job was cancelled \(SIGTERM\), and the rollback request failed: ClientException.*\. ECS rolls the deployment back on its own if it reaches a PAUSE hook nobody answers within 30 min; the post step also tries again\.$/,
    });
  });
});

describe('lostTrack', () => {
  it.each([
    [
      'credentials',
      awsError('ExpiredTokenException', 400),
      /^The AWS credentials stopped working .*role-duration-seconds.* A rollback was requested\.$/,
    ],
    [
      'fatal',
      awsError('AccessDeniedException', 400),
      /^AWS refused DescribeServiceDeployments for deployment .*AccessDeniedException.* A rollback was requested\.$/,
    ],
    [
      'transient',
      awsError('InternalServerError', 500),
      /^Lost track of deployment .*: 21 DescribeServiceDeployments calls failed in a row, the last with InternalServerError.* A rollback was requested\.$/,
    ],
  ] as const)('says what went wrong (%s) and tries a rollback', async (kind, error, reason) => {
    const f = await watchOn();
    await f.seeAt(1);
    f.w.state.calls.consecutiveErrors = 21;
    const result = await lostTrack(f.w, { error, kind, call: 'DescribeServiceDeployments' });
    expect(result).toMatchObject({ outcome: 'failed', reason });
    expect(rollbackCalls(f)).toEqual([{ name: 'rollBack', aborted: false }]);
  });

  it('leaves a deployment that ECS is already rolling back alone', async () => {
    const f = await watchOn({ fake: { failure: { at: START + MINUTE, kind: 'circuit-breaker' } } });
    await f.seeAt(1.2);
    const result = await lostTrack(f.w, {
      error: awsError('AccessDeniedException', 400),
      kind: 'fatal',
      call: 'DescribeServiceDeployments',
    });
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: /ECS was already rolling it back\.$/,
    });
    expect(rollbackCalls(f)).toEqual([]);
  });
});

it('fallbackHint: ECS rolls back an unanswered hook; a rolling deployment has none', async () => {
  expect(fallbackHint((await watchOn()).w)).toMatch(/PAUSE hook nobody answers within 30 min/);
  expect(fallbackHint((await watchOn({ strategy: { kind: 'rolling' } })).w)).toMatch(
    /^The post step tries the rollback again/,
  );
});
