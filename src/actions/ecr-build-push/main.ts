// Adapter: runner inputs -> the ecr engine (login, repository, build or promotion, push by
// digest, scan) -> outputs and summary. The post step (same bundle, run again by the runner)
// removes the job's registry credentials.
import { sdkEcrPort } from '../../aws/ecr.ts';
import { removeAuthFile } from '../../ecr/auth-file.ts';
import {
  type BuildAndPushEvent,
  type BuildAndPushPorts,
  buildAndPush,
} from '../../ecr/build-and-push.ts';
import { RegistryClient } from '../../ecr/registry-client.ts';
import { runCommand } from '../../ecr/run-command.ts';
import { describeAwsError } from '../../lib/aws-errors.ts';
import { sleep, systemClock } from '../../lib/clock.ts';
import { formatDuration } from '../../lib/durations.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { type EcrBuildPushConfig, OUTPUTS, parseInputs } from './inputs.ts';
import { describeEvent, resultOf, summarizeImage, summarizeScan } from './report.ts';

type Output = (typeof OUTPUTS)[number];

export function run(runner: Runner = createRunner()): Promise<void> {
  return runAction({ name: 'ecr-build-push', outputs: OUTPUTS, main, post }, runner);
}

async function main(step: MainStep<Output>): Promise<void> {
  const { runner } = step;
  const config = parseInputs((name) => runner.input(name), runner.env);
  if (config.mode === 'build')
    for (const [, value] of config.build.secrets) runner.setSecret(value);
  step.timeoutAfter(config.timeoutMs);
  for (const { template, missing } of config.skippedTags) {
    runner.info(`Tag template '${template}' skipped: this run has no {${missing}}.`);
  }
  const result = await buildAndPush(config, ports(step, config));
  step.setResult(resultOf(result));
}

function ports(step: MainStep<Output>, config: EcrBuildPushConfig): BuildAndPushPorts {
  const { runner, signal } = step;
  return {
    ecr: (region) =>
      sdkEcrPort({
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
      }),
    registry: (login) =>
      new RegistryClient({
        login,
        retry: config.retry,
        requestTimeoutMs: config.requestTimeoutMs,
        sleep,
        signal,
        onRetry: ({ what, attempt, delayMs, reason }) =>
          runner.info(
            `Registry: ${what} attempt ${attempt} failed: ${reason}; retrying in ${formatDuration(delayMs)}`,
          ),
      }),
    // The whole argv is safe to show: secrets are files and credentials the auth file.
    runBuilder: (command, env, signal) =>
      runner.group(`${command.command} ${command.args.join(' ')}`, () =>
        runCommand(command, {
          cwd: runner.env.GITHUB_WORKSPACE || process.cwd(),
          env: { ...runner.env, ...env },
          onLine: (line) => runner.info(line),
          signal,
        }),
      ),
    mask: (secret) => runner.setSecret(secret),
    keepAuthFile: (file) => {
      runner.saveState('auth-directory', file.directory);
      runner.exportVariable('DOCKER_CONFIG', file.directory);
      runner.exportVariable('REGISTRY_AUTH_FILE', file.path);
    },
    clock: systemClock,
    sleep,
    signal,
    onEvent: (event) => report(step, event),
  };
}

function report(step: MainStep<Output>, event: BuildAndPushEvent): void {
  if (event.type === 'published') {
    const { published } = event.image;
    step.setOutput('image', published.image);
    step.setOutput('digest', published.digest);
    step.setOutput('tags', published.tags.join('\n'));
    step.setOutput('registry', event.image.registry);
    Object.assign(step.failureFacts, { image: published.image, digest: published.digest });
    summarizeImage(step.summary, event.image);
  } else if (event.type === 'scanned') {
    step.setOutput('scan-status', event.scan.report.status);
    step.setOutput('severity-counts', JSON.stringify(event.scan.report.severityCounts));
    step.setOutput('findings-file', event.scan.file);
    summarizeScan(step.summary, event.scan);
  }
  if (event.type === 'cache-repository' && event.status === 'missing') {
    step.runner.annotate('warning', describeEvent(event));
  } else step.runner.info(describeEvent(event));
}

async function post(runner: Runner): Promise<void> {
  const directory = runner.state('auth-directory');
  if (!directory) {
    runner.info('Nothing to clean up: the main step wrote no registry credentials.');
    return;
  }
  await removeAuthFile(directory);
  runner.info(`Removed the job's registry credentials (${directory}).`);
}
