// The engine's one entry, on the fakes in virtual time: what it refuses before changing anything,
// when it deploys nothing, and the order of check, plan, task definition and deployment.
import { describe, expect, it } from '@jest/globals';
import type { TargetGroupSeries } from '../../../../src/canary/analysis/align-series.ts';
import type { TargetGroupWindow } from '../../../../src/canary/analysis/types.ts';
import { deploymentConfiguration } from '../../../../src/ecs/deploy/deployment-configuration.ts';
import type { MetricSeriesPort } from '../../../../src/ecs/deploy/metrics.ts';
import type { PreflightPorts } from '../../../../src/ecs/deploy/preflight.ts';
import {
  type RunEvent,
  type RunOptions,
  type RunPorts,
  run,
} from '../../../../src/ecs/deploy/run.ts';
import { loadTaskDefinition } from '../../../../src/ecs/task-definition/load.ts';
import { UserError } from '../../../../src/lib/errors.ts';
import { fakeEcs as fakeTaskDefinitions } from '../task-definition/fake-ecs.ts';
import {
  BLUE,
  CLUSTER,
  FakeEcs,
  type FakeEcsOptions,
  FakeLogs,
  GREEN,
  SERVICE,
  TD_NEW,
  TD_OLD,
  TD_OTHER,
} from './fake-ecs.ts';
import { FakeMetrics } from './fake-metrics.ts';
import { CANARY, HEALTHY } from './harness.ts';
import { MINUTE, START, VirtualTime } from './virtual-time.ts';

const RULES = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/web/1/2';
const PROD_RULE = `${RULES}/prod`;
const TEST_RULE = `${RULES}/test`;

/** The file's definition: family web, one container; revisions 1–6 exist, the service runs 6. */
const FILE = JSON.stringify({
  family: 'web',
  containerDefinitions: [{ name: 'app', image: 'web:1' }],
});
const definition = (image: string) => ({
  family: 'web',
  containerDefinitions: [{ name: 'app', image }],
});

interface SetUp {
  fake?: FakeEcsOptions;
  /** The task definition the service runs; TD_OLD (web:6) unless given. */
  running?: string;
  /** How many revisions of web exist, the last one rendering like the file with web:2. */
  revisions?: number;
  options?: Partial<RunOptions>;
  ports?: Partial<RunPorts>;
}

function setUp(setup: SetUp = {}) {
  const time = new VirtualTime();
  const ecs = new FakeEcs(time, setup.fake);
  const metrics = new FakeMetrics(time, ecs, HEALTHY);
  const taskDefinitions = fakeTaskDefinitions();
  const revisions = setup.revisions ?? 6;
  for (let n = 1; n <= revisions; n++) {
    taskDefinitions.seed(definition(n === 7 ? 'web:2' : `web:0.${n}`));
  }
  taskDefinitions.services.set(`${CLUSTER}/${SERVICE}`, taskDefinitions.revisions.get('web')![5]!);
  const preflightCalls: string[] = [];
  const preflight: PreflightPorts = {
    async describeService() {
      preflightCalls.push('describeService');
      return {
        found: 'service',
        service: {
          status: 'ACTIVE',
          deploymentController: 'ECS',
          desiredCount: 2,
          taskDefinition: setup.running ?? TD_OLD,
          loadBalancers: [
            {
              targetGroupArn: BLUE,
              advancedConfiguration: {
                alternateTargetGroupArn: GREEN,
                productionListenerRule: PROD_RULE,
                testListenerRule: TEST_RULE,
                roleArn: 'arn:aws:iam::111122223333:role/ecs-infrastructure',
              },
            },
          ],
        },
      };
    },
    async describeRules(arns) {
      preflightCalls.push('describeRules');
      return new Map(
        arns.map((arn) => [arn, { actionTypes: ['forward'], forwardTargetGroupArns: [] }]),
      );
    },
    async existingAlarms(names) {
      preflightCalls.push('existingAlarms');
      return new Set(names.filter((name) => name !== 'missing'));
    },
  };
  const series: MetricSeriesPort = {
    async series(request) {
      const windows = await metrics.windows(request);
      return { canary: asSeries(windows.canary), baseline: asSeries(windows.baseline) };
    },
    targetHealth: (arn) => metrics.targetHealth(arn),
  };
  const events: RunEvent[] = [];
  const options: RunOptions = {
    cluster: CLUSTER,
    service: SERVICE,
    strategy: CANARY,
    taskDefinition: { kind: 'file', source: loadTaskDefinition(FILE, 'web.json') },
    overrides: { images: [{ image: 'web:2' }] },
    alarms: ['web-5xx'],
    analysis: { config: { minRequests: 300 }, onInconclusive: { onInconclusive: 'continue' } },
    onBusy: 'wait',
    hookTimeoutMinutes: 30,
    timeoutMs: 60 * MINUTE,
    pollIntervalMs: 10_000,
    dryRun: false,
    ...setup.options,
  };
  const ports: RunPorts = {
    preflight,
    taskDefinitions: taskDefinitions.port,
    deployments: ecs,
    metrics: series,
    logs: new FakeLogs({}),
    clock: time.clock,
    sleep: time.sleep,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    ...setup.ports,
  };
  return {
    time,
    ecs,
    metrics,
    taskDefinitions,
    preflightCalls,
    events,
    run: () => run(options, ports),
  };
}

/** A window back as CloudWatch would return it: one point per period, latencies where measured. */
function asSeries(window: TargetGroupWindow): TargetGroupSeries {
  const keys = [
    'requests',
    'target5xx',
    'connectionErrors',
    'p95Seconds',
    'p99Seconds',
    'unhealthyHosts',
    'healthyHosts',
  ] as const;
  return Object.fromEntries(
    keys.map((key) => {
      const points = window.samples.filter((s) => s[key] !== undefined);
      return [
        key,
        { Timestamps: points.map((s) => s.timestamp), Values: points.map((s) => s[key]!) },
      ];
    }),
  );
}

const types = (events: RunEvent[]) => [...new Set(events.map((e) => e.type))];

describe('run: before anything changes', () => {
  it('checks and plans on a dry run, and registers and deploys nothing', async () => {
    const h = setUp({ options: { dryRun: true, timeoutMs: 5 * MINUTE } });
    const result = await h.run();
    expect(result.kind).toBe('dry-run');
    // A dry run reports a plan that does not fit rather than refusing it.
    // 3 min scale-up, at most 1 min holding the first shift to a CloudWatch minute, 10 + 15 min bakes.
    expect(result.plan).toMatchObject({ expectedMs: 29 * MINUTE, fitsBudget: false });
    expect(h.preflightCalls).toEqual(['describeService', 'describeRules', 'existingAlarms']);
    expect(h.events).toEqual([{ type: 'plan', plan: result.plan }]);
    expect(h.taskDefinitions.registered).toEqual([]);
    expect(h.ecs.calls).toEqual([]);
  });

  it('refuses a plan longer than the timeout, before registering anything', async () => {
    const h = setUp({ options: { timeoutMs: 20 * MINUTE } });
    await expect(h.run()).rejects.toThrow(
      new UserError(
        'The deployment is expected to take about 29m, more than the timeout of 20m: raise the timeout or shorten the bake times.',
      ),
    );
    expect(types(h.events)).toEqual(['plan']);
    expect(h.taskDefinitions.registered).toEqual([]);
    expect(h.ecs.calls).toEqual([]);
  });

  it('stops on what preflight finds, before planning', async () => {
    const h = setUp({ options: { alarms: ['missing'] } });
    await expect(h.run()).rejects.toThrow(/No CloudWatch alarm named 'missing'/);
    expect(h.events).toEqual([]);
    expect(h.taskDefinitions.registered).toEqual([]);
  });

  it('with on-busy fail, refuses another deployment in flight before registering a revision', async () => {
    const h = setUp({
      fake: {
        busy: { taskDefinition: TD_OTHER, status: 'IN_PROGRESS', until: START + 20 * MINUTE },
      },
      options: { onBusy: 'fail' },
    });
    await expect(h.run()).rejects.toThrow(/web:8, IN_PROGRESS\) and on-busy is fail/);
    expect(h.taskDefinitions.registered).toEqual([]);
    expect(h.ecs.count('start')).toBe(0);
  });

  it('plans the smoke check when one is given', async () => {
    const h = setUp({
      options: { dryRun: true },
      ports: { smokeCheck: async () => ({ ok: true, detail: '200' }) },
    });
    const result = await h.run();
    expect(result.plan.stages.map((s) => s.name)).toContain('smoke check');
  });
});

describe('run: deploying', () => {
  it('registers the rendered revision and deploys it, reading the metrics through the series port', async () => {
    const h = setUp();
    const result = await h.run();
    if (result.kind !== 'deployed') throw new Error(`expected a deployment, got ${result.kind}`);
    expect(result.taskDefinition).toMatchObject({ arn: TD_NEW, revision: 7, registered: true });
    expect(result.taskDefinition.differences).toEqual([
      'containerDefinitions[app].image: web:0.6 → web:2',
    ]);
    expect(result.deployment).toMatchObject({ outcome: 'succeeded', status: 'SUCCESSFUL' });
    expect(h.ecs.calls.filter((c) => c.name === 'start').map((c) => c.detail)).toEqual([TD_NEW]);
    // The series were laid on the analysis's grid: the gates saw traffic on both groups.
    const gates = result.deployment.analyses.filter((a) => a.kind === 'gate');
    expect(gates.length).toBeGreaterThan(0);
    expect(gates.every((a) => a.verdict === 'pass')).toBe(true);
    expect(gates.at(-1)!.traffic.canaryRequests).toBeGreaterThan(300);
    // Plan, then the task definition, then the deployment.
    expect(types(h.events).slice(0, 3)).toEqual(['plan', 'task-definition', 'deployment']);
  });

  it("renders the service's current revision when no file is given", async () => {
    const h = setUp({ options: { taskDefinition: { kind: 'service' } } });
    const result = await h.run();
    expect(result.kind).toBe('deployed');
    expect(h.taskDefinitions.registered).toEqual([
      expect.objectContaining({
        containerDefinitions: [expect.objectContaining({ image: 'web:2' })],
      }),
    ]);
  });

  it('deploys nothing when the service already runs the revision and nothing is in flight', async () => {
    const h = setUp({ revisions: 7, running: TD_NEW });
    const result = await h.run();
    expect(result).toMatchObject({
      kind: 'already-deployed',
      taskDefinition: { arn: TD_NEW, registered: false },
    });
    expect(h.taskDefinitions.registered).toEqual([]);
    expect(h.ecs.calls.map((c) => c.name)).toEqual(['unfinished']);
    expect(types(h.events)).toEqual(['plan', 'task-definition']);
  });

  it('watches the deployment in flight when the service is already set to the revision', async () => {
    const configuration = deploymentConfiguration(CANARY, {
      alarms: ['web-5xx'],
      hookTimeoutMinutes: 30,
      smokeCheck: false,
    });
    const h = setUp({
      revisions: 7,
      running: TD_NEW,
      fake: { existing: { startedAt: START - 3 * MINUTE, configuration } },
    });
    const result = await h.run();
    expect(result).toMatchObject({
      kind: 'deployed',
      deployment: { outcome: 'succeeded', attached: true },
    });
    expect(h.ecs.count('start')).toBe(0);
  });
});
