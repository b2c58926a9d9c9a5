import { describe, expect, it } from '@jest/globals';
import { attachOrStart, sameTaskDefinition } from '../../../../src/ecs/deploy/attach-or-start.ts';
import { pollingSettings } from '../../../../src/ecs/deploy/poll-cadence.ts';
import { revisionLookup } from '../../../../src/ecs/deploy/revisions.ts';
import { UserError } from '../../../../src/lib/errors.ts';
import { CLUSTER, FakeEcs, type FakeEcsOptions, SERVICE, TD_NEW, awsError } from './fake-ecs.ts';
import { VirtualTime } from './virtual-time.ts';

function attach(options: FakeEcsOptions) {
  const time = new VirtualTime();
  const ecs = new FakeEcs(time, options);
  const run = () =>
    attachOrStart(
      {
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinitionArn: TD_NEW,
        deploymentConfiguration: { strategy: 'ROLLING' },
        onBusy: 'wait',
      },
      {
        deployments: ecs,
        revisions: revisionLookup(ecs),
        clock: time.clock,
        sleep: time.sleep,
        signal: new AbortController().signal,
        deadlineAt: Number.POSITIVE_INFINITY,
        polling: pollingSettings(),
      },
    );
  return { ecs, run };
}

describe('attachOrStart', () => {
  it('starts when nothing is in flight', async () => {
    const { ecs, run } = attach({});
    expect(await run()).toEqual({ kind: 'started', serviceDeploymentArn: expect.any(String) });
    expect(ecs.calls.map((c) => c.name)).toEqual(['unfinished', 'start']);
  });

  it('attaches when UpdateService failed in transit but did reach ECS', async () => {
    let first = true;
    const { ecs, run } = attach({});
    const start = ecs.start.bind(ecs);
    ecs.start = async (request) => {
      const started = await start(request);
      if (first) {
        first = false;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return started;
    };
    expect(await run()).toMatchObject({ kind: 'attached' });
    expect(ecs.count('start')).toBe(1);
  });

  it('turns a refused UpdateService into one clear line', async () => {
    const { run } = attach({
      fault: (call) =>
        call === 'start'
          ? awsError(
              'InvalidParameterException',
              400,
              'PAUSE lifecycle hooks cannot be configured at TEST_TRAFFIC_SHIFT',
            )
          : undefined,
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^ECS did not start the deployment .*InvalidParameterException/,
    );
  });

  it('gives up with a clear line when listing deployments is refused', async () => {
    const { run } = attach({
      fault: (call) => (call === 'unfinished' ? awsError('AccessDeniedException', 400) : undefined),
    });
    await expect(run()).rejects.toThrow(/Could not list the deployments .*AccessDeniedException/);
  });
});

it('sameTaskDefinition compares ARNs and family:revision', () => {
  expect(sameTaskDefinition(TD_NEW, TD_NEW)).toBe(true);
  expect(sameTaskDefinition(TD_NEW, 'web:7')).toBe(true);
  expect(sameTaskDefinition(TD_NEW, 'web:8')).toBe(false);
  expect(sameTaskDefinition(undefined, TD_NEW)).toBe(false);
});
