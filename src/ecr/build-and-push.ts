// The ecr-build-push engine: log in to every registry involved, make sure the repository is
// there, build into an OCI layout (or read the image to promote from its registry), push by
// digest and tag, then wait for ECR's scan and judge its findings.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Sleep } from '../lib/clock.ts';
import type { AuthFile } from './auth-file.ts';
import { type RegistryLogin, isInsecure } from './authorization.ts';
import { type BuildOptions, buildImage } from './build-image.ts';
import { type Login, type LoginRequest, logIn } from './login.ts';
import { blobPath } from './oci-layout.ts';
import type { EcrPort, RegistryPort, RepositoryFacts, RunBuilder } from './ports.ts';
import { promote } from './promote.ts';
import { type PublishEvent, type PublishResult, publish } from './publish.ts';
import { type RepositoryRequest, ensureCacheRepository, ensureRepository } from './repository.ts';
import { type ScanReport, type Severity, judgeFindings, waitForScan } from './scan.ts';

export type { BuildOptions } from './build-image.ts';

/** The image a promotion starts from, and where to log in to read it. */
export interface PromotionSource {
  /** The registry host the source's name gives, if any: checked against the login's. */
  host: string | undefined;
  repository: string;
  digest: string;
  registryId: string | undefined;
  region: string;
}

export interface ScanOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  /** Findings at or above this severity fail the step; undefined: none do. */
  failOn: Severity | undefined;
}

export type BuildAndPushOptions = (
  { mode: 'build'; build: BuildOptions } | { mode: 'promote'; source: PromotionSource }
) & {
  region: string;
  repository: string;
  registryId: string | undefined;
  /** Every registry to log in to: the target's first (empty = the caller's own account). */
  loginRegistryIds: string[];
  tags: string[];
  createRepository: boolean;
  kmsKey: string | undefined;
  untaggedExpiryDays: number;
  /** undefined: do not wait for the scan. */
  scan: ScanOptions | undefined;
  /** The job's own directory (under RUNNER_TEMP): auth file, build scratch, scan findings. */
  jobDirectory: string;
  /** The job's docker config directory, whose builders the auth file's directory links. */
  dockerConfig: string;
};

export interface BuildAndPushPorts {
  /** ECR in a region: the target's, and a promotion source's when it is in another. */
  ecr(region: string): EcrPort;
  /** A registry's /v2 API with a login. */
  registry(login: RegistryLogin): RegistryPort;
  runBuilder: RunBuilder;
  /** Called with every secret the moment it exists, before anything can print it. */
  mask(secret: string): void;
  /** The job's auth file exists: remove it after the job, point later steps at it. */
  keepAuthFile(file: AuthFile): void;
  clock: Clock;
  sleep: Sleep;
  signal: AbortSignal;
  onEvent(event: BuildAndPushEvent): void;
}

/** What is in the registry once the push or promotion is done, before any scan. */
export type ImageFacts = (
  { outcome: 'pushed'; buildMs: number } | { outcome: 'promoted'; source: string; copied: boolean }
) & {
  /** The target registry's host. */
  registry: string;
  repository: RepositoryFacts;
  /** This step created the repository. */
  created: boolean;
  published: PublishResult;
  /** The push's (or the copy's) time. */
  pushMs: number;
};

export interface ScanOutcome {
  report: ScanReport;
  /** The report as JSON, with the image, for quality-gate. */
  file: string;
  failOn: Severity | undefined;
}

export type BuildAndPushResult = ImageFacts & { scan: ScanOutcome | undefined };

/**
 * Progress, in order. `published`: the image is in the registry, whatever fails later.
 * `scanned` comes before the findings are judged, so a scan that fails the step is reported too.
 */
export type BuildAndPushEvent =
  | { type: 'logged-in'; hosts: string[]; authFile: string }
  | { type: 'repository'; registry: string; repository: RepositoryFacts; created: boolean }
  | { type: 'cache-repository'; name: string; status: 'created' | 'missing' }
  | PublishEvent
  | { type: 'published'; image: ImageFacts }
  | { type: 'scan-waiting'; digest: string; status: string; elapsedMs: number }
  | { type: 'scanned'; scan: ScanOutcome };

/** Without scan on push, how long an enhanced scan may take to appear before we stop waiting. */
const NO_SCAN_GRACE_MS = 60_000;

interface Target {
  ecr: EcrPort;
  login: Login;
  registry: RegistryPort;
  repository: RepositoryFacts;
  created: boolean;
}

export async function buildAndPush(
  options: BuildAndPushOptions,
  ports: BuildAndPushPorts,
): Promise<BuildAndPushResult> {
  const { signal } = ports;
  const ecr = ports.ecr(options.region);
  await mkdir(options.jobDirectory, { recursive: true, mode: 0o700 });
  const login = await logIn(
    {
      registryIds: options.loginRegistryIds,
      source: options.mode === 'promote' ? sourceOf(options, ecr, ports) : undefined,
      jobDirectory: options.jobDirectory,
      dockerConfig: options.dockerConfig,
    },
    { ecr, mask: ports.mask, keepAuthFile: ports.keepAuthFile, signal },
  );
  ports.onEvent({ type: 'logged-in', hosts: login.hosts, authFile: login.authFile.path });

  const { repository, created } = await ensureRepository(
    ecr,
    repositoryRequest(options, options.repository),
    signal,
  );
  ports.onEvent({ type: 'repository', registry: login.target.host, repository, created });
  const target: Target = {
    ecr,
    login,
    registry: ports.registry(login.target),
    repository,
    created,
  };

  const image =
    options.mode === 'build'
      ? await pushBuild(options, options.build, target, ports)
      : await promoteImage(options, target, ports);
  ports.onEvent({ type: 'published', image });
  if (options.scan === undefined) return { ...image, scan: undefined };

  const scan = await scanImage(image, options.scan, ecr, options.jobDirectory, ports);
  ports.onEvent({ type: 'scanned', scan });
  judgeFindings(scan.report, scan.failOn);
  return { ...image, scan };
}

/** Where a promotion reads from: ECR in the source's region, with its own login. */
function sourceOf(
  options: BuildAndPushOptions & { mode: 'promote' },
  targetEcr: EcrPort,
  ports: BuildAndPushPorts,
): LoginRequest['source'] {
  const { source } = options;
  return {
    ecr: source.region === options.region ? targetEcr : ports.ecr(source.region),
    registryIds: source.registryId ? [source.registryId] : [],
    host: source.host,
  };
}

function repositoryRequest(options: BuildAndPushOptions, name: string): RepositoryRequest {
  return {
    name,
    registryId: options.registryId,
    create: options.createRepository,
    kmsKey: options.kmsKey,
    untaggedExpiryDays: options.untaggedExpiryDays,
  };
}

async function pushBuild(
  options: BuildAndPushOptions,
  build: BuildOptions,
  target: Target,
  ports: BuildAndPushPorts,
): Promise<ImageFacts> {
  const work = await mkdtemp(join(options.jobDirectory, 'ecr-build-'));
  try {
    const built = await buildImage(
      {
        build,
        repository: options.repository,
        work,
        authFile: target.login.authFile,
        cacheRef: await registryCache(options, build, target, ports),
        insecureRegistry: isInsecure(target.login.target),
      },
      ports,
    );
    const started = ports.clock.now();
    const published = await publish(
      {
        repository: target.repository,
        tags: options.tags,
        layout: built.layout,
        readBlob: (digest) => readFile(blobPath(built.layoutDir, digest)),
      },
      { ecr: target.ecr, registry: target.registry, signal: ports.signal, onEvent: ports.onEvent },
    );
    return {
      outcome: 'pushed',
      buildMs: built.buildMs,
      ...facts(target),
      published,
      pushMs: ports.clock.now() - started,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * docker: a cache manifest under its own tag in the image's repository. buildah: a repository of
 * its own (one tag per cached step), created with the image's when the step may create
 * repositories; missing, the build goes on without it.
 */
async function registryCache(
  options: BuildAndPushOptions,
  build: BuildOptions,
  target: Target,
  ports: BuildAndPushPorts,
): Promise<string | undefined> {
  const host = target.login.target.host;
  if (build.cacheTag) return `${host}/${options.repository}:${build.cacheTag}`;
  if (!build.cacheRepository) return undefined;
  const name = build.cacheRepository;
  const status = await ensureCacheRepository(
    target.ecr,
    repositoryRequest(options, name),
    ports.signal,
  );
  if (status !== 'exists') ports.onEvent({ type: 'cache-repository', name, status });
  return status === 'missing' ? undefined : `${host}/${name}`;
}

async function promoteImage(
  options: BuildAndPushOptions & { mode: 'promote' },
  target: Target,
  ports: BuildAndPushPorts,
): Promise<ImageFacts> {
  const source = target.login.source!;
  const started = ports.clock.now();
  const promoted = await promote(
    {
      source: { repository: options.source.repository, digest: options.source.digest },
      target: target.repository,
      tags: options.tags,
    },
    {
      sourceRegistry:
        source.host === target.login.target.host ? target.registry : ports.registry(source),
      targetRegistry: target.registry,
      targetEcr: target.ecr,
      signal: ports.signal,
      onEvent: ports.onEvent,
    },
  );
  const { source: from, copied, ...published } = promoted;
  return {
    outcome: 'promoted',
    source: from,
    copied,
    ...facts(target),
    published,
    pushMs: ports.clock.now() - started,
  };
}

const facts = (target: Target) => ({
  registry: target.login.target.host,
  repository: target.repository,
  created: target.created,
});

async function scanImage(
  image: ImageFacts,
  options: ScanOptions,
  ecr: EcrPort,
  jobDirectory: string,
  ports: BuildAndPushPorts,
): Promise<ScanOutcome> {
  const { digest } = image.published;
  const report = await waitForScan(
    {
      repository: image.repository.name,
      registryId: image.repository.registryId || undefined,
      digest,
      scanOnPush: image.repository.scanOnPush,
      timeoutMs: options.timeoutMs,
      pollIntervalMs: options.pollIntervalMs,
      noScanGraceMs: Math.min(NO_SCAN_GRACE_MS, options.timeoutMs),
    },
    {
      ecr,
      clock: ports.clock,
      sleep: ports.sleep,
      signal: ports.signal,
      onEvent: ({ status, elapsedMs }) =>
        ports.onEvent({ type: 'scan-waiting', digest, status, elapsedMs }),
    },
  );
  const file = join(jobDirectory, `ecr-scan-${digest.slice(7, 19)}.json`);
  await writeFile(
    file,
    `${JSON.stringify({ ...report, image: image.published.image }, null, 2)}\n`,
  );
  return { report, file, failOn: options.failOn };
}
