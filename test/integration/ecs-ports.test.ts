// The SDK-backed ports of ecs-canary-deploy (src/aws/ecs-deployments.ts, ecs-preflight.ts,
// alb-metrics.ts, cloudwatch-logs.ts) driving real SDK clients, built by the client factory,
// against the AWS emulator: ECS-managed deployments, ELBv2, CloudWatch and CloudWatch Logs.
// One emulator at 600× (an emulated minute is 100 ms); each test has its own cluster, ALB and
// service, so nothing one test deploys disturbs another.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CreateServiceRequest, DeploymentConfiguration } from '@aws-sdk/client-ecs';
import {
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sdkMetricsPort } from '../../src/aws/alb-metrics.ts';
import { type ClientOptions, clientConfig } from '../../src/aws/client-factory.ts';
import { sdkLogsPort } from '../../src/aws/cloudwatch-logs.ts';
import { sdkDeploymentPort } from '../../src/aws/ecs-deployments.ts';
import { awsErrorFacts } from '../../src/lib/aws-errors.ts';
import { sdkPreflightPorts } from '../../src/aws/ecs-preflight.ts';
import type { PeriodSample } from '../../src/canary/analysis/types.ts';
import type { DeploymentSnapshot } from '../../src/ecs/deploy/ports.ts';
import { alignedMetrics } from '../../src/ecs/deploy/metrics.ts';
import { preflight } from '../../src/ecs/deploy/preflight.ts';
import type { Strategy } from '../../src/ecs/deploy/strategy.ts';
import { UserError } from '../../src/lib/errors.ts';
import { until } from '../emulator/ecs/fixtures.ts';
import type { BlueGreenAlb } from '../emulator/elbv2.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';

const ACCOUNT = '123456789012';
const KEYS = {
  accessKeyId: 'AKIAECSPORTSTEST0001',
  secretAccessKey: 'ecs-ports-test-secret-access-key-0000000',
};
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureForLoadBalancers`;
const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'] },
};

let emulator: Emulator;
let options: ClientOptions;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 600, seed: 11 });
  emulator.sts.addCredentials({ ...KEYS, arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  options = {
    region: 'us-east-1',
    credentials: KEYS,
    env: { AWS_ENDPOINT_URL: emulator.url },
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  };
});

afterAll(async () => {
  await emulator.close();
});

interface App {
  name: string;
  alb: BlueGreenAlb;
  logGroup: string;
  register(tag: string): string;
}

/** A cluster and an ALB named `name`, and a task-definition family that logs to /ecs/<name>. */
function app(name: string): App {
  emulator.ecs.createCluster(name);
  const alb = emulator.elbv2.createBlueGreenAlb(name);
  const logGroup = `/ecs/${name}`;
  return {
    name,
    alb,
    logGroup,
    register: (tag) =>
      emulator.ecs.registerTaskDefinition({
        family: name,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecution`,
        containerDefinitions: [
          {
            name: 'app',
            image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${name}:${tag}`,
            portMappings: [{ containerPort: 8080 }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': logGroup,
                'awslogs-region': 'us-east-1',
                'awslogs-stream-prefix': 'svc',
              },
            },
          },
        ],
      }).taskDefinitionArn ?? '',
  };
}

/** Blue serves production; ECS shifts traffic to green on the app's listener rules. */
function loadBalancer(a: App, testListenerRule = a.alb.testRule.arn) {
  return {
    targetGroupArn: a.alb.blue.arn,
    containerName: 'app',
    containerPort: 8080,
    advancedConfiguration: {
      alternateTargetGroupArn: a.alb.green.arn,
      productionListenerRule: a.alb.productionRule.arn,
      testListenerRule,
      roleArn: ROLE,
    },
  };
}

/** The `<name>` service on its cluster, steady on `taskDefinition`, production on blue. */
function seed(
  a: App,
  taskDefinition: string,
  deploymentConfiguration: DeploymentConfiguration,
  extra: Partial<CreateServiceRequest> = {},
) {
  return emulator.ecs.seedService({
    cluster: a.name,
    serviceName: a.name,
    taskDefinition,
    desiredCount: 2,
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    loadBalancers: [loadBalancer(a)],
    deploymentController: { type: 'ECS' },
    deploymentConfiguration,
    ...extra,
  });
}

const FINAL = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

function awaitingHook(d: DeploymentSnapshot) {
  return d.hooks.find((h) => h.status === 'AWAITING_ACTION');
}

describe('sdkDeploymentPort', () => {
  it('drives a canary: start, unfinished, stages and weights, PAUSE hooks, revisions, events', async () => {
    const a = app('shop');
    const v1 = a.register('v1');
    const v2 = a.register('v2');
    seed(a, v1, { strategy: 'ROLLING' });
    const port = sdkDeploymentPort(options);

    const { serviceDeploymentArn: arn } = await port.start({
      cluster: a.name,
      service: a.name,
      taskDefinitionArn: v2,
      deploymentConfiguration: {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
        bakeTimeInMinutes: 0,
        lifecycleHooks: [
          { targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'] },
        ],
      },
    });
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:service-deployment\/shop\/shop\//);

    const unfinished = await port.unfinished(a.name, a.name);
    expect(unfinished.map((d) => d.arn)).toEqual([arn]);
    expect(['PENDING', 'IN_PROGRESS']).toContain(unfinished[0]?.status);

    // Before each production shift the PAUSE hook waits: first at 0 %, then at the canary's 10 %.
    const paused: DeploymentSnapshot[] = [];
    for (let step = 0; step < 2; step++) {
      const snapshot = await until(
        () => port.describe(arn),
        (d) => awaitingHook(d) !== undefined,
      );
      paused.push(snapshot);
      await port.resolveHook(arn, awaitingHook(snapshot)?.hookId ?? '', 'CONTINUE');
    }
    expect(paused.map((d) => d.lifecycleStage)).toEqual([
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
    ]);
    expect(paused.map((d) => d.target?.requestedProductionTrafficWeight)).toEqual([0, 10]);
    expect(paused.map((d) => d.sources[0]?.requestedProductionTrafficWeight)).toEqual([100, 90]);
    expect(paused[1]).toMatchObject({
      arn,
      status: 'IN_PROGRESS',
      target: { requestedTaskCount: 2, runningTaskCount: 2, requestedTestTrafficWeight: 100 },
      sources: [{ requestedTaskCount: 2, runningTaskCount: 2 }],
      hooks: [
        { targetType: 'PAUSE', status: 'SUCCEEDED' },
        { targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' },
      ],
    });
    expect(awaitingHook(paused[1] as DeploymentSnapshot)?.expiresAt).toBeInstanceOf(Date);
    expect(paused[1]?.startedAt).toBeInstanceOf(Date);

    const final = await until(
      () => port.describe(arn),
      (d) => FINAL.includes(d.status),
    );
    expect(final).toMatchObject({ status: 'SUCCESSFUL', hooks: [{}, {}] });
    expect(final.finishedAt).toBeInstanceOf(Date);
    expect(await port.unfinished(a.name, a.name)).toEqual([]);

    // The groups swapped roles: green serves v2, blue served v1.
    const targetArn = final.target?.arn ?? '';
    const sourceArn = final.sources[0]?.arn ?? '';
    expect(await port.revisions([targetArn, sourceArn])).toEqual([
      { arn: targetArn, taskDefinition: v2, productionTargetGroupArn: a.alb.green.arn },
      { arn: sourceArn, taskDefinition: v1, productionTargetGroupArn: a.alb.blue.arn },
    ]);
    expect(await port.revisions([])).toEqual([]);

    const events = await port.events(a.name, a.name, 5);
    expect(events).toHaveLength(5);
    expect(events[0]?.message).toBe(`(service ${a.name}) has reached a steady state.`);
    expect(events[1]?.message).toMatch(/deployment completed\.$/);
    expect(events[0]?.at).toBeInstanceOf(Date);
    expect((events[0]?.at.getTime() ?? 0) >= (events[4]?.at.getTime() ?? 0)).toBe(true);
  });

  it('rolls back with StopServiceDeployment; steering a finished deployment keeps its AWS code', async () => {
    const a = app('cart');
    const v1 = a.register('v1');
    const v2 = a.register('v2');
    seed(a, v1, { strategy: 'ROLLING' });
    const port = sdkDeploymentPort(options);
    const { serviceDeploymentArn: arn } = await port.start({
      cluster: a.name,
      service: a.name,
      taskDefinitionArn: v2,
      deploymentConfiguration: {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 1 },
        bakeTimeInMinutes: 0,
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
      },
    });
    const waiting = await until(
      () => port.describe(arn),
      (d) => awaitingHook(d) !== undefined,
    );
    expect(waiting.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');

    await port.rollBack(arn);
    const final = await until(
      () => port.describe(arn),
      (d) => FINAL.includes(d.status),
    );
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(final.rollback?.reason).toEqual(expect.any(String));
    expect(final.rollback?.startedAt).toBeInstanceOf(Date);
    expect(final.rollback?.serviceRevisionArn).toBe(final.sources[0]?.arn);

    // Not a mistake in the inputs: the engine reads the code and carries on.
    const conflict = await port.rollBack(arn).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(conflict).not.toBeInstanceOf(UserError);
    expect(awsErrorFacts(conflict).code).toBe('ConflictException');
    const hook = await port.resolveHook(arn, waiting.hooks[0]?.hookId ?? '', 'CONTINUE').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(hook).not.toBeInstanceOf(UserError);
    expect(awsErrorFacts(hook).code).toBe('InvalidParameterException');
  });

  it('reports the stopped tasks of a crash-looping revision with exit codes and log streams', async () => {
    const a = app('pay');
    const v1 = a.register('v1');
    const v2 = a.register('v2');
    seed(a, v1, { strategy: 'ROLLING' });
    emulator.scenario.setBehaviour(v2, {
      crash: { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
      logLines: ['listening on :8080', 'fatal: out of memory'],
    });
    const port = sdkDeploymentPort(options);
    const logs = sdkLogsPort(options);
    const { serviceDeploymentArn: arn } = await port.start({
      cluster: a.name,
      service: a.name,
      taskDefinitionArn: v2,
      deploymentConfiguration: {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
        bakeTimeInMinutes: 0,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    });
    const final = await until(
      () => port.describe(arn),
      (d) => FINAL.includes(d.status),
    );
    expect(final).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      circuitBreaker: { status: 'TRIGGERED' },
    });

    const stopped = await port.stoppedTasks(a.name, a.name, 3);
    expect(stopped).toHaveLength(3);
    // Newest first, as the emulator stopped them.
    const newest = emulator.ecs
      .tasks()
      .filter((t) => t.group === `service:${a.name}` && t.stoppedAt)
      .sort((x, y) => (y.stoppedAt?.getTime() ?? 0) - (x.stoppedAt?.getTime() ?? 0))
      .map((t) => t.taskArn);
    expect(stopped.map((t) => t.taskArn)).toEqual(newest.slice(0, 3));
    const taskId = /\/([^/]+)$/;
    for (const task of stopped) {
      expect(task.stoppedReason).toBe('Essential container in task exited');
      expect(task.stopCode).toBe('EssentialContainerExited');
      expect(task.taskDefinitionArn).toMatch(new RegExp(`:task-definition/${a.name}:2$`));
      expect(task.stoppedAt).toBeInstanceOf(Date);
      expect(task.containers).toEqual([
        {
          name: 'app',
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
          logGroup: a.logGroup,
          logStream: `svc/app/${taskId.exec(task.taskArn)?.[1]}`,
          logRegion: 'us-east-1',
        },
      ]);
    }
    expect(await port.stoppedTasks(a.name, a.name, 0)).toEqual([]);

    const container = stopped[0]?.containers[0];
    const stream = container?.logStream ?? '';
    expect(await logs.tail(a.logGroup, stream, 10)).toEqual([
      'listening on :8080',
      'fatal: out of memory',
    ]);
    expect(await logs.tail(a.logGroup, stream, 1)).toEqual(['fatal: out of memory']);
  });

  it('makes user-fixable ECS errors one-line UserErrors with AWS’s message', async () => {
    const port = sdkDeploymentPort(options);
    const error = await port.events('no-such-cluster', 'web', 5).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/ClusterNotFoundException.*Cluster not found\./);
    expect((error as Error).message).not.toMatch(/\n/);
  });
});

describe('sdkPreflightPorts', () => {
  it('tells a missing cluster from a missing service, and reads the service', async () => {
    const a = app('books');
    const v1 = a.register('v1');
    seed(a, v1, { strategy: 'ROLLING' });
    const ports = sdkPreflightPorts(options);

    expect(await ports.describeService('nowhere', 'books')).toEqual({ found: 'no-cluster' });
    expect(await ports.describeService(a.name, 'nobody')).toEqual({ found: 'no-service' });
    expect(await ports.describeService(a.name, a.name)).toEqual({
      found: 'service',
      service: {
        status: 'ACTIVE',
        deploymentController: 'ECS',
        desiredCount: 2,
        taskDefinition: v1,
        loadBalancers: [
          {
            targetGroupArn: a.alb.blue.arn,
            containerName: 'app',
            containerPort: 8080,
            advancedConfiguration: {
              alternateTargetGroupArn: a.alb.green.arn,
              productionListenerRule: a.alb.productionRule.arn,
              testListenerRule: a.alb.testRule.arn,
              roleArn: ROLE,
            },
          },
        ],
      },
    });
  });

  it('describes rules: action types in order, forward groups, missing rules left out', async () => {
    const a = app('maps');
    const ports = sdkPreflightPorts(options);
    const guarded = emulator.elbv2.createRule({
      listenerArn: a.alb.productionListener.arn,
      priority: 2,
      actions: [
        {
          Type: 'forward',
          Order: 2,
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: a.alb.blue.arn, Weight: 1 }] },
        },
        {
          Type: 'authenticate-oidc',
          Order: 1,
          AuthenticateOidcConfig: {
            Issuer: 'https://idp.example.com',
            AuthorizationEndpoint: 'https://idp.example.com/authorize',
            TokenEndpoint: 'https://idp.example.com/token',
            UserInfoEndpoint: 'https://idp.example.com/userinfo',
            ClientId: 'maps',
            ClientSecret: 'not-a-secret',
          },
        },
      ],
    });
    const missing = a.alb.productionRule.arn.replace(/\/[0-9a-f]+$/, '/0000000000000000');

    const all = await ports.describeRules([a.alb.productionRule.arn, guarded.arn]);
    expect(Object.fromEntries(all)).toEqual({
      [a.alb.productionRule.arn]: {
        actionTypes: ['forward'],
        forwardTargetGroupArns: [a.alb.blue.arn, a.alb.green.arn],
      },
      [guarded.arn]: {
        actionTypes: ['authenticate-oidc', 'forward'],
        forwardTargetGroupArns: [a.alb.blue.arn],
      },
    });
    const some = await ports.describeRules([missing, a.alb.testRule.arn, guarded.arn]);
    expect([...some.keys()].sort()).toEqual([a.alb.testRule.arn, guarded.arn].sort());
    expect((await ports.describeRules([missing])).size).toBe(0);
    expect((await ports.describeRules([])).size).toBe(0);
  });

  it('finds existing alarms, more than 100 names at a time', async () => {
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'books-5xx' });
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'books-latency', state: 'ALARM' });
    const ports = sdkPreflightPorts(options);
    const names = [
      ...Array.from({ length: 150 }, (_, i) => `absent-${i}`),
      'books-latency',
      'books-5xx',
      'books-5xx',
    ];
    expect(await ports.existingAlarms(names)).toEqual(new Set(['books-5xx', 'books-latency']));
    expect(await ports.existingAlarms([])).toEqual(new Set());
  });

  it('feeds preflight(): a clean setup passes; a guarded rule and a missing alarm are reported', async () => {
    const a = app('news');
    seed(a, a.register('v1'), { strategy: 'ROLLING' });
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'news-5xx' });
    const ports = sdkPreflightPorts(options);
    const strategy: Strategy = {
      kind: 'canary',
      canaryPercent: 10,
      canaryBakeMinutes: 5,
      bakeMinutes: 0,
    };
    const request = {
      cluster: a.name,
      service: a.name,
      strategy,
      alarms: ['news-5xx'],
      smokeCheckViaTestListener: true,
    };
    expect(await preflight(request, ports)).toMatchObject({
      trafficShift: {
        targetGroupArn: a.alb.blue.arn,
        alternateTargetGroupArn: a.alb.green.arn,
        productionListenerRule: a.alb.productionRule.arn,
        testListenerRule: a.alb.testRule.arn,
      },
    });

    // Someone puts sign-in in front of the test listener's rule.
    const elbv2 = new ElasticLoadBalancingV2Client(
      clientConfig('Elastic Load Balancing v2', options),
    );
    await elbv2.send(
      new ModifyRuleCommand({
        RuleArn: a.alb.testRule.arn,
        Actions: [
          {
            Type: 'authenticate-cognito',
            Order: 1,
            AuthenticateCognitoConfig: {
              UserPoolArn: `arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/us-east-1_abc`,
              UserPoolClientId: 'news',
              UserPoolDomain: 'news',
            },
          },
          { Type: 'forward', Order: 2, TargetGroupArn: a.alb.blue.arn },
        ],
      }),
    );
    elbv2.destroy();
    const failure = await preflight({ ...request, alarms: ['news-5xx', 'news-gone'] }, ports).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toBe(
      `Listener rule ${a.alb.testRule.arn} mixes forward with authenticate-cognito: ECS-native deployments support forward-only rules; move those actions to another rule. (1 more problem listed above)`,
    );
    expect((failure as UserError).details).toEqual([
      "No CloudWatch alarm named 'news-gone' in this region: check the alarm names.",
    ]);
  });
});

describe('sdkMetricsPort, aligned by the engine', () => {
  it('reads canary and baseline windows: 5xx on the canary group only', async () => {
    const a = app('search');
    const baseline = 'arn:aws:ecs:us-east-1:123456789012:task-definition/search:1';
    const canary = 'arn:aws:ecs:us-east-1:123456789012:task-definition/search:2';
    emulator.elbv2.registerTarget(a.alb.blue.arn, {
      id: '10.0.1.1',
      port: 8080,
      revision: baseline,
      healthy: true,
    });
    emulator.elbv2.registerTarget(a.alb.green.arn, {
      id: '10.0.2.1',
      port: 8080,
      revision: canary,
      healthy: true,
    });
    emulator.scenario.setBehaviour(canary, {
      errorRate: 0.2,
      latency: { medianSeconds: 0.2, p99Seconds: 0.8 },
    });
    emulator.elbv2.setRuleWeights(a.alb.productionRule.arn, [
      { targetGroupArn: a.alb.blue.arn, weight: 50 },
      { targetGroupArn: a.alb.green.arn, weight: 50 },
    ]);
    const metrics = alignedMetrics(sdkMetricsPort(options));
    await until(
      () =>
        Promise.all([metrics.targetHealth(a.alb.blue.arn), metrics.targetHealth(a.alb.green.arn)]),
      (health) => health.every((h) => h.healthy === 1),
    );
    // CloudWatch's publication delay is not what this reads: each emulated minute at its end.
    emulator.scenario.setPublication({ delaySeconds: 0, jitterSeconds: 0 });
    const start = new Date();
    // The traffic model counts the time since its last step at the rate set now: step around it.
    emulator.traffic.advance();
    emulator.scenario.setRequestRate(a.alb.productionListener.arn, 20);
    // 300 ms at 600× is three minutes of traffic: about 1,800 requests per group.
    await new Promise((resolve) => setTimeout(resolve, 300));
    emulator.traffic.advance();
    emulator.scenario.setRequestRate(a.alb.productionListener.arn, 0);
    const end = new Date(Date.now() + 60_000);

    const request = {
      canaryTargetGroup: a.alb.green.arn,
      baselineTargetGroup: a.alb.blue.arn,
      start: new Date(start.getTime() - 120_000),
      end,
      periodSeconds: 60,
    };
    const total = (samples: readonly PeriodSample[], key: 'requests' | 'target5xx') =>
      samples.reduce((sum, s) => sum + s[key], 0);
    // The last minute with traffic is readable only once it has ended (an emulated minute is
    // 100 ms here): read until a read a minute later finds no more, so both reads below see the
    // same published traffic however slowly this machine runs.
    let windows = await metrics.windows(request);
    await until(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        const before = total(windows.canary.samples, 'requests');
        windows = await metrics.windows(request);
        return total(windows.canary.samples, 'requests') === before;
      },
      (settled) => settled,
    );
    for (const w of [windows.canary, windows.baseline]) {
      expect(w.periodSeconds).toBe(60);
      expect(w.samples.length).toBeGreaterThanOrEqual(3);
      expect(w.samples.every((s) => s.timestamp.getTime() % 60_000 === 0)).toBe(true);
      expect(total(w.samples, 'requests')).toBeGreaterThan(500);
    }
    const canaryRequests = total(windows.canary.samples, 'requests');
    const canaryErrors = total(windows.canary.samples, 'target5xx');
    expect(canaryErrors / canaryRequests).toBeGreaterThan(0.12);
    expect(canaryErrors / canaryRequests).toBeLessThan(0.28);
    expect(total(windows.baseline.samples, 'target5xx')).toBe(0);
    // Periods without requests carry no latency; those with requests do.
    const busy = windows.canary.samples.filter((s) => s.requests > 0);
    expect(
      busy.every((s) => (s.p95Seconds ?? 0) > 0.2 && (s.p99Seconds ?? 0) >= (s.p95Seconds ?? 0)),
    ).toBe(true);
    // The p90 in the same call: where the p95 comparison's second threshold comes from.
    expect(
      busy.every((s) => (s.p90Seconds ?? 0) > 0 && (s.p90Seconds ?? 0) <= (s.p95Seconds ?? 0)),
    ).toBe(true);
    expect(
      windows.canary.samples
        .filter((s) => s.requests === 0)
        .every((s) => s.p95Seconds === undefined),
    ).toBe(true);
    const baselineP95 = Math.max(...windows.baseline.samples.map((s) => s.p95Seconds ?? 0));
    expect(baselineP95).toBeLessThan(0.2);
    expect(Math.max(...windows.canary.samples.map((s) => s.healthyHosts))).toBe(1);

    // Slower-request counts in the same call: PR(:threshold) × SampleCount of TargetResponseTime.
    const counted = await metrics.windows({
      ...request,
      slowerThan: { canary: [0.2, 5], baseline: [0.2] },
    });
    const slower = (samples: readonly PeriodSample[], threshold: number) => {
      const counts = samples.flatMap((s) =>
        (s.slower ?? []).filter((c) => c.thresholdSeconds === threshold),
      );
      return {
        slower: counts.reduce((sum, c) => sum + c.slower, 0),
        requests: counts.reduce((sum, c) => sum + c.requests, 0),
      };
    };
    const atMedian = slower(counted.canary.samples, 0.2);
    expect(atMedian.requests).toBeGreaterThan(0.9 * canaryRequests);
    expect(atMedian.requests).toBeLessThanOrEqual(canaryRequests);
    expect(atMedian.slower / atMedian.requests).toBeGreaterThan(0.35);
    expect(atMedian.slower / atMedian.requests).toBeLessThan(0.65);
    expect(slower(counted.canary.samples, 5).slower).toBe(0);
    const base = slower(counted.baseline.samples, 0.2);
    expect(base.slower / base.requests).toBeLessThan(0.05);
    expect(windows.baseline.samples.every((s) => s.slower === undefined)).toBe(true);

    // A target whose health checks fail turns unhealthy after two checks.
    emulator.elbv2.registerTarget(a.alb.green.arn, {
      id: '10.0.2.2',
      port: 8080,
      revision: canary,
      healthy: false,
    });
    expect(
      await until(
        () => metrics.targetHealth(a.alb.green.arn),
        (h) => h.unhealthy === 1,
      ),
    ).toEqual({ healthy: 1, unhealthy: 1 });
  });

  it('refuses a target group that serves no load balancer', async () => {
    const lonely = emulator.elbv2.createTargetGroup({ name: 'lonely' });
    const a = app('lone');
    const metrics = alignedMetrics(sdkMetricsPort(options));
    await expect(
      metrics.windows({
        canaryTargetGroup: lonely.arn,
        baselineTargetGroup: a.alb.blue.arn,
        start: new Date(Date.now() - 60_000),
        end: new Date(),
        periodSeconds: 60,
      }),
    ).rejects.toThrow(`Target group ${lonely.arn} is not attached to a load balancer`);
  });
});

describe('sdkLogsPort', () => {
  it('tails a stream oldest first; a missing group or stream is no lines', async () => {
    for (let i = 1; i <= 30; i++) {
      emulator.logs.append(
        '/ecs/tail',
        'svc/app/abc',
        `line ${i}`,
        new Date(Date.now() - (31 - i) * 1000),
      );
    }
    const logs = sdkLogsPort(options);
    expect(await logs.tail('/ecs/tail', 'svc/app/abc', 3)).toEqual([
      'line 28',
      'line 29',
      'line 30',
    ]);
    expect(await logs.tail('/ecs/tail', 'svc/app/abc', 100)).toHaveLength(30);
    expect(await logs.tail('/ecs/tail', 'svc/app/none', 3)).toEqual([]);
    expect(await logs.tail('/ecs/none', 'svc/app/abc', 3)).toEqual([]);
    expect(await logs.tail('/ecs/tail', 'svc/app/abc', 0)).toEqual([]);
  });
});
