import { describe, expect, it } from '@jest/globals';
import type { DeploymentSnapshot } from '../../../../src/ecs/deploy/ports.ts';
import { finalOutcome } from '../../../../src/ecs/deploy/result.ts';
import { rollBackUnfinished } from '../../../../src/ecs/deploy/rollback.ts';
import { deploymentConfiguration } from '../../../../src/ecs/deploy/deployment-configuration.ts';
import { FakeEcs, awsError } from './fake-ecs.ts';
import { CANARY } from './harness.ts';
import { MINUTE, START, VirtualTime } from './virtual-time.ts';

function running(minutesIn: number) {
  const time = new VirtualTime();
  const configuration = deploymentConfiguration(CANARY, {
    hookTimeoutMinutes: 30,
    smokeCheck: false,
  });
  const ecs = new FakeEcs(time, { existing: { startedAt: START, configuration } });
  time.now = START + minutesIn * MINUTE;
  return { time, ecs, arn: ecs.ours.arn };
}

describe('rollBackUnfinished (the post step)', () => {
  it('answers a waiting PAUSE hook ROLLBACK', async () => {
    const { ecs, arn } = running(1.5); // at the gate before the first shift
    expect(await rollBackUnfinished(arn, { deployments: ecs })).toEqual({
      action: 'rolled-back',
      via: 'hook',
      status: 'IN_PROGRESS',
    });
    expect(ecs.calls.map((c) => c.name)).toEqual(['describe', 'resolveHook']);
    expect(ecs.ours.status).toBe('ROLLBACK_IN_PROGRESS');
  });

  it('stops a deployment that is between hooks', async () => {
    const { ecs, arn } = running(0.5);
    expect(await rollBackUnfinished(arn, { deployments: ecs })).toMatchObject({
      action: 'rolled-back',
      via: 'stop',
    });
  });

  it('is idempotent: a deployment rolling back or finished is left alone', async () => {
    const { ecs, arn, time } = running(0.5);
    await rollBackUnfinished(arn, { deployments: ecs });
    expect(await rollBackUnfinished(arn, { deployments: ecs })).toMatchObject({
      action: 'none',
      status: 'ROLLBACK_IN_PROGRESS',
    });
    time.now += 10 * MINUTE;
    expect(await rollBackUnfinished(arn, { deployments: ecs })).toMatchObject({
      action: 'none',
      status: 'ROLLBACK_SUCCESSFUL',
    });
    expect(ecs.count('rollBack')).toBe(1);
  });

  it('says so when it cannot', async () => {
    const time = new VirtualTime();
    const configuration = deploymentConfiguration(CANARY, {
      hookTimeoutMinutes: 30,
      smokeCheck: false,
    });
    const ecs = new FakeEcs(time, {
      existing: { startedAt: START, configuration },
      fault: (call) => (call === 'rollBack' ? awsError('AccessDeniedException', 400) : undefined),
    });
    time.now = START + 30_000;
    expect(await rollBackUnfinished(ecs.ours.arn, { deployments: ecs })).toEqual({
      action: 'failed',
      reason: expect.stringMatching(/Could not roll back .*AccessDeniedException/),
    });
  });
});

describe('finalOutcome', () => {
  const snapshot = (over: Partial<DeploymentSnapshot>): DeploymentSnapshot => ({
    arn: 'arn:d',
    status: 'SUCCESSFUL',
    sources: [],
    hooks: [],
    ...over,
  });
  const decision = { decidedBy: 'analysis' as const, reason: 'Canary analysis failed', at: 0 };

  it('only SUCCESSFUL succeeds', () => {
    expect(finalOutcome(snapshot({}), undefined)).toEqual({ outcome: 'succeeded' });
    for (const status of ['ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED'] as const) {
      expect(finalOutcome(snapshot({ status }), undefined).outcome).not.toBe('succeeded');
    }
    expect(() => finalOutcome(snapshot({ status: 'IN_PROGRESS' }), undefined)).toThrow(RangeError);
  });

  it('ROLLBACK_SUCCESSFUL is rolled-back, with who decided', () => {
    expect(
      finalOutcome(
        snapshot({ status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'hook timed out' } }),
        undefined,
      ),
    ).toEqual({
      outcome: 'rolled-back',
      decidedBy: 'ecs',
      reason: 'ECS rolled the deployment back: hook timed out',
    });
    expect(finalOutcome(snapshot({ status: 'ROLLBACK_SUCCESSFUL' }), decision)).toEqual({
      outcome: 'rolled-back',
      decidedBy: 'analysis',
      reason: 'Canary analysis failed',
    });
  });

  it('ROLLBACK_FAILED fails with the rollback reason and what started it', () => {
    const outcome = finalOutcome(
      snapshot({
        status: 'ROLLBACK_FAILED',
        statusReason: 'There is no previous service revision to roll back to.',
        alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] },
      }),
      undefined,
    );
    expect(outcome.outcome).toBe('failed');
    if (outcome.outcome !== 'failed') throw new Error('unreachable');
    expect(outcome.reason).toMatch(
      /^The rollback failed: There is no previous service revision.*web-5xx went into ALARM/,
    );
  });

  it('a rollback the engine asked for that came too late is a failure, not a success', () => {
    expect(finalOutcome(snapshot({ status: 'SUCCESSFUL' }), decision)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/completed before the rollback took effect/),
    });
  });
});
