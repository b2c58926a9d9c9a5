// A build with buildah or buildx into an OCI layout in a scratch directory: build secrets as 0600
// files there, the registry cache, and labels naming the commit. The builder only builds; the
// layout is pushed by digest afterwards.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../lib/clock.ts';
import type { AuthFile } from './auth-file.ts';
import { type BuildSpec, type BuilderName, buildCommands, builderEnv } from './builder.ts';
import { type LayoutContents, readLayout } from './oci-layout.ts';
import type { RunBuilder } from './ports.ts';

export interface BuildOptions {
  builder: BuilderName;
  context: string;
  /** Dockerfile/Containerfile path. */
  file: string;
  buildArgs: [string, string][];
  /** id and value; each value goes to the builder as a file, never on a command line. */
  secrets: [string, string][];
  target: string | undefined;
  platforms: string[];
  labels: [string, string][];
  provenance: string | undefined;
  sbom: string | undefined;
  /** docker: the cache manifest's tag in the image's repository. */
  cacheTag: string | undefined;
  /** buildah: the repository of the registry cache. */
  cacheRepository: string | undefined;
  /** The commit built: the image's org.opencontainers.image.revision label. */
  revision: string | undefined;
  /** The code's repository URL: the image's org.opencontainers.image.source label. */
  sourceUrl: string | undefined;
}

export interface BuildRequest {
  build: BuildOptions;
  /** The image's repository (names the local image). */
  repository: string;
  /** A scratch directory of the build's own, removed by the caller. */
  work: string;
  authFile: AuthFile;
  /** See BuildSpec.cacheRef. */
  cacheRef: string | undefined;
  /** The registry speaks plain HTTP (a local test registry). */
  insecureRegistry: boolean;
}

export interface BuildPorts {
  runBuilder: RunBuilder;
  clock: Clock;
  signal: AbortSignal;
}

export interface BuiltImage {
  layoutDir: string;
  layout: LayoutContents;
  buildMs: number;
}

export async function buildImage(request: BuildRequest, ports: BuildPorts): Promise<BuiltImage> {
  const spec = await buildSpec(request);
  const started = ports.clock.now();
  for (const command of buildCommands(spec)) {
    await ports.runBuilder(command, builderEnv(spec, request.authFile.directory), ports.signal);
  }
  const buildMs = ports.clock.now() - started;
  return { layoutDir: spec.layoutDir, layout: await readLayout(spec.layoutDir), buildMs };
}

async function buildSpec(request: BuildRequest): Promise<BuildSpec> {
  const { build, work } = request;
  const secrets: { id: string; file: string }[] = [];
  if (build.secrets.length > 0) await mkdir(join(work, 'secrets'), { mode: 0o700 });
  for (const [id, value] of build.secrets) {
    const file = join(work, 'secrets', id);
    await writeFile(file, value, { mode: 0o600, flag: 'wx' });
    secrets.push({ id, file });
  }
  return {
    builder: build.builder,
    context: build.context,
    file: build.file,
    buildArgs: build.buildArgs,
    secrets,
    target: build.target,
    platforms: build.platforms,
    labels: [
      ...(build.revision ? ([['org.opencontainers.image.revision', build.revision]] as const) : []),
      ...(build.sourceUrl ? ([['org.opencontainers.image.source', build.sourceUrl]] as const) : []),
      ...build.labels,
    ],
    provenance: build.provenance,
    sbom: build.sbom,
    layoutDir: join(work, 'layout'),
    localName: `localhost/${request.repository}:ecr-build-push`,
    authFile: request.authFile.path,
    cacheRef: request.cacheRef,
    insecureRegistry: request.insecureRegistry,
  };
}
