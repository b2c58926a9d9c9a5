// Wires the deploy engine to the fakes on virtual time.
import { type DeployDeps, type DeployRequest, deploy } from '../../../../src/ecs/deploy/deploy.ts';
import type { DeployEvent } from '../../../../src/ecs/deploy/events.ts';
import type { Strategy } from '../../../../src/ecs/deploy/strategy.ts';
import { CLUSTER, FakeEcs, type FakeEcsOptions, FakeLogs, SERVICE, TD_NEW } from './fake-ecs.ts';
import { FakeMetrics, type MetricsScenario } from './fake-metrics.ts';
import { VirtualTime } from './virtual-time.ts';

export const CANARY: Strategy = {
  kind: 'canary',
  canaryPercent: 10,
  canaryBakeMinutes: 10,
  bakeMinutes: 15,
};

/** Both groups answer 0.2 % 5xx with the same latencies. */
export const HEALTHY: MetricsScenario = {
  rpm: 2000,
  canary: () => ({ errorRate: 0.002 }),
  baseline: () => ({ errorRate: 0.002 }),
};

export interface SetUp {
  strategy?: Strategy;
  fake?: FakeEcsOptions;
  scenario?: MetricsScenario;
  request?: Partial<DeployRequest>;
  deps?: Partial<DeployDeps>;
  logs?: Record<string, string[]>;
}

export function setUp(options: SetUp = {}) {
  const time = new VirtualTime();
  const ecs = new FakeEcs(time, options.fake);
  const metrics = new FakeMetrics(time, ecs, options.scenario ?? HEALTHY);
  const logs = new FakeLogs(options.logs ?? {});
  const controller = new AbortController();
  const events: DeployEvent[] = [];
  const request: DeployRequest = {
    cluster: CLUSTER,
    service: SERVICE,
    taskDefinitionArn: TD_NEW,
    strategy: options.strategy ?? CANARY,
    alarms: ['web-5xx'],
    analysis: { config: { minRequests: 300 }, onInconclusive: { onInconclusive: 'continue' } },
    ...options.request,
  };
  const deps: DeployDeps = {
    deployments: ecs,
    metrics,
    logs,
    clock: time.clock,
    sleep: time.sleep,
    signal: controller.signal,
    onEvent: (event) => events.push(event),
    deadline: () => new AbortController().signal,
    ...options.deps,
  };
  return {
    time,
    ecs,
    metrics,
    logs,
    controller,
    events,
    request,
    deps,
    run: () => deploy(request, deps),
    /** Virtual time of the first call of `name` (optionally with detail matching). */
    firstCall(name: string, detail?: RegExp) {
      return ecs.calls.find((c) => c.name === name && (!detail || detail.test(c.detail ?? '')));
    },
  };
}

/** When the new revision first got `weight` % of production. */
export function shiftedAt(ecs: FakeEcs, weight: number): number | undefined {
  return ecs.ours.weights.find((w) => w.production === weight)?.at;
}
