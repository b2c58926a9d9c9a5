import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeployment,
  type UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import type { EcsPacing } from './model.ts';
import {
  BLUE_TG,
  CLUSTER,
  describeDeployment,
  failure,
  finished,
  GREEN_TG,
  LOG_GROUP,
  NETWORK,
  PROD_RULE,
  registerWeb,
  seedWeb,
  SERVICE,
  startEcs,
  TEST_RULE,
  until,
  type EcsHarness,
} from './fixtures.ts';

let harness: EcsHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function setUp(pacing: Partial<EcsPacing> = {}) {
  harness = await startEcs(pacing);
  const v1 = await registerWeb(harness.client, 'v1');
  const v2 = await registerWeb(harness.client, 'v2');
  return { h: harness, v1, v2 };
}

async function deploy(
  h: EcsHarness,
  taskDefinition: string,
  extra: Partial<UpdateServiceRequest> = {},
): Promise<string> {
  const out = await h.client.send(
    new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition, ...extra }),
  );
  return out.service?.currentServiceDeployment ?? '';
}

/** Production-rule weights ECS set since `from`, as GREEN_TG's share. */
function greenShares(h: EcsHarness, rule = PROD_RULE): number[] {
  return h.world.loadBalancing.weightChanges
    .filter((c) => c.ruleArn === rule)
    .map((c) => {
      const total = c.weights.reduce((n, w) => n + w.weight, 0);
      return (100 * (c.weights.find((w) => w.targetGroupArn === GREEN_TG)?.weight ?? 0)) / total;
    });
}

const target = (d: ServiceDeployment) => d.targetServiceRevision;
const source = (d: ServiceDeployment) => d.sourceServiceRevisions?.[0];

describe('CANARY', () => {
  it('walks the lifecycle: scale up, test traffic, canary share, bake, 100 %, clean up', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 },
      bakeTimeInMinutes: 2,
    });
    h.world.loadBalancing.weightChanges.length = 0;
    const arn = await deploy(h, v2);

    let during: ServiceDeployment | undefined;
    const final = await until(
      () => describeDeployment(h.client, arn),
      (d) => {
        if (
          d.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT' &&
          target(d)?.requestedProductionTrafficWeight === 10
        ) {
          during ??= d;
        }
        return d.status === 'SUCCESSFUL';
      },
    );
    expect(h.emulator.ecs.lifecycleStages(arn)).toEqual([
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP',
    ]);
    // During the canary both revisions run at full size; 10 % of production goes to the new one.
    expect(during && target(during)).toMatchObject({
      requestedTaskCount: 2,
      runningTaskCount: 2,
      requestedTestTrafficWeight: 100,
      requestedProductionTrafficWeight: 10,
    });
    expect(during && source(during)).toMatchObject({
      requestedTaskCount: 2,
      runningTaskCount: 2,
      requestedProductionTrafficWeight: 90,
    });
    expect(greenShares(h)).toEqual([10, 100]);
    expect(greenShares(h, TEST_RULE)).toEqual([100]);
    expect(final).toMatchObject({
      status: 'SUCCESSFUL',
      deploymentCircuitBreaker: { status: 'DISABLED' },
      alarms: { status: 'DISABLED' },
    });
    expect(final.finishedAt).toBeInstanceOf(Date);
    expect(source(final)).toMatchObject({ requestedTaskCount: 0, runningTaskCount: 0 });

    // The target groups swapped roles: GREEN serves v2 now.
    const revisions = await h.client.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [target(final)?.arn ?? '', source(final)?.arn ?? ''],
      }),
    );
    expect(
      revisions.serviceRevisions?.map((r) => [
        r.taskDefinition,
        r.resolvedConfiguration?.loadBalancers,
      ]),
    ).toEqual([
      [v2, [{ targetGroupArn: GREEN_TG, productionListenerRule: PROD_RULE }]],
      [v1, [{ targetGroupArn: BLUE_TG, productionListenerRule: PROD_RULE }]],
    ]);
    expect(h.world.loadBalancing.targets(GREEN_TG).map((t) => t.revision)).toEqual([v2, v2]);
    expect(h.world.loadBalancing.targets(BLUE_TG)).toEqual([]);

    const service = (
      await h.client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))
    ).services?.[0];
    expect(service).toMatchObject({
      taskDefinition: v2,
      runningCount: 2,
      currentServiceDeployment: arn,
      deployments: [{ status: 'PRIMARY', taskDefinition: v2, rolloutState: 'COMPLETED' }],
    });
    expect(service?.events?.[0]?.message).toBe('(service web) has reached a steady state.');
    expect(service?.events?.[1]?.message).toMatch(
      /^\(service web\) \(deployment ecs-svc\/\d+\) deployment completed\.$/,
    );
  });

  it('pauses before every traffic shift step with a PRE_PRODUCTION_TRAFFIC_SHIFT hook', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 1 },
      bakeTimeInMinutes: 0,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'] }],
    });
    h.world.loadBalancing.weightChanges.length = 0;
    const arn = await deploy(h, v2);
    const hookIds: string[] = [];
    for (const share of [0, 20]) {
      const paused = await until(
        () => describeDeployment(h.client, arn),
        (d) => d.lifecycleHookDetails?.some((x) => x.status === 'AWAITING_ACTION') ?? false,
      );
      expect(paused.lifecycleStage).toBe('PRE_PRODUCTION_TRAFFIC_SHIFT');
      expect(target(paused)?.requestedProductionTrafficWeight).toBe(share);
      const hook = paused.lifecycleHookDetails?.find((x) => x.status === 'AWAITING_ACTION');
      hookIds.push(hook?.hookId ?? '');
      await h.client.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: arn,
          hookId: hook?.hookId,
          action: 'CONTINUE',
        }),
      );
    }
    const final = await finished(h.client, arn);
    expect(final.status).toBe('SUCCESSFUL');
    expect(new Set(hookIds).size).toBe(2);
    expect(hookIds.every((id) => /^ecs-pause-[\w-]{43}$/.test(id))).toBe(true);
    expect(final.lifecycleHookDetails?.map((x) => x.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(greenShares(h)).toEqual([20, 100]);
  });
});

describe('LINEAR', () => {
  it('shifts production traffic in equal steps with a bake between them', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, {
      strategy: 'LINEAR',
      linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: 1 },
      bakeTimeInMinutes: 1,
    });
    h.world.loadBalancing.weightChanges.length = 0;
    const arn = await deploy(h, v2);
    expect((await finished(h.client, arn)).status).toBe('SUCCESSFUL');
    expect(greenShares(h)).toEqual([30, 60, 90, 100]);
  });
});

describe('BLUE_GREEN', () => {
  it('moves all production traffic at once, and the target groups swap on every deployment', async () => {
    const { h, v1, v2 } = await setUp();
    const v3 = await registerWeb(h.client, 'v3');
    seedWeb(h, v1, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 });
    h.world.loadBalancing.weightChanges.length = 0;
    const first = await finished(h.client, await deploy(h, v2));
    const second = await finished(h.client, await deploy(h, v3));
    expect([first.status, second.status]).toEqual(['SUCCESSFUL', 'SUCCESSFUL']);
    expect(greenShares(h)).toEqual([100, 0]);
    expect(source(second)?.arn).toBe(target(first)?.arn);
    const revisions = await h.client.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [
          target(first)?.arn ?? '',
          target(second)?.arn ?? '',
          'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1',
        ],
      }),
    );
    expect(
      revisions.serviceRevisions?.map(
        (r) => r.resolvedConfiguration?.loadBalancers?.[0]?.targetGroupArn,
      ),
    ).toEqual([GREEN_TG, BLUE_TG]);
    expect(revisions.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1', reason: 'MISSING' },
    ]);
    expect(h.world.loadBalancing.targets(BLUE_TG).map((t) => t.revision)).toEqual([v3, v3]);
  });
});

describe('ROLLING', () => {
  it('replaces tasks in the one target group without touching listener rules', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(
      h,
      v1,
      { strategy: 'ROLLING' },
      {
        loadBalancers: [{ targetGroupArn: BLUE_TG, containerName: 'app', containerPort: 8080 }],
      },
    );
    const before = h.world.loadBalancing.weightChanges.length;
    const arn = await deploy(h, v2);
    const final = await finished(h.client, arn);
    expect(final.status).toBe('SUCCESSFUL');
    expect(target(final)?.requestedProductionTrafficWeight).toBeUndefined();
    expect(h.world.loadBalancing.weightChanges.length).toBe(before);
    expect(h.world.loadBalancing.targets(BLUE_TG).map((t) => t.revision)).toEqual([v2, v2]);
    const stopped = await h.client.send(
      new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }),
    );
    const tasks = await h.client.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns }),
    );
    expect(tasks.tasks?.map((t) => [t.taskDefinitionArn, t.lastStatus, t.stopCode])).toEqual([
      [v1, 'STOPPED', 'ServiceSchedulerInitiated'],
      [v1, 'STOPPED', 'ServiceSchedulerInitiated'],
    ]);
    expect(tasks.tasks?.[0]?.stoppedReason).toMatch(
      /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/,
    );
  });
});

describe('lifecycle hooks', () => {
  const pauseAt = (
    stage: 'POST_TEST_TRAFFIC_SHIFT' | 'POST_SCALE_UP',
    timeoutInMinutes = 60,
    action?: 'CONTINUE',
  ) => ({
    strategy: 'BLUE_GREEN' as const,
    bakeTimeInMinutes: 1,
    lifecycleHooks: [
      {
        targetType: 'PAUSE' as const,
        lifecycleStages: [stage],
        timeoutConfiguration: { timeoutInMinutes, ...(action ? { action } : {}) },
      },
    ],
  });

  async function pausedHook(h: EcsHarness, arn: string) {
    const paused = await until(
      () => describeDeployment(h.client, arn),
      (d) => d.lifecycleHookDetails?.[0]?.status === 'AWAITING_ACTION',
    );
    return { paused, hook: paused.lifecycleHookDetails?.[0] };
  }

  it('a PAUSE hook waits for ContinueServiceDeployment CONTINUE', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, pauseAt('POST_TEST_TRAFFIC_SHIFT'));
    const arn = await deploy(h, v2);
    const { paused, hook } = await pausedHook(h, arn);
    expect(paused).toMatchObject({
      status: 'IN_PROGRESS',
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
    });
    expect(hook).toMatchObject({
      targetType: 'PAUSE',
      status: 'AWAITING_ACTION',
      timeoutAction: 'ROLLBACK',
    });
    // 60 minutes at 600x: six seconds of wall clock from now.
    const left = (hook?.expiresAt?.getTime() ?? 0) - Date.now();
    expect(left).toBeGreaterThan(4000);
    expect(left).toBeLessThanOrEqual(6000);
    expect(target(paused)?.requestedProductionTrafficWeight).toBe(0);
    expect(target(paused)?.requestedTestTrafficWeight).toBe(100);

    await h.client.send(
      new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook?.hookId }),
    );
    const final = await finished(h.client, arn);
    expect(final.status).toBe('SUCCESSFUL');
    expect(final.lifecycleHookDetails?.[0]?.status).toBe('SUCCEEDED');
    expect(
      await failure(
        h.client.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: arn,
            hookId: hook?.hookId,
            action: 'CONTINUE',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('ContinueServiceDeployment ROLLBACK rolls the deployment back', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, pauseAt('POST_TEST_TRAFFIC_SHIFT'));
    h.world.loadBalancing.weightChanges.length = 0;
    const arn = await deploy(h, v2);
    const { hook } = await pausedHook(h, arn);
    expect(
      await failure(
        h.client.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: arn,
            hookId: 'ecs-pause-nope',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
    await h.client.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: arn,
        hookId: hook?.hookId,
        action: 'ROLLBACK',
      }),
    );
    const final = await finished(h.client, arn);
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(final.lifecycleHookDetails?.[0]?.status).toBe('FAILED');
    expect(final.rollback?.serviceRevisionArn).toBe(source(final)?.arn);
    expect(final.rollback?.reason).toContain(hook?.hookId);
    expect(greenShares(h, TEST_RULE)).toEqual([100, 0]);
    expect(h.world.loadBalancing.targets(GREEN_TG)).toEqual([]);
    expect(h.world.loadBalancing.targets(BLUE_TG).map((t) => t.revision)).toEqual([v1, v1]);
  });

  it('a PAUSE hook that times out applies its timeout action: ROLLBACK by default', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, pauseAt('POST_SCALE_UP', 1));
    const arn = await deploy(h, v2);
    const final = await finished(h.client, arn);
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(final.lifecycleHookDetails?.[0]?.status).toBe('TIMED_OUT');
    expect(final.rollback?.reason).toMatch(/timed out/);
    const service = (
      await h.client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))
    ).services?.[0];
    expect(service?.taskDefinition).toBe(v1);
  });

  it('a hook timing out with action CONTINUE lets the deployment go on', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, pauseAt('POST_SCALE_UP', 1, 'CONTINUE'));
    const final = await finished(h.client, await deploy(h, v2));
    expect(final.status).toBe('SUCCESSFUL');
    expect(final.lifecycleHookDetails?.[0]).toMatchObject({
      status: 'TIMED_OUT',
      timeoutAction: 'CONTINUE',
    });
  });
});

describe('failure detection and rollback', () => {
  const canary = {
    strategy: 'CANARY' as const,
    canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
    bakeTimeInMinutes: 1,
  };

  it('StopServiceDeployment ROLLBACK moves traffic back to the source revision', async () => {
    const { h, v1, v2 } = await setUp({ stageSeconds: 30 });
    seedWeb(h, v1, canary);
    h.world.loadBalancing.weightChanges.length = 0;
    const arn = await deploy(h, v2);
    await until(
      () => describeDeployment(h.client, arn),
      (d) => target(d)?.requestedProductionTrafficWeight === 10,
    );
    expect(
      await failure(
        h.client.send(
          new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ABORT' }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
    const out = await h.client.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }),
    );
    expect(out.serviceDeploymentArn).toBe(arn);
    expect(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']).toContain(
      (await describeDeployment(h.client, arn)).status,
    );
    const final = await finished(h.client, arn);
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(final.rollback?.startedAt).toBeInstanceOf(Date);
    expect(greenShares(h)).toEqual([10, 0]);
    expect(
      await failure(h.client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn }))),
    ).toMatchObject({ name: 'ConflictException' });
  });

  it('an alarm in ALARM rolls back and names the triggered alarm', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, {
      ...canary,
      alarms: { alarmNames: ['web-5xx', 'web-latency'], enable: true, rollback: true },
    });
    h.world.alarms.set('web-5xx', 'OK');
    h.world.alarms.set('web-latency', 'OK');
    h.world.loadBalancing.weightChanges.length = 0;
    const arn = await deploy(h, v2);
    const monitoring = await until(
      () => describeDeployment(h.client, arn),
      (d) => target(d)?.requestedProductionTrafficWeight === 10,
    );
    expect(monitoring.alarms).toEqual({
      status: 'MONITORING',
      alarmNames: ['web-5xx', 'web-latency'],
      triggeredAlarmNames: [],
    });
    h.world.alarms.set('web-5xx', 'ALARM');
    const final = await finished(h.client, arn);
    expect(final).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] },
      rollback: { serviceRevisionArn: source(final)?.arn },
    });
    expect(final.rollback?.reason).toContain('web-5xx');
    expect(greenShares(h)).toEqual([10, 0]);
    const service = (
      await h.client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))
    ).services?.[0];
    const messages = service?.events?.map((e) => e.message) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/deployment failed: alarm detected\.$/)]),
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\(service web\) rolling back to deployment ecs-svc\/\d+\.$/),
      ]),
    );
    expect(service?.taskDefinition).toBe(v1);
  });

  it('a crash loop trips the circuit breaker; stopped tasks tell why and their logs are written', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(h, v1, {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    h.emulator.scenario.setBehaviour(v2, {
      crash: { exitCode: 1, reason: 'Error: DATABASE_URL is not set' },
      logLines: ['listening on :8080', 'Error: DATABASE_URL is not set'],
    });
    h.world.loadBalancing.weightChanges.length = 0;
    const arn = await deploy(h, v2);
    const final = await finished(h.client, arn);
    expect(final).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      deploymentCircuitBreaker: { status: 'TRIGGERED', threshold: 3 },
      rollback: { reason: 'ECS deployment circuit breaker: tasks failed to start.' },
    });
    expect(final.deploymentCircuitBreaker?.failureCount).toBeGreaterThanOrEqual(3);
    expect(greenShares(h)).toEqual([0]);

    const stopped = await h.client.send(
      new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }),
    );
    const described = await h.client.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns }),
    );
    const crashed = described.tasks?.filter((t) => t.taskDefinitionArn === v2) ?? [];
    expect(crashed.length).toBeGreaterThanOrEqual(3);
    for (const task of crashed) {
      expect(task).toMatchObject({
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          {
            name: 'app',
            lastStatus: 'STOPPED',
            exitCode: 1,
            reason: 'Error: DATABASE_URL is not set',
          },
        ],
      });
      const id = task.taskArn?.split('/').pop() ?? '';
      expect(h.world.logs.lines(LOG_GROUP, `web/app/${id}`)).toEqual([
        'listening on :8080',
        'Error: DATABASE_URL is not set',
      ]);
    }
    const service = (
      await h.client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))
    ).services?.[0];
    expect(service?.events?.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/deployment failed: tasks failed to start\.$/),
      ]),
    );
    expect(service?.deployments?.find((d) => d.taskDefinition === v2)).toBeUndefined();
    expect(h.world.loadBalancing.targets(BLUE_TG).map((t) => t.revision)).toEqual([v1, v1]);
  });
});

describe('circuit breaker with ROLLING', () => {
  it('tasks failing health checks count as failures; the old tasks keep serving', async () => {
    const { h, v1, v2 } = await setUp();
    seedWeb(
      h,
      v1,
      {
        strategy: 'ROLLING',
        deploymentCircuitBreaker: {
          enable: true,
          rollback: true,
          thresholdConfiguration: { type: 'COUNT', value: 2 },
        },
      },
      { loadBalancers: [{ targetGroupArn: BLUE_TG, containerName: 'app', containerPort: 8080 }] },
    );
    h.emulator.scenario.setBehaviour(v2, { unhealthy: true });
    const final = await finished(h.client, await deploy(h, v2));
    expect(final).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 2, threshold: 2 },
    });
    const stopped = h.emulator.ecs.tasks().filter((t) => t.taskDefinitionArn === v2);
    expect(stopped.every((t) => t.lastStatus === 'STOPPED')).toBe(true);
    expect(stopped[0]?.stoppedReason).toBe(
      `Task failed ELB health checks in (target-group ${BLUE_TG})`,
    );
    expect(h.world.loadBalancing.targets(BLUE_TG).map((t) => t.revision)).toEqual([v1, v1]);
    const service = (
      await h.client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))
    ).services?.[0];
    expect(service?.events?.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\(service web\) \(task [0-9a-f]{32}\) failed ELB health checks in \(target-group /,
        ),
      ]),
    );
  });
});

describe('a new deployment while one is in progress', () => {
  it('stops the running one and reconciles before deploying the newest revision', async () => {
    const { h, v1, v2 } = await setUp();
    const v3 = await registerWeb(h.client, 'v3');
    seedWeb(h, v1, {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
      bakeTimeInMinutes: 0,
    });
    const first = await deploy(h, v2);
    await until(
      () => describeDeployment(h.client, first),
      (d) => target(d)?.requestedProductionTrafficWeight === 10,
    );
    const second = await deploy(h, v3);
    const stopped = await finished(h.client, first);
    expect(stopped.status).toBe('STOPPED');
    expect(stopped.stoppedAt).toBeInstanceOf(Date);
    const done = await finished(h.client, second);
    expect(done.status).toBe('SUCCESSFUL');
    expect(h.emulator.ecs.lifecycleStages(second).slice(0, 2)).toEqual([
      'RECONCILE_SERVICE',
      'PRE_SCALE_UP',
    ]);
    expect(done.sourceServiceRevisions?.map((r) => r.arn)).toEqual([
      source(stopped)?.arn,
      target(stopped)?.arn,
    ]);
    expect(h.world.loadBalancing.targets(GREEN_TG).map((t) => t.revision)).toEqual([v3, v3]);
    const list = await h.client.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }),
    );
    expect(list.serviceDeployments?.map((d) => [d.serviceDeploymentArn, d.status])).toEqual([
      [second, 'SUCCESSFUL'],
      [first, 'STOPPED'],
      [expect.any(String), 'SUCCESSFUL'],
    ]);
    const onlyStopped = await h.client.send(
      new ListServiceDeploymentsCommand({
        cluster: CLUSTER,
        service: SERVICE,
        status: ['STOPPED'],
      }),
    );
    expect(onlyStopped.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([first]);
  });
});

describe('CreateService and validation', () => {
  it('CreateService runs the first deployment; DeleteService makes the service inactive', async () => {
    const { h, v1 } = await setUp();
    const { blueGreenLoadBalancer } = await import('./fixtures.ts');
    const created = await h.client.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'api',
        taskDefinition: v1,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        loadBalancers: [blueGreenLoadBalancer()],
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
      }),
    );
    expect(created.service).toMatchObject({
      serviceName: 'api',
      status: 'ACTIVE',
      deploymentController: { type: 'ECS' },
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    });
    const final = await finished(h.client, created.service?.currentServiceDeployment ?? '');
    expect(final.status).toBe('SUCCESSFUL');
    expect(final.sourceServiceRevisions).toEqual([]);
    expect(h.world.loadBalancing.share(PROD_RULE, BLUE_TG)).toBe(100);
    const running = await h.client.send(
      new ListTasksCommand({ cluster: CLUSTER, serviceName: 'api' }),
    );
    expect(running.taskArns).toHaveLength(1);

    expect(
      await failure(h.client.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'api' }))),
    ).toMatchObject({ name: 'InvalidParameterException' });
    await h.client.send(
      new DeleteServiceCommand({ cluster: CLUSTER, service: 'api', force: true }),
    );
    expect(
      await failure(
        h.client.send(
          new UpdateServiceCommand({ cluster: CLUSTER, service: 'api', desiredCount: 2 }),
        ),
      ),
    ).toEqual({ name: 'ServiceNotActiveException', message: 'Service was not ACTIVE.' });
  });

  it('rejects what ECS rejects', async () => {
    const { h, v1 } = await setUp();
    seedWeb(h, v1, { strategy: 'CANARY', bakeTimeInMinutes: 0 });
    const update = (input: Partial<UpdateServiceRequest>) =>
      failure(
        h.client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, ...input })),
      );
    const pause = await update({
      deploymentConfiguration: {
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }],
      },
    });
    expect(pause.name).toBe('InvalidParameterException');
    expect(pause.message).toContain('PRODUCTION_TRAFFIC_SHIFT');
    expect(
      (
        await update({
          deploymentConfiguration: {
            lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['TEST_TRAFFIC_SHIFT'] }],
          },
        })
      ).name,
    ).toBe('InvalidParameterException');
    expect(await update({ cluster: 'nope' })).toEqual({
      name: 'ClusterNotFoundException',
      message: 'Cluster not found.',
    });
    expect(await update({ service: 'nope' })).toEqual({
      name: 'ServiceNotFoundException',
      message: 'Service not found.',
    });
    expect(await update({ taskDefinition: 'web:42' })).toEqual({
      name: 'ClientException',
      message: 'TaskDefinition not found.',
    });
    expect(
      (await update({ deploymentConfiguration: { canaryConfiguration: { canaryPercent: 0.05 } } }))
        .name,
    ).toBe('InvalidParameterException');
    expect(
      await failure(
        h.client.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn:
              'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nope',
            hookId: 'ecs-pause-x',
          }),
        ),
      ),
    ).toMatchObject({ name: 'ServiceDeploymentNotFoundException' });
    const missing = await h.client.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: [
          'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nope',
        ],
      }),
    );
    expect(missing).toMatchObject({ serviceDeployments: [], failures: [{ reason: 'MISSING' }] });
    const services = await h.client.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['web', 'ghost'] }),
    );
    expect(services.services?.map((s) => s.serviceName)).toEqual(['web']);
    expect(services.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/ghost', reason: 'MISSING' },
    ]);
    // Nothing above started a deployment.
    const list = await h.client.send(
      new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }),
    );
    expect(list.serviceDeployments).toHaveLength(1);
  });
});
