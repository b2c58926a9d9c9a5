// The shared world of the workflow tests: its roles trust exactly the environment and the suite's
// workflow they are given, and close() finds a secret in a run's log, cleans every run up and
// stops the servers even when a closer fails.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Emulator } from '../emulator/server.ts';
import type { WorkflowRun } from '../harness/workflow-runner/index.ts';
import { startAws, startWorkflowWorld, type WorkflowWorld } from './workflow-world.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-deploy-staging`;
const SUITE_DEPLOY = 'OWNER/aws-ship-suite/.github/workflows/deploy.yml@refs/heads/main';

/** A run whose one job printed `line`; `cleaned` counts its cleanup calls. */
function runPrinting(line: string, cleaned: { count: number }): WorkflowRun {
  return {
    conclusion: 'success',
    jobs: [{ id: 'deploy', log: [line], steps: [] }],
    outputs: {},
    secrets: [],
    cleanup: async () => {
      cleaned.count++;
    },
  } as unknown as WorkflowRun;
}

describe('startAws: the roles of the world', () => {
  let world: WorkflowWorld;
  let emulator: Emulator;
  beforeAll(async () => {
    world = await startWorkflowWorld({ commits: ['a'.repeat(40)] });
    emulator = await startAws(world, {
      account: ACCOUNT,
      roles: [{ arn: ROLE, environment: 'staging' }],
    });
  });
  afterAll(async () => {
    await world.close([]);
  });

  const assume = async (claims: Record<string, unknown>) => {
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      maxAttempts: 1,
    });
    try {
      await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE,
          RoleSessionName: 'test',
          WebIdentityToken: world.issuer.mintToken({ aud: 'sts.amazonaws.com', ...claims }),
        }),
      );
      return 'assumed';
    } catch (error) {
      return (error as Error).name;
    } finally {
      sts.destroy();
    }
  };

  it("trusts the environment's jobs of the suite's workflow, and no other", async () => {
    const staging = 'repo:octo-org/octo-app:environment:staging';
    expect(await assume({ sub: staging, job_workflow_ref: SUITE_DEPLOY })).toBe('assumed');
    expect(
      await assume({
        sub: 'repo:octo-org/octo-app:environment:production',
        job_workflow_ref: SUITE_DEPLOY,
      }),
    ).toBe('AccessDenied');
    expect(
      await assume({
        sub: staging,
        job_workflow_ref: 'octo-org/octo-app/.github/workflows/mine.yml@refs/heads/main',
      }),
    ).toBe('AccessDenied');
  });

  it('gives the app repository its commits and `writer` write access', () => {
    expect(world.repository.fullName).toBe('octo-org/octo-app');
    expect(world.repository.commits.has('a'.repeat(40))).toBe(true);
    expect(world.repository.collaborators.get('writer')).toBe('write');
  });
});

describe('WorkflowWorld.close', () => {
  it('reports a token the issuer handed out in a run, cleans every run up and stops the servers', async () => {
    const world = await startWorkflowWorld();
    const token = world.issuer.mintToken();
    const order: string[] = [];
    world.onClose(() => void order.push('first'));
    world.onClose(() => void order.push('second'));
    const cleaned = { count: 0 };
    const leaks = await world.close([
      runPrinting('nothing to see', cleaned),
      runPrinting(`token=${token}`, cleaned),
      undefined,
    ]);

    expect(leaks).toEqual([
      expect.stringMatching(/^secret #\d+ \(raw\) in deploy: log at line 1$/),
    ]);
    expect(cleaned.count).toBe(2);
    expect(order).toEqual(['second', 'first']);
    await expect(fetch(`${world.github.url}/repos/octo-org/octo-app`)).rejects.toThrow();
  });

  it('a secret added by the test is scanned for; the servers stop even when a closer throws', async () => {
    const world = await startWorkflowWorld();
    world.addSecrets(() => ['hunter2-database-password']);
    world.onClose(() => {
      throw new Error('closer failed');
    });
    await expect(
      world.close([runPrinting('password hunter2-database-password', { count: 0 })]),
    ).rejects.toThrow(/closer failed; and leaks: secret #\d+ \(raw\) in deploy: log/);
    await expect(fetch(`${world.issuer.url}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});
