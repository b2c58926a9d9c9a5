import { describe, expect, it } from '@jest/globals';
import {
  type BuildSpec,
  buildahCommands,
  builderEnv,
  dockerCommands,
} from '../../../src/ecr/builder.ts';

const spec: BuildSpec = {
  builder: 'docker',
  context: '.',
  file: 'Dockerfile',
  buildArgs: [['VERSION', '1.2.3']],
  secrets: [{ id: 'npmrc', file: '/tmp/job/secrets/npmrc' }],
  target: 'runtime',
  platforms: ['linux/amd64'],
  labels: [['org.opencontainers.image.revision', 'abc']],
  provenance: undefined,
  sbom: undefined,
  layoutDir: '/tmp/job/layout',
  localName: 'localhost/ecr-build-push:abc',
  authFile: '/tmp/job/auth/config.json',
  cacheRef: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:buildcache',
  insecureRegistry: false,
};

describe('docker buildx commands', () => {
  it('build to an OCI layout with the ECR cache options and no attestation index by default', () => {
    expect(dockerCommands(spec)).toEqual([
      {
        command: 'docker',
        args: [
          'buildx',
          'build',
          '--file',
          'Dockerfile',
          '--output',
          'type=oci,dest=/tmp/job/layout,tar=false',
          '--platform',
          'linux/amd64',
          '--build-arg',
          'VERSION=1.2.3',
          '--secret',
          'id=npmrc,src=/tmp/job/secrets/npmrc',
          '--target',
          'runtime',
          '--label',
          'org.opencontainers.image.revision=abc',
          '--provenance=false',
          '--cache-from',
          'type=registry,ref=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:buildcache',
          '--cache-to',
          'type=registry,ref=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:buildcache,mode=max,image-manifest=true,oci-mediatypes=true',
          '.',
        ],
      },
    ]);
  });

  it('pass provenance and sbom through, and mark a plain-HTTP test registry insecure', () => {
    const [build] = dockerCommands({
      ...spec,
      provenance: 'mode=max',
      sbom: 'true',
      cacheRef: '127.0.0.1:5000/web:buildcache',
      insecureRegistry: true,
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    expect(build!.args).toContain('--provenance=mode=max');
    expect(build!.args).toContain('--sbom=true');
    expect(build!.args).toContain('linux/amd64,linux/arm64');
    expect(build!.args).toContain(
      'type=registry,ref=127.0.0.1:5000/web:buildcache,registry.insecure=true',
    );
  });
});

describe('buildah commands', () => {
  it('build with the layer cache and the job auth file, then export an OCI layout', () => {
    expect(
      buildahCommands({ ...spec, builder: 'buildah', platforms: [], cacheRef: undefined }),
    ).toEqual([
      {
        command: 'buildah',
        args: [
          'build',
          '--layers',
          '--format',
          'oci',
          '--authfile',
          '/tmp/job/auth/config.json',
          '--file',
          'Dockerfile',
          '--tag',
          'localhost/ecr-build-push:abc',
          '--build-arg',
          'VERSION=1.2.3',
          '--secret',
          'id=npmrc,src=/tmp/job/secrets/npmrc',
          '--target',
          'runtime',
          '--label',
          'org.opencontainers.image.revision=abc',
          '.',
        ],
      },
      {
        command: 'buildah',
        args: ['push', '--format', 'oci', 'localhost/ecr-build-push:abc', 'oci:/tmp/job/layout'],
      },
    ]);
  });

  it('read and fill the registry cache repository', () => {
    const [build] = buildahCommands({
      ...spec,
      builder: 'buildah',
      cacheRef: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web-cache',
    });
    expect(build!.args.slice(-5)).toEqual([
      '--cache-from',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web-cache',
      '--cache-to',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web-cache',
      '.',
    ]);
  });

  it('build a manifest list for several platforms and push all of it', () => {
    const [build, exportLayout] = buildahCommands({
      ...spec,
      builder: 'buildah',
      platforms: ['linux/amd64', 'linux/arm64'],
      insecureRegistry: true,
    });
    expect(build!.args).toEqual(
      expect.arrayContaining([
        '--manifest',
        'localhost/ecr-build-push:abc',
        '--platform',
        'linux/amd64,linux/arm64',
        '--tls-verify=false',
      ]),
    );
    expect(exportLayout!.args).toEqual([
      'manifest',
      'push',
      '--all',
      '--format',
      'oci',
      'localhost/ecr-build-push:abc',
      'oci:/tmp/job/layout',
    ]);
  });

  it('never put a secret value on a command line: secrets are files, credentials the auth file', () => {
    const all = [
      ...buildahCommands({ ...spec, builder: 'buildah' }),
      ...dockerCommands(spec),
    ].flatMap((c) => c.args);
    expect(all.filter((a) => a.startsWith('id=npmrc'))).toEqual([
      'id=npmrc,src=/tmp/job/secrets/npmrc',
      'id=npmrc,src=/tmp/job/secrets/npmrc',
    ]);
    expect(all.some((a) => /password|--creds|-p$/.test(a))).toBe(false);
    expect(builderEnv(spec, '/tmp/job/auth')).toEqual({
      DOCKER_CONFIG: '/tmp/job/auth',
      REGISTRY_AUTH_FILE: '/tmp/job/auth/config.json',
    });
  });
});
