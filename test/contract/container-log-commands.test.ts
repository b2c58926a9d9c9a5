// Text the actions do not control reaches the log too: the log lines of a container. Through the
// bundles against the AWS emulator, lines that look like workflow commands (in every form the
// runner reads) come out as plain text: no mask, annotation or output is forged from them, and the
// step's one error line is its own. ecs-canary-deploy shows a crashed task's last log lines;
// rds-migrate streams its ECS task's log.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import type { ContainerRun } from '../emulator/ecs/standalone-tasks.ts';
import type { ActionRun } from '../harness/index.ts';
import { useActionSteps } from '../e2e/action-steps.ts';
import { revision, useEcsDeployWorld } from '../e2e/ecs-deploy-world.ts';

/** Every form of workflow command the runner reads, and a guess at the stop-commands token. */
const COMMAND_LINES = [
  'starting app',
  '::add-mask::x',
  '::error::forged error',
  '::warning title=forged::forged warning',
  '  ::notice::forged notice, indented',
  '::set-output name=forged::forged',
  '::save-state name=forged::forged',
  'text ##[error]forged legacy error',
  '::stop-commands::plain-guess',
  '::plain-guess::',
  '::error::forged after a guessed resume',
];

/** What no run may show: a forged mask, annotation, output or state. */
function forged(run: ActionRun) {
  const steps = [run, ...(run.post ? [run.post] : [])];
  return {
    masks: steps.flatMap((s) => s.masks).filter((mask) => mask === 'x'),
    annotations: steps.flatMap((s) => s.annotations).filter((a) => /forged/.test(a.message)),
    outputs: Object.keys(run.outputs).filter((name) => name === 'forged'),
    state: Object.keys(run.state).filter((name) => name === 'forged'),
    errors: run.annotations.filter((a) => a.level === 'error').length,
  };
}

const KEYS = {
  accessKeyId: 'AKIACONTRACTLOGS0001',
  secretAccessKey: 'contract-log-commands-secret-key-000000',
};

describe('ecs-canary-deploy: a crashed task’s log lines', () => {
  const world = useEcsDeployWorld({ keys: KEYS, seed: 23 });

  it('come out as text, and nothing is forged from them', async () => {
    const app = world.app('loud');
    world.emulator.scenario.setBehaviour(revision(app, 2), {
      crash: { exitCode: 1, reason: 'boom' },
      logLines: COMMAND_LINES,
    });
    const run = await world.run(
      world.inputsFor(app, 'v2', {
        'log-options': 'group=/ecs/loud\nregion=us-east-1\nstream-prefix=ecs',
      }),
    );
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/^ {2}::error::forged error$/m);
    expect(forged(run)).toEqual({ masks: [], annotations: [], outputs: [], state: [], errors: 1 });
  }, 60_000);
});

describe('rds-migrate mode: ecs-task: the task’s streamed log', () => {
  let emulator: Emulator;

  /** The app's image: a command line that prints command-like lines and fails. */
  function loudContainer(run: ContainerRun): Promise<number> {
    for (const line of COMMAND_LINES) run.log(line);
    return Promise.resolve(1);
  }

  beforeAll(async () => {
    emulator = await startEmulator({ timeScale: 1000, ecs: { containerRuntime: loudContainer } });
    emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/ci' });
    emulator.ecs.createCluster('apps');
    emulator.ecs.registerTaskDefinition({
      family: 'migrate',
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
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/app', 'awslogs-stream-prefix': 'migrate' },
          },
        },
      ],
    });
  });

  const steps = useActionSteps('actions/rds-migrate/action.yml', {
    defaults: () => ({
      env: {
        AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
        AWS_ENDPOINT_URL: emulator.url,
        AWS_REGION: 'us-east-1',
      },
      timeoutMs: 60_000,
    }),
    secrets: () => [KEYS.secretAccessKey],
    close: () => emulator.close(),
  });

  it('comes out as text, and nothing is forged from it', async () => {
    const run = await steps.run({
      inputs: {
        mode: 'ecs-task',
        command: 'plan',
        cluster: 'apps',
        'task-definition': 'migrate',
        subnets: 'subnet-a',
        'poll-interval': '100ms',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/::error::forged error/);
    expect(forged(run)).toEqual({ masks: [], annotations: [], outputs: [], state: [], errors: 1 });
  }, 60_000);
});
