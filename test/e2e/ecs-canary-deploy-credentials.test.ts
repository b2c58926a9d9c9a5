// dist/ecs-canary-deploy/index.js with role-to-assume: the step assumes the role with the job's
// OIDC token and again before each session ends, so a deployment that outlives its credentials
// finishes. The emulator issues sessions of a few seconds; everything else is the 120× world of
// the other deploy tests, and every log is scanned for every issued secret.
import { afterEach, describe, expect, it } from '@jest/globals';
import { DEPLOY_ROLE, expectDeployed, useEcsDeployWorld } from './ecs-deploy-world.ts';
import { expectFailure, result } from './step-assertions.ts';

const KEYS = {
  accessKeyId: 'AKIAECSCANARYE2E0003',
  secretAccessKey: 'ecs-canary-e2e-credentials-secret-key-000',
};

const world = useEcsDeployWorld({ keys: KEYS, seed: 13, oidcRole: true });
const { app, inputsFor, run } = world;

afterEach(() => world.emulator.sts.setSessionLifetime(undefined));

describe('ecs-canary-deploy bundle with role-to-assume', () => {
  it('assumes the role again whenever the session nears its end, and the deployment succeeds', async () => {
    const a = app('renewed');
    world.emulator.sts.setSessionLifetime(3);
    const before = world.emulator.sts.assumed.length;
    const r = await run(inputsFor(a, 'v2', { 'role-to-assume': DEPLOY_ROLE }));
    expectDeployed(r);
    const sessions = world.emulator.sts.assumed.slice(before);
    // The run lasts far longer than one 3-second session.
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    expect(sessions.every((s) => s.roleArn === DEPLOY_ROLE)).toBe(true);
    expect(r.log).toMatch(/Assumed .*deployer with the job's OIDC token/);
    expect(r.log).toMatch(/Assumed .*deployer again before the session ended/);
    // No call was refused for expired credentials.
    const expired = world.emulator.calls.filter((c) => c.errorCode === 'ExpiredToken');
    expect(expired).toEqual([]);
  }, 60_000);

  it('fails before changing anything when the role cannot be assumed', async () => {
    const a = app('refused');
    const changes = () =>
      world.emulator.calls.filter((c) =>
        ['RegisterTaskDefinition', 'UpdateService'].includes(c.action),
      ).length;
    const before = changes();
    const r = await run(
      inputsFor(a, 'v2', {
        'role-to-assume': `arn:aws:iam::123456789012:role/not-trusted`,
      }),
    );
    expectFailure(
      r,
      /^AWS refused to let this job assume arn:aws:iam::123456789012:role\/not-trusted/,
    );
    expect(result(r)).toMatchObject({ outcome: 'failed' });
    expect(changes()).toBe(before);
  }, 30_000);
});
