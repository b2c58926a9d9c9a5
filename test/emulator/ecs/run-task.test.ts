// RunTask, DescribeTasks and StopTask for standalone tasks through the real SDK client: the
// container runtime a test supplies, its output in CloudWatch Logs, its exit code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import type { ContainerRun } from './standalone-tasks.ts';
import { type Emulator, startEmulator } from '../server.ts';

const KEYS = { accessKeyId: 'AKIARUNTASKTEST00001', secretAccessKey: 'run-task-test-secret' };
let emulator: Emulator;
let ecs: ECSClient;
const runs: ContainerRun[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    timeScale: 1000,
    ecs: {
      containerRuntime: async (run) => {
        runs.push(run);
        if (run.command[0] === 'sleep') {
          await new Promise((resolve, reject) => {
            const timer = setTimeout(resolve, 60_000);
            run.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(new Error('killed'));
            });
          });
        }
        run.log(`hello from ${run.name}`);
        run.log(`MODE=${run.environment.MODE}`);
        return Number(run.command[1] ?? 0);
      },
    },
  });
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/ci' });
  emulator.ecs.createCluster('jobs');
  emulator.ecs.registerTaskDefinition({
    family: 'migrate',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: 'app:1',
        essential: true,
        command: ['exit', '0'],
        environment: [{ name: 'MODE', value: 'default' }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/migrate', 'awslogs-stream-prefix': 'job' },
        },
      },
    ],
  });
  ecs = new ECSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: KEYS });
});

afterAll(async () => {
  ecs.destroy();
  await emulator.close();
});

async function settle(arn: string): Promise<Task> {
  for (;;) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'jobs', tasks: [arn] }));
    if (tasks?.[0]?.lastStatus === 'STOPPED') return tasks[0];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const network = { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } };

describe('RunTask', () => {
  it('runs the container with the overrides, logs to its awslogs stream, and reports the exit code', async () => {
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: 'migrate',
        networkConfiguration: network,
        overrides: {
          containerOverrides: [
            {
              name: 'app',
              command: ['exit', '3'],
              environment: [{ name: 'MODE', value: 'migrate' }],
            },
          ],
        },
      }),
    );
    const arn = tasks![0]!.taskArn!;
    expect(tasks![0]!.lastStatus).toBe('PROVISIONING');
    const stopped = await settle(arn);
    expect(stopped).toMatchObject({
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'app', exitCode: 3, lastStatus: 'STOPPED' }],
    });
    expect(runs.at(-1)).toMatchObject({ command: ['exit', '3'], environment: { MODE: 'migrate' } });
    const id = arn.split('/').at(-1)!;
    expect(emulator.logs.messages('/ecs/migrate', `job/app/${id}`)).toEqual([
      'hello from app',
      'MODE=migrate',
    ]);
  });

  it('needs a network configuration for awsvpc', async () => {
    await expect(
      ecs.send(new RunTaskCommand({ cluster: 'jobs', taskDefinition: 'migrate' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    });
  });

  it('stops a running task: the container is killed and exits 137', async () => {
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: 'migrate',
        networkConfiguration: network,
        overrides: { containerOverrides: [{ name: 'app', command: ['sleep'] }] },
      }),
    );
    const arn = tasks![0]!.taskArn!;
    for (;;) {
      const { tasks: now } = await ecs.send(
        new DescribeTasksCommand({ cluster: 'jobs', tasks: [arn] }),
      );
      if (now?.[0]?.lastStatus === 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await ecs.send(new StopTaskCommand({ cluster: 'jobs', task: arn, reason: 'cancelled' }));
    expect(await settle(arn)).toMatchObject({
      stopCode: 'UserInitiated',
      stoppedReason: 'cancelled',
      containers: [{ exitCode: 137 }],
    });
  });
});
