import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../../../src/lib/errors.ts';
import { loadTaskDefinition } from '../../../../src/ecs/task-definition/load.ts';
import { render } from '../../../../src/ecs/task-definition/render.ts';
import type {
  TaskDefinitionOverrides,
  TaskDefinitionSource,
} from '../../../../src/ecs/task-definition/types.ts';
import { deepFreeze, fixture } from './fake-ecs.ts';

const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';
const WEB_DIGEST = `sha256:${'ab'.repeat(32)}`;
const WORKER_DIGEST = `sha256:${'cd'.repeat(32)}`;
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:billing/stripe-Xy12Ab';

const billing = () => loadTaskDefinition(fixture('two-containers.yaml'), 'billing.yaml');
const shop = () => loadTaskDefinition(fixture('describe-task-definition.json'), 'shop.json');
const container = (input: ReturnType<typeof render>, name: string) =>
  input.containerDefinitions?.find((candidate) => candidate.name === name);

describe('render', () => {
  it('sets a different image per container, digest references included', () => {
    const input = render(billing(), {
      images: [
        { container: 'web', image: `${ECR}/billing/web@${WEB_DIGEST}` },
        { container: 'worker', image: `${ECR}/billing/worker:2026.03.2@${WORKER_DIGEST}` },
      ],
    });
    expect(container(input, 'web')?.image).toBe(`${ECR}/billing/web@${WEB_DIGEST}`);
    expect(container(input, 'worker')?.image).toBe(
      `${ECR}/billing/worker:2026.03.2@${WORKER_DIGEST}`,
    );
  });

  it('names the containers that exist when an override names one that does not', () => {
    const container = 'api';
    const cases: [string, TaskDefinitionOverrides][] = [
      ['An image', { images: [{ container, image: 'app:2' }] }],
      ['An environment variable', { environment: [{ container, name: 'A', value: '1' }] }],
      ['A secret', { secrets: [{ container, name: 'S', valueFrom: SECRET }] }],
      ['An awslogs option', { logOptions: [{ container, option: 'awslogs-group', value: '/x' }] }],
      ['A command', { command: [{ container, command: ['x'] }] }],
    ];
    for (const [what, overrides] of cases) {
      expect(() => render(billing(), overrides)).toThrow(
        new UserError(
          `${what} names container 'api', which billing.yaml does not have: its containers are web, worker.`,
        ),
      );
    }
  });

  it('wants a container name for an image when there are several containers', () => {
    expect(() => render(billing(), { images: [{ image: 'app:2' }] })).toThrow(
      'An image without a container name needs a definition with one container, but billing.yaml has 2 (web, worker): name the container.',
    );
  });

  it('merges environment variables by name: override wins in place, new ones appended', () => {
    const input = render(billing(), {
      environment: [
        { name: 'FEATURE_FLAGS', value: 'invoices=on,refunds=on,audit=on' },
        { container: 'web', name: 'GREETING', value: 'hello, wide world' },
        { name: 'REGION', value: 'eu-west-1' },
        { container: 'web', name: 'PORT', value: '8080' },
      ],
    });
    expect(container(input, 'web')?.environment).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'FEATURE_FLAGS', value: 'invoices=on,refunds=on,audit=on' },
      { name: 'REGION', value: 'eu-west-1' },
      { name: 'GREETING', value: 'hello, wide world' },
    ]);
    expect(container(input, 'worker')?.environment).toEqual([
      { name: 'QUEUE_URL', value: 'https://sqs.eu-west-1.amazonaws.com/111122223333/billing?x=1' },
      { name: 'FEATURE_FLAGS', value: 'invoices=on,refunds=on,audit=on' },
      { name: 'REGION', value: 'eu-west-1' },
    ]);
  });

  it('lets a container-scoped variable win over one for all containers, whatever the order', () => {
    const input = render(billing(), {
      environment: [
        { container: 'web', name: 'MODE', value: 'a' },
        { name: 'MODE', value: 'b' },
      ],
    });
    expect(container(input, 'web')?.environment?.at(-1)).toEqual({ name: 'MODE', value: 'a' });
    expect(container(input, 'worker')?.environment?.at(-1)).toEqual({ name: 'MODE', value: 'b' });
  });

  it('merges secrets by name and leaves containers without overrides alone', () => {
    const source = shop();
    const input = render(source, {
      secrets: [
        {
          container: 'api',
          name: 'DATABASE_PASSWORD',
          valueFrom: `${SECRET}:password::AWSCURRENT:`,
        },
        { container: 'api', name: 'STRIPE_KEY', valueFrom: SECRET },
      ],
    });
    expect(container(input, 'api')?.secrets).toEqual([
      { name: 'DATABASE_PASSWORD', valueFrom: `${SECRET}:password::AWSCURRENT:` },
      { name: 'STRIPE_KEY', valueFrom: SECRET },
    ]);
    expect(container(input, 'otel-collector')).toEqual(source.definition.containerDefinitions?.[1]);
    expect(container(input, 'otel-collector')).not.toHaveProperty('secrets');
  });

  it('sets the task and execution roles', () => {
    const input = render(billing(), {
      taskRoleArn: 'arn:aws:iam::111122223333:role/billing-task',
      executionRoleArn: 'arn:aws:iam::111122223333:role/billing-execution-2',
    });
    expect(input.taskRoleArn).toBe('arn:aws:iam::111122223333:role/billing-task');
    expect(input.executionRoleArn).toBe('arn:aws:iam::111122223333:role/billing-execution-2');
  });

  it('applies awslogs options to all awslogs containers, creating a configuration where none is', () => {
    const input = render(billing(), {
      logOptions: [
        { option: 'awslogs-group', value: '/ecs/billing-v2' },
        { option: 'awslogs-region', value: 'eu-central-1' },
        { container: 'worker', option: 'awslogs-stream-prefix', value: 'worker' },
      ],
    });
    expect(container(input, 'web')?.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': '/ecs/billing-v2',
        'awslogs-region': 'eu-central-1',
        'awslogs-stream-prefix': 'web',
      },
    });
    expect(container(input, 'worker')?.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': '/ecs/billing-v2',
        'awslogs-region': 'eu-central-1',
        'awslogs-stream-prefix': 'worker',
      },
    });
  });

  it('applies awslogs options to one named container only', () => {
    const source = shop();
    const input = render(source, {
      logOptions: [{ container: 'api', option: 'mode', value: 'non-blocking' }],
    });
    expect(container(input, 'api')?.logConfiguration?.options).toEqual({
      'awslogs-group': '/ecs/shop-api',
      'awslogs-region': 'eu-west-1',
      'awslogs-stream-prefix': 'api',
      mode: 'non-blocking',
    });
    expect(container(input, 'api')?.logConfiguration?.secretOptions).toEqual([]);
    expect(container(input, 'otel-collector')).toEqual(source.definition.containerDefinitions?.[1]);
  });

  it('leaves containers that log with another driver alone, and refuses to switch a named one', () => {
    const source = withContainers([
      { name: 'app', image: 'app:1' },
      {
        name: 'router',
        image: 'fluent-bit:3',
        logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'cloudwatch' } },
      },
    ]);
    const input = render(source, {
      logOptions: [
        { option: 'awslogs-group', value: '/ecs/app' },
        { option: 'awslogs-region', value: 'eu-west-1' },
      ],
    });
    expect(container(input, 'router')?.logConfiguration).toEqual({
      logDriver: 'awsfirelens',
      options: { Name: 'cloudwatch' },
    });
    expect(container(input, 'app')?.logConfiguration?.logDriver).toBe('awslogs');
    expect(() =>
      render(source, {
        logOptions: [{ container: 'router', option: 'awslogs-group', value: '/x' }],
      }),
    ).toThrow(
      "Awslogs options are set for container 'router', which logs with awsfirelens: leave them out, or change the container's logDriver in the task definition.",
    );
    const router = withContainers([source.definition.containerDefinitions![1]!]);
    expect(() =>
      render(router, { logOptions: [{ option: 'awslogs-group', value: '/x' }] }),
    ).toThrow(
      "The awslogs options apply to no container: every container logs with another driver than awslogs. Leave them out, or change the containers' logDriver in the task definition.",
    );
  });

  it('wants group and region before it creates a log configuration', () => {
    expect(() =>
      render(billing(), { logOptions: [{ option: 'awslogs-stream-prefix', value: 'x' }] }),
    ).toThrow(
      "Container 'worker' would get its first log configuration without awslogs-group and awslogs-region: set them too.",
    );
  });

  it('replaces a command with the JSON array given, never re-split', () => {
    const input = render(billing(), {
      command: [{ container: 'worker', command: ['exec python -m worker --queue "night jobs"'] }],
    });
    expect(container(input, 'worker')?.command).toEqual([
      'exec python -m worker --queue "night jobs"',
    ]);
    expect(container(input, 'web')?.command).toEqual([
      'node',
      'server.js',
      '--banner',
      'Billing says "hi" & waves',
    ]);
  });

  it('passes unknown fields through untouched, at the top and in containers', () => {
    const input = render(shop(), { images: [{ container: 'api', image: 'shop/api:1.5.0' }] });
    expect(input).toHaveProperty('futureTopLevelSetting', true);
    expect(container(input, 'api')).toHaveProperty('futureContainerSetting', { mode: 'strict' });
    expect(container(input, 'api')?.restartPolicy).toEqual({
      enabled: true,
      restartAttemptPeriod: 300,
    });
  });

  it('puts the tags on the request', () => {
    expect(render(shop(), {}).tags).toEqual([
      { key: 'team', value: 'checkout' },
      { key: 'cost-center', value: '4711' },
    ]);
    expect(render(withContainers([{ name: 'a' }]), {})).not.toHaveProperty('tags');
  });

  it('never changes its input, and shares nothing with it', () => {
    const source = deepFreeze(shop());
    const before = JSON.stringify(source);
    const input = render(source, {
      images: [{ container: 'api', image: 'shop/api:2' }],
      environment: [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'NEW', value: '1' },
      ],
      secrets: [{ container: 'api', name: 'NEW_SECRET', valueFrom: SECRET }],
      logOptions: [{ option: 'mode', value: 'non-blocking' }],
      taskRoleArn: 'arn:aws:iam::111122223333:role/other',
    });
    expect(JSON.stringify(source)).toBe(before);
    input.containerDefinitions?.[1]?.command?.push('--mutated');
    (input as { futureTopLevelSetting?: unknown }).futureTopLevelSetting = false;
    expect(JSON.stringify(source)).toBe(before);
  });

  it('renders the same request from the same input every time', () => {
    const overrides: TaskDefinitionOverrides = {
      images: [
        { container: 'web', image: 'a:1' },
        { container: 'worker', image: 'b:1' },
      ],
      environment: [{ name: 'X', value: '1' }],
    };
    expect(render(billing(), overrides)).toEqual(render(billing(), overrides));
  });
});

function withContainers(containerDefinitions: object[]): TaskDefinitionSource {
  return {
    definition: { family: 'app', containerDefinitions },
    tags: [],
    origin: 'app.json',
  };
}
