// Adapter: runner inputs -> ECR login, repository, build, push by digest -> outputs and summary.
// The post step (same bundle, run again by the runner) removes the job's registry credentials.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EcrPort, sdkEcrPort } from '../../aws/ecr.ts';
import { describeAwsError } from '../../aws/errors.ts';
import { type AuthFile, removeAuthFile, writeAuthFile } from '../../ecr/auth-file.ts';
import { type RegistryLogin, decodeAuthorization, isInsecure } from '../../ecr/authorization.ts';
import { type BuildSpec, buildCommands, builderEnv } from '../../ecr/builder.ts';
import { readLayout } from '../../ecr/oci-layout.ts';
import { type PublishEvent, type PublishResult, publish } from '../../ecr/publish.ts';
import { RegistryClient } from '../../ecr/registry-client.ts';
import { ensureRepository } from '../../ecr/repository.ts';
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
import { oneLine } from '../../lib/errors.ts';
import { SUITE_VERSION } from '../../lib/version.ts';
import { abortAfter, abortOnCancel, failStep } from '../../runner/failure.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { Summary } from '../../runner/summary.ts';
import { type EcrBuildPushConfig, parseInputs } from './inputs.ts';

const RESULT_VERSION = 1;
/** Without scan on push, how long an enhanced scan may take to appear before we stop waiting. */
const NO_SCAN_GRACE_MS = 60_000;

export async function run(runner: Runner = createRunner()): Promise<void> {
  if (runner.state('phase') === 'main') return post(runner);
  runner.saveState('phase', 'main');
  return main(runner);
}

async function main(runner: Runner): Promise<void> {
  const summary = new Summary().heading('ecr-build-push');
  const controller = new AbortController();
  const disarm: (() => void)[] = [abortOnCancel(controller)];
  let work: string | undefined;
  try {
    const config = parseInputs((name) => runner.input(name), runner.env);
    for (const [, value] of config.secrets) runner.setSecret(value);
    disarm.push(
      abortAfter(
        controller,
        config.timeoutMs,
        `the timeout of ${formatDuration(config.timeoutMs)} ran out`,
      ),
    );
    const signal = controller.signal;
    for (const { template, missing } of config.skippedTags) {
      runner.info(`Tag template '${template}' skipped: this run has no {${missing}}.`);
    }

    const ecr = sdkEcrPort({
      region: config.region,
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
    const jobDirectory = join(runner.env.RUNNER_TEMP || tmpdir(), 'aws-ship-suite');
    await mkdir(jobDirectory, { recursive: true, mode: 0o700 });
    const login = await logIn(runner, ecr, config, jobDirectory, signal);

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

    work = await mkdtemp(join(jobDirectory, 'ecr-build-'));
    const spec = await buildSpec(config, work, login, runner.env);
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
    const registry = new RegistryClient({
      login: login.target,
      retry: config.retry,
      requestTimeoutMs: config.requestTimeoutMs,
      sleep,
      signal,
      onRetry: ({ what, attempt, delayMs, reason }) =>
        runner.info(
          `Registry: ${what} attempt ${attempt} failed: ${reason}; retrying in ${formatDuration(delayMs)}`,
        ),
    });
    const result = await publish(
      { repository, tags: config.tags, layoutDir: spec.layoutDir, layout },
      { ecr, registry, signal, onEvent: (event) => runner.info(describeEvent(event)) },
    );
    const pushMs = performance.now() - pushStarted;

    setOutputs(runner, login.target.host, repository.name, result);
    summarize(summary, result, { buildMs, pushMs, created });
    runner.info(`Pushed ${result.image}`);

    if (config.scan) {
      const report = await waitForScan(
        {
          repository: repository.name,
          registryId: config.registryId,
          digest: result.digest,
          scanOnPush: repository.scanOnPush,
          timeoutMs: config.scan.timeoutMs,
          pollIntervalMs: config.scan.pollIntervalMs,
          noScanGraceMs: Math.min(NO_SCAN_GRACE_MS, config.scan.timeoutMs),
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
      summarizeScan(summary, report, config.scan.failOn);
      runner.info(
        `Scan ${report.status}: ${SEVERITIES.map((s) => `${report.severityCounts[s]} ${s.toLowerCase()}`).join(', ')}; findings in ${file}.`,
      );
      judgeFindings(report, config.scan.failOn);
    }
  } catch (error) {
    const reason = oneLine(error);
    summary.paragraph(`**Failed:** ${reason}`);
    runner.setOutput(
      'result',
      JSON.stringify({
        version: RESULT_VERSION,
        suiteVersion: SUITE_VERSION,
        outcome: 'failed',
        reason,
      }),
    );
    failStep(runner, error);
  } finally {
    for (const off of disarm) off();
    if (work) await rm(work, { recursive: true, force: true });
    runner.writeSummary(summary);
  }
}

interface Login {
  target: RegistryLogin;
  authFile: AuthFile;
}

/**
 * One GetAuthorizationToken for every registry the job pushes to or pulls from; each password is
 * masked before anything else happens, then written to the job's own auth file (never ~/.docker).
 */
async function logIn(
  runner: Runner,
  ecr: EcrPort,
  config: EcrBuildPushConfig,
  jobDirectory: string,
  signal: AbortSignal,
): Promise<Login> {
  const data = await ecr.getAuthorization(config.loginRegistryIds, signal);
  const logins = data.map((entry) => {
    runner.setSecret(entry.token);
    const login = decodeAuthorization(entry.token, entry.proxyEndpoint, entry.expiresAt);
    runner.setSecret(login.password);
    return login;
  });
  const target = logins[0];
  if (target === undefined) throw new Error('ECR returned no authorization data');
  const authFile = await writeAuthFile(jobDirectory, logins);
  runner.saveState('auth-directory', authFile.directory);
  runner.exportVariable('DOCKER_CONFIG', authFile.directory);
  runner.exportVariable('REGISTRY_AUTH_FILE', authFile.path);
  runner.info(
    `Logged in to ${logins.map((l) => l.host).join(', ')} (credentials in ${authFile.path}, removed after the job).`,
  );
  return { target, authFile };
}

async function buildSpec(
  config: EcrBuildPushConfig,
  work: string,
  login: Login,
  env: NodeJS.ProcessEnv,
): Promise<BuildSpec> {
  const secrets: { id: string; file: string }[] = [];
  if (config.secrets.length > 0) await mkdir(join(work, 'secrets'), { mode: 0o700 });
  for (const [id, value] of config.secrets) {
    const file = join(work, 'secrets', id);
    await writeFile(file, value, { mode: 0o600, flag: 'wx' });
    secrets.push({ id, file });
  }
  return {
    builder: config.builder,
    context: config.context,
    file: config.file,
    buildArgs: config.buildArgs,
    secrets,
    target: config.target,
    platforms: config.platforms,
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
      ...config.labels,
    ],
    provenance: config.provenance,
    sbom: config.sbom,
    layoutDir: join(work, 'layout'),
    localName: `localhost/${config.repository}:ecr-build-push`,
    authFile: login.authFile.path,
    cacheRef: config.cacheTag
      ? `${login.target.host}/${config.repository}:${config.cacheTag}`
      : undefined,
    insecureRegistry: isInsecure(login.target),
  };
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

function setOutputs(runner: Runner, host: string, repository: string, result: PublishResult): void {
  runner.setOutput('image', result.image);
  runner.setOutput('digest', result.digest);
  runner.setOutput('tags', result.tags.join('\n'));
  runner.setOutput('registry', host);
  runner.setOutput(
    'result',
    JSON.stringify({
      version: RESULT_VERSION,
      suiteVersion: SUITE_VERSION,
      outcome: 'pushed',
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
  facts: { buildMs: number; pushMs: number; created: boolean },
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
      ['Build time', formatDuration(facts.buildMs)],
      ['Push time', formatDuration(facts.pushMs)],
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
