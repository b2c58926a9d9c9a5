// A fixed-seed subset of the canary scenarios (bench/canary-scenarios.ts runs them all): the real
// engine in virtual time over seeded traffic that CloudWatch publishes late.
import { describe, expect, test } from '@jest/globals';
import { FakeEcs, GREEN, BLUE, TD_NEW } from '../unit/ecs/deploy/fake-ecs.ts';
import { MINUTE, SECOND, START, VirtualTime } from '../unit/ecs/deploy/virtual-time.ts';
import { SCENARIOS, deployOnce, runMany, runScenario } from './canary-scenarios.ts';
import { SeededMetrics, nearestRank } from './seeded-metrics.ts';

const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;
const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the traffic model', () => {
  test('nearest-rank percentiles', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(values, 0.95)).toBe(19);
    expect(nearestRank(values, 0.99)).toBe(20);
    expect(nearestRank([5], 0.95)).toBe(5);
  });

  test('a period is readable only a minute or more after it ends, and reads the same each time', async () => {
    const time = new VirtualTime();
    const ecs = new FakeEcs(time);
    await ecs.start({ taskDefinitionArn: TD_NEW, deploymentConfiguration: {} });
    const spec = scenario('healthy');
    const metrics = new SeededMetrics(
      time,
      ecs,
      { rps: 50, ...spec.traffic(() => false) },
      { seed: 3 },
    );
    const request = {
      canaryTargetGroup: GREEN,
      baselineTargetGroup: BLUE,
      start: new Date(START),
      end: new Date(START + 10 * MINUTE),
      periodSeconds: 60,
    };
    const published = metrics.publishedAt(START);
    expect(published - (START + MINUTE)).toBeGreaterThanOrEqual(MINUTE);
    expect(published - (START + MINUTE)).toBeLessThan(1.5 * MINUTE);
    time.now = published - 1000;
    expect((await metrics.windows(request)).baseline.samples[0]!.requests).toBe(0);
    time.now = published;
    const first = (await metrics.windows(request)).baseline.samples[0]!;
    expect(first.requests).toBeGreaterThan(2500);
    expect(first.requests).toBeLessThan(3500);
    expect(first.p95Seconds).toBeGreaterThan(0.1);
    time.now += 5 * MINUTE;
    expect((await metrics.windows(request)).baseline.samples[0]).toEqual(first);
  });
});

describe('deployments through the engine', () => {
  test('the same seed gives the same deployment', async () => {
    const spec = scenario('5xx-spike');
    expect(await runScenario(spec, 4)).toEqual(await runScenario(spec, 4));
  });

  test.each([
    '5xx-spike',
    'small-regression',
    'latency-regression',
    'absolute-latency-breach',
    'late-failure',
  ])('a bad release (%s) is rolled back by the analysis', async (name) => {
    const { summary, runs } = await runMany(scenario(name), seeds(5));
    expect(summary.promoted).toBe(0);
    for (const run of runs) expect(run.decidedBy).toBe('analysis');
  });

  // At the statistics before issue 11, 36 such deployments had about 2.6 false rollbacks and
  // 4 inconclusive gates in 12 log-normal ones to expect (bench/results/canary-scenarios-before.json).
  test.each(['healthy', 'heavy-tail', 'bimodal'])(
    'a healthy release (%s) is promoted: no false rollback in 12 seeds',
    async (name) => {
      const { summary } = await runMany(scenario(name), seeds(12));
      expect(summary.rolledBack).toBe(0);
      expect(summary.promoted).toBe(12);
      if (name === 'healthy') expect(summary.inconclusiveGate).toBe(0);
    },
  );

  // Seeds whose canary gate was inconclusive on the p99 when it compared per-period p99s (a
  // minute's p99 is its third-slowest canary request: 1.33–1.56× the baseline's by chance).
  // Seed 77 left the list when the first shift was aligned to a minute: its periods hold other
  // requests since, and its gate is inconclusive by chance (0.96 % of canary requests slower than
  // 1.25× the baseline's p99 against 0.72 %, over the 0.2-point floor, p = 0.13).
  test('a heavy-tailed healthy canary’s p99 is judged on counts: no inconclusive gate', async () => {
    const { runs } = await runMany(scenario('heavy-tail'), [3, 5, 11, 37, 72]);
    for (const run of runs) {
      expect(run.outcome).toBe('succeeded');
      expect(run.inconclusiveGate).toBe(false);
    }
  });

  // The final gate waits, poll by poll, for the minute of the shift to 100 % to be published; a
  // look between gates that came due meanwhile used to wake the watch every second (a describe
  // and a GetMetricData each time: 92–102 reads per low-traffic deployment instead of 27–38).
  test('a gate waiting for data reads at the poll’s pace, not every second', async () => {
    const { runs } = await runMany(scenario('low-traffic'), seeds(3));
    for (const run of runs) expect(run.shortestReadGapMs).toBeGreaterThanOrEqual(5_000);
  });

  test('a 5xx spike is rolled back soon after the first period showing it is published', async () => {
    const { runs, summary } = await runMany(scenario('5xx-spike'), seeds(20));
    for (const run of runs) {
      // Within one analysis interval: the looks follow publication (28 s at the median on the
      // 60 s grid before).
      expect(run.rollbackAt! - run.evidenceAt!).toBeLessThanOrEqual(MINUTE);
      expect(run.rollbackAt!).toBeGreaterThanOrEqual(run.evidenceAt!);
    }
    expect(summary.evidenceToRollbackS!.median).toBeLessThanOrEqual(15);
  });
});

// Latency on request counts (CloudWatch's percentile rank): the issue's goals are one analysis
// interval (60 s) from the evidence for an absolute breach and two for a +50 % regression. The
// bounds below are what 20 seeds show at worst; bench/README.md has the distributions over 100.
describe('latency decided on request counts', () => {
  test('an absolute latency breach is rolled back by the binomial test on requests slower than the limit', async () => {
    const { runs, summary } = await runMany(scenario('absolute-latency-breach'), seeds(20));
    expect(summary.promoted).toBe(0);
    expect(summary.evidenceToRollbackS!.median).toBeLessThanOrEqual(60);
    expect(summary.evidenceToRollbackS!.max).toBeLessThanOrEqual(150);
    for (const run of runs) {
      expect(run.reason).toMatch(
        /canary p95 latency: \d+ of \d+ requests \([\d.]+ %\) slower than max-p95-latency 2 s .* binomial p=/,
      );
    }
  });

  test('a +50 % latency regression is rolled back by the stratified exact test against the baseline (at its p90 or p95, or its p99 from the fourth period)', async () => {
    const { runs, summary } = await runMany(scenario('latency-regression'), seeds(20));
    expect(summary.promoted).toBe(0);
    expect(summary.evidenceToRollbackS!.median).toBeLessThanOrEqual(60);
    expect(summary.evidenceToRollbackS!.max).toBeLessThanOrEqual(180);
    for (const run of runs) {
      expect(run.reason).toMatch(
        /slower than 1\.25× the baseline's p(90|95|99) .* stratified exact (on counts .* )?p=/,
      );
    }
    // The baseline's p90 decides most: a slowdown moves twice its share past 1.25× the p90.
    const byP90 = runs.filter((run) => /the baseline's p90/.test(run.reason ?? '')).length;
    expect(byP90).toBeGreaterThanOrEqual(10);
  });

  test('a healthy release with its p95 just within max-p95-latency is promoted: 10 seeds', async () => {
    const { summary } = await runMany(scenario('healthy-near-limit'), seeds(10));
    expect(summary.rolledBack).toBe(0);
    expect(summary.promoted).toBe(10);
  });
});

describe('windows that follow the traffic (issue 11)', () => {
  test('a failure that starts late is reported at the size of the recent window', async () => {
    const { runs } = await runMany(scenario('late-failure'), seeds(5));
    for (const run of runs) {
      expect(run.outcome).toBe('rolled-back');
      expect(run.reason).toMatch(/canary 5xx rate in the last 2 periods/);
    }
  });

  test('a linear rollout of a clear latency regression never reaches 100 %', async () => {
    const { runs } = await runMany(scenario('linear-latency-regression'), seeds(5));
    for (const run of runs) {
      expect(run.outcome).toBe('rolled-back');
      expect(run.maxWeight).toBeLessThan(100);
    }
  });

  test('a baseline whose error rate moves from minute to minute: no false rollback in 12 seeds', async () => {
    const { summary } = await runMany(scenario('noisy'), seeds(12));
    expect(summary.rolledBack).toBe(0);
  });

  // Rolled back before the baseline's minutes before the window judged its overdispersion: at the
  // first looks (one or two canary periods) by the 5xx comparison (139, 307: 5–6 errors of ~280
  // against 1 of ~2,720) and by the p95 counts (30, 202, 321: a canary minute 1.6× slower).
  test('a noisy canary minute at the first looks is judged against the noise the baseline showed before', async () => {
    const { runs } = await runMany(scenario('noisy'), [30, 139, 202, 307, 321]);
    for (const run of runs) expect(run.outcome).toBe('succeeded');
  });

  test('blue/green: the gate after the shift waits for the first published minute and compares it', async () => {
    const { runs } = await runMany(scenario('blue-green'), seeds(3));
    for (const run of runs) expect([run.outcome, run.verdict]).toEqual(['succeeded', 'pass']);
    const bad = await runMany(scenario('blue-green-5xx-spike'), seeds(3));
    for (const run of bad.runs) expect(run.decidedBy).toBe('analysis');
  });

  // Seeds whose gate was inconclusive when it judged the first published minute: too few
  // requests (24: 87, 30: 55), max-error-rate unproven (29: 0 of 372, 390 needed; 21, 40), the
  // shift minute's 5xx comparison (26: 2 of 957 vs 0 of 2,044, p = 0.1; 49) or p99 (60).
  test('blue/green: the gate holds for evidence and decides on it, never on one minute', async () => {
    for (const seed of [21, 24, 26, 29, 30, 35, 40, 49, 58, 60]) {
      const { record, result } = await deployOnce(scenario('blue-green'), seed);
      expect([seed, record.outcome, record.verdict, record.inconclusiveGate]).toEqual([
        seed,
        'succeeded',
        'pass',
        false,
      ]);
      const holds = result.hooks.filter((k) => k.action === 'hold');
      // A hold that says what the last one said is not reported again.
      holds.slice(1).forEach((k, i) => expect(k.reason).not.toBe(holds[i]!.reason));
      const answered = Date.parse(result.hooks.at(-1)!.at);
      // Never past the third period's publication: 5 minutes from the shift's period.
      expect(answered - Math.floor(record.shiftAt / MINUTE) * MINUTE).toBeLessThanOrEqual(
        5 * MINUTE,
      );
    }
  });

  test('blue/green: a spike whose first minute is too small to prove is rolled back at the gate', async () => {
    // Seed 30: the shift's minute held 45 requests of the new revision; rolled back in the bake
    // 89 s after that minute was published before the gate held for evidence.
    const { record, result } = await deployOnce(scenario('blue-green-5xx-spike'), 30);
    expect(result.hooks.map((k) => k.action)).toEqual(['hold', 'hold', 'ROLLBACK']);
    expect(result.timeline.some((t) => t.stage === 'BAKE_TIME')).toBe(false);
    expect(record.rollbackAt! - record.evidenceAt!).toBeLessThanOrEqual(90 * SECOND);
  });
});
