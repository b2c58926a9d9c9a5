// What the emulated services tell each other, as the real ones do behind the API: ECS moves
// listener-rule weights and registers task IPs in target groups (ELBv2), reads alarm states
// (CloudWatch) and writes container logs (CloudWatch Logs); the traffic model turns weights and
// each revision's behaviour into the metrics CloudWatch serves.
//
// Durations configured in AWS units (bake minutes, hook timeouts) run `timeScale` times faster
// on the emulator's timers; timestamps stay on the wall clock, so an action's own clock and the
// emulator's agree.

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

/**
 * How the tasks of one revision behave, set by a test: what the traffic model turns into
 * RequestCount, HTTPCode_Target_5XX_Count, TargetResponseTime, … for the target group that
 * serves them, and whether ECS sees them start.
 */
export interface RevisionBehaviour {
  /** Fraction of requests answered 5xx, 0..1. */
  readonly errorRate?: number;
  /** Response time distribution in seconds: a log-normal with this median and p99. */
  readonly latency?: { readonly medianSeconds: number; readonly p99Seconds: number };
  /** Tasks exit right after start with this exit code and reason (a crash loop). */
  readonly crash?: { readonly exitCode: number; readonly reason: string };
  /** Target health checks fail although the task runs. */
  readonly unhealthy?: boolean;
  /** Lines the container writes to its log, in order, at start. */
  readonly logLines?: readonly string[];
}

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

  /** Replaces the behaviour of the tasks of a task definition; `{}` is healthy and fast. */
  setBehaviour(taskDefinitionArn: string, behaviour: RevisionBehaviour): void {
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
}
