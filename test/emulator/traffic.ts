// The traffic model: turns each listener's request rate (Scenario), the listener rules' forward
// weights and each revision's behaviour (Scenario) into the AWS/ApplicationELB metrics an ALB
// publishes, per target group and per load balancer, in 60-second periods on the wall clock.
//
// Time: the model advances in slices of at most one second that never cross a minute boundary.
// It advances on a timer (every `tickMs`, default 1000) and also right before CloudWatch answers
// a read and before ELBv2 changes weights or targets, so the current, still open minute is always
// up to date. Each real second counts as `timeScale.factor` seconds of traffic: with a time scale
// of 60 a one-minute bake (one real second) sees a minute's worth of requests.
import type { Elbv2, LoadBalancerInfo, TargetView } from './elbv2.ts';
import type { Dimensions, MetricStore } from './metrics.ts';
import { MINUTE_MS } from './metrics.ts';
import type { ForwardWeight, Scenario, TimeScale } from './world.ts';

export const ALB_NAMESPACE = 'AWS/ApplicationELB';

/** Latency of a revision without a configured `latency`: fast. */
export const DEFAULT_LATENCY = { medianSeconds: 0.02, p99Seconds: 0.1 } as const;

/** Response times drawn per slice and target at most; counts beyond are weighted draws. */
const MAX_DRAWS = 2000;
/** z for the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

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

export class TrafficModel {
  readonly #elbv2: Elbv2;
  readonly #metrics: MetricStore;
  readonly #scenario: Scenario;
  readonly #clock: () => Date;
  readonly #timeScale: TimeScale;
  readonly #random: Random;
  readonly #tickMs: number;
  readonly #afterTick: (() => void)[] = [];
  readonly #totals = new Map<string, TargetGroupTotals>();
  #last: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(dependencies: TrafficDependencies, options: TrafficOptions = {}) {
    this.#elbv2 = dependencies.elbv2;
    this.#metrics = dependencies.metrics;
    this.#scenario = dependencies.scenario;
    this.#clock = dependencies.clock;
    this.#timeScale = dependencies.timeScale;
    this.#random = new Random(options.seed ?? 1);
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

  /** Simulates traffic from the last point reached up to `now`. */
  advance(now: number = this.#clock().getTime()): void {
    while (this.#last < now) {
      const minuteEnd = (Math.floor(this.#last / MINUTE_MS) + 1) * MINUTE_MS;
      const end = Math.min(now, minuteEnd, this.#last + 1000);
      this.#slice(this.#last, end);
      this.#last = end;
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
          this.#forward(loadBalancer.dimension, route.targetGroups, n, start);
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

  #forward(loadBalancer: string, weights: readonly ForwardWeight[], n: number, at: number): void {
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
      this.#metrics.record(
        { namespace: ALB_NAMESPACE, metricName: 'RequestCountPerTarget', dimensions: tg },
        at,
        k / routable.length,
      );
      this.#metrics.record(
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
        if (m > 0) this.#serve(lb, tg, target, m, at, totals);
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
  ): void {
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
    const latency = behaviour.latency ?? DEFAULT_LATENCY;
    const mu = Math.log(latency.medianSeconds);
    const sigma = Math.max(0, (Math.log(latency.p99Seconds) - mu) / Z99);
    const draws = Math.min(m, MAX_DRAWS);
    for (let i = 0; i < draws; i += 1) {
      // Integer weights that add up to m: each draw stands for one or more requests.
      const weight = Math.floor(((i + 1) * m) / draws) - Math.floor((i * m) / draws);
      const seconds = Math.exp(mu + sigma * this.#random.normal());
      for (const dims of [lb, tg]) {
        this.#metrics.record(
          { namespace: ALB_NAMESPACE, metricName: 'TargetResponseTime', dimensions: dims },
          at,
          seconds,
          weight,
        );
      }
    }
  }

  /** Count metrics: each event is a sample of 1 (Minimum, Maximum and Average are 1). */
  #count(dimensions: Dimensions, metricName: string, at: number, n: number): void {
    if (n <= 0) return;
    this.#metrics.record({ namespace: ALB_NAMESPACE, metricName, dimensions }, at, 1, n);
  }

  #gauge(dimensions: Dimensions, metricName: string, at: number, value: number): void {
    this.#metrics.record({ namespace: ALB_NAMESPACE, metricName, dimensions }, at, value);
  }
}
