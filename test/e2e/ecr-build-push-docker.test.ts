// The docker (buildx) builder for real, where a Docker daemon with buildx is available (GitHub's
// Ubuntu runners: the suite's own CI, where it must run). Elsewhere it is skipped with a note; the exact
// commands this path runs are tested in test/unit/ecr/builder.test.ts either way.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { useActionSteps } from './action-steps.ts';
import { result } from './step-assertions.ts';
import { workspace } from './workspace.ts';

const BUILDER = 'aws-ship-suite-e2e';
const KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAECRDOCKERKEY0001',
  AWS_SECRET_ACCESS_KEY: 'ecr-docker-secret-key-000000000000000000',
};
const docker = (...args: string[]) =>
  spawnSync('docker', args, { encoding: 'utf8', timeout: 120_000 });
const available = docker('buildx', 'version').status === 0 && docker('info').status === 0;
// On GitHub's runners (the suite's own CI) Docker is there: the tests must run, never skip.
const required = process.env.GITHUB_ACTIONS === 'true';
if (!available && !required) {
  console.log('ecr-build-push docker e2e skipped: no Docker daemon with buildx here');
}

(available || required ? describe : describe.skip)('ecr-build-push with builder: docker', () => {
  let emulator: Emulator;
  let root: string;

  beforeAll(async () => {
    emulator = await startEmulator({ ecr: { registry: true } });
    emulator.sts.addCredentials({
      accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
      secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY,
      arn: 'arn:aws:iam::123456789012:user/ci',
    });
    root = await mkdtemp(join(tmpdir(), 'ecr-docker-e2e-'));
    // BuildKit in a container on the host network, so it reaches the registry on 127.0.0.1.
    const created = docker(
      'buildx',
      'create',
      '--name',
      BUILDER,
      '--driver',
      'docker-container',
      '--driver-opt',
      'network=host',
      '--bootstrap',
    );
    expect(created.stderr).not.toMatch(/error/i);
  }, 180_000);

  const steps = useActionSteps('actions/ecr-build-push/action.yml', {
    defaults: () => ({
      env: {
        ...KEYS,
        AWS_ENDPOINT_URL: emulator.url,
        // The job's docker config, whose builders the action links into its own DOCKER_CONFIG.
        DOCKER_CONFIG: process.env.DOCKER_CONFIG || join(homedir(), '.docker'),
        BUILDX_BUILDER: BUILDER,
      },
      timeoutMs: 240_000,
    }),
    secrets: () => [
      emulator.ecr.password,
      ...emulator.ecr.issuedTokens,
      KEYS.AWS_SECRET_ACCESS_KEY,
    ],
    close: async () => {
      docker('buildx', 'rm', BUILDER);
      await emulator.close();
      await rm(root, { recursive: true, force: true });
    },
  });

  it('builds with buildx to an OCI layout, pushes by digest, and fills the ECR registry cache', async () => {
    emulator.ecr.createRepository('shop/docker');
    const cwd = workspace(
      {
        'app.txt': 'built by buildx\n',
        Dockerfile: 'FROM scratch\nCOPY app.txt /app.txt\n',
      },
      root,
    );
    const step = () =>
      steps.run({
        inputs: { repository: 'shop/docker', builder: 'docker', 'aws-region': 'us-east-1' },
        cwd,
      });

    const first = await step();
    expect(first.exitCode).toBe(0);
    expect(first.groups.find((g) => g.startsWith('docker buildx build'))).toContain(
      'image-manifest=true,oci-mediatypes=true,registry.insecure=true',
    );
    const repository = emulator.ecr.repository('shop/docker')!;
    expect(repository.images.get(first.outputs.digest!)).toBeDefined();
    expect([...repository.images.values()].some((image) => image.tags.has('buildcache'))).toBe(
      true,
    );

    const again = await step();
    expect(again.exitCode).toBe(0);
    expect(again.log).toMatch(/CACHED/);
    expect(result(again)).toMatchObject({ outcome: 'pushed' });
    expect((result(again) as { reusedBlobs: number }).reusedBlobs).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
