import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInputs } from '../../../../src/actions/ecr-build-push/inputs.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const DIGEST = `sha256:${'b'.repeat(64)}`;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'ecr-inputs-'));
  await writeFile(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  env = {
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    AWS_REGION: 'eu-west-1',
  };
});

const parse = (inputs: Record<string, string>) => parseInputs((name) => inputs[name], env);

describe('ecr-build-push inputs', () => {
  it('applies the defaults: docker builder, the commit SHA as tag, ECR cache, no scan wait', () => {
    const config = parse({ repository: 'team/web' });
    expect(config).toMatchObject({
      mode: 'build',
      region: 'eu-west-1',
      repository: 'team/web',
      registryId: undefined,
      loginRegistryIds: [],
      tags: [SHA],
      createRepository: false,
      scan: undefined,
      retry: { maxAttempts: 5 },
      build: {
        builder: 'docker',
        context: env.GITHUB_WORKSPACE,
        file: join(env.GITHUB_WORKSPACE!, 'Dockerfile'),
        cacheTag: 'buildcache',
        cacheRepository: undefined,
        provenance: undefined,
      },
    });
    const buildah = parse({ repository: 'team/web', builder: 'buildah' });
    expect(buildah.mode === 'build' && buildah.build).toMatchObject({
      cacheTag: undefined,
      cacheRepository: 'team/web-cache',
    });
    const none = parse({ repository: 'team/web', builder: 'buildah', cache: 'false' });
    expect(none.mode === 'build' && none.build.cacheRepository).toBeUndefined();
  });

  it('reads build args, secrets and labels line by line, values with = and commas intact', () => {
    const config = parse({
      repository: 'team/web',
      'build-args': 'A=1\nB=x=y,z\n',
      secrets: 'npmrc=//registry/:_authToken=abc,def',
      labels: 'team=web',
    });
    expect(config.mode === 'build' && config.build).toMatchObject({
      buildArgs: [
        ['A', '1'],
        ['B', 'x=y,z'],
      ],
      secrets: [['npmrc', '//registry/:_authToken=abc,def']],
      labels: [['team', 'web']],
    });
    expect(() => parse({ repository: 'team/web', secrets: 'just-a-token' })).toThrow(
      "Input 'secrets' has a line that is not id=value: give one id=value per line.",
    );
  });

  it('logs in to the target registry first, then the others', () => {
    expect(
      parse({
        repository: 'team/web',
        'registry-id': '111122223333',
        'registry-ids': '444455556666, 111122223333',
      }).loginRegistryIds,
    ).toEqual(['111122223333', '444455556666']);
    expect(() => parse({ repository: 'team/web', 'registry-ids': '444455556666' })).toThrow(
      /needs 'registry-id' too/,
    );
  });

  it('a fail-on-severity implies waiting for the scan', () => {
    expect(parse({ repository: 'team/web', 'fail-on-severity': 'Critical' }).scan).toEqual({
      timeoutMs: 600_000,
      pollIntervalMs: 5_000,
      failOn: 'CRITICAL',
    });
  });

  it('refuses a cache tag that is also an image tag, and provenance with buildah', () => {
    expect(() => parse({ repository: 'team/web', tags: 'buildcache' })).toThrow(
      /is also an image tag/,
    );
    expect(() =>
      parse({ repository: 'team/web', builder: 'buildah', provenance: 'mode=max' }),
    ).toThrow(
      "Input 'provenance' needs builder: docker; buildah makes no provenance attestations.",
    );
  });

  describe('promote', () => {
    it('takes the source account and region from an ECR host, and skips the build inputs', () => {
      const config = parse({
        mode: 'promote',
        repository: 'prod/web',
        'source-image': `111122223333.dkr.ecr.us-east-2.amazonaws.com/staging/web@${DIGEST}`,
        context: 'does-not-exist',
      });
      expect(config).toMatchObject({
        mode: 'promote',
        source: {
          host: '111122223333.dkr.ecr.us-east-2.amazonaws.com',
          repository: 'staging/web',
          digest: DIGEST,
          registryId: '111122223333',
          region: 'us-east-2',
        },
      });
    });

    it('uses aws-region, or source-region, for a source without an ECR host', () => {
      const plain = parse({
        mode: 'promote',
        repository: 'prod/web',
        'source-image': `staging/web@${DIGEST}`,
      });
      expect(plain.mode === 'promote' && plain.source).toMatchObject({
        host: undefined,
        registryId: undefined,
        region: 'eu-west-1',
      });
      const other = parse({
        mode: 'promote',
        repository: 'prod/web',
        'source-image': `staging/web@${DIGEST}`,
        'source-region': 'ap-south-1',
      });
      expect(other.mode === 'promote' && other.source.region).toBe('ap-south-1');
    });

    it('refuses a missing source, a conflicting region, and an unknown mode', () => {
      expect(() => parse({ mode: 'promote', repository: 'prod/web' })).toThrow(
        /mode: promote needs 'source-image'/,
      );
      expect(() =>
        parse({
          mode: 'promote',
          repository: 'prod/web',
          'source-image': `111122223333.dkr.ecr.us-east-2.amazonaws.com/staging/web@${DIGEST}`,
          'source-region': 'eu-west-1',
        }),
      ).toThrow(
        "Input 'source-region' is eu-west-1, but source-image names a registry in us-east-2: leave source-region out.",
      );
      expect(() => parse({ mode: 'copy', repository: 'prod/web' })).toThrow(
        "Input 'mode' is 'copy': use build or promote.",
      );
    });
  });
});
