// Adapter: runner inputs -> preflight -> plan -> task definition -> ECS-native deployment driven by
// the deploy engine -> outputs, summary and the step's outcome. The post step (same bundle, run
// again by the runner) rolls back a deployment main started but did not see to the end.
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename, resolve } from 'node:path';
import { sdkMetricsPort } from '../../aws/alb-metrics.ts';
import { type ClientOptions, DEFAULT_CONNECT_TIMEOUT_MS } from '../../aws/client-factory.ts';
import { sdkLogsPort } from '../../aws/cloudwatch-logs.ts';
import { sdkDeploymentPort } from '../../aws/ecs-deployments.ts';
import { sdkPreflightPorts } from '../../aws/ecs-preflight.ts';
import { sdkTaskDefinitionPort } from '../../aws/ecs-task-definitions.ts';
import { sdkStsPort } from '../../aws/sts.ts';
import {
  type DeployEvent,
  type DeployResult,
  type SmokeCheck,
  RESULT_VERSION,
  deploy,
  refuseIfBusy,
  rollBackUnfinished,
  sameTaskDefinition,
} from '../../ecs/deploy/index.ts';
import { describePlan, planDeployment } from '../../ecs/deploy/plan.ts';
import { preflight } from '../../ecs/deploy/preflight.ts';
import {
  type PreparedTaskDefinition,
  prepareTaskDefinition,
} from '../../ecs/task-definition/prepare.ts';
import { idTokenFetcher } from '../../github/id-token.ts';
import { sleep, systemClock } from '../../lib/clock.ts';
import { formatDuration } from '../../lib/durations.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import { SUITE_VERSION } from '../../lib/version.ts';
import { assumeRole } from '../../oidc/assume.ts';
import { refreshingCredentials } from '../../oidc/refreshing-credentials.ts';
import { abortAfter, abortOnCancel, failStep } from '../../runner/failure.ts';
import { runMainOrPost } from '../../runner/phases.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { Summary } from '../../runner/summary.ts';
import { type EcsCanaryDeployConfig, parseInputs } from './inputs.ts';

const ACTION = 'ecs-canary-deploy';
/** Starting the new tasks and passing health checks, for the plan's estimate. */
const SCALE_UP_ESTIMATE_MS = 3 * 60_000;
const SMOKE_TIMEOUT_MS = 10_000;
const ASSUME_RETRY = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 };
const ASSUME_TIMEOUT_MS = 60_000;

export function run(runner: Runner = createRunner()): Promise<void> {
  return runMainOrPost(runner, { main, post });
}

function clientOptions(
  config: EcsCanaryDeployConfig,
  env: NodeJS.ProcessEnv,
  credentials: ClientOptions['credentials'],
): ClientOptions {
  // Without role-to-assume the SDK's default chain uses whatever the job has (env, profile,
  // instance role).
  return {
    region: config.region,
    env,
    action: ACTION,
    requestTimeoutMs: config.requestTimeoutMs,
    connectTimeoutMs: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, config.requestTimeoutMs),
    ...(credentials ? { credentials } : {}),
  };
}

/**
 * With role-to-assume: the role assumed with the job's OIDC token now, and again before the
 * session ends, so a deployment longer than role-duration-seconds keeps its credentials. Each
 * assume has its own time limit, not the step's signal: a rollback after cancellation needs them.
 */
async function jobCredentials(
  runner: Runner,
  config: EcsCanaryDeployConfig,
): Promise<ClientOptions['credentials']> {
  const { assume } = config;
  if (assume === undefined) return undefined;
  const sts = sdkStsPort({
    region: config.region,
    env: runner.env,
    action: ACTION,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const fetchIdToken = idTokenFetcher(runner.env, config.requestTimeoutMs);
  const obtain = async () => {
    const assumed = await assumeRole(
      {
        roleArn: assume.roleArn,
        sessionName: assume.sessionName,
        durationSeconds: assume.durationSeconds,
        policies: {},
        source: { kind: 'web-identity', audience: assume.audience, fetchIdToken },
        allowedAccountIds: [],
        retry: ASSUME_RETRY,
      },
      {
        sts,
        mask: (secret) => runner.setSecret(secret),
        sleep,
        signal: AbortSignal.timeout(ASSUME_TIMEOUT_MS),
      },
    );
    return assumed.credentials;
  };
  const credentials = refreshingCredentials(obtain, {
    clock: systemClock,
    onRefresh: ({ expiration }) =>
      runner.info(
        `Assumed ${assume.roleArn} again before the session ended: valid until ${expiration.toISOString()}`,
      ),
    onRefreshFailed: (error, validUntil) =>
      runner.annotate(
        'warning',
        `Could not assume ${assume.roleArn} again (${oneLine(error)}); the credentials in hand last until ${validUntil.toISOString()}, and it is tried again.`,
      ),
  });
  const first = await credentials();
  runner.info(
    `Assumed ${assume.roleArn} with the job's OIDC token (audience ${assume.audience}): valid until ${first.expiration.toISOString()}, renewed before it ends`,
  );
  return credentials;
}

async function main(runner: Runner): Promise<void> {
  const summary = new Summary().heading(ACTION);
  const controller = new AbortController();
  const disarm: (() => void)[] = [abortOnCancel(controller)];
  let prepared: PreparedTaskDefinition | undefined;
  try {
    const config = parseInputs((name) => runner.input(name), runner.env);
    const taskDefinitionText =
      config.taskDefinition.kind === 'file'
        ? await readTaskDefinitionFile(runner, config.taskDefinition.path)
        : undefined;
    disarm.push(abortAfter(controller, config.timeoutMs));
    const signal = controller.signal;
    const options = clientOptions(config, runner.env, await jobCredentials(runner, config));
    const where = `service ${config.service} in cluster ${config.cluster} (${config.region})`;

    runner.info(`Checking ${where} before changing anything`);
    const checked = await preflight(
      {
        cluster: config.cluster,
        service: config.service,
        strategy: config.strategy,
        alarms: config.alarms,
        smokeCheckViaTestListener: config.smoke !== undefined,
      },
      sdkPreflightPorts(options),
      signal,
    );

    const plan = planDeployment({
      strategy: config.strategy,
      desiredCount: checked.service.desiredCount,
      hasTestListener: checked.trafficShift?.testListenerRule !== undefined,
      smokeCheck: config.smoke !== undefined,
      scaleUpEstimateMs: SCALE_UP_ESTIMATE_MS,
      budgetMs: config.timeoutMs,
    });
    const planLines = describePlan(plan);
    runner.info(`Plan (${config.strategy.kind}):`);
    for (const line of planLines) runner.info(`  ${line}`);
    summary.paragraph(`**Plan** (${config.strategy.kind}) for ${where}:`).list(planLines);

    if (config.dryRun) {
      summary.paragraph('**Dry run:** nothing was registered or deployed.');
      setResult(runner, { outcome: 'dry-run', plan });
      runner.info('Dry run: nothing was registered or deployed.');
      return;
    }
    if (!plan.fitsBudget) {
      throw new UserError(
        `The deployment is expected to take about ${formatDuration(plan.expectedMs)}, more than the timeout of ${formatDuration(config.timeoutMs)}: raise 'timeout' or shorten the bake times.`,
      );
    }

    const taskDefinitionPort = sdkTaskDefinitionPort(options);
    const deployments = sdkDeploymentPort(options);
    const target = { cluster: config.cluster, service: config.service };
    prepared = await prepareTaskDefinition(
      {
        origin:
          config.taskDefinition.kind === 'file'
            ? {
                kind: 'file',
                text: taskDefinitionText ?? '',
                fileName: basename(config.taskDefinition.path),
              }
            : { kind: 'service', cluster: config.cluster, service: config.service },
        overrides: config.overrides,
      },
      {
        port: taskDefinitionPort,
        signal,
        ...(config.onBusy === 'fail'
          ? { beforeRegister: () => refuseIfBusy(target, { deployments, signal }) }
          : {}),
      },
    );
    runner.setOutput('task-definition-arn', prepared.arn);
    if (prepared.registered) {
      runner.info(`Registered ${prepared.arn}`);
      for (const line of prepared.differences ?? []) runner.info(`  ${line}`);
    } else {
      runner.info(`Reusing ${prepared.arn}: an equal revision is already registered`);
    }

    if (sameTaskDefinition(checked.service.taskDefinition, prepared.arn)) {
      const inFlight = await deployments.unfinished(config.cluster, config.service, signal);
      if (inFlight.length === 0) {
        const message = `The ${where} already runs ${prepared.arn} and no deployment is in flight: nothing to deploy.`;
        runner.info(message);
        summary.paragraph(`**Already deployed:** ${message}`);
        runner.setOutput('status', 'SUCCESSFUL');
        setResult(runner, {
          outcome: 'succeeded',
          reason: 'already deployed',
          alreadyDeployed: true,
          taskDefinition: taskDefinitionRecord(prepared),
        });
        return;
      }
    }

    const result = await deploy(
      {
        cluster: config.cluster,
        service: config.service,
        taskDefinitionArn: prepared.arn,
        strategy: config.strategy,
        alarms: config.alarms,
        hookTimeoutMinutes: config.hookTimeoutMinutes,
        onBusy: config.onBusy,
        analysis: {
          config: config.analysis.config,
          onInconclusive: config.analysis.onInconclusive,
          intervalMs: config.analysis.intervalMs,
        },
        trafficShift: checked.trafficShift,
        timeoutMs: config.timeoutMs,
        polling: { intervalMs: config.pollIntervalMs },
      },
      {
        deployments,
        metrics: sdkMetricsPort(options),
        logs: sdkLogsPort(options),
        ...(config.smoke
          ? { smokeCheck: smokeCheck(config.smoke.url, config.smoke.expectStatus) }
          : {}),
        clock: systemClock,
        sleep,
        signal,
        onEvent: (event) => {
          if (event.type === 'deployment') {
            runner.saveState('service-deployment-arn', event.serviceDeploymentArn);
            runner.setOutput('service-deployment-arn', event.serviceDeploymentArn);
          }
          const line = describeEvent(event);
          if (line !== undefined) runner.info(line);
        },
      },
    );
    // Main saw the deployment to a final status (or handed the rollback to ECS): nothing for post.
    runner.saveState('finished', 'true');
    setDeployOutputs(runner, result, prepared);
    summarize(summary, result, prepared);
    if (result.outcome === 'succeeded') {
      runner.info(`Deployed ${prepared.arn} to ${where}.`);
    } else {
      for (const line of troubleLines(result)) runner.info(line);
      throw new UserError(
        result.outcome === 'rolled-back'
          ? `Rolled back (${result.decidedBy}): ${result.reason}`
          : `Deployment failed: ${result.reason}`,
      );
    }
  } catch (error) {
    const reason = oneLine(error);
    summary.paragraph(`**Failed:** ${reason}`);
    if (!resultSet.has(runner)) {
      setResult(runner, {
        outcome: 'failed',
        reason,
        ...(prepared ? { taskDefinition: taskDefinitionRecord(prepared) } : {}),
      });
    }
    failStep(runner, error);
  } finally {
    for (const off of disarm) off();
    runner.writeSummary(summary);
  }
}

async function readTaskDefinitionFile(runner: Runner, path: string): Promise<string> {
  const full = resolve(runner.env.GITHUB_WORKSPACE || process.cwd(), path);
  try {
    return await readFile(full, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `Input 'task-definition' names ${path}, which does not exist in the workspace: check the path (relative to the repository root) or check out the repository first.`
        : `Input 'task-definition': cannot read ${path} (${code ?? oneLine(error)}).`,
    );
  }
}

function taskDefinitionRecord(prepared: PreparedTaskDefinition) {
  return {
    arn: prepared.arn,
    family: prepared.family,
    revision: prepared.revision,
    registered: prepared.registered,
    ...(prepared.differences ? { differences: prepared.differences } : {}),
  };
}

/** The `result` output: versioned JSON. Set once; later failures keep the first. */
function setResult(runner: Runner, body: Record<string, unknown>): void {
  runner.setOutput(
    'result',
    JSON.stringify({ version: RESULT_VERSION, suiteVersion: SUITE_VERSION, ...body }),
  );
  resultSet.add(runner);
}

/** Runners whose `result` output is set: main's catch keeps the deployment's result. */
const resultSet = new WeakSet<Runner>();

function setDeployOutputs(
  runner: Runner,
  result: DeployResult,
  prepared: PreparedTaskDefinition,
): void {
  if (result.serviceDeploymentArn)
    runner.setOutput('service-deployment-arn', result.serviceDeploymentArn);
  runner.setOutput('status', result.status ?? '');
  runner.setOutput('verdict', result.verdict ?? '');
  runner.setOutput('rollback-reason', result.rollbackReason ?? '');
  setResult(runner, { ...result, taskDefinition: taskDefinitionRecord(prepared) });
}

function percent(n: number): string {
  return `${Math.round(n * 10) / 10}%`;
}

function describeEvent(event: DeployEvent): string | undefined {
  switch (event.type) {
    case 'busy':
      return `Another deployment is in flight: ${event.serviceDeploymentArn} (${event.taskDefinition ?? 'another task definition'}, ${event.status}); ${event.action === 'wait' ? 'waiting for it' : 'failing (on-busy: fail)'}`;
    case 'deployment':
      return `${event.attached ? 'Watching the deployment already in flight for this task definition' : 'Started deployment'} ${event.serviceDeploymentArn}`;
    case 'stage':
      return `Status ${event.status}${event.stage ? `, stage ${event.stage}` : ''}${event.reason ? `: ${event.reason}` : ''}`;
    case 'traffic':
      return `Traffic on the new revision: production ${percent(event.production)}, test ${percent(event.test)}`;
    case 'tasks':
      return `Tasks: new revision ${event.target.running}/${event.target.requested} running (${event.target.pending} pending); old ${event.sources.running} running`;
    case 'monitors':
      return `Monitors: ${event.triggeredAlarms.length > 0 ? `alarms in ALARM: ${event.triggeredAlarms.join(', ')}` : 'no alarm triggered'}${event.circuitBreaker?.status ? `; circuit breaker ${event.circuitBreaker.status}${event.circuitBreaker.failureCount === undefined ? '' : ` (${event.circuitBreaker.failureCount} failed tasks)`}` : ''}`;
    case 'smoke-check':
      return `Smoke check ${event.ok ? 'passed' : 'failed'}: ${event.detail}`;
    case 'analysis': {
      const a = event.analysis;
      return `Analysis (${a.kind}${a.stage ? ` at ${a.stage}` : ''}, canary at ${percent(a.productionWeight)}): ${a.verdict}${a.cause ? ` (${a.cause})` : ''}; ${a.traffic.canaryRequests} canary / ${a.traffic.baselineRequests} baseline requests; ${a.decision.action}: ${a.decision.reason}`;
    }
    case 'hook':
      return `Hook at ${event.stage}: ${event.action}${event.until ? ` until ${event.until}` : ''}: ${event.reason}`;
    case 'rollback':
      return `Rolling back (${event.decidedBy}, via ${event.via === 'hook' ? 'the paused hook' : 'StopServiceDeployment'}): ${event.reason}`;
    case 'call-error':
      return `${event.call} failed (${event.kind}, ${event.consecutive} in a row): ${event.error}; retrying in ${formatDuration(event.retryInMs)}`;
    case 'trouble':
      return undefined; // printed with the result
  }
}

function troubleLines(result: DeployResult): string[] {
  const trouble = result.trouble;
  if (!trouble) return [];
  return [
    ...trouble.stoppedTasks.map(
      (t) =>
        `Stopped task ${t.taskArn}${t.taskDefinitionArn ? ` (${t.taskDefinitionArn.replace(/^.*:task-definition\//, '')})` : ''}: ${t.stopCode ? `${t.stopCode}, ` : ''}${t.stoppedReason ?? 'no reason'}${t.containers.map((c) => `; ${c.name} exit ${c.exitCode ?? '?'}${c.reason ? ` (${c.reason})` : ''}`).join('')}`,
    ),
    ...trouble.logTails.flatMap((tail) => [
      `Last log lines of ${tail.container} (${tail.logGroup}/${tail.logStream}):`,
      ...tail.lines.map((line) => `  ${line}`),
    ]),
    ...trouble.events.slice(0, 10).map((e) => `Service event ${e.at}: ${e.message}`),
    ...trouble.unavailable.map((u) => `Not available: ${u}`),
  ];
}

function summarize(summary: Summary, result: DeployResult, prepared: PreparedTaskDefinition): void {
  const decision =
    result.outcome === 'succeeded'
      ? 'Succeeded'
      : result.outcome === 'rolled-back'
        ? `Rolled back (${result.decidedBy}): ${result.reason}`
        : `Failed: ${result.reason}`;
  summary.paragraph(`**Decision:** ${decision}`);
  summary.table(
    ['', ''],
    [
      ['Task definition', `\`${prepared.arn}\` (${prepared.registered ? 'registered' : 'reused'})`],
      [
        'Service deployment',
        result.serviceDeploymentArn ? `\`${result.serviceDeploymentArn}\`` : '—',
      ],
      ['Status', result.status ?? '—'],
      ['Verdict', result.verdict ?? '—'],
      ['Rollback reason', result.rollbackReason ?? '—'],
      ['Started', result.startedAt],
      ['Finished', result.finishedAt],
    ],
  );
  if (result.timeline.length > 0) {
    summary.heading('Timeline', 3);
    summary.table(
      ['at', 'status', 'stage'],
      result.timeline.map((t) => [t.at, t.status, t.stage ?? '']),
    );
  }
  if (result.trafficSteps.length > 0) {
    summary.heading('Traffic steps', 3);
    summary.table(
      ['at', 'production', 'test'],
      result.trafficSteps.map((s) => [s.at, percent(s.production), percent(s.test)]),
    );
  }
  if (result.analyses.length > 0) {
    summary.heading('Canary analysis', 3);
    summary.table(
      ['at', 'kind', 'canary %', 'requests (canary / baseline)', 'verdict', 'decision'],
      result.analyses.map((a) => [
        a.at,
        `${a.kind}${a.stage ? ` ${a.stage}` : ''}`,
        percent(a.productionWeight),
        `${a.traffic.canaryRequests} / ${a.traffic.baselineRequests}`,
        `${a.verdict}${a.cause ? ` (${a.cause})` : ''}`,
        `${a.decision.action}: ${a.decision.reason}`,
      ]),
    );
    const last = [...result.analyses].reverse().find((a) => a.metrics && a.metrics.length > 0);
    if (last?.metrics) {
      summary.paragraph(`Canary vs baseline at ${last.at}:`);
      summary.table(
        ['metric', 'canary', 'baseline', 'limit', 'outcome'],
        last.metrics.map((m) => [
          m.name,
          figure(m.canary),
          figure(m.baseline),
          figure(m.limit),
          m.why,
        ]),
      );
    }
  }
}

function figure(n: number | null): string {
  return n === null ? '—' : String(Math.round(n * 10_000) / 10_000);
}

/** GET the test listener with node:http(s) (not fetch: see docs/design.md); ok on the expected status. */
function smokeCheck(url: URL, expectStatus: number): SmokeCheck {
  return (signal) =>
    new Promise((resolvePromise) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const started = Date.now();
      const finish = (ok: boolean, detail: string) => resolvePromise({ ok, detail });
      const request = send(
        url,
        {
          method: 'GET',
          signal,
          timeout: SMOKE_TIMEOUT_MS,
          headers: { 'user-agent': `aws-ship-suite/${SUITE_VERSION} ${ACTION}` },
        },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          const detail = `GET ${url.origin}${url.pathname} answered ${status} in ${Date.now() - started} ms (expected ${expectStatus})`;
          finish(status === expectStatus, detail);
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer within ${formatDuration(SMOKE_TIMEOUT_MS)}`)),
      );
      request.on('error', (error) =>
        finish(false, `GET ${url.origin}${url.pathname} failed: ${oneLine(error)}`),
      );
      request.end();
    });
}

async function post(runner: Runner): Promise<void> {
  try {
    const arn = runner.state('service-deployment-arn');
    if (!arn || runner.state('finished') === 'true') {
      runner.info('Nothing to roll back: the main step left no unfinished deployment.');
      return;
    }
    const config = parseInputs((name) => runner.input(name), runner.env);
    runner.info(`The main step did not finish: rolling back ${arn} if it is still in flight`);
    const outcome = await rollBackUnfinished(
      arn,
      {
        deployments: sdkDeploymentPort(
          clientOptions(config, runner.env, await jobCredentials(runner, config)),
        ),
      },
      AbortSignal.timeout(30_000),
    );
    switch (outcome.action) {
      case 'none':
        runner.info(`Nothing to do: ${outcome.reason} (${outcome.status}).`);
        break;
      case 'rolled-back':
        runner.info(
          `Asked ECS to roll back ${arn} (was ${outcome.status}, via ${outcome.via === 'hook' ? 'the paused hook' : 'StopServiceDeployment'}); ECS finishes the rollback.`,
        );
        break;
      case 'failed':
        throw new UserError(outcome.reason);
    }
  } catch (error) {
    failStep(runner, error);
  }
}
