// ECS wired to the emulator's real ELBv2, CloudWatch and CloudWatch Logs (no stand-ins).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type DeploymentConfiguration,
  DescribeTasksCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { BlueGreenAlb } from '../elbv2.ts';
import { blueGreenLoadBalancers } from '../seed-app.ts';
import { startEmulator, type Emulator } from '../server.ts';
import {
  ACCOUNT,
  CLUSTER,
  describeDeployment,
  finished,
  LOG_GROUP,
  NETWORK,
  registerWeb,
  REGION,
  SCALE,
  SERVICE,
  until,
} from './fixtures.ts';

let emulator: Emulator;
let client: ECSClient;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: SCALE });
  emulator.sts.addCredentials({
    accessKeyId: 'AKIAECSWORLDKEY00001',
    secretAccessKey: 'ecs-world-secret-access-key-00000000000',
    arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
  });
  client = new ECSClient({
    endpoint: emulator.url,
    region: REGION,
    maxAttempts: 1,
    credentials: {
      accessKeyId: 'AKIAECSWORLDKEY00001',
      secretAccessKey: 'ecs-world-secret-access-key-00000000000',
    },
  });
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

/** Service `web` in `cluster`, steady on `taskDefinition` (2 tasks) behind `alb`'s blue group. */
function seedBlueGreen(
  cluster: string,
  alb: BlueGreenAlb,
  taskDefinition: string,
  deploymentConfiguration: DeploymentConfiguration,
): void {
  emulator.ecs.seedService({
    cluster,
    serviceName: SERVICE,
    taskDefinition,
    desiredCount: 2,
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    loadBalancers: blueGreenLoadBalancers(alb, ACCOUNT),
    deploymentConfiguration,
  });
}

describe('ECS with the real ELBv2, CloudWatch and Logs', () => {
  it('moves listener-rule weights, registers targets, writes logs and rolls back on an alarm', async () => {
    const alb = emulator.elbv2.createBlueGreenAlb('web');
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'web-canary-5xx', state: 'OK' });
    emulator.ecs.createCluster(CLUSTER);
    const v1 = await registerWeb(client, 'v1');
    const v2 = await registerWeb(client, 'v2');
    emulator.scenario.setBehaviour(v2, { logLines: ['v2 up'] });
    seedBlueGreen(CLUSTER, alb, v1, {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
      bakeTimeInMinutes: 1,
      alarms: { alarmNames: ['web-canary-5xx'], enable: true, rollback: true },
    });
    expect(emulator.elbv2.targets(alb.blue.arn).map((t) => t.revision)).toEqual([v1, v1]);

    const out = await client.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: v2 }),
    );
    const arn = out.service?.currentServiceDeployment ?? '';
    await until(
      () => describeDeployment(client, arn),
      (d) => d.targetServiceRevision?.requestedProductionTrafficWeight === 10,
    );
    expect(emulator.elbv2.ruleWeights(alb.productionRule.arn)).toEqual([
      { targetGroupArn: alb.blue.arn, weight: 90 },
      { targetGroupArn: alb.green.arn, weight: 10 },
    ]);
    const green = emulator.elbv2.targets(alb.green.arn);
    expect(green.map((t) => t.revision)).toEqual([v2, v2]);
    const taskId = emulator.ecs
      .tasks()
      .find((t) => t.taskDefinitionArn === v2)
      ?.taskArn?.split('/')
      .pop();
    expect(emulator.logs.messages(LOG_GROUP, `web/app/${taskId}`)).toEqual(['v2 up']);

    emulator.cloudwatch.setAlarmState('web-canary-5xx', 'ALARM', 'Threshold Crossed: test');
    const final = await finished(client, arn);
    expect(final).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      alarms: { triggeredAlarmNames: ['web-canary-5xx'] },
    });
    expect(emulator.elbv2.ruleWeights(alb.productionRule.arn)).toEqual([
      { targetGroupArn: alb.blue.arn, weight: 100 },
      { targetGroupArn: alb.green.arn, weight: 0 },
    ]);
  });

  it('replaces tasks that crash under load only after they served traffic; the breaker never sees 3 in a row', async () => {
    const alb = emulator.elbv2.createBlueGreenAlb('late');
    emulator.ecs.createCluster('late');
    const v3 = await registerWeb(client, 'v3');
    const v4 = await registerWeb(client, 'v4');
    // Healthy at start; the container exits after a minute of traffic (0.1 s at 600×).
    emulator.scenario.setBehaviour(v4, {
      crash: {
        exitCode: 137,
        reason: 'OutOfMemoryError: Container killed',
        afterServingSeconds: 60,
      },
    });
    seedBlueGreen('late', alb, v3, {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 600 },
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 20);
    const out = await client.send(
      new UpdateServiceCommand({ cluster: 'late', service: SERVICE, taskDefinition: v4 }),
    );
    const arn = out.service?.currentServiceDeployment ?? '';

    const stopped = () =>
      emulator.ecs.tasks().filter((t) => t.taskDefinitionArn === v4 && t.lastStatus === 'STOPPED');
    await until(
      async () => stopped(),
      (tasks) => tasks.length >= 4,
    );
    const tasks = await client.send(
      new DescribeTasksCommand({ cluster: 'late', tasks: stopped().map((t) => t.taskArn ?? '') }),
    );
    for (const task of tasks.tasks ?? []) {
      expect(task).toMatchObject({
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ exitCode: 137, reason: 'OutOfMemoryError: Container killed' }],
      });
      // It was healthy and took its minute of traffic first.
      expect(task.startedAt).toBeDefined();
      const ip = task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address');
      expect(emulator.traffic.served(ip?.value ?? '').seconds).toBeGreaterThanOrEqual(60);
    }
    // Replacements keep the revision at desiredCount while the canary runs.
    expect(
      emulator.ecs.tasks().filter((t) => t.taskDefinitionArn === v4 && t.lastStatus !== 'STOPPED')
        .length,
    ).toBeLessThanOrEqual(2);
    // Requests sent to a dead container before ECS deregistered it failed.
    expect(emulator.traffic.totals(alb.green.arn).connectionErrors).toBeGreaterThan(0);
    // Each replacement passes its health checks first, so the circuit breaker (reset on a
    // healthy task) never counts three failures: it takes the canary analysis to see this.
    const deployment = await describeDeployment(client, arn);
    expect(deployment.status).toBe('IN_PROGRESS');
    expect(deployment.deploymentCircuitBreaker).toMatchObject({ status: 'MONITORING' });
  });
});
