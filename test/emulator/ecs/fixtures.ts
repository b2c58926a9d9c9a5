// Test setup for ECS: an emulator with in-memory ELBv2/CloudWatch/Logs stand-ins, a real SDK
// client, and a blue/green-ready service seeded in a steady state.
import {
  DescribeServiceDeploymentsCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type CreateServiceRequest,
  type DeploymentConfiguration,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../server.ts';
import type { EcsPacing } from './model.ts';
import { testingWorld } from './testing-world.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const CLUSTER = 'prod';
export const SERVICE = 'web';
const elb = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
export const BLUE_TG = `${elb}:targetgroup/web-blue/0123456789abcdef`;
export const GREEN_TG = `${elb}:targetgroup/web-green/fedcba9876543210`;
export const LISTENER = `${elb}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const TEST_LISTENER = `${elb}:listener/app/web/50dc6c495c0c9188/0467ef3c8400ae65`;
export const PROD_RULE = `${elb}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
export const TEST_RULE = `${elb}:listener-rule/app/web/50dc6c495c0c9188/0467ef3c8400ae65/1c5a3c8a4a3f7e2d`;
export const LOG_GROUP = '/ecs/web';

/** 1 emulated minute = 100 ms. */
export const SCALE = 600;

export interface EcsHarness {
  readonly emulator: Emulator;
  readonly client: ECSClient;
  readonly world: ReturnType<typeof testingWorld>;
  close(): Promise<void>;
}

export async function startEcs(pacing: Partial<EcsPacing> = {}): Promise<EcsHarness> {
  const world = testingWorld();
  const emulator = await startEmulator({ timeScale: SCALE, ecs: { world, pacing } });
  emulator.sts.addCredentials({
    accessKeyId: 'AKIAECSTESTKEY000001',
    secretAccessKey: 'ecs-test-secret-access-key-0000000000000',
    arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
  });
  const client = new ECSClient({
    endpoint: emulator.url,
    region: REGION,
    maxAttempts: 1,
    credentials: {
      accessKeyId: 'AKIAECSTESTKEY000001',
      secretAccessKey: 'ecs-test-secret-access-key-0000000000000',
    },
  });
  world.loadBalancing.addTargetGroup(BLUE_TG);
  world.loadBalancing.addTargetGroup(GREEN_TG);
  world.loadBalancing.addRule(PROD_RULE, {
    listenerArn: LISTENER,
    weights: [
      { targetGroupArn: BLUE_TG, weight: 1 },
      { targetGroupArn: GREEN_TG, weight: 0 },
    ],
  });
  world.loadBalancing.addRule(TEST_RULE, {
    listenerArn: TEST_LISTENER,
    weights: [
      { targetGroupArn: BLUE_TG, weight: 1 },
      { targetGroupArn: GREEN_TG, weight: 0 },
    ],
  });
  emulator.ecs.createCluster(CLUSTER);
  return {
    emulator,
    client,
    world,
    async close() {
      client.destroy();
      await emulator.close();
    },
  };
}

/** Registers revision N of the `web` family (image tag vN) through the SDK; returns its ARN. */
export async function registerWeb(client: ECSClient, tag: string): Promise<string> {
  const out = await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecution`,
      containerDefinitions: [
        {
          name: 'app',
          image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:${tag}`,
          portMappings: [{ containerPort: 8080 }],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': LOG_GROUP,
              'awslogs-region': REGION,
              'awslogs-stream-prefix': 'web',
            },
          },
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

export const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'] },
};

export function blueGreenLoadBalancer(test = true) {
  return {
    targetGroupArn: BLUE_TG,
    containerName: 'app',
    containerPort: 8080,
    advancedConfiguration: {
      alternateTargetGroupArn: GREEN_TG,
      productionListenerRule: PROD_RULE,
      ...(test ? { testListenerRule: TEST_RULE } : {}),
      roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureForLoadBalancers`,
    },
  };
}

/** The `web` service in a steady state on `taskDefinition`, traffic on BLUE_TG. */
export function seedWeb(
  harness: EcsHarness,
  taskDefinition: string,
  deploymentConfiguration: DeploymentConfiguration,
  extra: Partial<CreateServiceRequest> = {},
) {
  return harness.emulator.ecs.seedService({
    cluster: CLUSTER,
    serviceName: SERVICE,
    taskDefinition,
    desiredCount: 2,
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    loadBalancers: [blueGreenLoadBalancer()],
    deploymentController: { type: 'ECS' },
    deploymentConfiguration,
    ...extra,
  });
}

export async function describeDeployment(
  client: ECSClient,
  arn: string,
): Promise<ServiceDeployment> {
  const out = await client.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
  );
  const deployment = out.serviceDeployments?.[0];
  if (deployment === undefined) throw new Error(`no service deployment ${arn}`);
  return deployment;
}

/** Polls `probe` until `done` holds (or fails after `timeoutMs` real ms). */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`condition not reached in ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    }
    await sleep(4);
  }
}

const FINAL = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

/** Polls DescribeServiceDeployments until the deployment has a final status. */
export function finished(client: ECSClient, arn: string): Promise<ServiceDeployment> {
  return until(
    () => describeDeployment(client, arn),
    (d) => FINAL.includes(d.status ?? ''),
  );
}

export interface SdkFailure {
  readonly name: string;
  readonly message: string;
}

export async function failure(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the call to fail');
}
