// ECS wired to the emulator's real ELBv2, CloudWatch and CloudWatch Logs (no stand-ins).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
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

describe('ECS with the real ELBv2, CloudWatch and Logs', () => {
  it('moves listener-rule weights, registers targets, writes logs and rolls back on an alarm', async () => {
    const alb = emulator.elbv2.createBlueGreenAlb('web');
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'web-canary-5xx', state: 'OK' });
    emulator.ecs.createCluster(CLUSTER);
    const v1 = await registerWeb(client, 'v1');
    const v2 = await registerWeb(client, 'v2');
    emulator.scenario.setBehaviour(v2, { logLines: ['v2 up'] });
    emulator.ecs.seedService({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: v1,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      loadBalancers: [
        {
          targetGroupArn: alb.blue.arn,
          containerName: 'app',
          containerPort: 8080,
          advancedConfiguration: {
            alternateTargetGroupArn: alb.green.arn,
            productionListenerRule: alb.productionRule.arn,
            testListenerRule: alb.testRule.arn,
            roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureForLoadBalancers`,
          },
        },
      ],
      deploymentConfiguration: {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
        bakeTimeInMinutes: 1,
        alarms: { alarmNames: ['web-canary-5xx'], enable: true, rollback: true },
      },
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
});
