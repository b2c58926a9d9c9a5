import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../../../src/lib/errors.ts';
import { loadTaskDefinition } from '../../../../src/ecs/task-definition/load.ts';
import { parseOverrides } from '../../../../src/ecs/task-definition/parse-overrides.ts';
import { render } from '../../../../src/ecs/task-definition/render.ts';
import type { TaskDefinitionSource } from '../../../../src/ecs/task-definition/types.ts';
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
    const input = render(
      billing(),
      parseOverrides({
        images: `web=${ECR}/billing/web@${WEB_DIGEST}\nworker=${ECR}/billing/worker:2026.03.2@${WORKER_DIGEST}`,
      }),
    );
    expect(container(input, 'web')?.image).toBe(`${ECR}/billing/web@${WEB_DIGEST}`);
    expect(container(input, 'worker')?.image).toBe(
      `${ECR}/billing/worker:2026.03.2@${WORKER_DIGEST}`,
    );
  });

  it('names the containers that exist when an input names one that does not', () => {
    for (const overrides of [
      { images: 'api=app:2' },
      { environment: 'api:A=1' },
      { secrets: `api:S=${SECRET}` },
      { 'log-options': 'api:group=/x' },
      { command: '{"api": ["x"]}' },
    ]) {
      const input = Object.keys(overrides)[0];
      expect(() => render(billing(), parseOverrides(overrides))).toThrow(
        new UserError(
          `Input '${input}' names container 'api', which billing.yaml does not have: its containers are web, worker.`,
        ),
      );
    }
  });

  it('wants a container name for an image when there are several containers', () => {
    expect(() => render(billing(), parseOverrides({ images: 'app:2' }))).toThrow(
      "Input 'images' does not name a container, but billing.yaml has 2 (web, worker): write container=… on every line.",
    );
  });

  it('merges environment variables by name: override wins in place, new ones appended', () => {
    const input = render(
      billing(),
      parseOverrides({
        environment: [
          'FEATURE_FLAGS=invoices=on,refunds=on,audit=on',
          'web:GREETING=hello, wide world',
          'REGION=eu-west-1',
          'web:PORT=8080',
        ].join('\n'),
      }),
    );
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
    const input = render(billing(), parseOverrides({ environment: 'web:MODE=a\nMODE=b' }));
    expect(container(input, 'web')?.environment?.at(-1)).toEqual({ name: 'MODE', value: 'a' });
    expect(container(input, 'worker')?.environment?.at(-1)).toEqual({ name: 'MODE', value: 'b' });
  });

  it('merges secrets by name and leaves containers without overrides alone', () => {
    const source = shop();
    const input = render(
      source,
      parseOverrides({
        secrets: `api:DATABASE_PASSWORD=${SECRET}:password::AWSCURRENT:\napi:STRIPE_KEY=${SECRET}`,
      }),
    );
    expect(container(input, 'api')?.secrets).toEqual([
      { name: 'DATABASE_PASSWORD', valueFrom: `${SECRET}:password::AWSCURRENT:` },
      { name: 'STRIPE_KEY', valueFrom: SECRET },
    ]);
    expect(container(input, 'otel-collector')).toEqual(source.definition.containerDefinitions?.[1]);
    expect(container(input, 'otel-collector')).not.toHaveProperty('secrets');
  });

  it('sets the task and execution roles', () => {
    const input = render(
      billing(),
      parseOverrides({
        'task-role-arn': 'arn:aws:iam::111122223333:role/billing-task',
        'execution-role-arn': 'arn:aws:iam::111122223333:role/billing-execution-2',
      }),
    );
    expect(input.taskRoleArn).toBe('arn:aws:iam::111122223333:role/billing-task');
    expect(input.executionRoleArn).toBe('arn:aws:iam::111122223333:role/billing-execution-2');
  });

  it('applies awslogs options to all awslogs containers, creating a configuration where none is', () => {
    const input = render(
      billing(),
      parseOverrides({
        'log-options': 'group=/ecs/billing-v2\nregion=eu-central-1\nworker:stream-prefix=worker',
      }),
    );
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
    const input = render(source, parseOverrides({ 'log-options': 'api:mode=non-blocking' }));
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
    const input = render(
      source,
      parseOverrides({ 'log-options': 'group=/ecs/app\nregion=eu-west-1' }),
    );
    expect(container(input, 'router')?.logConfiguration).toEqual({
      logDriver: 'awsfirelens',
      options: { Name: 'cloudwatch' },
    });
    expect(container(input, 'app')?.logConfiguration?.logDriver).toBe('awslogs');
    expect(() => render(source, parseOverrides({ 'log-options': 'router:group=/x' }))).toThrow(
      "Input 'log-options' sets awslogs options for container 'router', which logs with awsfirelens: remove those lines, or change the container's logDriver in the task definition.",
    );
  });

  it('wants group and region before it creates a log configuration', () => {
    expect(() => render(billing(), parseOverrides({ 'log-options': 'stream-prefix=x' }))).toThrow(
      "Input 'log-options' gives container 'worker' its first log configuration without awslogs-group and awslogs-region: add group=… and region=….",
    );
  });

  it('replaces a command with the JSON array given, never re-split', () => {
    const input = render(
      billing(),
      parseOverrides({ command: '{"worker": ["exec python -m worker --queue \\"night jobs\\""]}' }),
    );
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
    const input = render(shop(), parseOverrides({ images: 'api=shop/api:1.5.0' }));
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
    const input = render(
      source,
      parseOverrides({
        images: 'api=shop/api:2',
        environment: 'LOG_LEVEL=debug\nNEW=1',
        secrets: `api:NEW_SECRET=${SECRET}`,
        'log-options': 'mode=non-blocking',
        'task-role-arn': 'arn:aws:iam::111122223333:role/other',
      }),
    );
    expect(JSON.stringify(source)).toBe(before);
    input.containerDefinitions?.[1]?.command?.push('--mutated');
    (input as { futureTopLevelSetting?: unknown }).futureTopLevelSetting = false;
    expect(JSON.stringify(source)).toBe(before);
  });

  it('renders the same request from the same input every time', () => {
    const overrides = parseOverrides({ images: 'web=a:1\nworker=b:1', environment: 'X=1' });
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
