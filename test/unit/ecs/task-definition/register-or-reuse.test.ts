import { describe, expect, it } from '@jest/globals';
import { loadTaskDefinition } from '../../../../src/ecs/task-definition/load.ts';
import { prepareTaskDefinition } from '../../../../src/ecs/task-definition/prepare.ts';
import { registerOrReuse } from '../../../../src/ecs/task-definition/register-or-reuse.ts';
import { render } from '../../../../src/ecs/task-definition/render.ts';
import { ACCOUNT, fakeEcs, fixture } from './fake-ecs.ts';

const arn = (family: string, revision: number) =>
  `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${family}:${revision}`;
const billing = (web = 'billing/web:1', worker = 'billing/worker:1') =>
  render(loadTaskDefinition(fixture('two-containers.yaml'), 'billing.yaml'), {
    images: [
      { container: 'web', image: web },
      { container: 'worker', image: worker },
    ],
  });

describe('registerOrReuse', () => {
  it('registers the first revision of a family', async () => {
    const ecs = fakeEcs();
    expect(await registerOrReuse(billing(), ecs.port)).toEqual({
      arn: arn('billing', 1),
      revision: 1,
      registered: true,
      differences: ['family billing has no ACTIVE revision yet'],
    });
    expect(ecs.registered).toEqual([billing()]);
  });

  it('registers nothing on a re-run, although ECS echoed the revision with its defaults', async () => {
    const ecs = fakeEcs();
    await registerOrReuse(billing(), ecs.port);
    const again = await registerOrReuse(billing(), ecs.port);
    expect(again).toEqual({ arn: arn('billing', 1), revision: 1, registered: false });
    expect(ecs.registered).toHaveLength(1);
  });

  it('asks beforeRegister only when it would register, and registers nothing when it throws', async () => {
    const ecs = fakeEcs();
    const asked: string[] = [];
    const refuse = (why: string) => async () => {
      asked.push(why);
      throw new Error(why);
    };
    await expect(
      registerOrReuse(billing(), ecs.port, { beforeRegister: refuse('busy') }),
    ).rejects.toThrow('busy');
    expect(ecs.registered).toHaveLength(0);
    await registerOrReuse(billing(), ecs.port);
    await registerOrReuse(billing(), ecs.port, { beforeRegister: refuse('asked for a reuse') });
    expect(asked).toEqual(['busy']);
    expect(ecs.registered).toHaveLength(1);
  });

  it('reuses the revision when one definition goes to several services', async () => {
    const ecs = fakeEcs();
    const results = [];
    for (let service = 0; service < 3; service++) {
      results.push(await registerOrReuse(billing(), ecs.port));
    }
    expect(results.map((result) => result.arn)).toEqual([
      arn('billing', 1),
      arn('billing', 1),
      arn('billing', 1),
    ]);
    expect(ecs.registered).toHaveLength(1);
  });

  it('registers when an image changes, and says what changed', async () => {
    const ecs = fakeEcs();
    await registerOrReuse(billing(), ecs.port);
    const next = await registerOrReuse(billing('billing/web:2'), ecs.port);
    expect(next).toEqual({
      arn: arn('billing', 2),
      revision: 2,
      registered: true,
      differences: ['containerDefinitions[web].image: billing/web:1 → billing/web:2'],
    });
  });

  it('compares with the latest revision only: going back registers again', async () => {
    const ecs = fakeEcs();
    await registerOrReuse(billing(), ecs.port);
    await registerOrReuse(billing('billing/web:2'), ecs.port);
    const back = await registerOrReuse(billing(), ecs.port);
    expect(back).toMatchObject({ revision: 3, registered: true });
  });

  it('registers when a field ECS echoes differs only in a revision it does not know', async () => {
    const ecs = fakeEcs();
    const latest = ecs.seed(billing());
    (latest.taskDefinition as Record<string, unknown>).someNewDefault = 'on';
    const result = await registerOrReuse(billing(), ecs.port);
    expect(result).toMatchObject({
      registered: true,
      differences: ['someNewDefault: removed (was on)'],
    });
  });
});

describe('prepareTaskDefinition', () => {
  it('renders a file and registers it', async () => {
    const ecs = fakeEcs();
    const prepared = await prepareTaskDefinition(
      {
        origin: {
          kind: 'file',
          source: loadTaskDefinition(fixture('describe-task-definition.json'), 'td.json'),
        },
        overrides: { images: [{ container: 'api', image: 'shop/api:1.5.0' }] },
      },
      { port: ecs.port },
    );
    expect(prepared).toMatchObject({
      family: 'shop-api',
      arn: arn('shop-api', 1),
      registered: true,
    });
    expect(prepared.input.containerDefinitions?.[0]?.image).toBe('shop/api:1.5.0');
    expect(ecs.registered[0]).toHaveProperty('futureTopLevelSetting', true);
  });

  it("redeploys the service's current revision as it is, even when it is not the latest", async () => {
    const ecs = fakeEcs();
    const running = ecs.seed(billing());
    ecs.seed(billing('billing/web:3-rc'));
    ecs.services.set('prod/billing', running);
    const prepared = await prepareTaskDefinition(
      { origin: { kind: 'service', cluster: 'prod', service: 'billing' }, overrides: {} },
      { port: ecs.port },
    );
    expect(prepared).toMatchObject({ arn: arn('billing', 1), revision: 1, registered: false });
    expect(ecs.registered).toHaveLength(0);
  });

  it('registers again rather than reuse a deregistered revision the service still runs', async () => {
    const ecs = fakeEcs();
    const running = ecs.seed(billing());
    running.taskDefinition.status = 'INACTIVE';
    ecs.seed(billing('billing/web:3-rc'));
    ecs.services.set('prod/billing', running);
    const prepared = await prepareTaskDefinition(
      { origin: { kind: 'service', cluster: 'prod', service: 'billing' }, overrides: {} },
      { port: ecs.port },
    );
    expect(prepared).toMatchObject({ revision: 3, registered: true });
  });

  it("sets a new image on the service's current revision and registers it", async () => {
    const ecs = fakeEcs();
    ecs.services.set('prod/billing', ecs.seed(billing()));
    const prepared = await prepareTaskDefinition(
      {
        origin: { kind: 'service', cluster: 'prod', service: 'billing' },
        overrides: { images: [{ container: 'worker', image: 'billing/worker:2' }] },
      },
      { port: ecs.port },
    );
    expect(prepared).toMatchObject({
      revision: 2,
      registered: true,
      differences: ['containerDefinitions[worker].image: billing/worker:1 → billing/worker:2'],
    });
    // Registered from what ECS holds: read-only fields gone, the rest as ECS returned it.
    expect(ecs.registered[0]).not.toHaveProperty('taskDefinitionArn');
    expect(ecs.registered[0]).not.toHaveProperty('registeredAt');
    expect(ecs.registered[0]?.containerDefinitions?.[1]).toHaveProperty('futureContainerSetting');
  });
});
