// Adapter: runner inputs -> the SPA deploy engine (src/spa/deploy.ts, or src/spa/rollback.ts with
// mode rollback) -> outputs, result and summary.
import { cloudFrontPort } from '../../aws/cloudfront.ts';
import { type ClientOptions, DEFAULT_CONNECT_TIMEOUT_MS } from '../../aws/client-factory.ts';
import { s3BucketPort } from '../../aws/s3-objects.ts';
import { sleep, systemClock } from '../../lib/clock.ts';
import { buildDirectory, deploySpa, rollbackSpa, type SpaPorts } from '../../spa/index.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { OUTPUTS, type SpaDeployConfig, parseInputs } from './inputs.ts';
import { deployBody, deploySummary, eventLine, rollbackBody, rollbackSummary } from './report.ts';

const ACTION = 'spa-deploy';
type Step = MainStep<(typeof OUTPUTS)[number]>;

export function run(runner: Runner = createRunner()): Promise<void> {
  return runAction({ name: ACTION, outputs: OUTPUTS, main }, runner);
}

async function main(step: Step): Promise<void> {
  const { runner } = step;
  const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
  const config = parseInputs((name) => runner.input(name), workspace, runner.env);
  step.timeoutAfter(config.timeoutMs);
  const clients = await clientOptions(runner, config);
  const where = `s3://${config.bucket}/${config.prefix} behind ${config.distributionId}`;
  const source = config.source ?? workspace;
  const ports: SpaPorts = {
    source: buildDirectory(source, workspace, step.signal),
    bucket: s3BucketPort(config.bucket, source, clients),
    cdn: cloudFrontPort(config.distributionId, clients),
    clock: systemClock,
    sleep,
    signal: step.signal,
    onEvent: (event) => runner.info(eventLine(event)),
  };
  const common = {
    prefix: config.prefix,
    waitForInvalidation: config.waitForInvalidation,
    invalidateEverything: config.invalidateEverything,
    dryRun: config.dryRun,
    concurrency: config.concurrency,
  };

  if (config.mode === 'rollback') {
    runner.info(
      `Rolling back ${where} to ${config.release ? `release ${config.release}` : 'the previous release'}`,
    );
    const result = await rollbackSpa({ ...common, target: config.release }, ports);
    step.setOutput('release', result.release);
    step.setOutput('uploaded', '0');
    step.setOutput('unchanged', '0');
    step.setOutput('deleted', '0');
    step.setOutput('invalidation-id', result.invalidation?.id ?? '');
    step.setResult(rollbackBody(result));
    rollbackSummary(step.summary, result, where);
    if (result.outcome !== 'rolled-back')
      runner.info(`Release ${result.release}: ${result.outcome}.`);
    return;
  }
  runner.info(`Deploying ${source} to ${where}`);
  const result = await deploySpa(
    {
      ...common,
      rules: config.rules,
      keepReleases: config.keepReleases,
      releaseId: config.release ?? releaseId(runner.env),
      concurrency: config.concurrency,
    },
    ports,
  );
  step.setOutput('release', result.release);
  step.setOutput('uploaded', String(result.uploaded.count));
  step.setOutput('unchanged', String(result.unchanged));
  step.setOutput('deleted', String(result.deleted));
  step.setOutput('invalidation-id', result.invalidation?.id ?? '');
  step.setResult(deployBody(result));
  deploySummary(step.summary, result, where);
  if (result.outcome === 'unchanged')
    runner.info(`Nothing changed: release ${result.release} stays live.`);
  if (result.outcome === 'dry-run') runner.info('Dry run: nothing was uploaded.');
}

/** The workflow run and attempt, or the time, and the commit: unique per deploy, readable in a list. */
function releaseId(env: NodeJS.ProcessEnv): string {
  const sha = (env.GITHUB_SHA ?? '').slice(0, 7);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return [stamp, sha].filter(Boolean).join('-');
}

async function clientOptions(runner: Runner, config: SpaDeployConfig): Promise<ClientOptions> {
  const client = {
    region: config.region,
    action: ACTION,
    requestTimeoutMs: config.requestTimeoutMs,
  };
  // The STS client and the OIDC flow are a chunk of their own, loaded only with role-to-assume.
  const credentials =
    config.assume === undefined
      ? undefined
      : await (
          await import('../shared/job-credentials.ts')
        ).jobCredentials(runner, client, config.assume);
  return {
    ...client,
    env: runner.env,
    connectTimeoutMs: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, config.requestTimeoutMs),
    ...(credentials ? { credentials } : {}),
  };
}
