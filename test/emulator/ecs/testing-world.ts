// In-memory stand-ins for ELBv2, CloudWatch alarms and CloudWatch Logs, as ECS sees them
// (world.ts). Tests arrange rules, target groups and alarm states here and read back what ECS did.
import type { AlarmStates, ForwardWeight, LoadBalancing, LogSink, TaskTarget } from '../world.ts';

interface Rule {
  readonly listenerArn: string;
  readonly forwardOnly: boolean;
  weights: readonly ForwardWeight[];
}

export class InMemoryLoadBalancing implements LoadBalancing {
  readonly #rules = new Map<string, Rule>();
  readonly #groups = new Map<string, Map<string, TaskTarget>>();
  /** Every setRuleWeights call, oldest first. */
  readonly weightChanges: { ruleArn: string; weights: readonly ForwardWeight[]; at: Date }[] = [];

  addTargetGroup(targetGroupArn: string): void {
    if (!this.#groups.has(targetGroupArn)) this.#groups.set(targetGroupArn, new Map());
  }

  addRule(
    ruleArn: string,
    rule: { listenerArn: string; weights: readonly ForwardWeight[]; forwardOnly?: boolean },
  ): void {
    this.#rules.set(ruleArn, {
      listenerArn: rule.listenerArn,
      forwardOnly: rule.forwardOnly ?? true,
      weights: rule.weights,
    });
  }

  describeRule(ruleArn: string) {
    const rule = this.#rules.get(ruleArn);
    if (rule === undefined) return undefined;
    return { listenerArn: rule.listenerArn, forwardOnly: rule.forwardOnly, weights: rule.weights };
  }

  targetGroupExists(targetGroupArn: string): boolean {
    return this.#groups.has(targetGroupArn);
  }

  setRuleWeights(ruleArn: string, weights: readonly ForwardWeight[]): void {
    const rule = this.#rules.get(ruleArn);
    if (rule === undefined) throw new Error(`no listener rule ${ruleArn}`);
    rule.weights = weights.map((w) => ({ ...w }));
    this.weightChanges.push({ ruleArn, weights: rule.weights, at: new Date() });
  }

  /** The weight (0–100) a rule currently gives a target group. */
  share(ruleArn: string, targetGroupArn: string): number {
    const weights = this.#rules.get(ruleArn)?.weights ?? [];
    const total = weights.reduce((sum, w) => sum + w.weight, 0);
    const weight = weights.find((w) => w.targetGroupArn === targetGroupArn)?.weight ?? 0;
    return total === 0 ? 0 : (100 * weight) / total;
  }

  registerTarget(targetGroupArn: string, target: TaskTarget): void {
    const group = this.#groups.get(targetGroupArn);
    if (group === undefined) throw new Error(`no target group ${targetGroupArn}`);
    group.set(target.id, target);
  }

  deregisterTarget(targetGroupArn: string, targetId: string): void {
    this.#groups.get(targetGroupArn)?.delete(targetId);
  }

  targets(targetGroupArn: string): TaskTarget[] {
    return [...(this.#groups.get(targetGroupArn)?.values() ?? [])];
  }
}

export class InMemoryAlarms implements AlarmStates {
  readonly #states = new Map<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>();

  set(alarmName: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): void {
    this.#states.set(alarmName, state);
  }

  state(alarmName: string) {
    return this.#states.get(alarmName);
  }
}

export class InMemoryLogs implements LogSink {
  readonly events: { logGroup: string; logStream: string; message: string; at: Date }[] = [];

  append(logGroup: string, logStream: string, message: string, at: Date = new Date()): void {
    this.events.push({ logGroup, logStream, message, at });
  }

  /** Messages of one stream, in order. */
  lines(logGroup: string, logStream: string): string[] {
    return this.events
      .filter((e) => e.logGroup === logGroup && e.logStream === logStream)
      .map((e) => e.message);
  }
}

/** A fresh set of the three, e.g. `startEmulator({ ecs: { world: testingWorld() } })`. */
export function testingWorld() {
  return {
    loadBalancing: new InMemoryLoadBalancing(),
    alarms: new InMemoryAlarms(),
    logs: new InMemoryLogs(),
  };
}
