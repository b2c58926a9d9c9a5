import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveRegion } from '../../aws/region.ts';
import type {
  BuildAndPushOptions,
  BuildOptions,
  PromotionSource,
} from '../../ecr/build-and-push.ts';
import { BUILDERS, type BuilderName } from '../../ecr/builder.ts';
import { REPOSITORY_NAME, TAG } from '../../ecr/references.ts';
import { type Severity, isSeverity } from '../../ecr/scan.ts';
import { type InputRegistry, readInputs } from '../../lib/action-io.ts';
import { parseDuration, parseTimeouts } from '../../lib/durations.ts';
import { UserError, shown } from '../../lib/errors.ts';
import { parseBoolean, parseInteger, parseList } from '../../lib/parse.ts';
import type { RetryPolicy } from '../../lib/retry.ts';
import { checkAttestation, checkKmsKey, checkPlatform, refuseImageReference } from './checks.ts';
import { isInside, realPath } from '../shared/workspace-paths.ts';
import { dockerfileStages } from './dockerfile-stages.ts';
import { renderTags } from './tags.ts';

export const INPUTS = {
  mode: { kind: 'choice', default: 'build' },
  'aws-region': { kind: 'region' },
  repository: { kind: 'name', required: true },
  'registry-id': { kind: 'name' },
  'registry-ids': { kind: 'list' },
  'source-image': { kind: 'name' },
  'source-region': { kind: 'region' },
  builder: { kind: 'choice', default: 'docker' },
  context: { kind: 'path', default: '.' },
  file: { kind: 'path' },
  'build-args': { kind: 'lines' },
  secrets: { kind: 'lines', secret: true },
  target: { kind: 'name' },
  platforms: { kind: 'list' },
  labels: { kind: 'lines' },
  provenance: { kind: 'text' },
  sbom: { kind: 'text' },
  tags: { kind: 'list', default: '{sha}' },
  cache: { kind: 'boolean', default: 'true' },
  'cache-tag': { kind: 'name', default: 'buildcache' },
  'cache-repository': { kind: 'name' },
  'create-repository': { kind: 'boolean', default: 'false' },
  'kms-key': { kind: 'arn', arn: 'kms-key' },
  'untagged-expiry-days': { kind: 'integer', default: '14' },
  'wait-for-scan': { kind: 'boolean', default: 'false' },
  'fail-on-severity': { kind: 'choice' },
  'scan-timeout': { kind: 'duration', max: '24h', default: '10m' },
  'scan-poll-interval': { kind: 'duration', max: '10m', default: '5s' },
  'retry-max-attempts': { kind: 'integer', default: '5' },
  'request-timeout': { kind: 'duration', max: '1h', default: '60s' },
  timeout: { kind: 'duration', max: '168h', default: '30m' },
} as const satisfies InputRegistry;

export const OUTPUTS = [
  'image',
  'digest',
  'tags',
  'registry',
  'scan-status',
  'severity-counts',
  'findings-file',
  'result',
] as const;

export type EcrBuildPushConfig = BuildAndPushOptions & {
  skippedTags: { template: string; missing: string }[];
  retry: RetryPolicy;
  requestTimeoutMs: number;
  timeoutMs: number;
};

// ECR's registry hosts: <account>.dkr.ecr[-fips].<region>.<DNS suffix of the region's partition>
// (the suffixes of the bundled SDK's partitions: aws, aws-cn, aws-eusc, aws-iso*, aws-us-gov).
const ECR_HOST =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;
const SOURCE_IMAGE = /^(?:([^/]+[.:][^/]+)\/)?([^@]+)@(sha256:[a-f0-9]{64})$/;

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const SECRET_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** BuildKit's stage names (`FROM … AS name`, compared without case); buildah also takes a position. */
const STAGE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** Dockerfiles larger than this are not read for their stages (the builder still checks). */
const MAX_DOCKERFILE_BYTES = 1024 * 1024;

/** A repository name; `region` (the target's) makes a full registry URI's refusal say what to give. */
function checkRepositoryName(input: string, name: string, region?: string): string {
  if (region !== undefined) refuseImageReference(input, name, region);
  if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
    throw new UserError(
      `Input '${input}' is ${shown(name)}, which is not an ECR repository name: use 2 to 256 lower-case letters, digits and '.', '_', '-' separated path parts, e.g. team/web.`,
    );
  }
  return name;
}

function checkRegistryIds(input: string, ids: readonly string[]): string[] {
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad !== undefined) {
    throw new UserError(
      `Input '${input}' has ${shown(bad)}, which is not a 12-digit AWS account id: give account ids like 123456789012.`,
    );
  }
  return [...new Set(ids)];
}

/**
 * A region given by an input other than aws-region (`what`: how the input gives it), refused in a
 * line that names that input.
 */
function checkRegion(input: string, what: string, value: string, fix: string): string {
  try {
    return resolveRegion(value, {});
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(
      `Input '${input}' ${what} ${shown(value, 40)}, which is not an AWS region: ${fix}.`,
    );
  }
}

/** `NAME=value` lines (values may hold '=' and commas); blank lines dropped. */
function parsePairs(input: string, text: string, name: RegExp, what: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    const key = eq === -1 ? line.trim() : line.slice(0, eq).trim();
    if (eq === -1 || !name.test(key)) {
      throw new UserError(
        `Input '${input}' has a line that is not ${what}=value${eq === -1 ? '' : ` (${shown(key, 40)} is not a valid ${what})`}: give one ${what}=value per line.`,
      );
    }
    pairs.push([key, line.slice(eq + 1)]);
  }
  return pairs;
}

/** Every input checked before any call to AWS or any build; the first problem is thrown. */
export function parseInputs(
  read: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
): EcrBuildPushConfig {
  const { values: v } = readInputs(INPUTS, read);
  const region = resolveRegion(v['aws-region'], env);
  const repository = checkRepositoryName('repository', v.repository, region);
  const registryId = v['registry-id']
    ? checkRegistryIds('registry-id', [v['registry-id']])[0]
    : undefined;
  const extra = checkRegistryIds('registry-ids', parseList(v['registry-ids']));
  if (extra.length > 0 && registryId === undefined) {
    throw new UserError(
      "Input 'registry-ids' needs 'registry-id' too: name the account of the target repository, so each registry gets its own login.",
    );
  }
  const loginRegistryIds = registryId ? [...new Set([registryId, ...extra])] : [];
  if (loginRegistryIds.length > 10) {
    throw new UserError(
      `Input 'registry-ids' makes ${loginRegistryIds.length} registries with registry-id, and ECR logs in to at most 10 at once: list fewer registry-ids.`,
    );
  }

  const rendered = renderTags(parseList(v.tags), {
    sha: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    runNumber: env.GITHUB_RUN_NUMBER,
  });
  const { requestTimeoutMs, timeoutMs } = parseTimeouts(v);

  const failOnText = v['fail-on-severity'].toUpperCase();
  if (failOnText !== '' && !isSeverity(failOnText)) {
    throw new UserError(
      `Input 'fail-on-severity' is ${shown(v['fail-on-severity'])}: use critical, high, medium, low, informational or undefined.`,
    );
  }
  const failOn = failOnText === '' ? undefined : (failOnText as Severity);
  // A threshold needs the scan's result: it implies waiting for it.
  const waitForScan = parseBoolean('wait-for-scan', v['wait-for-scan']) || failOn !== undefined;
  const scanTimeoutMs = parseDuration('scan-timeout', v['scan-timeout']);
  const pollIntervalMs = parseDuration('scan-poll-interval', v['scan-poll-interval']);
  if (pollIntervalMs < 100 || pollIntervalMs > scanTimeoutMs) {
    throw new UserError(
      `Inputs 'scan-poll-interval' (${shown(v['scan-poll-interval'], 20)}) and 'scan-timeout' (${shown(v['scan-timeout'], 20)}) must satisfy 100ms <= scan-poll-interval <= scan-timeout.`,
    );
  }
  const kmsKey = v['kms-key'] ? checkKmsKey('kms-key', v['kms-key'], region) : undefined;

  let mode: { mode: 'build'; build: BuildOptions } | { mode: 'promote'; source: PromotionSource };
  if (v.mode === 'build') {
    mode = { mode: 'build', build: parseBuild(v, env, rendered.tags, region) };
  } else if (v.mode === 'promote') {
    mode = { mode: 'promote', source: parseSource(v, region) };
  } else {
    throw new UserError(`Input 'mode' is ${shown(v.mode)}: use build or promote.`);
  }

  return {
    ...mode,
    region,
    repository,
    registryId,
    loginRegistryIds,
    tags: rendered.tags,
    skippedTags: rendered.skipped,
    createRepository: parseBoolean('create-repository', v['create-repository']),
    kmsKey,
    untaggedExpiryDays: parseInteger('untagged-expiry-days', v['untagged-expiry-days'], 1, 3650),
    scan: waitForScan ? { timeoutMs: scanTimeoutMs, pollIntervalMs, failOn } : undefined,
    retry: {
      maxAttempts: parseInteger('retry-max-attempts', v['retry-max-attempts'], 1, 20),
      baseDelayMs: 500,
      maxDelayMs: 20_000,
    },
    requestTimeoutMs,
    timeoutMs,
    jobDirectory: join(env.RUNNER_TEMP || tmpdir(), 'aws-ship-suite'),
    dockerConfig: env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'),
  };
}

type Values = ReturnType<typeof readInputs<typeof INPUTS>>['values'];

function parseBuild(
  v: Values,
  env: NodeJS.ProcessEnv,
  tags: readonly string[],
  region: string,
): BuildOptions {
  if (!(BUILDERS as readonly string[]).includes(v.builder)) {
    throw new UserError(`Input 'builder' is ${shown(v.builder)}: use docker (buildx) or buildah.`);
  }
  const builder = v.builder as BuilderName;

  const { context, file } = parsePaths(v, env.GITHUB_WORKSPACE || process.cwd());
  const target = v.target ? checkTarget(v.target, builder, file) : undefined;

  const platforms = parseList(v.platforms);
  const badPlatform = platforms.find((p) => !PLATFORM.test(p));
  if (badPlatform !== undefined) {
    throw new UserError(
      `Input 'platforms' has ${shown(badPlatform)}: use os/arch[/variant], e.g. linux/amd64,linux/arm64.`,
    );
  }
  for (const platform of platforms) checkPlatform('platforms', platform);
  const provenance = checkAttestation('provenance', v.provenance);
  if (builder === 'buildah' && provenance !== undefined) {
    throw new UserError(
      "Input 'provenance' needs builder: docker; buildah makes no provenance attestations.",
    );
  }
  const sbom = checkAttestation('sbom', v.sbom);
  if (builder === 'buildah' && sbom !== undefined) {
    throw new UserError(
      "Input 'sbom' needs builder: docker; buildah makes no SBOM attestations (its --sbom writes files this action does not ask for): use builder: docker, or leave sbom out.",
    );
  }

  const cache = parseBoolean('cache', v.cache);
  if (cache && !TAG.test(v['cache-tag'])) {
    throw new UserError(
      `Input 'cache-tag' is ${shown(v['cache-tag'])}, which is not a valid image tag: use up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.`,
    );
  }
  if (cache && tags.includes(v['cache-tag'])) {
    throw new UserError(
      `Input 'cache-tag' (${v['cache-tag']}) is also an image tag: give the cache a tag of its own.`,
    );
  }

  return {
    builder,
    context,
    file,
    buildArgs: parsePairs('build-args', v['build-args'], ARG_NAME, 'NAME'),
    secrets: parsePairs('secrets', v.secrets, SECRET_ID, 'id'),
    target,
    platforms,
    labels: parsePairs('labels', v.labels, /^[^\s=]+$/, 'key'),
    provenance,
    sbom,
    cacheTag: cache && builder === 'docker' ? v['cache-tag'] : undefined,
    cacheRepository: cache && builder === 'buildah' ? cacheRepository(v, region) : undefined,
    revision: env.GITHUB_SHA || undefined,
    sourceUrl:
      env.GITHUB_REPOSITORY && env.GITHUB_SERVER_URL
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
        : undefined,
  };
}

function cacheRepository(v: Values, region: string): string {
  if (v['cache-repository']) {
    return checkRepositoryName('cache-repository', v['cache-repository'], region);
  }
  const name = `${v.repository}-cache`;
  if (name.length > 256) {
    throw new UserError(
      `Input 'repository' is ${v.repository.length} characters, too long for the build cache's repository <repository>-cache (at most 256): set 'cache-repository', or cache: false.`,
    );
  }
  return name;
}

/**
 * The build context and the Dockerfile: both must exist and be in the workspace, also once every
 * symlink on the way is followed (a link out of the workspace is refused like `../`).
 */
function parsePaths(v: Values, workspace: string): { context: string; file: string } {
  const root = realPath(resolve(workspace));
  const context = resolve(workspace, v.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new UserError(
      `Input 'context' is ${shown(v.context)}, which is not a directory in the workspace: check out the code first, or fix the path.`,
    );
  }
  if (!isInside(root, realPath(context))) {
    throw new UserError(
      `Input 'context' is ${shown(v.context)}, which ${realPath(context) === context ? 'is' : 'resolves through a symlink to'} a directory outside the workspace: give a directory inside the workspace (${shown(root, 60)}).`,
    );
  }

  const file = v.file ? resolve(workspace, v.file) : defaultFile(context);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UserError(
      v.file
        ? `Input 'file' is ${shown(v.file)}, but there is no such file: fix the path (relative to the workspace).`
        : `Input 'context' is ${shown(v.context)}, which has no Dockerfile or Containerfile: add one, or set the 'file' input.`,
    );
  }
  if (!isInside(root, realPath(file))) {
    const how = realPath(file) === file ? 'is' : 'resolves through a symlink to';
    throw new UserError(
      v.file
        ? `Input 'file' is ${shown(v.file)}, which ${how} a file outside the workspace: give a Dockerfile inside the workspace (${shown(root, 60)}).`
        : `Input 'context' is ${shown(v.context)}, whose Dockerfile ${how} a file outside the workspace: replace the link with the file, or set the 'file' input.`,
    );
  }
  return { context, file };
}

/**
 * A build stage name (BuildKit: a letter, then letters, digits, '_', '.', '-'; buildah also takes
 * a stage's position) the Dockerfile declares. A file whose stages cannot be read is left to the
 * builder.
 */
function checkTarget(target: string, builder: BuilderName, file: string): string {
  const position = builder === 'buildah' && /^\d{1,4}$/.test(target);
  if (!STAGE_NAME.test(target) && !position) {
    throw new UserError(
      `Input 'target' is ${shown(target)}, which is not a build stage name: use the name after AS in a FROM line (a letter, then letters, digits, '_', '.' or '-')${builder === 'buildah' ? ", or the stage's position (0 is the first)" : ''}.`,
    );
  }
  if (statSync(file).size > MAX_DOCKERFILE_BYTES) return target;
  const stages = dockerfileStages(readFileSync(file, 'utf8'));
  if (stages === undefined) return target;
  const found = position
    ? Number(target) < stages.count
    : stages.names.includes(target.toLowerCase());
  if (!found) {
    const names = stages.names.length > 0 ? stages.names.join(', ') : 'none';
    throw new UserError(
      `Input 'target' is ${shown(target)}, but the Dockerfile has no such stage (named stages: ${shown(names, 100).slice(1, -1)}): give one of its stage names, or leave target out to build the last stage.`,
    );
  }
  return target;
}

/**
 * `[registry/]repository@sha256:…`, e.g. a build's `image` output. An ECR registry host names
 * the source account and region; any other host (a local test registry) is the target's.
 */
function parseSource(v: Values, region: string): PromotionSource {
  if (v['source-image'] === '') {
    throw new UserError(
      "mode: promote needs 'source-image': the image to promote by digest, e.g. the 'image' output of the build step.",
    );
  }
  const match = SOURCE_IMAGE.exec(v['source-image']);
  if (!match) {
    throw new UserError(
      `Input 'source-image' is ${shown(v['source-image'], 120)}: use [registry/]repository@sha256:<64 hex digits>, e.g. the 'image' output of the build step; promotion goes by digest, never by tag.`,
    );
  }
  const [, host, repositoryName, digest] = match as unknown as [
    string,
    string | undefined,
    string,
    string,
  ];
  const repository = checkRepositoryName('source-image', repositoryName);
  const ecrHost = host === undefined ? null : ECR_HOST.exec(host);
  const hostRegion = ecrHost
    ? checkRegion(
        'source-image',
        'names the region',
        ecrHost[2]!,
        'fix the registry host, or copy the image output of the build step',
      )
    : undefined;
  const sourceRegion = v['source-region']
    ? checkRegion(
        'source-region',
        'is',
        v['source-region'],
        "use one like us-east-1, or leave it out to use the source-image host's region or aws-region",
      )
    : (hostRegion ?? region);
  if (hostRegion && v['source-region'] && hostRegion !== sourceRegion) {
    throw new UserError(
      `Input 'source-region' is ${sourceRegion}, but source-image names a registry in ${hostRegion}: leave source-region out.`,
    );
  }
  return { host, repository, digest, registryId: ecrHost?.[1], region: sourceRegion };
}

function defaultFile(context: string): string {
  const dockerfile = join(context, 'Dockerfile');
  const containerfile = join(context, 'Containerfile');
  return existsSync(dockerfile) || !existsSync(containerfile) ? dockerfile : containerfile;
}
