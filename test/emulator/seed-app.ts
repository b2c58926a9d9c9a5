// A containerised app as the deploy tests and the rehearsal need it: a cluster, an ALB with
// blue/green target groups and listener rules, a Fargate service steady on revision 1 with
// ECS-managed deployments, and live traffic on the production listener.
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import type { BlueGreenAlb } from './elbv2.ts';
import type { Emulator } from './server.ts';

export interface BlueGreenApp {
  name: string;
  cluster: string;
  alb: BlueGreenAlb;
  /** ARN of `<name>:1`, the revision the service runs. */
  v1: string;
  /** The image reference for a tag, e.g. `…/shop:v2`. */
  image(tag: string): string;
}

export interface BlueGreenAppOptions {
  name: string;
  cluster?: string;
  account?: string;
  /** Repository of the app's image; defaults to an ECR repository named after the app. */
  repository?: string;
  desiredCount?: number;
  requestsPerSecond?: number;
}

export function seedBlueGreenApp(emulator: Emulator, options: BlueGreenAppOptions): BlueGreenApp {
  const { name, account = '123456789012' } = options;
  const cluster = options.cluster ?? name;
  const repository = options.repository ?? `${account}.dkr.ecr.us-east-1.amazonaws.com/${name}`;
  const image = (tag: string) => `${repository}:${tag}`;

  emulator.ecs.createCluster(cluster);
  const alb = emulator.elbv2.createBlueGreenAlb(name);
  const v1 =
    emulator.ecs.registerTaskDefinition({
      family: name,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: `arn:aws:iam::${account}:role/ecsTaskExecution`,
      containerDefinitions: [
        { name: 'app', image: image('v1'), portMappings: [{ containerPort: 8080 }] },
      ],
    }).taskDefinitionArn ?? '';
  emulator.ecs.seedService({
    cluster,
    serviceName: name,
    taskDefinition: v1,
    desiredCount: options.desiredCount ?? 2,
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'] },
    },
    loadBalancers: blueGreenLoadBalancers(alb, account),
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: { strategy: 'ROLLING' },
  });
  emulator.scenario.setRequestRate(alb.productionListener.arn, options.requestsPerSecond ?? 20);
  return { name, cluster, alb, v1, image };
}

/** Container `app` port 8080 behind `alb`: production in blue, ECS-managed blue/green rules. */
export function blueGreenLoadBalancers(alb: BlueGreenAlb, account: string): LoadBalancer[] {
  return [
    {
      targetGroupArn: alb.blue.arn,
      containerName: 'app',
      containerPort: 8080,
      advancedConfiguration: {
        alternateTargetGroupArn: alb.green.arn,
        productionListenerRule: alb.productionRule.arn,
        testListenerRule: alb.testRule.arn,
        roleArn: `arn:aws:iam::${account}:role/ecsInfrastructureForLoadBalancers`,
      },
    },
  ];
}

/**
 * ecs-canary-deploy inputs for an emulator at 120×: a minute of bake takes half a second, and the
 * gates watch one analysis interval (the engine's minimum, 10 s).
 */
export const CANARY_INPUTS_AT_120X: Readonly<Record<string, string>> = {
  'canary-percent': '20',
  'canary-bake': '1m',
  'bake-time': '1m',
  'min-requests': '50',
  'max-error-rate': '0.05',
  'analysis-interval': '10s',
  'poll-interval': '1s',
  'hook-timeout': '240m',
};
