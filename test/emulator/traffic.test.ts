import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { BlueGreenAlb } from './elbv2.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from './server.ts';
import { Random } from './traffic.ts';

const KEYS = {
  accessKeyId: 'AKIATRAFFICTESTKEY01',
  secretAccessKey: 'traffic-test-secret-key-0000000000000000',
};
const STABLE = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:7';
const CANARY = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:8';
const Z95 = 1.6448536269514722;
const Z99 = 2.3263478740408408;

interface World {
  readonly emulator: Emulator;
  readonly cloudwatch: CloudWatchClient;
  readonly alb: BlueGreenAlb;
  /** Moves the emulator's (fake) clock only, as time passes between the traffic model's ticks. */
  elapse(seconds: number): void;
  /** Moves the clock and lets the traffic model catch up, as its timer does. */
  tick(seconds: number): void;
  readonly start: number;
  now(): number;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function emulatorWithClient(
  options: EmulatorOptions,
): Promise<{ emulator: Emulator; cloudwatch: CloudWatchClient }> {
  const emulator = await startEmulator(options);
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/judge' });
  const cloudwatch = new CloudWatchClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: KEYS,
  });
  cleanups.push(async () => {
    cloudwatch.destroy();
    await emulator.close();
  });
  return { emulator, cloudwatch };
}

/**
 * A blue/green ALB with two stable tasks in blue and one canary task in green, all healthy, on
 * a fake clock that starts at the beginning of a minute.
 */
async function world(options: EmulatorOptions = {}): Promise<World> {
  // Four to five minutes back, so the clock stays within SigV4's five-minute skew of real time.
  let now = Math.floor(Date.now() / 60_000) * 60_000 - 240_000;
  const start = now;
  const { emulator, cloudwatch } = await emulatorWithClient({
    clock: () => new Date(now),
    ...options,
  });
  const alb = emulator.elbv2.createBlueGreenAlb('shop');
  const register = (arn: string, id: string, revision: string) =>
    emulator.elbv2.registerTarget(arn, { id, port: 8080, revision, healthy: true });
  register(alb.blue.arn, '10.0.0.1', STABLE);
  register(alb.blue.arn, '10.0.0.2', STABLE);
  register(alb.green.arn, '10.0.1.1', CANARY);
  const w: World = {
    emulator,
    cloudwatch,
    alb,
    start,
    now: () => now,
    elapse(seconds) {
      now += seconds * 1000;
    },
    tick(seconds) {
      w.elapse(seconds);
      emulator.traffic.advance();
    },
  };
  w.tick(5); // first health check: all healthy
  // Only traffic from here on, at the start of a minute.
  now = start + 60_000;
  emulator.traffic.advance();
  return w;
}

const albQuery = (
  id: string,
  metricName: string,
  stat: string,
  dimensions: Record<string, string>,
  period = 60,
): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: 'AWS/ApplicationELB',
      MetricName: metricName,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: period,
    Stat: stat,
  },
});

async function metricData(
  w: World,
  queries: MetricDataQuery[],
  from = w.start,
  to = w.now() + 60_000,
) {
  const out = await w.cloudwatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(from),
      EndTime: new Date(to),
    }),
  );
  return new Map((out.MetricDataResults ?? []).map((r) => [r.Id ?? '', r]));
}

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

describe('traffic model', () => {
  it('splits requests by rule weights and turns the canary error rate into 5xx counts', async () => {
    const w = await world();
    const { emulator, alb } = w;
    emulator.elbv2.setRuleWeights(alb.productionRule.arn, [
      { targetGroupArn: alb.blue.arn, weight: 90 },
      { targetGroupArn: alb.green.arn, weight: 10 },
    ]);
    emulator.scenario.setBehaviour(CANARY, { errorRate: 0.2 });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 100);
    w.tick(180);

    const lb = alb.loadBalancer.dimension;
    const blue = { LoadBalancer: lb, TargetGroup: alb.blue.dimension };
    const green = { LoadBalancer: lb, TargetGroup: alb.green.dimension };
    const data = await metricData(w, [
      albQuery('all', 'RequestCount', 'Sum', { LoadBalancer: lb }),
      albQuery('blueRequests', 'RequestCount', 'Sum', blue),
      albQuery('greenRequests', 'RequestCount', 'Sum', green),
      albQuery('blueErrors', 'HTTPCode_Target_5XX_Count', 'Sum', blue),
      albQuery('greenErrors', 'HTTPCode_Target_5XX_Count', 'Sum', green),
      albQuery('elbErrors', 'HTTPCode_ELB_5XX_Count', 'Sum', { LoadBalancer: lb }),
      albQuery('greenAverage', 'RequestCount', 'Average', green),
    ]);
    const all = sum(data.get('all')?.Values);
    const greenRequests = sum(data.get('greenRequests')?.Values);
    const greenErrors = sum(data.get('greenErrors')?.Values);
    expect(data.get('all')?.Values).toHaveLength(3); // three full minutes
    expect(all).toBeGreaterThan(18_000 * 0.95);
    expect(all).toBeLessThan(18_000 * 1.05);
    expect(sum(data.get('blueRequests')?.Values) + greenRequests).toBe(all);
    expect(greenRequests / all).toBeGreaterThan(0.085);
    expect(greenRequests / all).toBeLessThan(0.115);
    expect(greenErrors / greenRequests).toBeGreaterThan(0.17);
    expect(greenErrors / greenRequests).toBeLessThan(0.23);
    // Zero-valued counts are not published: no data points at all, not zeros.
    expect(data.get('blueErrors')?.Values).toEqual([]);
    expect(data.get('elbErrors')?.Values).toEqual([]);
    // Each request is a sample of 1.
    expect(data.get('greenAverage')?.Values).toEqual([1, 1, 1]);
    expect(emulator.traffic.totals(alb.green.arn)).toMatchObject({
      requests: greenRequests,
      target5xx: greenErrors,
    });
  });

  it('draws response times from the configured log-normal distribution', async () => {
    const w = await world();
    const { emulator, alb } = w;
    const median = 0.12;
    const p99 = 0.9;
    emulator.scenario.setBehaviour(STABLE, { latency: { medianSeconds: median, p99Seconds: p99 } });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 200);
    w.tick(120);
    const dims = { LoadBalancer: alb.loadBalancer.dimension, TargetGroup: alb.blue.dimension };
    const data = await metricData(
      w,
      [
        albQuery('p50', 'TargetResponseTime', 'p50', dims, 120),
        albQuery('p95', 'TargetResponseTime', 'p95', dims, 120),
        albQuery('p99', 'TargetResponseTime', 'p99', dims, 120),
        albQuery('count', 'TargetResponseTime', 'SampleCount', dims, 120),
        albQuery('requests', 'RequestCount', 'Sum', dims, 120),
      ],
      w.start + 60_000,
      w.now(),
    );
    const sigma = (Math.log(p99) - Math.log(median)) / Z99;
    const expected95 = Math.exp(Math.log(median) + Z95 * sigma);
    const value = (id: string) => data.get(id)?.Values?.[0] ?? Number.NaN;
    expect(value('p50')).toBeGreaterThan(median * 0.95);
    expect(value('p50')).toBeLessThan(median * 1.05);
    expect(value('p95')).toBeGreaterThan(expected95 * 0.93);
    expect(value('p95')).toBeLessThan(expected95 * 1.07);
    expect(value('p99')).toBeGreaterThan(p99 * 0.9);
    expect(value('p99')).toBeLessThan(p99 * 1.1);
    expect(value('count')).toBe(value('requests'));
  });

  it('publishes host counts and fails open to unhealthy targets', async () => {
    const w = await world();
    const { emulator, alb } = w;
    emulator.elbv2.setRuleWeights(alb.productionRule.arn, [
      { targetGroupArn: alb.blue.arn, weight: 50 },
      { targetGroupArn: alb.green.arn, weight: 50 },
    ]);
    emulator.scenario.setRequestRate(alb.productionListener.arn, 20);
    emulator.scenario.setBehaviour(CANARY, { unhealthy: true });
    w.tick(60);
    const lb = alb.loadBalancer.dimension;
    const green = { LoadBalancer: lb, TargetGroup: alb.green.dimension };
    const data = await metricData(w, [
      albQuery('healthy', 'HealthyHostCount', 'Minimum', green),
      albQuery('unhealthy', 'UnHealthyHostCount', 'Maximum', green),
      albQuery('connection', 'TargetConnectionErrorCount', 'Sum', green),
      albQuery('elb5xx', 'HTTPCode_ELB_5XX_Count', 'Sum', { LoadBalancer: lb }),
      albQuery('elb5xxByGroup', 'HTTPCode_ELB_5XX_Count', 'Sum', green),
    ]);
    expect(data.get('healthy')?.Values).toEqual([0]);
    expect(data.get('unhealthy')?.Values).toEqual([1]);
    const connection = sum(data.get('connection')?.Values);
    expect(connection).toBeGreaterThan(400);
    // The load balancer answers 502 for failed connections; that count has no TargetGroup dimension.
    expect(sum(data.get('elb5xx')?.Values)).toBe(connection);
    expect(data.get('elb5xxByGroup')?.Values).toEqual([]);
  });

  it('answers 503 from the load balancer when a group has no target', async () => {
    const w = await world();
    const { emulator, alb } = w;
    emulator.elbv2.deregisterTarget(alb.green.arn, '10.0.1.1');
    emulator.elbv2.setRuleWeights(alb.testRule.arn, [
      { targetGroupArn: alb.blue.arn, weight: 0 },
      { targetGroupArn: alb.green.arn, weight: 100 },
    ]);
    emulator.scenario.setRequestRate(alb.testListener.arn, 10);
    w.tick(30);
    const lb = { LoadBalancer: alb.loadBalancer.dimension };
    const data = await metricData(w, [
      albQuery('e503', 'HTTPCode_ELB_503_Count', 'Sum', lb),
      albQuery('requests', 'RequestCount', 'Sum', lb),
    ]);
    expect(sum(data.get('e503')?.Values)).toBe(sum(data.get('requests')?.Values));
    expect(emulator.traffic.totals(alb.green.arn).noTarget).toBeGreaterThan(200);
  });

  it('counts each real second as timeScale seconds of traffic', async () => {
    const w = await world({ timeScale: 30 });
    w.emulator.scenario.setRequestRate(w.alb.productionListener.arn, 10);
    w.tick(2);
    const requests = w.emulator.traffic.totals(w.alb.blue.arn).requests;
    expect(requests).toBeGreaterThan(600 * 0.85);
    expect(requests).toBeLessThan(600 * 1.15);
  });

  it('is deterministic for a seed and the same sequence of clock steps', async () => {
    const run = async (seed: number) => {
      const w = await world({ seed });
      w.emulator.scenario.setBehaviour(STABLE, { errorRate: 0.05 });
      w.emulator.scenario.setRequestRate(w.alb.productionListener.arn, 37);
      for (let i = 0; i < 20; i += 1) w.tick(3);
      return w.emulator.traffic.totals(w.alb.blue.arn);
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it('shows a spike in the still open minute at once: reading the metrics brings the traffic up to the clock', async () => {
    // The model's own timer never fires here: only the read can bring the traffic up to date.
    const w = await world({ timeScale: 10, trafficTickMs: 3_600_000 });
    const { emulator } = w;
    const alb = emulator.elbv2.createBlueGreenAlb('live');
    emulator.elbv2.registerTarget(alb.blue.arn, {
      id: '10.1.0.1',
      port: 80,
      revision: STABLE,
      healthy: true,
    });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 20);
    // 5 s health-check interval at time scale 10: healthy after 0.5 s.
    w.tick(0.5);
    expect(emulator.elbv2.targetHealth(alb.blue.arn, '10.1.0.1')).toBe('healthy');
    const before = emulator.traffic.totals(alb.blue.arn);
    expect(before.target5xx).toBe(0);

    emulator.scenario.setBehaviour(STABLE, { errorRate: 0.5 });
    w.elapse(1.2);
    // No tick since the spike: none of its traffic is simulated until something reads.
    expect(emulator.traffic.totals(alb.blue.arn)).toEqual(before);
    const dims = { LoadBalancer: alb.loadBalancer.dimension, TargetGroup: alb.blue.dimension };
    const data = await metricData(w, [
      albQuery('errors', 'HTTPCode_Target_5XX_Count', 'Sum', dims),
    ]);
    expect(sum(data.get('errors')?.Values)).toBeGreaterThan(20);
  });
});

describe('Random', () => {
  it('draws binomial and Poisson counts with the right means', () => {
    const random = new Random(42);
    let poisson = 0;
    let binomial = 0;
    for (let i = 0; i < 2000; i += 1) {
      poisson += random.poisson(3.5);
      binomial += random.binomial(40, 0.25);
    }
    expect(poisson / 2000).toBeCloseTo(3.5, 0);
    expect(binomial / 2000).toBeCloseTo(10, 0);
    expect(random.split(1000, [1, 0, 3]).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(random.split(10, [0, 5])).toEqual([0, 10]);
  });
});
