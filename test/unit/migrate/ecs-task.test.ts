// The ECS task runner of mode: ecs-task against a fake port: service defaults, container choice,
// log draining and the result line, timeout and cancellation stopping the task.
import { describe, expect, it } from '@jest/globals';
import {
  type EcsTaskPort,
  type EcsTaskSpec,
  type TaskEvent,
  runMigrationTask,
} from '../../../src/migrate/ecs-task.ts';

function fakePort(options: { stopAfterPolls?: number; lines?: string[] } = {}) {
  const calls: string[] = [];
  let polls = 0;
  let served = 0;
  const lines = options.lines ?? [];
  const port: EcsTaskPort = {
    async describeTaskDefinition(reference) {
      calls.push(`describeTaskDefinition ${reference}`);
      return {
        arn: `arn:aws:ecs:us-east-1:1:task-definition/${reference}`,
        networkMode: 'awsvpc',
        containers: [
          { name: 'sidecar', essential: false, logGroup: undefined, logStreamPrefix: undefined },
          { name: 'app', essential: true, logGroup: '/ecs/app', logStreamPrefix: 'm' },
        ],
      };
    },
    async describeService(cluster, service) {
      calls.push(`describeService ${cluster}/${service}`);
      return {
        taskDefinition: 'app:7',
        network: { subnets: ['s-1'], securityGroups: ['sg-1'], assignPublicIp: false },
      };
    },
    async runTask(request) {
      calls.push(
        `runTask ${request.taskDefinition} ${request.container} ${request.network?.subnets.join(',')}`,
      );
      return 'arn:aws:ecs:us-east-1:1:task/c/abc123';
    },
    async describeTask() {
      polls++;
      const stopped = polls >= (options.stopAfterPolls ?? 2);
      return {
        lastStatus: stopped ? 'STOPPED' : 'RUNNING',
        stopCode: stopped ? 'EssentialContainerExited' : undefined,
        stoppedReason: undefined,
        exitCode: stopped ? 0 : undefined,
        containerReason: undefined,
      };
    },
    async stopTask(_cluster, arn, reason) {
      calls.push(`stopTask ${arn} ${reason}`);
    },
    async readLog(group, stream, token) {
      calls.push(`readLog ${group} ${stream}`);
      const from = Number(token ?? 0);
      const page = lines.slice(from, from + 2);
      served = from + page.length;
      return { lines: page, token: String(served) };
    },
  };
  return { port, calls };
}

const SPEC: EcsTaskSpec = {
  cluster: 'c',
  taskDefinition: undefined,
  service: 'web',
  container: undefined,
  network: undefined,
  command: ['node', '/opt/rds-migrate/cli.js', 'apply', '--json'],
  timeoutMs: 60_000,
  pollMs: 10,
};

const deps = (events: TaskEvent[], now = () => 0, signal?: AbortSignal) => ({
  sleep: async () => {},
  now,
  ...(signal ? { signal } : {}),
  onEvent: (event: TaskEvent) => events.push(event),
});

describe('runMigrationTask', () => {
  it("uses the service's task definition and network, the essential container, and reads the result line", async () => {
    const result = '{"version":1,"command":"apply","outcome":"applied"}';
    const { port, calls } = fakePort({
      lines: ['Applying V1__a.sql', 'Applied V1__a.sql', result],
    });
    const events: TaskEvent[] = [];
    const outcome = await runMigrationTask(SPEC, port, deps(events));
    expect(calls.slice(0, 3)).toEqual([
      'describeService c/web',
      'describeTaskDefinition app:7',
      'runTask arn:aws:ecs:us-east-1:1:task-definition/app:7 app s-1',
    ]);
    expect(calls).toContain('readLog /ecs/app m/app/abc123');
    expect(events.filter((e) => e.type === 'line').map((e) => e.type === 'line' && e.line)).toEqual(
      ['Applying V1__a.sql', 'Applied V1__a.sql', result],
    );
    expect(outcome).toEqual({
      taskArn: 'arn:aws:ecs:us-east-1:1:task/c/abc123',
      exitCode: 0,
      stoppedReason: undefined,
      result: { version: 1, command: 'apply', outcome: 'applied' },
      logsAvailable: true,
    });
  });

  it('names the containers when the one asked for is missing', async () => {
    const { port } = fakePort();
    await expect(runMigrationTask({ ...SPEC, container: 'db' }, port, deps([]))).rejects.toThrow(
      "has no container named 'db': set 'container' to one of sidecar, app.",
    );
  });

  it('stops the task when task-timeout runs out', async () => {
    const { port, calls } = fakePort({ stopAfterPolls: 1000 });
    let t = 0;
    await expect(
      runMigrationTask(
        { ...SPEC, timeoutMs: 50 },
        port,
        deps([], () => (t += 20)),
      ),
    ).rejects.toThrow(/did not finish within 50ms \(task-timeout\): it was stopped/);
    expect(calls).toContain(
      'stopTask arn:aws:ecs:us-east-1:1:task/c/abc123 rds-migrate: task-timeout ran out',
    );
  });

  it('stops the task when the job is cancelled', async () => {
    const { port, calls } = fakePort({ stopAfterPolls: 1000 });
    const controller = new AbortController();
    const cancelling = {
      ...deps([], () => 0, controller.signal),
      sleep: async () => {
        controller.abort(new Error('cancelled'));
        throw new Error('cancelled');
      },
    };
    await expect(runMigrationTask(SPEC, port, cancelling)).rejects.toThrow('cancelled');
    expect(calls).toContain(
      'stopTask arn:aws:ecs:us-east-1:1:task/c/abc123 rds-migrate: the job was cancelled',
    );
  });
});
