// A MetricsPort fed by a seeded traffic model, for the canary scenarios: requests per second
// split by the fake deployment's production weights, each request drawn (status, latency) from the
// revision's behaviour at that second, aggregated into 60 s ALB periods. CloudWatch publishes a
// period late: a period is readable only `publicationDelayMs(period)` after it ends (60–90 s by
// default), before that it reads as no data (zero counts, no latency), as the real adapter sees
// it. Every period is drawn from its own seed (scenario seed, group, period), so what a look
// reads does not depend on when or how often it looked.
import type { PeriodSample, TargetGroupWindow } from '../../src/canary/analysis/types.ts';
import type { MetricsPort } from '../../src/ecs/deploy/ports.ts';
import { type Latency, draw } from '../emulator/latency.ts';
import { Random } from '../emulator/traffic.ts';
import { type FakeEcs, GREEN } from '../unit/ecs/deploy/fake-ecs.ts';
import type { VirtualTime } from '../unit/ecs/deploy/virtual-time.ts';

const PERIOD_MS = 60_000;

export type { Latency };

export interface Behaviour {
  /** Fraction of requests the targets answer 5xx. */
  errorRate: number;
  /** Latency of 2xx responses. */
  latency: Latency;
  /** Latency of 5xx responses (default: fast failures, median 5 ms). */
  errorLatency?: Latency;
  /** Multiplies every latency drawn (a regression, a slow period). */
  latencyFactor?: number;
}

export interface TrafficSpec {
  /** Requests per second over both target groups. */
  rps: number;
  /** Behaviour of a group at virtual time `t`; `minuteNoise` is drawn per group and period. */
  canary: (t: number) => Behaviour;
  baseline: (t: number) => Behaviour;
  /**
   * Per-period overdispersion of each group (independently): the error rate is multiplied by
   * exp(N(0, errorSigma)) and latencies by exp(N(0, latencySigma)) for the whole period.
   */
  noise?: { errorSigma: number; latencySigma: number };
}

const FAST_FAILURE: Latency = { kind: 'lognormal', median: 0.005, sigma: 0.5 };

/** The value at rank ceil(q·n) of sorted values (the nearest-rank percentile). */
export function nearestRank(sorted: readonly number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** How many of the sorted values are at or below `threshold` (binary search). */
export function atOrBelow(sorted: readonly number[], threshold: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mix(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export interface SeededMetricsOptions {
  seed: number;
  /** How long after its end a period becomes readable; default 60 s + 0–30 s, per period. */
  publicationDelayMs?: (periodStart: number) => number;
}

export class SeededMetrics implements MetricsPort {
  readonly #time: VirtualTime;
  readonly #ecs: FakeEcs;
  readonly #spec: TrafficSpec;
  readonly #seed: number;
  readonly #delay: (periodStart: number) => number;
  readonly #cache = new Map<string, PeriodSample>();
  /** Each period's latencies, sorted: the slower counts the percentile rank gives. */
  readonly #latencies = new Map<string, readonly number[]>();
  readCalls = 0;
  /** When each read came, virtual time. */
  readonly readTimes: number[] = [];

  constructor(time: VirtualTime, ecs: FakeEcs, spec: TrafficSpec, options: SeededMetricsOptions) {
    this.#time = time;
    this.#ecs = ecs;
    this.#spec = spec;
    this.#seed = options.seed;
    this.#delay =
      options.publicationDelayMs ??
      ((p) =>
        60_000 + Math.floor(new Random(mix(this.#seed, 7, p / PERIOD_MS)).next() * 30) * 1000);
  }

  /** When the period starting at `periodStart` can first be read. */
  publishedAt(periodStart: number): number {
    return periodStart + PERIOD_MS + this.#delay(periodStart);
  }

  async windows(request: {
    canaryTargetGroup: string;
    baselineTargetGroup: string;
    start: Date;
    end: Date;
    periodSeconds: number;
    slowerThan?: { canary: readonly number[]; baseline: readonly number[] };
  }) {
    this.readCalls++;
    this.readTimes.push(this.#time.now);
    return {
      canary: this.#window(request.canaryTargetGroup, request, request.slowerThan?.canary ?? []),
      baseline: this.#window(
        request.baselineTargetGroup,
        request,
        request.slowerThan?.baseline ?? [],
      ),
    };
  }

  async targetHealth() {
    return { healthy: 2, unhealthy: 0 };
  }

  #window(
    group: string,
    request: { start: Date; end: Date; periodSeconds: number },
    thresholds: readonly number[],
  ): TargetGroupWindow {
    if (request.periodSeconds !== 60) throw new RangeError('the scenarios use 60 s periods');
    const now = this.#time.now;
    const samples: PeriodSample[] = [];
    const first = Math.floor(request.start.getTime() / PERIOD_MS) * PERIOD_MS;
    for (let p = first; p < request.end.getTime(); p += PERIOD_MS) {
      samples.push(
        this.publishedAt(p) <= now
          ? this.#withSlower(group, p, thresholds)
          : {
              timestamp: new Date(p),
              requests: 0,
              target5xx: 0,
              connectionErrors: 0,
              unhealthyHosts: 0,
              healthyHosts: 0,
            },
      );
    }
    return { periodSeconds: 60, samples };
  }

  /** The period's figures with its requests slower than each threshold (PR(:t) × SampleCount). */
  #withSlower(group: string, p: number, thresholds: readonly number[]): PeriodSample {
    const sample = this.period(group, p);
    const sorted = this.#latencies.get(`${group} ${p}`) ?? [];
    if (thresholds.length === 0 || sorted.length === 0) return sample;
    return {
      ...sample,
      slower: thresholds.map((thresholdSeconds) => ({
        thresholdSeconds,
        slower: sorted.length - atOrBelow(sorted, thresholdSeconds),
        requests: sorted.length,
      })),
    };
  }

  /** The period's ALB figures for a group (drawn once). */
  period(group: string, p: number): PeriodSample {
    const key = `${group} ${p}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const canary = group === GREEN;
    const random = new Random(mix(this.#seed, canary ? 1 : 2, p / PERIOD_MS));
    const noise = this.#spec.noise;
    const errorNoise = noise ? Math.exp(noise.errorSigma * random.normal()) : 1;
    const latencyNoise = noise ? Math.exp(noise.latencySigma * random.normal()) : 1;
    const deployment = this.#ecs.ours;
    const latencies: number[] = [];
    let requests = 0;
    let errors = 0;
    for (let t = p; t < p + PERIOD_MS; t += 1000) {
      const weight = deployment.weightAt(t);
      const share = canary ? weight : 100 - weight;
      const n = random.poisson((this.#spec.rps * share) / 100);
      if (n === 0) continue;
      const behaviour = (canary ? this.#spec.canary : this.#spec.baseline)(t);
      const rate = Math.min(1, behaviour.errorRate * errorNoise);
      const e = random.binomial(n, rate);
      const factor = (behaviour.latencyFactor ?? 1) * latencyNoise;
      for (let i = 0; i < n; i++) {
        const latency = i < e ? (behaviour.errorLatency ?? FAST_FAILURE) : behaviour.latency;
        latencies.push(draw(latency, random) * factor);
      }
      requests += n;
      errors += e;
    }
    const sample: { -readonly [K in keyof PeriodSample]: PeriodSample[K] } = {
      timestamp: new Date(p),
      requests,
      target5xx: errors,
      connectionErrors: 0,
      unhealthyHosts: 0,
      healthyHosts: 2,
    };
    if (requests > 0) {
      latencies.sort((a, b) => a - b);
      sample.p90Seconds = nearestRank(latencies, 0.9);
      sample.p95Seconds = nearestRank(latencies, 0.95);
      sample.p99Seconds = nearestRank(latencies, 0.99);
    }
    this.#latencies.set(key, latencies);
    this.#cache.set(key, sample);
    return sample;
  }
}
