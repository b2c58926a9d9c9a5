// dist/ecs-canary-deploy/index.js against the AWS emulator at 120× when things go wrong: an alarm,
// crash-looping tasks, a cancelled job, a dead runner, a busy service, too little traffic, a
// throttling storm, a failed smoke check. Same setup as ecs-canary-deploy.test.ts: the job's
// credentials come from the environment, every run's log is scanned for them, and each test has
// its own cluster, ALB and service.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CANARY_TRAFFIC,
  expectDeployed,
  expectRolledBack,
  revision,
  useEcsDeployWorld,
} from './ecs-deploy-world.ts';
import { expectFailure, errors, result } from './step-assertions.ts';

const KEYS = {
  accessKeyId: 'AKIAECSCANARYE2E0002',
  secretAccessKey: 'ecs-canary-e2e-failures-secret-key-0000000',
};

const world = useEcsDeployWorld({ keys: KEYS, seed: 11 });
const { app, inputsFor, run, start, calls, running } = world;
/** The deployment the run started, from its log (outputs may be lost when the step is killed). */
const deploymentOf = (log: string) => /Started deployment (\S+)/.exec(log)?.[1] ?? '';

describe('ecs-canary-deploy bundle when things go wrong', () => {
  it('rolls back when a listed alarm goes into ALARM during the canary, naming the alarm', async () => {
    const a = app('alarmed');
    world.emulator.cloudwatch.putMetricAlarm({ alarmName: 'alarmed-5xx', state: 'OK' });
    const step = start(inputsFor(a, 'v2', { alarms: 'alarmed-5xx' }));
    await step.waitForOutput(CANARY_TRAFFIC, 20_000);
    world.emulator.cloudwatch.setAlarmState('alarmed-5xx', 'ALARM', 'Threshold Crossed: 5xx');
    const r = await step.result;
    expectRolledBack(r, 'alarm');
    expect(errors(r)[0]!.message).toMatch(/alarmed-5xx/);
    expect(r.log).toMatch(/alarms in ALARM: alarmed-5xx/);
    expect(running(a)).toEqual([a.v1]);
  }, 40_000);

  it('fails on crash-looping tasks tripped by the circuit breaker, with stop reasons and log lines', async () => {
    const a = app('crashy');
    const v2 = revision(a, 2);
    world.emulator.scenario.setBehaviour(v2, {
      crash: { exitCode: 137, reason: 'OutOfMemoryError: Container killed' },
      logLines: ['starting crashy', 'FATAL: cannot connect to db-primary:5432'],
    });
    const r = await run(
      inputsFor(a, 'v2', {
        'log-options': 'group=/ecs/crashy\nregion=us-east-1\nstream-prefix=ecs',
      }),
    );
    expectRolledBack(r, 'circuit-breaker');
    expect(r.outputs['task-definition-arn']).toBe(v2);
    expect(r.log).toMatch(
      /Stopped task \S+ \(crashy:2\): EssentialContainerExited, Essential container in task exited; app exit 137 \(OutOfMemoryError: Container killed\)/,
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
    const final = await world.emulator.ecs.settled(arn);
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
    const before = world.emulator.calls.length;
    const arn = deploymentOf(r.log);
    expect(arn).toMatch(/service-deployment/);
    const final = await world.emulator.ecs.settled(arn);
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(world.emulator.calls.length).toBe(before);
    expect(final.lifecycleHookDetails?.some((h) => h.status === 'TIMED_OUT')).toBe(true);
    // The rollback began after the kill: a live step would have answered the hook in time.
    expect(new Date(final.rollback?.startedAt ?? 0).getTime()).toBeGreaterThanOrEqual(killedAt);
    expect(running(a)).toEqual([a.v1]);
  }, 40_000);

  it('on-busy: fail fails with one line and changes nothing; on-busy: wait waits, then deploys', async () => {
    const a = app('busy');
    const first = start(inputsFor(a, 'v2'));
    // On the canary: its next change (the gate's answer) is an analysis interval away, so the
    // calls counted below are the second step's alone.
    await first.waitForOutput(CANARY_TRAFFIC, 20_000);
    const changes = () =>
      [
        'RegisterTaskDefinition',
        'UpdateService',
        'StopServiceDeployment',
        'ContinueServiceDeployment',
      ].map(calls);
    const before = changes();
    const failed = await run(inputsFor(a, 'v3', { 'on-busy': 'fail' }));
    expectFailure(failed, /Another deployment is in flight on the .*on-busy is fail/);
    // Not even a task definition revision is left behind.
    expect(changes()).toEqual(before);
    const inFlight = /in flight on the .*? \((\S+), .*busy:2, IN_PROGRESS\)/.exec(
      errors(failed)[0]!.message,
    )?.[1];
    expect(world.emulator.ecs.serviceDeployment(inFlight ?? '')?.status).toBe('IN_PROGRESS');

    // While another revision's deployment is active the engine looks every 6 poll intervals.
    // A short hook-timeout makes the gates of this second deployment judge early (they never hold
    // a hook past its expiry), which keeps the test short; the waiting is what it is about.
    const waited = await run(
      inputsFor(a, 'v3', { 'on-busy': 'wait', 'hook-timeout': '3m' }),
      60_000,
    );
    const firstRun = await first.result;
    expectDeployed(firstRun);
    expect(firstRun.outputs['service-deployment-arn']).toBe(inFlight);
    expectDeployed(waited);
    expect(waited.log).toMatch(/Another deployment is in flight: .*waiting for it/);
    expect(waited.outputs['task-definition-arn']).toBe(revision(a, 3));
    expect(running(a)).toEqual([revision(a, 3)]);
  }, 80_000);

  describe('low traffic gives an inconclusive verdict', () => {
    it('and on-inconclusive: continue deploys', async () => {
      const a = app('quiet', 0.2);
      const r = await run(
        inputsFor(a, 'v2', { 'min-requests': '100000', 'on-inconclusive': 'continue' }),
      );
      expectDeployed(r);
      expect(r.outputs.verdict).toBe('inconclusive');
      expect(running(a)).toEqual([revision(a, 2)]);
      // Promoted on an inconclusive verdict: loud, in a warning and the summary.
      const warnings = r.annotations.filter((x) => x.source === 'action' && x.level === 'warning');
      expect(warnings.map((x) => x.message)).toEqual([
        expect.stringMatching(/^Promoted without evidence: \d+ canary requests?; /),
      ]);
      expect(r.summary).toMatch(/\*\*Warning:\*\* Promoted without evidence: \d+ canary request/);
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
    const fault = world.emulator.faults.inject({
      service: 'ecs',
      action: 'DescribeServiceDeployments',
      kind: 'throttle',
      times: 5,
    });
    const r = await step.result;
    fault.remove();
    expect(fault.applied).toBe(5);
    expectDeployed(r);
    // The SDK's own retries absorb these five; the step's log stays quiet about them.
    expect(
      world.emulator.calls.filter(
        (c) => c.action === 'DescribeServiceDeployments' && c.errorCode !== undefined,
      ).length,
    ).toBeGreaterThanOrEqual(5);
    expect(running(a)).toEqual([revision(a, 2)]);
  }, 60_000);

  it('reports a rolling deployment rolled back by the circuit breaker as a failure', async () => {
    const a = app('rolling');
    const v2 = revision(a, 2);
    world.emulator.scenario.setBehaviour(v2, { crash: { exitCode: 1, reason: 'panic: nil map' } });
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
      expectDeployed(r);
      expect(r.log).toMatch(/Smoke check passed: GET .*\/health answered 200/);
      expect(running(a)).toEqual([revision(a, 2)]);
    }, 40_000);
  });
});
