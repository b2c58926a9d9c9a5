import { afterEach, describe, expect, it } from '@jest/globals';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  ACCOUNT,
  CLUSTER,
  LOG_GROUP,
  NETWORK,
  REGION,
  failure,
  registerWeb,
  startEcs,
  until,
  type EcsHarness,
} from './fixtures.ts';

let harness: EcsHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const IMAGE = (tag: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:${tag}`;

async function describeTask(h: EcsHarness, arn: string): Promise<Task> {
  const out = await h.client.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }));
  const task = out.tasks?.[0];
  if (task === undefined) throw new Error(`no task ${arn}`);
  return task;
}

const stopped = (h: EcsHarness, arn: string) =>
  until(
    () => describeTask(h, arn),
    (t) => t.lastStatus === 'STOPPED',
  );

describe('RunTask', () => {
  it("runs the container's program with the overridden command, logs its lines, and stops with its exit code", async () => {
    const h = (harness = await startEcs());
    const td = await registerWeb(h.client, 'migrate');
    const seen: { command: string[]; environment: Record<string, string> }[] = [];
    h.emulator.ecs.setTaskProgram(IMAGE('migrate'), async ({ command, environment, log }) => {
      seen.push({ command, environment });
      log('applying V1__create_users.sql');
      log('done');
      return 3;
    });
    const out = await h.client.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: td,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        startedBy: 'rds-migrate',
        overrides: {
          containerOverrides: [
            {
              name: 'app',
              command: ['migrate', '--command', 'apply'],
              environment: [{ name: 'PHASE', value: 'expand' }],
            },
          ],
        },
      }),
    );
    expect(out.failures).toEqual([]);
    const arn = out.tasks?.[0]?.taskArn ?? '';
    expect(out.tasks?.[0]).toMatchObject({ lastStatus: 'PROVISIONING', group: 'family:web' });

    const task = await stopped(h, arn);
    expect(task).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      startedBy: 'rds-migrate',
      taskDefinitionArn: td,
    });
    expect(task.containers?.[0]).toMatchObject({ name: 'app', exitCode: 3, lastStatus: 'STOPPED' });
    expect(seen).toEqual([
      { command: ['migrate', '--command', 'apply'], environment: { PHASE: 'expand' } },
    ]);
    const id = arn.split('/').at(-1);
    expect(h.world.logs.lines(LOG_GROUP, `web/app/${id}`)).toEqual([
      'applying V1__create_users.sql',
      'done',
    ]);
    const listed = await h.client.send(
      new ListTasksCommand({
        cluster: CLUSTER,
        startedBy: 'rds-migrate',
        desiredStatus: 'STOPPED',
      }),
    );
    expect(listed.taskArns).toEqual([arn]);
  });

  it('exits 0 at once for an image without a program', async () => {
    const h = (harness = await startEcs());
    const td = await registerWeb(h.client, 'v1');
    const out = await h.client.send(
      new RunTaskCommand({ cluster: CLUSTER, taskDefinition: td, networkConfiguration: NETWORK }),
    );
    const task = await stopped(h, out.tasks?.[0]?.taskArn ?? '');
    expect(task.containers?.[0]?.exitCode).toBe(0);
  });

  it('StopTask signals the program and stops the task as user-initiated', async () => {
    const h = (harness = await startEcs());
    const td = await registerWeb(h.client, 'slow');
    let aborted = false;
    h.emulator.ecs.setTaskProgram(
      IMAGE('slow'),
      ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve(143);
          });
        }),
    );
    const out = await h.client.send(
      new RunTaskCommand({ cluster: CLUSTER, taskDefinition: td, networkConfiguration: NETWORK }),
    );
    const arn = out.tasks?.[0]?.taskArn ?? '';
    await until(
      () => describeTask(h, arn),
      (t) => t.lastStatus === 'RUNNING',
    );
    const stop = await h.client.send(
      new StopTaskCommand({ cluster: CLUSTER, task: arn, reason: 'job cancelled' }),
    );
    expect(stop.task?.desiredStatus).toBe('STOPPED');
    const task = await stopped(h, arn);
    expect(aborted).toBe(true);
    expect(task).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'job cancelled' });
    expect(task.containers?.[0]?.exitCode).toBe(143);
  });

  it.each([
    [
      'no network configuration for awsvpc',
      {},
      "InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    ],
    ['count 11', { networkConfiguration: NETWORK, count: 11 }, /count must be between 1 and 10/],
    [
      'an override of an unknown container',
      {
        networkConfiguration: NETWORK,
        overrides: { containerOverrides: [{ name: 'worker', command: ['x'] }] },
      },
      /Override for container named worker is not a container/,
    ],
  ])('refuses %s', async (_, extra, message) => {
    const h = (harness = await startEcs());
    const td = await registerWeb(h.client, 'v1');
    const error = await failure(
      h.client.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: td, ...extra })),
    );
    expect(`${error.name}: ${error.message}`).toMatch(message);
  });

  it('refuses an unknown task definition and an unknown cluster as ECS does', async () => {
    const h = (harness = await startEcs());
    expect(
      await failure(
        h.client.send(
          new RunTaskCommand({
            cluster: CLUSTER,
            taskDefinition: 'nope:1',
            networkConfiguration: NETWORK,
          }),
        ),
      ),
    ).toEqual({ name: 'ClientException', message: 'TaskDefinition not found.' });
    const td = await registerWeb(h.client, 'v1');
    expect(
      await failure(
        h.client.send(
          new RunTaskCommand({
            cluster: 'nope',
            taskDefinition: td,
            networkConfiguration: NETWORK,
          }),
        ),
      ),
    ).toEqual({ name: 'ClusterNotFoundException', message: 'Cluster not found.' });
  });
});
