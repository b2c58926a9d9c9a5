import { existsSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
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
import { UserError } from '../../lib/errors.ts';
import { parseBoolean, parseInteger, parseList } from '../../lib/parse.ts';
import type { RetryPolicy } from '../../lib/retry.ts';
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

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const SOURCE_IMAGE = /^(?:([^/]+[.:][^/]+)\/)?([^@]+)@(sha256:[a-f0-9]{64})$/;

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const SECRET_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function checkRepositoryName(input: string, name: string): string {
  if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
    throw new UserError(
      `Input '${input}' is '${name}', which is not an ECR repository name: use lower-case letters, digits and '.', '_', '-' separated path parts, e.g. team/web.`,
    );
  }
  return name;
}

function checkRegistryIds(input: string, ids: readonly string[]): string[] {
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad !== undefined) {
    throw new UserError(`Input '${input}' has '${bad}', which is not a 12-digit AWS account id.`);
  }
  return [...new Set(ids)];
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
        `Input '${input}' has a line that is not ${what}=value${eq === -1 ? '' : ` ('${key}' is not a valid ${what})`}: give one ${what}=value per line.`,
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
  const repository = checkRepositoryName('repository', v.repository);
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
    throw new UserError('ECR logs in to at most 10 registries at once: list fewer registry-ids.');
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
      `Input 'fail-on-severity' is '${v['fail-on-severity']}': use critical, high, medium, low, informational or undefined.`,
    );
  }
  const failOn = failOnText === '' ? undefined : (failOnText as Severity);
  // A threshold needs the scan's result: it implies waiting for it.
  const waitForScan = parseBoolean('wait-for-scan', v['wait-for-scan']) || failOn !== undefined;
  const scanTimeoutMs = parseDuration('scan-timeout', v['scan-timeout']);
  const pollIntervalMs = parseDuration('scan-poll-interval', v['scan-poll-interval']);
  if (pollIntervalMs < 100 || pollIntervalMs > scanTimeoutMs) {
    throw new UserError(
      `Inputs 'scan-poll-interval' (${v['scan-poll-interval']}) and 'scan-timeout' (${v['scan-timeout']}) must satisfy 100ms <= scan-poll-interval <= scan-timeout.`,
    );
  }

  let mode: { mode: 'build'; build: BuildOptions } | { mode: 'promote'; source: PromotionSource };
  if (v.mode === 'build') {
    mode = { mode: 'build', build: parseBuild(v, env, rendered.tags) };
  } else if (v.mode === 'promote') {
    mode = { mode: 'promote', source: parseSource(v, region) };
  } else {
    throw new UserError(`Input 'mode' is '${v.mode}': use build or promote.`);
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
    kmsKey: v['kms-key'] || undefined,
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

function parseBuild(v: Values, env: NodeJS.ProcessEnv, tags: readonly string[]): BuildOptions {
  if (!(BUILDERS as readonly string[]).includes(v.builder)) {
    throw new UserError(`Input 'builder' is '${v.builder}': use docker (buildx) or buildah.`);
  }
  const builder = v.builder as BuilderName;

  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const context = resolve(workspace, v.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new UserError(
      `Input 'context' is '${v.context}', which is not a directory in the workspace: check out the code first, or fix the path.`,
    );
  }
  const file = v.file
    ? isAbsolute(v.file)
      ? v.file
      : resolve(workspace, v.file)
    : defaultFile(context);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UserError(
      v.file
        ? `Input 'file' is '${v.file}', but there is no such file: fix the path (relative to the workspace).`
        : `No Dockerfile or Containerfile in the build context ${v.context}: add one, or set the 'file' input.`,
    );
  }

  const platforms = parseList(v.platforms);
  const badPlatform = platforms.find((p) => !PLATFORM.test(p));
  if (badPlatform !== undefined) {
    throw new UserError(
      `Input 'platforms' has '${badPlatform}': use os/arch[/variant], e.g. linux/amd64,linux/arm64.`,
    );
  }
  if (builder === 'buildah' && v.provenance) {
    throw new UserError(
      "Input 'provenance' needs builder: docker; buildah makes no provenance attestations.",
    );
  }

  const cache = parseBoolean('cache', v.cache);
  if (cache && !TAG.test(v['cache-tag'])) {
    throw new UserError(
      `Input 'cache-tag' is '${v['cache-tag']}', which is not a valid image tag.`,
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
    target: v.target || undefined,
    platforms,
    labels: parsePairs('labels', v.labels, /^[^\s=]+$/, 'key'),
    provenance: v.provenance || undefined,
    sbom: v.sbom || undefined,
    cacheTag: cache && builder === 'docker' ? v['cache-tag'] : undefined,
    cacheRepository:
      cache && builder === 'buildah'
        ? v['cache-repository']
          ? checkRepositoryName('cache-repository', v['cache-repository'])
          : `${v.repository}-cache`
        : undefined,
    revision: env.GITHUB_SHA || undefined,
    sourceUrl:
      env.GITHUB_REPOSITORY && env.GITHUB_SERVER_URL
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
        : undefined,
  };
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
      `Input 'source-image' is '${v['source-image']}': use [registry/]repository@sha256:<64 hex digits>, e.g. the 'image' output of the build step; promotion goes by digest, never by tag.`,
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
  const sourceRegion = v['source-region']
    ? resolveRegion(v['source-region'], {})
    : (ecrHost?.[2] ?? region);
  if (ecrHost && v['source-region'] && ecrHost[2] !== sourceRegion) {
    throw new UserError(
      `Input 'source-region' is ${sourceRegion}, but source-image names a registry in ${ecrHost[2]}: leave source-region out.`,
    );
  }
  return { host, repository, digest, registryId: ecrHost?.[1], region: sourceRegion };
}

function defaultFile(context: string): string {
  const dockerfile = join(context, 'Dockerfile');
  const containerfile = join(context, 'Containerfile');
  return existsSync(dockerfile) || !existsSync(containerfile) ? dockerfile : containerfile;
}
