// What the emulated services tell each other, as the real ones do behind the API: ECS moves
// listener-rule weights and registers task IPs in target groups (ELBv2), reads alarm states
// (CloudWatch) and writes container logs (CloudWatch Logs); the traffic model turns weights and
// each revision's behaviour into the metrics CloudWatch serves.
//
// Durations configured in AWS units (bake minutes, hook timeouts) run `timeScale` times faster
// on the emulator's timers; timestamps stay on the wall clock, so an action's own clock and the
// emulator's agree.
import { type Latency, latencyProblem, lognormal } from './latency.ts';

export interface ForwardWeight {
  readonly targetGroupArn: string;
  readonly weight: number;
}

/** The part of ELBv2 that ECS drives during a deployment. */
export interface LoadBalancing {
  /** undefined when the rule does not exist. */
  describeRule(ruleArn: string):
    | {
        readonly listenerArn: string;
        readonly forwardOnly: boolean;
        readonly weights: readonly ForwardWeight[];
      }
    | undefined;
  targetGroupExists(targetGroupArn: string): boolean;
  /** What ECS does at each traffic shift: ModifyRule with the new forward weights. */
  setRuleWeights(ruleArn: string, weights: readonly ForwardWeight[]): void;
  /** Task targets: ECS registers a task's IP when it starts and deregisters it when it stops. */
  registerTarget(targetGroupArn: string, target: TaskTarget): void;
  deregisterTarget(targetGroupArn: string, targetId: string): void;
}

export interface TaskTarget {
  readonly id: string;
  readonly port: number;
  /** The service revision (task definition) the task runs: the traffic model's key. */
  readonly revision: string;
  readonly healthy: boolean;
}

/** The part of CloudWatch that ECS reads: alarms named in deploymentConfiguration.alarms. */
export interface AlarmStates {
  /** undefined when no alarm of that name exists. */
  state(alarmName: string): 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | undefined;
}

/** CloudWatch Logs, as the awslogs driver writes them. */
export interface LogSink {
  append(logGroup: string, logStream: string, message: string, at?: Date): void;
}

/** A response-time distribution: a shared `Latency`, or a log-normal by median and p99. */
export type LatencySpec = Latency | { readonly medianSeconds: number; readonly p99Seconds: number };

/** The distribution a spec stands for. */
export function latencyOf(spec: LatencySpec): Latency {
  return 'kind' in spec ? spec : lognormal(spec.medianSeconds, spec.p99Seconds);
}

/**
 * How the tasks of one revision behave, set by a test: what the traffic model turns into
 * RequestCount, HTTPCode_Target_5XX_Count, TargetResponseTime, … for the target group that
 * serves them, and whether ECS sees them start.
 */
export interface RevisionBehaviour {
  /** Fraction of requests answered 5xx, 0..1. */
  readonly errorRate?: number;
  /** Response times of 2xx answers in seconds; default log-normal, median 0.02 s, p99 0.1 s. */
  readonly latency?: LatencySpec;
  /** Response times of 5xx answers (fast failures, slow timeouts); default `latency`. */
  readonly errorLatency?: LatencySpec;
  /**
   * The essential container exits with this code and reason: right after start (a crash loop
   * the circuit breaker sees), or, with `afterServingSeconds` or `afterRequests`, once the task
   * has been healthy and taken that much load balancer traffic (a crash the canary's traffic
   * brings out). Either way ECS stops the task and starts a replacement while a deployment runs.
   */
  readonly crash?: {
    readonly exitCode: number;
    readonly reason: string;
    /** Emulated seconds in which the task's target was sent requests. */
    readonly afterServingSeconds?: number;
    /** Requests the task's target was sent. */
    readonly afterRequests?: number;
  };
  /** Target health checks fail although the task runs. */
  readonly unhealthy?: boolean;
  /** Lines the container writes to its log, in order, at start. */
  readonly logLines?: readonly string[];
}

/** Whether a crash waits for traffic (rather than coming right after start). */
export function crashesUnderLoad(crash: RevisionBehaviour['crash']): boolean {
  return crash?.afterServingSeconds !== undefined || crash?.afterRequests !== undefined;
}

/** What the load balancer sent one target so far (the traffic model's tally). */
export interface Served {
  readonly requests: number;
  /** Emulated seconds of the slices in which the target was sent requests. */
  readonly seconds: number;
}

/** The traffic model's per-target tally, for tasks that crash under load. */
export interface ServedTraffic {
  /** Calls `listener` after each step in which `targetId` was sent requests; returns a stop. */
  watch(targetId: string, listener: (served: Served) => void): () => void;
}

/**
 * When CloudWatch makes a period's ALB metrics readable: `delaySeconds` plus a seeded jitter of
 * up to `jitterSeconds` after the period ends, in emulated seconds.
 */
export interface Publication {
  readonly delaySeconds: number;
  readonly jitterSeconds: number;
}

/** A minute or more late, as CloudWatch publishes ALB metrics. */
export const DEFAULT_PUBLICATION: Publication = { delaySeconds: 60, jitterSeconds: 30 };

/** Scales durations given in AWS units to the emulator's timers. */
export interface TimeScale {
  readonly factor: number;
  /** Real milliseconds for `ms` of emulated duration. */
  real(ms: number): number;
}

export function timeScale(factor = 1): TimeScale {
  if (!(factor > 0)) throw new Error(`time scale must be positive, got ${factor}`);
  return { factor, real: (ms) => ms / factor };
}

/**
 * The test's script for the emulated world: how each revision behaves (keyed by task definition
 * ARN) and how much traffic each listener receives. ECS reads crash/unhealthy/logLines; the
 * traffic model reads the rest.
 */
export class Scenario {
  readonly #behaviours = new Map<string, RevisionBehaviour>();
  readonly #requestRates = new Map<string, number>();
  #publication: Publication = DEFAULT_PUBLICATION;

  /** Replaces the behaviour of the tasks of a task definition; `{}` is healthy and fast. */
  setBehaviour(taskDefinitionArn: string, behaviour: RevisionBehaviour): void {
    const problem = behaviourProblem(behaviour);
    if (problem !== undefined) throw new Error(`behaviour of ${taskDefinitionArn}: ${problem}`);
    this.#behaviours.set(taskDefinitionArn, behaviour);
  }

  behaviour(taskDefinitionArn: string): RevisionBehaviour {
    return this.#behaviours.get(taskDefinitionArn) ?? {};
  }

  /** Requests per second arriving at a listener (production or test listener). */
  setRequestRate(listenerArn: string, requestsPerSecond: number): void {
    this.#requestRates.set(listenerArn, requestsPerSecond);
  }

  requestRate(listenerArn: string): number {
    return this.#requestRates.get(listenerArn) ?? 0;
  }

  /** When ALB metrics become readable (default DEFAULT_PUBLICATION); applies to later traffic. */
  setPublication(publication: Publication): void {
    const { delaySeconds, jitterSeconds } = publication;
    if (!(delaySeconds >= 0 && jitterSeconds >= 0 && Number.isFinite(delaySeconds + jitterSeconds)))
      throw new Error(
        `publication delay and jitter must be finite seconds >= 0, got ${delaySeconds} and ${jitterSeconds}`,
      );
    this.#publication = { delaySeconds, jitterSeconds };
  }

  publication(): Publication {
    return this.#publication;
  }
}

function behaviourProblem(behaviour: RevisionBehaviour): string | undefined {
  const { errorRate, crash } = behaviour;
  if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1))
    return `errorRate must be within 0..1, got ${errorRate}`;
  for (const [name, spec] of [
    ['latency', behaviour.latency],
    ['errorLatency', behaviour.errorLatency],
  ] as const) {
    const problem = spec === undefined ? undefined : latencyProblem(latencyOf(spec));
    if (problem !== undefined) return `${name}: ${problem}`;
  }
  if (crash?.afterServingSeconds !== undefined && crash.afterRequests !== undefined)
    return 'crash takes afterServingSeconds or afterRequests, not both';
  const after = crash?.afterServingSeconds ?? crash?.afterRequests;
  if (after !== undefined && !(after > 0 && Number.isFinite(after)))
    return `a crash under load needs a positive amount of traffic, got ${after}`;
  return undefined;
}
