import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { ACCOUNT, failure, registerWeb, REGION, startEcs, type EcsHarness } from './fixtures.ts';

let h: EcsHarness;

beforeAll(async () => {
  h = await startEcs();
});
afterAll(() => h.close());

const arn = (family: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;

describe('RegisterTaskDefinition', () => {
  it('numbers revisions per family and echoes the definition with ECS defaults', async () => {
    const first = await registerWeb(h.client, 'v1');
    const second = await h.client.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecution`,
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/web`,
        containerDefinitions: [
          { name: 'app', image: 'nginx:1.27', portMappings: [{ containerPort: 80 }] },
        ],
        tags: [{ key: 'team', value: 'ship' }],
      }),
    );
    expect(first).toBe(arn('web', 1));
    const td = second.taskDefinition;
    expect(td).toMatchObject({
      taskDefinitionArn: arn('web', 2),
      family: 'web',
      revision: 2,
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      volumes: [],
      placementConstraints: [],
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
      registeredBy: `arn:aws:iam::${ACCOUNT}:user/ci`,
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx:1.27',
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        },
      ],
    });
    expect(td?.registeredAt).toBeInstanceOf(Date);
    expect(td?.requiresAttributes).toEqual(
      expect.arrayContaining([
        { name: 'com.amazonaws.ecs.capability.task-iam-role' },
        { name: 'ecs.capability.task-eni' },
      ]),
    );
    expect(second.tags).toEqual([{ key: 'team', value: 'ship' }]);
  });

  it('rejects definitions ECS rejects, with ClientException', async () => {
    const register = (input: object) =>
      failure(
        h.client.send(
          new RegisterTaskDefinitionCommand({
            family: 'bad',
            containerDefinitions: [{ name: 'app', image: 'nginx' }],
            ...input,
          }),
        ),
      );
    expect(await register({ containerDefinitions: [] })).toEqual({
      name: 'ClientException',
      message: 'Container list cannot be empty.',
    });
    expect(await register({ containerDefinitions: [{ name: 'app' }] })).toEqual({
      name: 'ClientException',
      message: 'Container.image should not be null or empty.',
    });
    expect(
      await register({
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        memory: '512',
      }),
    ).toEqual({
      name: 'ClientException',
      message: "Fargate requires that 'cpu' be defined at the task level.",
    });
    expect((await register({ family: 'has space' })).name).toBe('ClientException');
  });
});

describe('DescribeTaskDefinition', () => {
  it('resolves family (latest ACTIVE), family:revision and ARN; TAGS on request', async () => {
    const latest = await h.client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }),
    );
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.tags).toBeUndefined();
    const byRevision = await h.client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1' }),
    );
    expect(byRevision.taskDefinition?.containerDefinitions?.[0]?.image).toMatch(/web:v1$/);
    const byArn = await h.client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn('web', 2), include: ['TAGS'] }),
    );
    expect(byArn.tags).toEqual([{ key: 'team', value: 'ship' }]);
  });

  it('fails like ECS for unknown definitions', async () => {
    for (const taskDefinition of ['nope', 'web:99', arn('nope', 1)]) {
      expect(
        await failure(h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition }))),
      ).toEqual({ name: 'ClientException', message: 'Unable to describe task definition.' });
    }
  });
});

describe('ListTaskDefinitions and DeregisterTaskDefinition', () => {
  it('lists by family, status and sort order, with pagination', async () => {
    await registerWeb(h.client, 'v3');
    await h.client.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        containerDefinitions: [{ name: 'api', image: 'api:1', memory: 256 }],
      }),
    );
    const all = await h.client.send(new ListTaskDefinitionsCommand({}));
    expect(all.taskDefinitionArns).toEqual([
      arn('api', 1),
      arn('web', 1),
      arn('web', 2),
      arn('web', 3),
    ]);
    const web = await h.client.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC' }),
    );
    expect(web.taskDefinitionArns).toEqual([arn('web', 3), arn('web', 2), arn('web', 1)]);
    const first = await h.client.send(new ListTaskDefinitionsCommand({ maxResults: 3 }));
    expect(first.taskDefinitionArns).toHaveLength(3);
    const rest = await h.client.send(
      new ListTaskDefinitionsCommand({ maxResults: 3, nextToken: first.nextToken }),
    );
    expect(rest.taskDefinitionArns).toEqual([arn('web', 3)]);
    expect(rest.nextToken).toBeUndefined();
  });

  it('deregisters a revision: INACTIVE, still describable, no longer the family default', async () => {
    const out = await h.client.send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:3' }),
    );
    expect(out.taskDefinition).toMatchObject({ revision: 3, status: 'INACTIVE' });
    expect(out.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    const family = await h.client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }),
    );
    expect(family.taskDefinition?.revision).toBe(2);
    const inactive = await h.client.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns).toEqual([arn('web', 3)]);
    expect(
      await failure(h.client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web' }))),
    ).toEqual({ name: 'ClientException', message: 'Revision is missing.' });
  });
});

describe('DescribeClusters', () => {
  it('describes clusters and reports missing ones as failures', async () => {
    const out = await h.client.send(new DescribeClustersCommand({ clusters: ['prod', 'nope'] }));
    expect(out.clusters).toEqual([
      expect.objectContaining({
        clusterName: 'prod',
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
        status: 'ACTIVE',
      }),
    ]);
    expect(out.failures).toEqual([
      { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/nope`, reason: 'MISSING' },
    ]);
  });
});
