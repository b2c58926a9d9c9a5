// A fake MetricsPort whose ALB figures follow the fake deployment's traffic weights: the canary
// target group gets the new revision's production share of `rpm`, the baseline the rest, with
// error rates and latencies from the scenario. The current period counts in part, as far as it
// has run.
import type { PeriodSample, TargetGroupWindow } from '../../../../src/canary/analysis/types.ts';
import type { MetricsPort } from '../../../../src/ecs/deploy/ports.ts';
import { BASELINE_P95, BASELINE_P99 } from '../../canary/analysis/windows.ts';
import { type FakeEcs, GREEN } from './fake-ecs.ts';
import type { VirtualTime } from './virtual-time.ts';

export interface Behaviour {
  /** Fraction of requests answered 5xx by the targets. */
  errorRate?: number;
  /** Multiplies the baseline-like latencies. */
  latencyFactor?: number;
  unhealthy?: number;
}

export interface MetricsScenario {
  /** Requests per minute over both target groups. */
  rpm: number;
  canary?: (t: number) => Behaviour;
  baseline?: (t: number) => Behaviour;
}

export class FakeMetrics implements MetricsPort {
  readonly calls: { name: 'windows' | 'targetHealth'; at: number; start?: number }[] = [];
  readonly #time: VirtualTime;
  readonly #ecs: FakeEcs;
  readonly #scenario: MetricsScenario;
  fault: ((call: string, now: number) => unknown) | undefined;

  constructor(time: VirtualTime, ecs: FakeEcs, scenario: MetricsScenario) {
    this.#time = time;
    this.#ecs = ecs;
    this.#scenario = scenario;
  }

  async windows(request: {
    canaryTargetGroup: string;
    baselineTargetGroup: string;
    start: Date;
    end: Date;
    periodSeconds: number;
  }) {
    this.calls.push({ name: 'windows', at: this.#time.now, start: request.start.getTime() });
    const error = this.fault?.('windows', this.#time.now);
    if (error !== undefined) throw error;
    return {
      canary: this.#window(request.canaryTargetGroup, request),
      baseline: this.#window(request.baselineTargetGroup, request),
    };
  }

  async targetHealth(targetGroupArn: string) {
    this.calls.push({ name: 'targetHealth', at: this.#time.now });
    const behaviour = this.#behaviour(targetGroupArn, this.#time.now);
    return { healthy: 2, unhealthy: behaviour.unhealthy ?? 0 };
  }

  #behaviour(targetGroup: string, t: number): Behaviour {
    const f = targetGroup === GREEN ? this.#scenario.canary : this.#scenario.baseline;
    return f?.(t) ?? {};
  }

  /** Requests and 5xx of the group over [from, to), second by second. */
  #traffic(targetGroup: string, from: number, to: number) {
    const d = this.#ecs.ours;
    let requests = 0;
    let errors = 0;
    let latency = 0;
    for (let t = from; t < to; t += 1000) {
      const w = d.weightAt(t);
      const share = targetGroup === GREEN ? w : 100 - w;
      const perSecond = ((this.#scenario.rpm / 60) * share) / 100;
      const behaviour = this.#behaviour(targetGroup, t);
      requests += perSecond;
      errors += perSecond * (behaviour.errorRate ?? 0);
      latency += perSecond * (behaviour.latencyFactor ?? 1);
    }
    return {
      requests: Math.round(requests),
      errors: Math.round(errors),
      latencyFactor: requests === 0 ? 1 : latency / requests,
    };
  }

  #window(
    targetGroup: string,
    request: { start: Date; end: Date; periodSeconds: number },
  ): TargetGroupWindow {
    const period = request.periodSeconds * 1000;
    const end = Math.min(request.end.getTime(), this.#time.now);
    const samples: PeriodSample[] = [];
    let index = 0;
    for (let p = request.start.getTime(); p < end; p += period, index++) {
      const to = Math.min(p + period, end);
      const { requests, errors, latencyFactor } = this.#traffic(targetGroup, p, to);
      const sample: { -readonly [K in keyof PeriodSample]: PeriodSample[K] } = {
        timestamp: new Date(p),
        requests,
        target5xx: errors,
        connectionErrors: 0,
        unhealthyHosts: this.#behaviour(targetGroup, p).unhealthy ?? 0,
        healthyHosts: 2,
      };
      if (requests > 0) {
        // Different phases for the two groups, so their values are not identical.
        const offset = targetGroup === GREEN ? 3 : 0;
        sample.p95Seconds = BASELINE_P95[(index + offset) % BASELINE_P95.length]! * latencyFactor;
        sample.p99Seconds = BASELINE_P99[(index + offset) % BASELINE_P99.length]! * latencyFactor;
      }
      samples.push(sample);
    }
    return { periodSeconds: request.periodSeconds, samples };
  }
}
