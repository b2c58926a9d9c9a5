// dist/ecs-canary-deploy/index.js run as the runner runs it, against the AWS emulator at 120×
// (an emulated minute is half a second of the wall clock). The job's credentials come from the
// environment (the bundle keeps the SDK's default chain); every run's log is scanned for them.
// Each test has its own cluster, ALB and service, so nothing one test deploys disturbs another.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CANARY_INPUTS_AT_120X, type BlueGreenApp } from '../emulator/seed-app.ts';
import {
  expectDeployed,
  expectRolledBack,
  revision,
  useEcsDeployWorld,
} from './ecs-deploy-world.ts';
import { expectFailure, result } from './step-assertions.ts';

const KEYS = {
  accessKeyId: 'AKIAECSCANARYE2E0001',
  secretAccessKey: 'ecs-canary-e2e-secret-access-key-000000000',
};
const FAST = { 'aws-region': 'us-east-1', ...CANARY_INPUTS_AT_120X };

const world = useEcsDeployWorld({ keys: KEYS, seed: 5 });
const { app, run, running } = world;
type App = BlueGreenApp;
const image = (a: App, tag: string) => a.image(tag);

const CHANGES = [
  'UpdateService',
  'RegisterTaskDefinition',
  'ContinueServiceDeployment',
  'StopServiceDeployment',
];
const changes = () => CHANGES.reduce((sum, action) => sum + world.calls(action), 0);

describe('ecs-canary-deploy bundle', () => {
  let shop: App;
  beforeAll(() => {
    shop = app('shop');
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['no cluster', { cluster: '' }, /Input 'cluster' is required/],
    ['an unknown strategy', { strategy: 'big-bang' }, /Input 'strategy' is 'big-bang'/],
    ['canary-percent 0', { 'canary-percent': '0' }, /Input 'canary-percent' is '0'/],
    ['a bake in seconds', { 'canary-bake': '90s' }, /Input 'canary-bake' is '90s'/],
    [
      'analysis-interval 1s',
      { 'analysis-interval': '1s' },
      /Input 'analysis-interval' is '1s': use 10s or more/,
    ],
    ['max-error-rate 5', { 'max-error-rate': '5' }, /Input 'max-error-rate' is 5: .*0\.05/],
    ['min-requests 0', { 'min-requests': '0' }, /Input 'min-requests' is '0'/],
    ['on-inconclusive maybe', { 'on-inconclusive': 'maybe' }, /Input 'on-inconclusive' is 'maybe'/],
    ['on-busy queue', { 'on-busy': 'queue' }, /Input 'on-busy' is 'queue'/],
    ['a bare role name', { 'task-role-arn': 'app-task' }, /task-role-arn/],
    ['an uppercase image', { images: 'app=Example/App:1' }, /images/],
    ['a bad smoke-url', { 'smoke-url': 'not a url' }, /Input 'smoke-url' is 'not a url'/],
    ['dry-run yes', { 'dry-run': 'yes' }, /Input 'dry-run' is 'yes': use true or false/],
    ['timeout soon', { timeout: 'soon' }, /Input 'timeout' is 'soon'/],
    ['hook-timeout 90s', { 'hook-timeout': '90s' }, /Input 'hook-timeout' is '90s'/],
    [
      'a role name for role-to-assume',
      { 'role-to-assume': 'deployer' },
      /Input 'role-to-assume' is 'deployer', which is not an IAM role ARN/,
    ],
    [
      'an audience without role-to-assume',
      { audience: 'my-provider' },
      /Input 'audience' only applies with role-to-assume/,
    ],
    [
      'role-duration-seconds 60',
      {
        'role-to-assume': 'arn:aws:iam::123456789012:role/deployer',
        'role-duration-seconds': '60',
      },
      /Input 'role-duration-seconds'/,
    ],
    [
      'role-to-assume in a job without id-token: write',
      { 'role-to-assume': 'arn:aws:iam::123456789012:role/deployer' },
      /id-token/,
    ],
  ];

  it.each(bad)('refuses %s with one line and no AWS call', async (_, inputs, message) => {
    const before = world.emulator.calls.length;
    const r = await run({ ...FAST, cluster: 'shop', service: 'shop', ...inputs });
    expectFailure(r, message);
    expect(world.emulator.calls.length).toBe(before);
    expect(result(r)).toMatchObject({ version: 1, outcome: 'failed' });
  });

  it.each([
    ['an unknown service', { service: 'nope' }, /Service nope does not exist in cluster shop/],
    ['an unknown cluster', { cluster: 'nope' }, /Cluster nope does not exist/],
    ['an unknown alarm', { alarms: 'shop-5xx' }, /No CloudWatch alarm named 'shop-5xx'/],
    [
      'a missing task-definition file',
      { 'task-definition': 'ecs/missing.json' },
      /ecs\/missing\.json, which does not exist/,
    ],
  ])('stops on %s before changing anything', async (_, inputs, message) => {
    const before = changes();
    const r = await run({ ...FAST, cluster: 'shop', service: 'shop', ...inputs });
    expectFailure(r, message);
    expect(changes()).toBe(before);
  });

  it('prints the plan on a dry run and changes nothing', async () => {
    const before = changes();
    const r = await run({
      ...FAST,
      cluster: 'shop',
      service: 'shop',
      images: `app=${image(shop, 'v2')}`,
      'dry-run': 'true',
    });
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(/Plan \(canary\):/);
    expect(r.log).toMatch(/production 20%: analysis while the new revision takes 20% for 1 min/);
    expect(r.summary).toMatch(/Dry run/);
    expect(result(r)).toMatchObject({ outcome: 'dry-run' });
    expect(changes()).toBe(before);
  });

  it('deploys a healthy canary, then a re-run registers and deploys nothing', async () => {
    const r = await run({
      ...FAST,
      cluster: 'shop',
      service: 'shop',
      images: `app=${image(shop, 'v2')}`,
    });
    expectDeployed(r);
    const arn = r.outputs['task-definition-arn'];
    expect(arn).toMatch(/:task-definition\/shop:2$/);
    expect(r.outputs['service-deployment-arn']).toMatch(/service-deployment/);
    expect(r.outputs.verdict).toBe('pass');
    expect(result(r)).toMatchObject({
      version: 1,
      outcome: 'succeeded',
      taskDefinition: { arn, registered: true },
    });
    expect(r.log).toMatch(/Registered .*shop:2/);
    expect(r.log).toMatch(/Traffic on the new revision: production 20%/);
    expect(r.summary).toMatch(/Canary analysis/);
    expect(r.post?.log).toMatch(/Nothing to roll back/);
    expect(running(shop)).toEqual([arn]);

    const before = changes();
    const again = await run({
      ...FAST,
      cluster: 'shop',
      service: 'shop',
      images: `app=${image(shop, 'v2')}`,
    });
    expect(again.exitCode).toBe(0);
    expect(again.outputs['task-definition-arn']).toBe(arn);
    expect(again.log).toMatch(/nothing to deploy/);
    expect(result(again)).toMatchObject({
      outcome: 'succeeded',
      taskDefinition: { registered: false },
    });
    expect(changes()).toBe(before);
  }, 60_000);

  it('rolls back a canary whose 5xx rate spikes and fails the step with verdict fail', async () => {
    const cart = app('cart');
    const v2 = revision(cart, 2);
    world.emulator.scenario.setBehaviour(v2, { errorRate: 0.3 });
    const r = await run({
      ...FAST,
      cluster: 'cart',
      service: 'cart',
      images: `app=${image(cart, 'v2')}`,
    });
    expectRolledBack(r, 'analysis');
    expect(r.outputs['task-definition-arn']).toBe(v2);
    expect(r.outputs.verdict).toBe('fail');
    expect(running(cart)).toEqual([cart.v1]);
    expect(r.post?.log).toMatch(/Nothing to roll back/);
  }, 60_000);
});
