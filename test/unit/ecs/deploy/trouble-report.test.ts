import { describe, expect, it } from '@jest/globals';
import { gatherTrouble } from '../../../../src/ecs/deploy/trouble-report.ts';
import type { DeploymentPort, StoppedTask } from '../../../../src/ecs/deploy/ports.ts';
import { FakeLogs, awsError } from './fake-ecs.ts';

const task = (id: string, over: Partial<StoppedTask> = {}): StoppedTask => ({
  taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/prod/${id}`,
  containers: [{ name: 'web', exitCode: 0, logGroup: '/ecs/web', logStream: `web/web/${id}` }],
  ...over,
});

function port(tasks: StoppedTask[], failEvents = false): DeploymentPort {
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    start: unused,
    unfinished: unused,
    describe: unused,
    revisions: unused,
    resolveHook: unused,
    rollBack: unused,
    events: async () => {
      if (failEvents) throw awsError('ThrottlingException', 400);
      return [
        { at: new Date('2026-03-01T12:05:00Z'), message: 'tasks failed to start' },
        { at: new Date('2026-03-01T11:00:00Z'), message: 'has reached a steady state.' },
      ];
    },
    stoppedTasks: async () => tasks,
  };
}

describe('gatherTrouble', () => {
  it('keeps failed tasks, drops routine scale-ins, tails crashed containers first', async () => {
    const logs = new FakeLogs({ 'web/web/a': ['boom'], 'web/web/b': ['health check failed'] });
    const report = await gatherTrouble(
      { cluster: 'prod', service: 'web', since: new Date('2026-03-01T12:00:00Z') },
      {
        deployments: port([
          task('a', {
            stoppedReason: 'Essential container in task exited',
            containers: [
              { name: 'sidecar', exitCode: 0, logGroup: '/ecs/web', logStream: 'sidecar/a' },
              { name: 'web', exitCode: 137, logGroup: '/ecs/web', logStream: 'web/web/a' },
            ],
          }),
          task('b', { stoppedReason: 'Task failed ELB health checks in (target-group green)' }),
          task('c', { stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)' }),
        ]),
        logs,
      },
    );
    expect(report.events).toEqual([
      { at: '2026-03-01T12:05:00.000Z', message: 'tasks failed to start' },
    ]);
    expect(report.stoppedTasks.map((t) => t.taskArn.split('/').at(-1))).toEqual(['a', 'b']);
    expect(report.logTails.map((t) => [t.container, t.lines])).toEqual([
      ['web', ['boom']],
      ['web', ['health check failed']],
    ]);
    expect(logs.calls).not.toContain('/ecs/web sidecar/a');
    expect(report.unavailable).toEqual([]);
  });

  it('leaves out tasks that stopped before the deployment, and reads logs in their own region', async () => {
    const logs = new FakeLogs({ 'web/web/new': ['panic: nil map'] });
    const report = await gatherTrouble(
      { cluster: 'prod', service: 'web', since: new Date('2026-03-01T12:00:00Z') },
      {
        deployments: port([
          task('new', {
            taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7',
            stopCode: 'EssentialContainerExited',
            stoppedAt: new Date('2026-03-01T12:03:00Z'),
            containers: [
              {
                name: 'web',
                exitCode: 2,
                logGroup: '/ecs/web',
                logStream: 'web/web/new',
                logRegion: 'us-west-2',
              },
            ],
          }),
          task('yesterday', {
            stoppedAt: new Date('2026-02-28T09:00:00Z'),
            containers: [{ name: 'web', exitCode: 1 }],
          }),
        ]),
        logs,
      },
    );
    expect(report.stoppedTasks).toEqual([
      {
        taskArn: expect.stringMatching(/\/new$/),
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'web', exitCode: 2 }],
      },
    ]);
    expect(logs.calls).toEqual(['us-west-2 /ecs/web web/web/new']);
    expect(report.logTails[0]).toMatchObject({ region: 'us-west-2', lines: ['panic: nil map'] });
  });

  it('is best effort: what cannot be fetched is listed, not thrown', async () => {
    const report = await gatherTrouble(
      { cluster: 'prod', service: 'web' },
      { deployments: port([task('a', { stoppedReason: 'CannotPullContainerError' })], true) },
    );
    expect(report.events).toEqual([]);
    expect(report.stoppedTasks).toHaveLength(1);
    expect(report.unavailable).toEqual([
      expect.stringMatching(/^service events: ThrottlingException/),
      'container logs: no CloudWatch Logs access was given',
    ]);
  });
});
