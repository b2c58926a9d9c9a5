// Adapter: runner inputs -> ECR login, repository, build, push by digest -> outputs and summary.
// The post step (same bundle, run again by the runner) removes the job's registry credentials.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkEcrPort } from '../../aws/ecr.ts';
import { describeAwsError } from '../../lib/aws-errors.ts';
import {
  type AuthFile,
  linkDockerState,
  removeAuthFile,
  writeAuthFile,
} from '../../ecr/auth-file.ts';
import { type RegistryLogin, decodeAuthorization, isInsecure } from '../../ecr/authorization.ts';
import { type BuildSpec, buildCommands, builderEnv } from '../../ecr/builder.ts';
import { blobPath, readLayout } from '../../ecr/oci-layout.ts';
import { type PublishEvent, type PublishResult, publish } from '../../ecr/publish.ts';
import { RegistryClient } from '../../ecr/registry-client.ts';
import type { EcrPort, RepositoryFacts } from '../../ecr/ports.ts';
import { promote } from '../../ecr/promote.ts';
import { ensureCacheRepository, ensureRepository } from '../../ecr/repository.ts';
import { runCommand } from '../../ecr/run-command.ts';
import {
  SEVERITIES,
  type ScanReport,
  type Severity,
  describeFinding,
  findingsAtOrAbove,
  judgeFindings,
  waitForScan,
} from '../../ecr/scan.ts';
import { sleep, systemClock } from '../../lib/clock.ts';
import { formatDuration } from '../../lib/durations.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import { SUITE_VERSION } from '../../lib/version.ts';
import { abortAfter, abortOnCancel, failStep } from '../../runner/failure.ts';
import { runMainOrPost } from '../../runner/phases.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { Summary } from '../../runner/summary.ts';
import { type BuildInputs, type EcrBuildPushConfig, parseInputs } from './inputs.ts';

const RESULT_VERSION = 1;
/** Without scan on push, how long an enhanced scan may take to appear before we stop waiting. */
const NO_SCAN_GRACE_MS = 60_000;

export function run(runner: Runner = createRunner()): Promise<void> {
  return runMainOrPost(runner, { main, post });
}

async function main(runner: Runner): Promise<void> {
  const summary = new Summary().heading('ecr-build-push');
  const controller = new AbortController();
  const disarm: (() => void)[] = [abortOnCancel(controller)];
  let work: string | undefined;
  /** Set once the image is in the registry: a later failure (the scan) still names it. */
  let pushed: { image: string; digest: string } | undefined;
  try {
    const config = parseInputs((name) => runner.input(name), runner.env);
    if (config.mode === 'build')
      for (const [, value] of config.build.secrets) runner.setSecret(value);
    disarm.push(abortAfter(controller, config.timeoutMs));
    const signal = controller.signal;
    for (const { template, missing } of config.skippedTags) {
      runner.info(`Tag template '${template}' skipped: this run has no {${missing}}.`);
    }

    const ecr = ecrPort(runner, config, config.region, signal);
    const jobDirectory = join(runner.env.RUNNER_TEMP || tmpdir(), 'aws-ship-suite');
    await mkdir(jobDirectory, { recursive: true, mode: 0o700 });
    const sourceLogin =
      config.mode === 'promote' ? sourceOf(runner, config, ecr, signal) : undefined;
    const login = await logIn(
      runner,
      ecr,
      config.loginRegistryIds,
      sourceLogin,
      jobDirectory,
      signal,
    );

    const { repository, created } = await ensureRepository(
      ecr,
      {
        name: config.repository,
        registryId: config.registryId,
        create: config.createRepository,
        kmsKey: config.kmsKey,
        untaggedExpiryDays: config.untaggedExpiryDays,
      },
      signal,
    );
    runner.info(
      `${created ? 'Created' : 'Pushing to'} repository ${repository.name} in registry ${login.target.host} (tags ${repository.immutable ? 'immutable' : 'mutable'}, scan on push ${repository.scanOnPush ? 'on' : 'off'}).`,
    );
    const registry = registryClient(runner, config, login.target, signal);

    let result: PublishResult;
    if (config.mode === 'build') {
      work = await mkdtemp(join(jobDirectory, 'ecr-build-'));
      const cacheRef = await registryCache(runner, ecr, config, config.build, login.target, signal);
      const spec = await buildSpec(config, config.build, work, login, cacheRef, runner.env);
      const buildStarted = performance.now();
      for (const command of buildCommands(spec)) {
        // The whole argv is safe to show: secrets are files and credentials the auth file.
        await runner.group(`${command.command} ${command.args.join(' ')}`, () =>
          runCommand(command, {
            cwd: runner.env.GITHUB_WORKSPACE || process.cwd(),
            env: { ...runner.env, ...builderEnv(spec, login.authFile.directory) },
            onLine: (line) => runner.info(line),
            signal,
          }),
        );
      }
      const buildMs = performance.now() - buildStarted;
      const layout = await readLayout(spec.layoutDir);
      const pushStarted = performance.now();
      result = await publish(
        {
          repository,
          tags: config.tags,
          layout,
          readBlob: (digest) => readFile(blobPath(spec.layoutDir, digest)),
        },
        { ecr, registry, signal, onEvent: (event) => runner.info(describeEvent(event)) },
      );
      setOutputs(runner, login.target.host, repository.name, result, { outcome: 'pushed' });
      summarize(summary, result, {
        buildMs,
        pushMs: performance.now() - pushStarted,
        created,
      });
      runner.info(`Pushed ${result.image}`);
    } else {
      const source = login.source!;
      const sourceRegistry =
        source.host === login.target.host
          ? registry
          : registryClient(runner, config, source, signal);
      const started = performance.now();
      const promoted = await promote(
        {
          source: { repository: config.source.repository, digest: config.source.digest },
          target: repository,
          tags: config.tags,
        },
        {
          sourceRegistry,
          targetRegistry: registry,
          targetEcr: ecr,
          signal,
          onEvent: (event) => runner.info(describeEvent(event)),
        },
      );
      result = promoted;
      setOutputs(runner, login.target.host, repository.name, result, {
        outcome: 'promoted',
        source: promoted.source,
        copied: promoted.copied,
      });
      summarize(summary, result, {
        pushMs: performance.now() - started,
        created,
        source: promoted.source,
      });
      runner.info(
        `Promoted ${promoted.source} to ${result.image} (${promoted.copied ? 'copied' : 'tags added'}; digest verified in the target).`,
      );
    }

    pushed = { image: result.image, digest: result.digest };
    if (config.scan)
      await scan(runner, summary, ecr, config.scan, repository, result, jobDirectory, signal);
  } catch (caught) {
    // Whatever an abort interrupted (a build, a request), the step stopped for the abort's reason.
    const error =
      controller.signal.aborted && !(caught instanceof UserError)
        ? new UserError(`Stopped: ${oneLine(controller.signal.reason)}.`, { cause: caught })
        : caught;
    const reason = oneLine(error);
    summary.paragraph(`**Failed:** ${reason}`);
    runner.setOutput(
      'result',
      JSON.stringify({
        version: RESULT_VERSION,
        suiteVersion: SUITE_VERSION,
        outcome: 'failed',
        reason,
        ...pushed,
      }),
    );
    failStep(runner, error);
  } finally {
    for (const off of disarm) off();
    if (work) await rm(work, { recursive: true, force: true });
    runner.writeSummary(summary);
  }
}

function ecrPort(
  runner: Runner,
  config: EcrBuildPushConfig,
  region: string,
  signal: AbortSignal,
): EcrPort {
  return sdkEcrPort({
    region,
    env: runner.env,
    requestTimeoutMs: config.requestTimeoutMs,
    retry: config.retry,
    retryHooks: {
      sleep,
      signal,
      onRetry: ({ attempt, delayMs, error }) =>
        runner.info(
          `ECR call attempt ${attempt} failed: ${describeAwsError(error)}; retrying in ${formatDuration(delayMs)}`,
        ),
    },
    action: 'ecr-build-push',
  });
}

function registryClient(
  runner: Runner,
  config: EcrBuildPushConfig,
  login: RegistryLogin,
  signal: AbortSignal,
): RegistryClient {
  return new RegistryClient({
    login,
    retry: config.retry,
    requestTimeoutMs: config.requestTimeoutMs,
    sleep,
    signal,
    onRetry: ({ what, attempt, delayMs, reason }) =>
      runner.info(
        `Registry: ${what} attempt ${attempt} failed: ${reason}; retrying in ${formatDuration(delayMs)}`,
      ),
  });
}

interface SourceLogin {
  ecr: EcrPort;
  registryIds: string[];
  /** The registry host source-image names, checked against the login's. */
  host: string | undefined;
}

/** Where a promotion reads from: its own ECR client when the source is in another region. */
function sourceOf(
  runner: Runner,
  config: EcrBuildPushConfig & { mode: 'promote' },
  targetEcr: EcrPort,
  signal: AbortSignal,
): SourceLogin {
  const { source } = config;
  return {
    ecr:
      source.region === config.region ? targetEcr : ecrPort(runner, config, source.region, signal),
    registryIds: source.registryId ? [source.registryId] : [],
    host: source.host,
  };
}

interface Login {
  target: RegistryLogin;
  /** The promotion's source registry. */
  source: RegistryLogin | undefined;
  authFile: AuthFile;
}

/**
 * GetAuthorizationToken for every registry the job pushes to or pulls from; each password is
 * masked before anything else happens, then written to the job's own auth file (never ~/.docker).
 */
async function logIn(
  runner: Runner,
  ecr: EcrPort,
  registryIds: string[],
  source: SourceLogin | undefined,
  jobDirectory: string,
  signal: AbortSignal,
): Promise<Login> {
  const decode = (data: Awaited<ReturnType<EcrPort['getAuthorization']>>) =>
    data.map((entry) => {
      runner.setSecret(entry.token);
      const login = decodeAuthorization(entry.token, entry.proxyEndpoint, entry.expiresAt);
      runner.setSecret(login.password);
      return login;
    });
  const logins = decode(await ecr.getAuthorization(registryIds, signal));
  const target = logins[0];
  if (target === undefined) throw new Error('ECR returned no authorization data');
  let sourceLogin: RegistryLogin | undefined;
  if (source) {
    [sourceLogin] = decode(await source.ecr.getAuthorization(source.registryIds, signal));
    if (sourceLogin === undefined) throw new Error('ECR returned no authorization data');
    if (source.host !== undefined && source.host !== sourceLogin.host) {
      throw new UserError(
        `Input 'source-image' names registry ${source.host}, but ECR's login for the source is for ${sourceLogin.host}: check source-image and source-region.`,
      );
    }
    if (!logins.some((l) => l.host === sourceLogin!.host)) logins.push(sourceLogin);
  }
  const authFile = await writeAuthFile(jobDirectory, logins);
  runner.saveState('auth-directory', authFile.directory);
  await linkDockerState(
    authFile.directory,
    runner.env.DOCKER_CONFIG || join(runner.env.HOME || homedir(), '.docker'),
  );
  runner.exportVariable('DOCKER_CONFIG', authFile.directory);
  runner.exportVariable('REGISTRY_AUTH_FILE', authFile.path);
  runner.info(
    `Logged in to ${logins.map((l) => l.host).join(', ')} (credentials in ${authFile.path}, removed after the job).`,
  );
  return { target, source: sourceLogin, authFile };
}

async function scan(
  runner: Runner,
  summary: Summary,
  ecr: EcrPort,
  config: NonNullable<EcrBuildPushConfig['scan']>,
  repository: RepositoryFacts,
  result: PublishResult,
  jobDirectory: string,
  signal: AbortSignal,
): Promise<void> {
  const report = await waitForScan(
    {
      repository: repository.name,
      registryId: repository.registryId || undefined,
      digest: result.digest,
      scanOnPush: repository.scanOnPush,
      timeoutMs: config.timeoutMs,
      pollIntervalMs: config.pollIntervalMs,
      noScanGraceMs: Math.min(NO_SCAN_GRACE_MS, config.timeoutMs),
    },
    {
      ecr,
      clock: systemClock,
      sleep,
      signal,
      onEvent: (event) =>
        runner.info(
          `Waiting for ECR's scan of ${result.digest} (${event.status}, ${formatDuration(event.elapsedMs)} so far)`,
        ),
    },
  );
  const file = join(jobDirectory, `ecr-scan-${result.digest.slice(7, 19)}.json`);
  await writeFile(file, `${JSON.stringify({ ...report, image: result.image }, null, 2)}\n`);
  runner.setOutput('scan-status', report.status);
  runner.setOutput('severity-counts', JSON.stringify(report.severityCounts));
  runner.setOutput('findings-file', file);
  summarizeScan(summary, report, config.failOn);
  runner.info(
    `Scan ${report.status}: ${SEVERITIES.map((s) => `${report.severityCounts[s]} ${s.toLowerCase()}`).join(', ')}; findings in ${file}.`,
  );
  judgeFindings(report, config.failOn);
}

async function buildSpec(
  config: EcrBuildPushConfig,
  build: BuildInputs,
  work: string,
  login: Login,
  cacheRef: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<BuildSpec> {
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
      ...(env.GITHUB_SHA ? ([['org.opencontainers.image.revision', env.GITHUB_SHA]] as const) : []),
      ...(env.GITHUB_REPOSITORY && env.GITHUB_SERVER_URL
        ? ([
            [
              'org.opencontainers.image.source',
              `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`,
            ],
          ] as const)
        : []),
      ...build.labels,
    ],
    provenance: build.provenance,
    sbom: build.sbom,
    layoutDir: join(work, 'layout'),
    localName: `localhost/${config.repository}:ecr-build-push`,
    authFile: login.authFile.path,
    cacheRef,
    insecureRegistry: isInsecure(login.target),
  };
}

/**
 * docker: a cache manifest under its own tag in the image's repository. buildah: a repository of
 * its own (one tag per cached step), created with the image's when the step may create
 * repositories; missing, the build goes on without it.
 */
async function registryCache(
  runner: Runner,
  ecr: EcrPort,
  config: EcrBuildPushConfig,
  build: BuildInputs,
  target: RegistryLogin,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (build.cacheTag) return `${target.host}/${config.repository}:${build.cacheTag}`;
  if (!build.cacheRepository) return undefined;
  const status = await ensureCacheRepository(
    ecr,
    {
      name: build.cacheRepository,
      registryId: config.registryId,
      create: config.createRepository,
      kmsKey: config.kmsKey,
      untaggedExpiryDays: config.untaggedExpiryDays,
    },
    signal,
  );
  if (status === 'missing') {
    runner.annotate(
      'warning',
      `No registry cache: repository ${build.cacheRepository} does not exist, so a fresh runner rebuilds every step. Create it (or set create-repository: true), or set cache: false.`,
    );
    return undefined;
  }
  if (status === 'created')
    runner.info(`Created repository ${build.cacheRepository} for the build cache.`);
  return `${target.host}/${build.cacheRepository}`;
}

function describeEvent(event: PublishEvent): string {
  switch (event.type) {
    case 'blob':
      return `${event.uploaded ? 'Uploaded' : 'Already in the registry:'} ${event.digest} (${formatBytes(event.size)})`;
    case 'manifest':
      return `Pushed manifest ${event.digest}`;
    case 'tag':
      return event.outcome === 'unchanged'
        ? `Tag ${event.tag} already names this image: nothing to do`
        : event.outcome === 'moved'
          ? `Moved tag ${event.tag} from ${event.previous} to this image`
          : `Tagged ${event.tag}`;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function setOutputs(
  runner: Runner,
  host: string,
  repository: string,
  result: PublishResult,
  outcome: { outcome: 'pushed' } | { outcome: 'promoted'; source: string; copied: boolean },
): void {
  runner.setOutput('image', result.image);
  runner.setOutput('digest', result.digest);
  runner.setOutput('tags', result.tags.join('\n'));
  runner.setOutput('registry', host);
  runner.setOutput(
    'result',
    JSON.stringify({
      version: RESULT_VERSION,
      suiteVersion: SUITE_VERSION,
      ...outcome,
      image: result.image,
      digest: result.digest,
      registry: host,
      repository,
      tags: result.tags,
      unchangedTags: result.unchangedTags,
      sizeBytes: result.sizeBytes,
      uploadedBytes: result.uploadedBytes,
      uploadedBlobs: result.uploadedBlobs,
      reusedBlobs: result.reusedBlobs,
    }),
  );
}

function summarize(
  summary: Summary,
  result: PublishResult,
  facts: { buildMs?: number; pushMs: number; created: boolean; source?: string },
): void {
  const blobs = result.uploadedBlobs + result.reusedBlobs;
  summary.table(
    ['', ''],
    [
      ['Image', `\`${result.image}\``],
      [
        'Tags',
        result.tags
          .map((t) => `\`${t}\`${result.unchangedTags.includes(t) ? ' (already there)' : ''}`)
          .join(', '),
      ],
      ['Size', formatBytes(result.sizeBytes)],
      ...(facts.source ? [['Promoted from', `\`${facts.source}\``]] : []),
      ...(facts.buildMs === undefined ? [] : [['Build time', formatDuration(facts.buildMs)]]),
      [facts.source ? 'Copy time' : 'Push time', formatDuration(facts.pushMs)],
      [
        'Cache',
        `${result.reusedBlobs} of ${blobs} blobs already in the registry; uploaded ${formatBytes(result.uploadedBytes)}`,
      ],
      ...(facts.created
        ? [['Repository', 'created (immutable tags, scan on push, lifecycle policy)']]
        : []),
    ],
  );
}

function summarizeScan(summary: Summary, report: ScanReport, failOn: Severity | undefined): void {
  summary.heading(`Scan (${report.scanType.toLowerCase()}, ${report.status})`, 3);
  summary.table(
    SEVERITIES.map((s) => s.toLowerCase()),
    [SEVERITIES.map((s) => String(report.severityCounts[s]))],
  );
  const shown = failOn ? findingsAtOrAbove(report, failOn) : report.findings.slice(0, 20);
  if (shown.length > 0) {
    summary.details(
      failOn ? `Findings at or above ${failOn.toLowerCase()}` : 'Most severe findings',
      shown.map((f) => `- ${describeFinding(f)}`).join('\n'),
    );
  }
}

async function post(runner: Runner): Promise<void> {
  try {
    const directory = runner.state('auth-directory');
    if (!directory) {
      runner.info('Nothing to clean up: the main step wrote no registry credentials.');
      return;
    }
    await removeAuthFile(directory);
    runner.info(`Removed the job's registry credentials (${directory}).`);
  } catch (error) {
    failStep(runner, error);
  }
}
