// The traffic model: turns each listener's request rate (Scenario), the listener rules' forward
// weights and each revision's behaviour (Scenario) into the AWS/ApplicationELB metrics an ALB
// publishes, per target group and per load balancer, in 60-second periods on the wall clock.
//
// Time: the model advances in slices of at most one second that never cross a minute boundary
// nor the end of an emulated minute (60 s / time scale of real time). It advances on a timer
// (every `tickMs`, default 1000) and also right before CloudWatch answers a read and before ELBv2
// changes weights or targets. Each real second counts as `timeScale.factor` seconds of traffic:
// with a time scale of 60 a one-minute bake (one real second) sees a minute's worth of requests.
//
// Publication: what an emulated minute produced reaches the metric store (what GetMetricData and
// alarms read) only when CloudWatch would publish it: the Scenario's delay plus a seeded jitter
// after the minute ends, both in emulated seconds. At time scale 1 that is CloudWatch exactly:
// no period, and nothing of the open one, is readable until a minute or more after it ends.
import type { Elbv2, LoadBalancerInfo, TargetView } from './elbv2.ts';
import { type Latency, draw } from './latency.ts';
import {
  Aggregate,
  type Dimensions,
  type MetricId,
  type MetricStore,
  MINUTE_MS,
} from './metrics.ts';
import {
  type ForwardWeight,
  type Scenario,
  type Served,
  type ServedTraffic,
  type TimeScale,
  latencyOf,
} from './world.ts';

export const ALB_NAMESPACE = 'AWS/ApplicationELB';

/** Latency of a revision without a configured `latency`: fast. */
export const DEFAULT_LATENCY = { medianSeconds: 0.02, p99Seconds: 0.1 } as const;

/** Response times drawn per slice, target and status at most; counts beyond are weighted draws. */
const MAX_DRAWS = 2000;

/** Metric samples of one emulated minute, held until CloudWatch publishes them. */
interface Unpublished {
  readonly publishAt: number;
  readonly samples: { id: MetricId; at: number; value: number; count: number }[];
  /** Response times, drawn into one aggregate per slice and target for all its metrics. */
  readonly drawn: { ids: readonly MetricId[]; at: number; samples: Aggregate }[];
}

export interface TrafficOptions {
  /** Seed of the pseudo-random generator (default 1): same seed, same slices, same numbers. */
  readonly seed?: number;
  /** Timer period in real milliseconds (default 1000). */
  readonly tickMs?: number;
}

export interface TrafficDependencies {
  readonly elbv2: Elbv2;
  readonly metrics: MetricStore;
  readonly scenario: Scenario;
  readonly clock: () => Date;
  readonly timeScale: TimeScale;
}

/** Cumulative counts per target group since the model started, for tests. */
export interface TargetGroupTotals {
  requests: number;
  target2xx: number;
  target5xx: number;
  connectionErrors: number;
  /** Requests the load balancer answered 503 because the group had no target to send them to. */
  noTarget: number;
}

/** Small, fast, seedable PRNG (mulberry32). */
export class Random {
  #state: number;
  #spare: number | undefined;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.#spare !== undefined) {
      const spare = this.#spare;
      this.#spare = undefined;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Poisson-distributed count with mean `lambda` (normal approximation above 50). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k += 1;
      p *= this.next();
    }
    return k;
  }

  /** Binomial count of successes in `n` trials (normal approximation above 200 trials). */
  binomial(n: number, p: number): number {
    if (n <= 0 || !(p > 0)) return 0;
    if (p >= 1) return n;
    if (n <= 200) {
      let k = 0;
      for (let i = 0; i < n; i += 1) if (this.next() < p) k += 1;
      return k;
    }
    const mean = n * p;
    const sd = Math.sqrt(mean * (1 - p));
    return Math.min(n, Math.max(0, Math.round(mean + sd * this.normal())));
  }

  /** Splits `n` over `weights` (multinomial, by successive binomials). */
  split(n: number, weights: readonly number[]): number[] {
    let remaining = n;
    let remainingWeight = weights.reduce((sum, w) => sum + w, 0);
    return weights.map((weight) => {
      if (remaining === 0 || !(remainingWeight > 0)) return 0;
      const k =
        weight >= remainingWeight ? remaining : this.binomial(remaining, weight / remainingWeight);
      remaining -= k;
      remainingWeight -= weight;
      return k;
    });
  }
}

export class TrafficModel implements ServedTraffic {
  readonly #elbv2: Elbv2;
  readonly #metrics: MetricStore;
  readonly #scenario: Scenario;
  readonly #clock: () => Date;
  readonly #timeScale: TimeScale;
  readonly #random: Random;
  readonly #tickMs: number;
  readonly #afterTick: (() => void)[] = [];
  readonly #totals = new Map<string, TargetGroupTotals>();
  readonly #seed: number;
  /** Emulated minutes not yet published, by index. */
  readonly #unpublished = new Map<number, Unpublished>();
  /** The emulated minute of the slice being simulated. */
  #current: Unpublished | undefined;
  readonly #served = new Map<string, { requests: number; seconds: number }>();
  readonly #watchers = new Map<string, Set<(served: Served) => void>>();
  /** Targets sent requests since watchers were last told. */
  readonly #servedSince = new Set<string>();
  #advancing = false;
  #last: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(dependencies: TrafficDependencies, options: TrafficOptions = {}) {
    this.#elbv2 = dependencies.elbv2;
    this.#metrics = dependencies.metrics;
    this.#scenario = dependencies.scenario;
    this.#clock = dependencies.clock;
    this.#timeScale = dependencies.timeScale;
    this.#seed = options.seed ?? 1;
    this.#random = new Random(this.#seed);
    this.#tickMs = options.tickMs ?? 1000;
    this.#last = this.#clock().getTime();
  }

  /** Starts the timer (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      try {
        this.advance();
        for (const listener of this.#afterTick) listener();
      } catch (error) {
        console.error('emulator: traffic tick failed', error);
      }
    }, this.#tickMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs after every timer tick (alarm evaluation). */
  onTick(listener: () => void): void {
    this.#afterTick.push(listener);
  }

  /**
   * Simulates traffic from the last point reached up to `now`, publishes the emulated minutes
   * whose time has come, then tells watchers which targets were sent requests.
   */
  advance(now: number = this.#clock().getTime()): void {
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      const emulatedMinute = MINUTE_MS / this.#timeScale.factor;
      while (this.#last < now) {
        const index = Math.floor(this.#last / emulatedMinute);
        // Rounded up to whole ms; the next index's end when rounding lands on the slice start.
        let indexEnd = Math.ceil((index + 1) * emulatedMinute);
        if (indexEnd <= this.#last) indexEnd = Math.ceil((index + 2) * emulatedMinute);
        const minuteEnd = (Math.floor(this.#last / MINUTE_MS) + 1) * MINUTE_MS;
        const end = Math.min(now, minuteEnd, indexEnd, this.#last + 1000);
        this.#current = this.#unpublishedOf(index, emulatedMinute);
        this.#slice(this.#last, end);
        this.#last = end;
      }
      this.#current = undefined;
      this.#publish(now);
    } finally {
      this.#advancing = false;
    }
    this.#tellWatchers();
  }

  /** Requests and seconds of traffic each target was sent since the model started. */
  served(targetId: string): Served {
    return { ...(this.#served.get(targetId) ?? { requests: 0, seconds: 0 }) };
  }

  watch(targetId: string, listener: (served: Served) => void): () => void {
    let listeners = this.#watchers.get(targetId);
    if (listeners === undefined) {
      listeners = new Set();
      this.#watchers.set(targetId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#watchers.delete(targetId);
    };
  }

  /** When the emulated minute `index` is published: its end plus the delay and jitter. */
  #unpublishedOf(index: number, emulatedMinute: number): Unpublished {
    let found = this.#unpublished.get(index);
    if (found === undefined) {
      const { delaySeconds, jitterSeconds } = this.#scenario.publication();
      // Seeded per minute, so the delay does not depend on how the model was stepped.
      const jitter = new Random((this.#seed ^ Math.imul(index, 0x9e3779b1)) >>> 0).next();
      const delayMs = this.#timeScale.real((delaySeconds + jitter * jitterSeconds) * 1000);
      found = { publishAt: (index + 1) * emulatedMinute + delayMs, samples: [], drawn: [] };
      this.#unpublished.set(index, found);
    }
    return found;
  }

  #publish(now: number): void {
    for (const [index, minute] of this.#unpublished) {
      if (minute.publishAt > now) continue;
      for (const { id, at, value, count } of minute.samples)
        this.#metrics.record(id, at, value, count);
      for (const { ids, at, samples } of minute.drawn) {
        for (const id of ids) this.#metrics.merge(id, at, samples);
      }
      this.#unpublished.delete(index);
    }
  }

  #record(id: MetricId, at: number, value: number, count = 1): void {
    this.#current?.samples.push({ id, at, value, count });
  }

  #tellWatchers(): void {
    const ids = [...this.#servedSince];
    this.#servedSince.clear();
    for (const id of ids) {
      const served = this.served(id);
      for (const listener of [...(this.#watchers.get(id) ?? [])]) listener(served);
    }
  }

  /** Cumulative counts for a target group (zeros when it has seen no traffic). */
  totals(targetGroupArn: string): Readonly<TargetGroupTotals> {
    return { ...this.#totalsOf(targetGroupArn) };
  }

  #totalsOf(targetGroupArn: string): TargetGroupTotals {
    let totals = this.#totals.get(targetGroupArn);
    if (totals === undefined) {
      totals = { requests: 0, target2xx: 0, target5xx: 0, connectionErrors: 0, noTarget: 0 };
      this.#totals.set(targetGroupArn, totals);
    }
    return totals;
  }

  /** One slice [start, end) within a single minute. */
  #slice(start: number, end: number): void {
    const seconds = ((end - start) / 1000) * this.#timeScale.factor;
    const busy = new Map<string, LoadBalancerInfo>();
    for (const { listenerArn, loadBalancer, route } of this.#elbv2.routes()) {
      const rate = this.#scenario.requestRate(listenerArn);
      if (!(rate > 0)) continue;
      busy.set(loadBalancer.arn, loadBalancer);
      const n = this.#random.poisson(rate * seconds);
      if (n === 0) continue;
      const lb = { LoadBalancer: loadBalancer.dimension };
      this.#count(lb, 'RequestCount', start, n);
      switch (route.kind) {
        case 'redirect':
          this.#count(lb, 'HTTP_Redirect_Count', start, n);
          this.#count(lb, 'HTTPCode_ELB_3XX_Count', start, n);
          break;
        case 'fixed-response': {
          const klass = route.statusCode.slice(0, 1);
          this.#count(lb, 'HTTP_Fixed_Response_Count', start, n);
          this.#count(lb, `HTTPCode_ELB_${klass}XX_Count`, start, n);
          if (['500', '502', '503', '504'].includes(route.statusCode)) {
            this.#count(lb, `HTTPCode_ELB_${route.statusCode}_Count`, start, n);
          }
          break;
        }
        case 'forward':
          this.#forward(loadBalancer.dimension, route.targetGroups, n, start, seconds);
          break;
      }
    }
    // Host counts are published per target group and load balancer while requests flow.
    for (const loadBalancer of busy.values()) {
      for (const group of this.#elbv2.targetGroupsOf(loadBalancer.arn)) {
        const targets = this.#elbv2.targets(group.arn);
        const dims = { LoadBalancer: loadBalancer.dimension, TargetGroup: group.dimension };
        this.#gauge(
          dims,
          'HealthyHostCount',
          start,
          targets.filter((t) => t.state === 'healthy').length,
        );
        this.#gauge(
          dims,
          'UnHealthyHostCount',
          start,
          targets.filter((t) => t.state === 'unhealthy').length,
        );
      }
    }
  }

  #forward(
    loadBalancer: string,
    weights: readonly ForwardWeight[],
    n: number,
    at: number,
    seconds: number,
  ): void {
    const shares = this.#random.split(
      n,
      weights.map((w) => w.weight),
    );
    const lb = { LoadBalancer: loadBalancer };
    weights.forEach(({ targetGroupArn }, index) => {
      const k = shares[index] ?? 0;
      if (k === 0) return;
      const group = this.#elbv2.targetGroup(targetGroupArn);
      if (group === undefined) return;
      const totals = this.#totalsOf(targetGroupArn);
      const targets = this.#elbv2.targets(targetGroupArn);
      const healthy = targets.filter((t) => t.state === 'healthy');
      const unhealthy = targets.filter((t) => t.state === 'unhealthy');
      // Only healthy targets get requests; when none is healthy but some are unhealthy the
      // load balancer fails open and uses them all; with no such target it answers 503.
      const routable = healthy.length > 0 ? healthy : unhealthy;
      if (routable.length === 0) {
        totals.noTarget += k;
        this.#count(lb, 'HTTPCode_ELB_5XX_Count', at, k);
        this.#count(lb, 'HTTPCode_ELB_503_Count', at, k);
        return;
      }
      const tg = { LoadBalancer: loadBalancer, TargetGroup: group.dimension };
      totals.requests += k;
      this.#count(tg, 'RequestCount', at, k);
      this.#record(
        { namespace: ALB_NAMESPACE, metricName: 'RequestCountPerTarget', dimensions: tg },
        at,
        k / routable.length,
      );
      this.#record(
        {
          namespace: ALB_NAMESPACE,
          metricName: 'RequestCountPerTarget',
          dimensions: { TargetGroup: group.dimension },
        },
        at,
        k / routable.length,
      );
      const perTarget = this.#random.split(
        k,
        routable.map(() => 1),
      );
      routable.forEach((target, i) => {
        const m = perTarget[i] ?? 0;
        if (m > 0) this.#serve(lb, tg, target, m, at, totals, seconds);
      });
    });
  }

  #serve(
    lb: Dimensions,
    tg: Dimensions,
    target: TargetView,
    m: number,
    at: number,
    totals: TargetGroupTotals,
    seconds: number,
  ): void {
    const served = this.#served.get(target.id) ?? { requests: 0, seconds: 0 };
    served.requests += m;
    served.seconds += seconds;
    this.#served.set(target.id, served);
    this.#servedSince.add(target.id);
    if (!target.serving) {
      // Fail-open traffic to a task that does not answer: the connection fails and the load
      // balancer answers 502.
      totals.connectionErrors += m;
      for (const dims of [lb, tg]) this.#count(dims, 'TargetConnectionErrorCount', at, m);
      this.#count(lb, 'HTTPCode_ELB_5XX_Count', at, m);
      this.#count(lb, 'HTTPCode_ELB_502_Count', at, m);
      return;
    }
    const behaviour = this.#scenario.behaviour(target.revision);
    const errors = this.#random.binomial(m, Math.min(1, Math.max(0, behaviour.errorRate ?? 0)));
    totals.target5xx += errors;
    totals.target2xx += m - errors;
    for (const dims of [lb, tg]) {
      this.#count(dims, 'HTTPCode_Target_5XX_Count', at, errors);
      this.#count(dims, 'HTTPCode_Target_2XX_Count', at, m - errors);
    }
    const latency = latencyOf(behaviour.latency ?? DEFAULT_LATENCY);
    const errorLatency =
      behaviour.errorLatency === undefined ? latency : latencyOf(behaviour.errorLatency);
    const times = new Aggregate();
    this.#draw(times, latency, m - errors);
    this.#draw(times, errorLatency, errors);
    const ids = [lb, tg].map((dimensions) => ({
      namespace: ALB_NAMESPACE,
      metricName: 'TargetResponseTime',
      dimensions,
    }));
    this.#current?.drawn.push({ ids, at, samples: times });
  }

  /** Response times of `n` answers drawn from `latency`. */
  #draw(times: Aggregate, latency: Latency, n: number): void {
    const draws = Math.min(n, MAX_DRAWS);
    for (let i = 0; i < draws; i += 1) {
      // Integer weights that add up to n: each draw stands for one or more requests.
      const weight = Math.floor(((i + 1) * n) / draws) - Math.floor((i * n) / draws);
      times.add(draw(latency, this.#random), weight);
    }
  }

  /** Count metrics: each event is a sample of 1 (Minimum, Maximum and Average are 1). */
  #count(dimensions: Dimensions, metricName: string, at: number, n: number): void {
    if (n <= 0) return;
    this.#record({ namespace: ALB_NAMESPACE, metricName, dimensions }, at, 1, n);
  }

  #gauge(dimensions: Dimensions, metricName: string, at: number, value: number): void {
    this.#record({ namespace: ALB_NAMESPACE, metricName, dimensions }, at, value);
  }
}
