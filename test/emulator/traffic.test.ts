import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { BlueGreenAlb } from './elbv2.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from './server.ts';
import { Random } from './traffic.ts';
import { type RevisionBehaviour, Scenario } from './world.ts';

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
  /**
   * Stops the production listener's traffic and lets CloudWatch publish what came before (the
   * default publication delay is 60–90 s after a minute ends).
   */
  published(): void;
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
    published() {
      emulator.scenario.setRequestRate(alb.productionListener.arn, 0);
      emulator.scenario.setRequestRate(alb.testListener.arn, 0);
      w.tick(60 - ((now / 1000) % 60) + 90);
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
    w.published();

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
    w.published();
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
      w.start + 180_000,
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
    w.published();
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
    w.published();
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

  it('publishes a minute only after it ends and the delay has passed, and nothing of the open one', async () => {
    // The model's own timer never fires here: only the reads bring the traffic up to date.
    const w = await world({ trafficTickMs: 3_600_000 });
    const { emulator, alb } = w;
    emulator.scenario.setPublication({ delaySeconds: 75, jitterSeconds: 0 });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 20);
    const dims = { LoadBalancer: alb.loadBalancer.dimension, TargetGroup: alb.blue.dimension };
    const requests = async () =>
      (await metricData(w, [albQuery('r', 'RequestCount', 'Sum', dims)])).get('r')?.Values ?? [];
    w.elapse(30);
    expect(await requests()).toEqual([]); // the open minute: nothing yet
    expect(emulator.traffic.totals(alb.blue.arn).requests).toBeGreaterThan(400); // it happened
    w.elapse(30 + 74);
    expect(await requests()).toEqual([]); // ended 74 s ago
    w.elapse(1);
    const [first] = await requests();
    expect(first).toBeGreaterThan(1200 * 0.9);
    expect(first).toBeLessThan(1200 * 1.1);
    expect(await requests()).toHaveLength(1); // the next minute is still to come
  });

  it('delays each minute by 60–90 s by default, jittered per minute and the same for a seed', async () => {
    const publishedAfter = async (seed: number) => {
      const w = await world({ seed });
      const { emulator, alb } = w;
      emulator.scenario.setRequestRate(alb.productionListener.arn, 5);
      const id = {
        namespace: 'AWS/ApplicationELB',
        metricName: 'RequestCount',
        dimensions: { LoadBalancer: alb.loadBalancer.dimension },
      };
      const delays = new Map<number, number>();
      for (let s = 0; s < 4 * 60 + 90; s += 1) {
        w.tick(1);
        for (const minute of emulator.cloudwatch.metrics.minutes(id, w.start, w.now()).keys()) {
          if (!delays.has(minute)) delays.set(minute, (w.now() - minute - 60_000) / 1000);
        }
      }
      return [...delays.values()];
    };
    const delays = await publishedAfter(3);
    expect(delays.length).toBeGreaterThanOrEqual(4);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(60);
      expect(delay).toBeLessThanOrEqual(91); // read on whole seconds
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
    expect(await publishedAfter(3)).toEqual(delays);
  });

  it('at a time scale, publishes each emulated minute the scaled delay after it ends', async () => {
    // At 60× an emulated minute is one real second, and a 60 s delay is one more.
    const w = await world({ timeScale: 60 });
    const { emulator, alb } = w;
    emulator.scenario.setPublication({ delaySeconds: 60, jitterSeconds: 0 });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 10);
    const id = {
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCount',
      dimensions: { LoadBalancer: alb.loadBalancer.dimension },
    };
    const published = () => emulator.cloudwatch.metrics.total(id, w.start, w.now()).sum;
    w.tick(1);
    emulator.scenario.setRequestRate(alb.productionListener.arn, 0);
    w.tick(0.9);
    expect(published()).toBe(0);
    w.tick(0.1);
    expect(published()).toBe(emulator.traffic.totals(alb.blue.arn).requests);
    expect(published()).toBeGreaterThan(500);
  });

  it('draws a Pareto tail and a bimodal mixture', async () => {
    const w = await world();
    const { emulator, alb } = w;
    emulator.elbv2.setRuleWeights(alb.productionRule.arn, [
      { targetGroupArn: alb.blue.arn, weight: 50 },
      { targetGroupArn: alb.green.arn, weight: 50 },
    ]);
    emulator.scenario.setBehaviour(STABLE, {
      latency: { kind: 'pareto', min: 0.05, alpha: 1.5 },
    });
    emulator.scenario.setBehaviour(CANARY, {
      latency: {
        kind: 'mixture',
        parts: [
          { weight: 0.7, latency: { kind: 'lognormal', median: 0.03, sigma: 0.1 } },
          { weight: 0.3, latency: { kind: 'lognormal', median: 0.6, sigma: 0.1 } },
        ],
      },
    });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 200);
    w.tick(120);
    w.published();
    const lb = alb.loadBalancer.dimension;
    const percentiles = async (group: string, stats: string[]) => {
      const dims = { LoadBalancer: lb, TargetGroup: group };
      const data = await metricData(
        w,
        stats.map((stat, i) => albQuery(`q${i}`, 'TargetResponseTime', stat, dims, 120)),
        w.start + 60_000,
        w.start + 180_000,
      );
      return stats.map((_, i) => data.get(`q${i}`)?.Values?.[0] ?? Number.NaN);
    };
    // Pareto: the q-quantile is min / (1 − q)^(1/alpha).
    const pareto = (q: number) => 0.05 / Math.pow(1 - q, 1 / 1.5);
    const [p50 = Number.NaN, p99 = Number.NaN, max = Number.NaN] = await percentiles(
      alb.blue.dimension,
      ['p50', 'p99', 'Maximum'],
    );
    expect(p50).toBeGreaterThan(pareto(0.5) * 0.95);
    expect(p50).toBeLessThan(pareto(0.5) * 1.05);
    expect(p99).toBeGreaterThan(pareto(0.99) * 0.85);
    expect(p99).toBeLessThan(pareto(0.99) * 1.15);
    expect(max).toBeGreaterThan(20 * p50); // a tail no log-normal of that median gives
    // Bimodal: 70 % near 30 ms, 30 % near 600 ms, nothing in between.
    const [p60 = Number.NaN, p68 = Number.NaN, p72 = Number.NaN, p90 = Number.NaN] =
      await percentiles(alb.green.dimension, ['p60', 'p68', 'p72', 'p90']);
    expect(p60).toBeLessThan(0.04);
    expect(p68).toBeLessThan(0.045);
    expect(p72).toBeGreaterThan(0.4);
    expect(p90).toBeLessThan(0.8);
  });

  it('gives 5xx answers their own latency, per revision', async () => {
    const w = await world();
    const { emulator, alb } = w;
    emulator.elbv2.setRuleWeights(alb.productionRule.arn, [
      { targetGroupArn: alb.blue.arn, weight: 50 },
      { targetGroupArn: alb.green.arn, weight: 50 },
    ]);
    // Blue times out slowly on its errors; green fails fast; both answer 2xx in about 100 ms.
    const ok = { kind: 'lognormal', median: 0.1, sigma: 0.05 } as const;
    emulator.scenario.setBehaviour(STABLE, {
      errorRate: 0.4,
      latency: ok,
      errorLatency: { kind: 'lognormal', median: 5, sigma: 0.05 },
    });
    emulator.scenario.setBehaviour(CANARY, {
      errorRate: 0.4,
      latency: ok,
      errorLatency: { kind: 'lognormal', median: 0.002, sigma: 0.05 },
    });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 100);
    w.tick(60);
    w.published();
    const lb = alb.loadBalancer.dimension;
    const stats = ['p20', 'p50', 'p80', 'SampleCount'];
    const data = await metricData(
      w,
      [alb.blue.dimension, alb.green.dimension].flatMap((group, g) =>
        stats.map((stat, i) =>
          albQuery(`g${g}s${i}`, 'TargetResponseTime', stat, {
            LoadBalancer: lb,
            TargetGroup: group,
          }),
        ),
      ),
    );
    const value = (g: number, i: number) => data.get(`g${g}s${i}`)?.Values?.[0] ?? Number.NaN;
    // Blue: 60 % fast successes below, 40 % slow errors above.
    expect(value(0, 1)).toBeLessThan(0.12);
    expect(value(0, 2)).toBeGreaterThan(4);
    // Green: 40 % fast failures below, the successes above.
    expect(value(1, 0)).toBeLessThan(0.003);
    expect(value(1, 1)).toBeGreaterThan(0.08);
    expect(value(1, 2)).toBeLessThan(0.12);
    for (const [g, group] of [alb.blue.arn, alb.green.arn].entries()) {
      const totals = emulator.traffic.totals(group);
      expect(value(g, 3)).toBe(totals.target2xx + totals.target5xx);
    }
  });

  it('tells watchers what each target was sent, after the step', async () => {
    const w = await world();
    const { emulator, alb } = w;
    const seen: number[] = [];
    const stop = emulator.traffic.watch('10.0.1.1', (served) => seen.push(served.requests));
    emulator.elbv2.setRuleWeights(alb.productionRule.arn, [
      { targetGroupArn: alb.blue.arn, weight: 0 },
      { targetGroupArn: alb.green.arn, weight: 100 },
    ]);
    emulator.scenario.setRequestRate(alb.productionListener.arn, 10);
    w.tick(3);
    expect(seen).toHaveLength(1); // once per step, with the running total
    expect(emulator.traffic.served('10.0.1.1')).toEqual({ requests: seen[0], seconds: 3 });
    expect(emulator.traffic.served('10.0.0.1')).toEqual({ requests: 0, seconds: 0 });
    stop();
    w.tick(3);
    expect(seen).toHaveLength(1);
    expect(emulator.traffic.served('10.0.1.1').seconds).toBe(6);
  });
});

describe('Scenario', () => {
  it('refuses behaviours and publication delays that cannot be drawn, saying what is wrong', () => {
    const scenario = new Scenario();
    const refused = (behaviour: RevisionBehaviour) => () =>
      scenario.setBehaviour(STABLE, behaviour);
    expect(refused({ errorRate: 1.5 })).toThrow(/errorRate must be within 0\.\.1, got 1\.5/);
    expect(refused({ latency: { kind: 'pareto', min: 0.1, alpha: 0 } })).toThrow(
      /latency: Pareto alpha must be > 0, got 0/,
    );
    expect(
      refused({
        errorLatency: {
          kind: 'mixture',
          parts: [{ weight: 0.5, latency: { kind: 'lognormal', median: 0.1, sigma: 0.2 } }],
        },
      }),
    ).toThrow(/errorLatency: mixture weights must add up to 1, got 0\.5/);
    expect(refused({ latency: { medianSeconds: 0, p99Seconds: 1 } })).toThrow(/median must be > 0/);
    expect(
      refused({ crash: { exitCode: 1, reason: 'x', afterRequests: 10, afterServingSeconds: 5 } }),
    ).toThrow(/afterServingSeconds or afterRequests, not both/);
    expect(refused({ crash: { exitCode: 1, reason: 'x', afterRequests: 0 } })).toThrow(
      /positive amount of traffic/,
    );
    expect(() => scenario.setPublication({ delaySeconds: -1, jitterSeconds: 0 })).toThrow(
      /finite seconds >= 0/,
    );
    expect(scenario.behaviour(STABLE)).toEqual({});
    expect(scenario.publication()).toEqual({ delaySeconds: 60, jitterSeconds: 30 });
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
