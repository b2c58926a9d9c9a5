// The exact commands each builder runs, as pure functions: tests compare argv, the adapter runs
// them. Both builders write the image as an OCI layout; the suite pushes it itself, by digest.
// No secret is ever on a command line: build secrets go as files (`src=`), registry credentials
// through the auth file.

export type BuilderName = 'buildah' | 'docker';

export const BUILDERS: readonly BuilderName[] = ['buildah', 'docker'];

export interface BuildSpec {
  builder: BuilderName;
  context: string;
  /** Dockerfile/Containerfile path. */
  file: string;
  buildArgs: readonly (readonly [string, string])[];
  /** Build secrets as files the builder mounts at build time only (`RUN --mount=type=secret`). */
  secrets: readonly { id: string; file: string }[];
  target: string | undefined;
  platforms: readonly string[];
  labels: readonly (readonly [string, string])[];
  /** docker: --provenance value; undefined = false (no attestation index, #755). */
  provenance: string | undefined;
  /** --sbom value, passed through. */
  sbom: string | undefined;
  /** The OCI layout directory the image is written to. */
  layoutDir: string;
  /** buildah: the local image (or manifest list) name. */
  localName: string;
  /** The job's registry auth file (for private base images and the cache). */
  authFile: string;
  /**
   * Registry cache: docker, `host/repository:tag` (one cache manifest); buildah, `host/repository`
   * (one tag per cached step). undefined without cache.
   */
  cacheRef: string | undefined;
  /** The registry is plain HTTP (a local test registry). */
  insecureRegistry: boolean;
}

export interface Command {
  command: string;
  args: string[];
}

function common(spec: BuildSpec): string[] {
  return [
    ...spec.buildArgs.flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
    ...spec.secrets.flatMap(({ id, file }) => ['--secret', `id=${id},src=${file}`]),
    ...(spec.target ? ['--target', spec.target] : []),
    ...spec.labels.flatMap(([name, value]) => ['--label', `${name}=${value}`]),
  ];
}

/**
 * buildah: build into local storage with its layer cache (and the registry cache, so a fresh
 * runner reuses the steps another job built), then export an OCI layout.
 */
export function buildahCommands(spec: BuildSpec): Command[] {
  const multi = spec.platforms.length > 1;
  const build: Command = {
    command: 'buildah',
    args: [
      'build',
      '--layers',
      '--format',
      'oci',
      '--authfile',
      spec.authFile,
      ...(spec.insecureRegistry ? ['--tls-verify=false'] : []),
      '--file',
      spec.file,
      ...(multi ? ['--manifest', spec.localName] : ['--tag', spec.localName]),
      ...(spec.platforms.length ? ['--platform', spec.platforms.join(',')] : []),
      ...common(spec),
      ...(spec.sbom ? ['--sbom', spec.sbom] : []),
      ...(spec.cacheRef ? ['--cache-from', spec.cacheRef, '--cache-to', spec.cacheRef] : []),
      spec.context,
    ],
  };
  const exportLayout: Command = multi
    ? {
        command: 'buildah',
        args: [
          'manifest',
          'push',
          '--all',
          '--format',
          'oci',
          spec.localName,
          `oci:${spec.layoutDir}`,
        ],
      }
    : {
        command: 'buildah',
        args: ['push', '--format', 'oci', spec.localName, `oci:${spec.layoutDir}`],
      };
  return [build, exportLayout];
}

/**
 * docker buildx (a builder with the docker-container driver, as docker/setup-buildx-action makes):
 * OCI layout output, and the ECR registry cache with the options ECR needs (#20).
 */
export function dockerCommands(spec: BuildSpec): Command[] {
  const insecure = spec.insecureRegistry ? ',registry.insecure=true' : '';
  return [
    {
      command: 'docker',
      args: [
        'buildx',
        'build',
        '--file',
        spec.file,
        '--output',
        `type=oci,dest=${spec.layoutDir},tar=false`,
        ...(spec.platforms.length ? ['--platform', spec.platforms.join(',')] : []),
        ...common(spec),
        `--provenance=${spec.provenance ?? 'false'}`,
        ...(spec.sbom ? [`--sbom=${spec.sbom}`] : []),
        ...(spec.cacheRef
          ? [
              '--cache-from',
              `type=registry,ref=${spec.cacheRef}${insecure}`,
              '--cache-to',
              `type=registry,ref=${spec.cacheRef},mode=max,image-manifest=true,oci-mediatypes=true${insecure}`,
            ]
          : []),
        spec.context,
      ],
    },
  ];
}

export function buildCommands(spec: BuildSpec): Command[] {
  return spec.builder === 'buildah' ? buildahCommands(spec) : dockerCommands(spec);
}

/** The environment the builder gets: the job's auth file, never ~/.docker. */
export function builderEnv(
  spec: Pick<BuildSpec, 'authFile'>,
  authDirectory: string,
): Record<string, string> {
  return { DOCKER_CONFIG: authDirectory, REGISTRY_AUTH_FILE: spec.authFile };
}
