// dist/ecs-canary-deploy/index.js against the AWS emulator at 120× when things go wrong: an alarm,
// crash-looping tasks, a cancelled job, a dead runner, a busy service, too little traffic, a
// throttling storm, a failed smoke check. Same setup as ecs-canary-deploy.test.ts: the job's
// credentials come from the environment, every run's log is scanned for them, and each test has
// its own cluster, ALB and service.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BlueGreenApp, seedBlueGreenApp } from '../emulator/seed-app.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import {
  type ActionRun,
  type RunningAction,
  cleanupActionRuns,
  expectNoSecretsIn,
  runAction,
  startAction,
} from '../harness/index.ts';

const ACTION = 'actions/ecs-canary-deploy/action.yml';
const ACCOUNT = '123456789012';
const KEYS = {
  accessKeyId: 'AKIAECSCANARYE2E0002',
  secretAccessKey: 'ecs-canary-e2e-failures-secret-key-0000000',
};
/** Minutes of bake in ~0.5 s each; gates watch one analysis interval (the engine's minimum, 10 s). */
const FAST = {
  'aws-region': 'us-east-1',
  'canary-percent': '20',
  'canary-bake': '1m',
  'bake-time': '1m',
  'min-requests': '50',
  'max-error-rate': '0.05',
  'analysis-interval': '10s',
  'poll-interval': '1s',
  'hook-timeout': '240m',
};
const CANARY_TRAFFIC = /Traffic on the new revision: production 20%/;

let emulator: Emulator;
const runs: ActionRun[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 120, seed: 11 });
  emulator.sts.addCredentials({ ...KEYS, arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
});

afterAll(async () => {
  try {
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) expectNoSecretsIn(run, [KEYS.secretAccessKey]);
  } finally {
    await emulator.close();
    await cleanupActionRuns();
  }
});

type App = BlueGreenApp;

/** A cluster, ALB and service `name`, steady on `<name>:1` (image tag v1), with production traffic. */
const app = (name: string, requestsPerSecond?: number): App =>
  seedBlueGreenApp(emulator, {
    name,
    account: ACCOUNT,
    ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }),
  });
/** The ARN revision `n` of the app's family gets when registered. */
const revision = (a: App, n: number) => a.v1.replace(/:1$/, `:${n}`);

const ENV = () => ({
  AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
  AWS_ENDPOINT_URL: emulator.url,
});

const inputsFor = (a: App, tag: string, more: Record<string, string> = {}) => ({
  ...FAST,
  cluster: a.name,
  service: a.name,
  images: `app=${a.image(tag)}`,
  ...more,
});

async function run(
  inputs: Record<string, string>,
  timeoutMs = 50_000,
  post = true,
): Promise<ActionRun> {
  const result = await runAction({ action: ACTION, inputs, env: ENV(), timeoutMs, post });
  runs.push(result);
  return result;
}

function start(inputs: Record<string, string>, post = true): RunningAction {
  const running = startAction({ action: ACTION, inputs, env: ENV(), timeoutMs: 50_000, post });
  void running.result.then(
    (r) => runs.push(r),
    () => undefined,
  );
  return running;
}

const calls = (action: string) => emulator.calls.filter((c) => c.action === action).length;
const errors = (run: ActionRun) =>
  run.annotations.filter((a) => a.level === 'error' && a.source === 'action');
const result = (run: ActionRun) =>
  JSON.parse(run.outputs.result ?? '{}') as Record<string, unknown>;
/** Task definitions of the app's RUNNING tasks, deduplicated. */
const running = (a: App) => [
  ...new Set(
    emulator.ecs
      .tasks()
      .filter((t) => t.lastStatus === 'RUNNING' && t.clusterArn?.endsWith(`:cluster/${a.name}`))
      .map((t) => t.taskDefinitionArn),
  ),
];
/** The deployment the run started, from its log (outputs may be lost when the step is killed). */
const deploymentOf = (log: string) => /Started deployment (\S+)/.exec(log)?.[1] ?? '';

/** A failed step: exit 1, exactly one error line matching `message`, no stack trace. */
function expectFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode).toBe(1);
  expect(errors(run).map((e) => e.message)).toEqual([expect.stringMatching(message)]);
  expect(errors(run)[0]!.message).not.toContain('\n');
  expect(run.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

function expectSuccess(run: ActionRun): void {
  expect({ exit: run.exitCode, errors: errors(run) }).toEqual({ exit: 0, errors: [] });
  expect(run.outputs.status).toBe('SUCCESSFUL');
}

describe('ecs-canary-deploy bundle when things go wrong', () => {
  it('rolls back when a listed alarm goes into ALARM during the canary, naming the alarm', async () => {
    const a = app('alarmed');
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'alarmed-5xx', state: 'OK' });
    const step = start(inputsFor(a, 'v2', { alarms: 'alarmed-5xx' }));
    await step.waitForOutput(CANARY_TRAFFIC, 20_000);
    emulator.cloudwatch.setAlarmState('alarmed-5xx', 'ALARM', 'Threshold Crossed: 5xx');
    const r = await step.result;
    expectFailure(r, /^Rolled back \(alarm\): .*alarmed-5xx/);
    expect(r.outputs.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(result(r)).toMatchObject({ outcome: 'rolled-back', decidedBy: 'alarm' });
    expect(r.log).toMatch(/alarms in ALARM: alarmed-5xx/);
    expect(running(a)).toEqual([a.v1]);
  }, 40_000);

  it('fails on crash-looping tasks tripped by the circuit breaker, with stop reasons and log lines', async () => {
    const a = app('crashy');
    const v2 = revision(a, 2);
    emulator.scenario.setBehaviour(v2, {
      crash: { exitCode: 137, reason: 'OutOfMemoryError: Container killed' },
      logLines: ['starting crashy', 'FATAL: cannot connect to db-primary:5432'],
    });
    const r = await run(
      inputsFor(a, 'v2', {
        'log-options': 'group=/ecs/crashy\nregion=us-east-1\nstream-prefix=ecs',
      }),
    );
    expectFailure(r, /^Rolled back \(circuit-breaker\): /);
    expect(r.outputs['task-definition-arn']).toBe(v2);
    expect(r.outputs.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(result(r)).toMatchObject({ outcome: 'rolled-back', decidedBy: 'circuit-breaker' });
    expect(r.log).toMatch(
      /Stopped task \S+: Essential container in task exited; app exit 137 \(OutOfMemoryError: Container killed\)/,
    );
    expect(r.log).toMatch(/Last log lines of app \(\/ecs\/crashy\/ecs\/app\/\S+\):/);
    expect(r.log).toMatch(/^ {2}FATAL: cannot connect to db-primary:5432$/m);
    expect(running(a)).toEqual([a.v1]);
  }, 40_000);

  it('rolls back when the job is cancelled mid-canary, and the old revision keeps serving', async () => {
    const a = app('cancelled');
    const step = start(inputsFor(a, 'v2'));
    await step.waitForOutput(CANARY_TRAFFIC, 20_000);
    const r = await step.cancel({ sigintTimeoutMs: 5000, sigtermTimeoutMs: 2000 });
    expectFailure(r, /^Rolled back \(cancelled\): /);
    expect(result(r)).toMatchObject({ outcome: 'rolled-back', decidedBy: 'cancelled' });
    expect(r.post?.log).toMatch(/Nothing to roll back/);
    const arn = deploymentOf(r.log);
    expect(arn).toMatch(/service-deployment/);
    const final = await emulator.ecs.settled(arn);
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(running(a)).toEqual([a.v1]);
  }, 40_000);

  it('is rolled back by ECS at the hook timeout when the runner dies mid-canary', async () => {
    const a = app('orphan');
    // 3 min of hook timeout is 1.5 s at 120×; it must be more than twice the analysis interval.
    const step = start(inputsFor(a, 'v2', { 'hook-timeout': '3m' }), false);
    await step.waitForOutput(CANARY_TRAFFIC, 20_000);
    const killedAt = Date.now();
    step.kill('SIGKILL');
    const r = await step.result;
    expect(r.signal).toBe('SIGKILL');
    const before = emulator.calls.length;
    const arn = deploymentOf(r.log);
    expect(arn).toMatch(/service-deployment/);
    const final = await emulator.ecs.settled(arn);
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(emulator.calls.length).toBe(before);
    expect(final.lifecycleHookDetails?.some((h) => h.status === 'TIMED_OUT')).toBe(true);
    // The rollback began after the kill: a live step would have answered the hook in time.
    expect(new Date(final.rollback?.startedAt ?? 0).getTime()).toBeGreaterThanOrEqual(killedAt);
    expect(running(a)).toEqual([a.v1]);
  }, 40_000);

  it('on-busy: fail fails with one line and changes nothing; on-busy: wait waits, then deploys', async () => {
    const a = app('busy');
    const first = start(inputsFor(a, 'v2'));
    await first.waitForOutput(/Started deployment/, 20_000);
    const deploymentCalls = () =>
      ['UpdateService', 'StopServiceDeployment', 'ContinueServiceDeployment'].map(calls);
    const before = deploymentCalls();
    const failed = await run(inputsFor(a, 'v3', { 'on-busy': 'fail' }));
    expectFailure(failed, /Another deployment is in flight on the .*on-busy is fail/);
    expect(deploymentCalls()).toEqual(before);
    const inFlight = /in flight on the .*? \((\S+), .*busy:2, IN_PROGRESS\)/.exec(
      errors(failed)[0]!.message,
    )?.[1];
    expect(emulator.ecs.serviceDeployment(inFlight ?? '')?.status).toBe('IN_PROGRESS');

    // While another revision's deployment is active the engine looks only every 60 s (fixed,
    // whatever poll-interval says), so this run waits about a minute of wall clock.
    // A short hook-timeout makes the gates of this second deployment judge early (they never hold
    // a hook past its expiry), which keeps the test short; the waiting is what it is about.
    const waited = await run(
      inputsFor(a, 'v3', { 'on-busy': 'wait', 'hook-timeout': '3m' }),
      100_000,
    );
    const firstRun = await first.result;
    expectSuccess(firstRun);
    expect(firstRun.outputs['service-deployment-arn']).toBe(inFlight);
    expectSuccess(waited);
    expect(waited.log).toMatch(/Another deployment is in flight: .*waiting for it/);
    expect(waited.outputs['task-definition-arn']).toBe(revision(a, 3));
    expect(running(a)).toEqual([revision(a, 3)]);
  }, 120_000);

  describe('low traffic gives an inconclusive verdict', () => {
    it('and on-inconclusive: continue deploys', async () => {
      const a = app('quiet', 0.2);
      const r = await run(
        inputsFor(a, 'v2', { 'min-requests': '100000', 'on-inconclusive': 'continue' }),
      );
      expectSuccess(r);
      expect(r.outputs.verdict).toBe('inconclusive');
      expect(running(a)).toEqual([revision(a, 2)]);
    }, 40_000);

    it('and on-inconclusive: rollback rolls back', async () => {
      const a = app('quieter', 0.2);
      const r = await run(
        inputsFor(a, 'v2', { 'min-requests': '100000', 'on-inconclusive': 'rollback' }),
      );
      expectFailure(r, /^Rolled back \(analysis\): /);
      expect(r.outputs.verdict).toBe('inconclusive');
      expect(r.outputs.status).toBe('ROLLBACK_SUCCESSFUL');
      expect(running(a)).toEqual([a.v1]);
    }, 40_000);
  });

  it('survives a throttling storm on DescribeServiceDeployments and deploys', async () => {
    const a = app('throttled');
    const step = start(inputsFor(a, 'v2'));
    await step.waitForOutput(/Started deployment/, 20_000);
    const fault = emulator.faults.inject({
      service: 'ecs',
      action: 'DescribeServiceDeployments',
      kind: 'throttle',
      times: 5,
    });
    const r = await step.result;
    fault.remove();
    expect(fault.applied).toBe(5);
    expectSuccess(r);
    // The SDK's own retries absorb these five; the step's log stays quiet about them.
    expect(
      emulator.calls.filter(
        (c) => c.action === 'DescribeServiceDeployments' && c.errorCode !== undefined,
      ).length,
    ).toBeGreaterThanOrEqual(5);
    expect(running(a)).toEqual([revision(a, 2)]);
  }, 60_000);

  it('reports a rolling deployment rolled back by the circuit breaker as a failure', async () => {
    const a = app('rolling');
    const v2 = revision(a, 2);
    emulator.scenario.setBehaviour(v2, { crash: { exitCode: 1, reason: 'panic: nil map' } });
    const r = await run(inputsFor(a, 'v2', { strategy: 'rolling' }));
    expectFailure(r, /^Rolled back \(circuit-breaker\): /);
    expect(r.outputs.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(result(r)).toMatchObject({ outcome: 'rolled-back' });
    expect(r.log).not.toMatch(/Deployed .* to service/);
    expect(running(a)).toEqual([a.v1]);
  }, 40_000);

  describe('smoke check', () => {
    let server: Server;
    let status = 200;
    let url = '';
    beforeAll(async () => {
      server = createServer((_, res) => {
        res.statusCode = status;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('rolls back on a 500 before any production traffic moves', async () => {
      const a = app('smoky');
      status = 500;
      const r = await run(inputsFor(a, 'v2', { 'smoke-url': url }));
      expectFailure(r, /^Rolled back \(smoke-check\): /);
      expect(r.log).toMatch(/Smoke check failed: GET .*\/health answered 500/);
      expect(r.log).not.toMatch(/Traffic on the new revision: production [1-9]/);
      const steps = (result(r).trafficSteps ?? []) as { production: number }[];
      expect(steps.every((s) => s.production === 0)).toBe(true);
      expect(running(a)).toEqual([a.v1]);
    }, 40_000);

    it('proceeds on a 200', async () => {
      const a = app('smooth');
      status = 200;
      const r = await run(inputsFor(a, 'v2', { 'smoke-url': url }));
      expectSuccess(r);
      expect(r.log).toMatch(/Smoke check passed: GET .*\/health answered 200/);
      expect(running(a)).toEqual([revision(a, 2)]);
    }, 40_000);
  });
});
