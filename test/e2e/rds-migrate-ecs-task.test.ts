// dist/rds-migrate/index.js with mode: ecs-task, against the AWS emulator whose RunTask runs the
// task's container for real: the rds-migrate command line (dist/rds-migrate/cli.js, as the app's
// image would carry it) against a real PostgreSQL. Its log comes back through CloudWatch Logs.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import type { ContainerRun } from '../emulator/ecs/standalone-tasks.ts';
import type { ActionRun } from '../harness/index.ts';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, result } from './step-assertions.ts';
import { migrationsWorkspace } from './workspace.ts';

const root = new URL('../..', import.meta.url).pathname;
const IMAGE_CLI = '/opt/rds-migrate/cli.js';
const KEYS = {
  accessKeyId: 'AKIARDSMIGRATETASK01',
  secretAccessKey: 'rds-migrate-task-aws-secret',
};

let server: PostgresServer;
let emulator: Emulator;
let database: string;
let migrations: string;
const containerRuns: ContainerRun[] = [];

/** The app's image: its migrations and the command line at IMAGE_CLI. */
function runContainer(run: ContainerRun): Promise<number> {
  containerRuns.push(run);
  const [program, cli, ...args] = run.command;
  if (program !== 'node' || cli !== IMAGE_CLI) return Promise.resolve(127);
  const child = spawn(process.execPath, [join(root, 'dist/rds-migrate/cli.js'), ...args], {
    cwd: migrations,
    env: { PATH: process.env.PATH, ...run.environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => run.log(line));
  }
  run.signal.addEventListener('abort', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 137)));
}

beforeAll(async () => {
  server = await startPostgres();
  database = await server.createDatabase();
  migrations = migrationsWorkspace({
    'V1__t.sql': 'CREATE TABLE t (id bigint);',
    'V2__u.sql':
      'CREATE TABLE u (id bigint);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS u_id ON u (id);',
  });
  emulator = await startEmulator({ timeScale: 1000, ecs: { containerRuntime: runContainer } });
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/ci' });
  emulator.ecs.createCluster('apps');
  for (const [family, url] of [
    ['migrate', server.url(database)],
    ['broken', server.url('no_such_database')],
  ] as const) {
    emulator.ecs.registerTaskDefinition({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      containerDefinitions: [
        {
          name: 'app',
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1',
          essential: true,
          // In a real task definition DATABASE_URL comes from `secrets` (Secrets Manager).
          environment: [{ name: 'DATABASE_URL', value: url }],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/app', 'awslogs-stream-prefix': 'migrate' },
          },
        },
      ],
    });
  }
});

beforeAll(() => {
  // A web service whose task definition and network the migration task borrows.
  emulator.ecs.seedService({
    cluster: 'apps',
    serviceName: 'web',
    taskDefinition: 'migrate',
    desiredCount: 1,
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ['subnet-web'], securityGroups: ['sg-web'] },
    },
    deploymentController: { type: 'ECS' },
  });
});

const steps = useActionSteps('actions/rds-migrate/action.yml', {
  defaults: () => ({
    inputs: {
      mode: 'ecs-task',
      cluster: 'apps',
      subnets: 'subnet-a, subnet-b',
      'security-groups': 'sg-db',
      'poll-interval': '100ms',
    },
    env: {
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_ENDPOINT_URL: emulator.url,
      AWS_REGION: 'us-east-1',
    },
    timeoutMs: 90_000,
  }),
  secrets: () => [server.password, KEYS.secretAccessKey],
  close: async () => {
    await emulator.close();
    await server.stop();
  },
});

const run = (inputs: Record<string, string>): Promise<ActionRun> => steps.run({ inputs });

describe('rds-migrate mode: ecs-task', () => {
  it('runs the command line in a task, streams its log, and takes its result', async () => {
    const r = await run({ command: 'apply', 'task-definition': 'migrate', phase: 'expand' });
    expect(r.exitCode).toBe(0);
    // The step's inputs (with action.yml's defaults) travel as flags; no database URL does.
    const command = containerRuns.at(-1)!.command;
    expect(command.slice(0, 4)).toEqual(['node', IMAGE_CLI, 'apply', '--json']);
    expect(command.join(' ')).toContain('--phase expand');
    expect(command.join(' ')).toContain('--lock-timeout 5s');
    expect(command.join(' ')).not.toContain('postgres://');
    expect(r.log).toMatch(
      /Started task arn:aws:ecs:us-east-1:123456789012:task\/apps\/\w+ \(.*task-definition\/migrate:1, container app\)/,
    );
    expect(r.log).toContain('  | Applied V2__u.sql');
    expect(r.log).toContain('Task STOPPED');
    expect(r.outputs).toMatchObject({ applied: '2', findings: '0' });
    expect(result(r)).toMatchObject({
      command: 'apply',
      outcome: 'applied',
      applied: [{ script: 'V1__t.sql' }, { script: 'V2__u.sql' }],
      task: { exitCode: 0 },
    });
    expect(await server.query(database, "SELECT to_regclass('u')::text AS t")).toEqual([
      { t: 'u' },
    ]);
    expect(emulator.calls.find((c) => c.action === 'RunTask')?.status).toBe(200);
  });

  it("borrows the service's task definition and network configuration", async () => {
    const r = await run({ command: 'plan', service: 'web', subnets: '', 'security-groups': '' });
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(/task-definition\/migrate:1, container app\)/);
    expect(result(r)).toMatchObject({ command: 'plan', outcome: 'ok', task: { exitCode: 0 } });
  });

  it('fails the step with the reason the task gave when it exits non-zero', async () => {
    const r = await run({ command: 'plan', 'task-definition': 'broken' });
    expectFailure(
      r,
      /^The migration task exited 1: Database 'no_such_database' does not exist on 127\.0\.0\.1:\d+/,
    );
    expect(result(r)).toMatchObject({ outcome: 'failed', task: { exitCode: 1 } });
  });

  it('refuses a database URL, which would travel in the task overrides', async () => {
    const r = await run({
      command: 'apply',
      'task-definition': 'migrate',
      'database-url': server.url(database),
    });
    expectFailure(r, /^mode: ecs-task does not take a database URL/);
    expect(r.masks).toContain(server.password);
  });

  it('needs subnets for an awsvpc task definition', async () => {
    const r = await run({ command: 'apply', 'task-definition': 'migrate', subnets: '' });
    expectFailure(r, /uses awsvpc networking: set 'subnets'/);
  });
});
