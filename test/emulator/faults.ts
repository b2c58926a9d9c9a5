export type FaultKind = 'throttle' | 'server-error' | 'delay' | 'hang' | 'reset';

export interface FaultSpec {
  /** Service name as in the call log ('sts', …); any service when absent. */
  readonly service?: string;
  /** Action name ('AssumeRole', …); any action when absent. */
  readonly action?: string;
  readonly kind: FaultKind;
  /** How many matching calls to disturb; every matching call when absent. */
  readonly times?: number;
  /** Required for 'delay': how long to wait before handling the call normally. */
  readonly delayMs?: number;
  /** For 'server-error': 500 InternalFailure (default) or 503 ServiceUnavailable. */
  readonly status?: 500 | 503;
}

export interface FaultHandle {
  readonly spec: FaultSpec;
  /** Calls this fault has disturbed so far. */
  readonly applied: number;
  /** False once removed, cleared or used up. */
  readonly active: boolean;
  remove(): void;
}

class InjectedFault implements FaultHandle {
  readonly spec: FaultSpec;
  applied = 0;
  readonly #owner: Faults;

  constructor(spec: FaultSpec, owner: Faults) {
    this.spec = spec;
    this.#owner = owner;
  }

  get active(): boolean {
    return this.#owner.isActive(this);
  }

  remove(): void {
    this.#owner.remove(this);
  }
}

/** Failure injection: the first active fault matching a call's service and action applies. */
export class Faults {
  #faults: InjectedFault[] = [];
  #applied = 0;

  inject(spec: FaultSpec): FaultHandle {
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new TypeError(`fault times must be a positive integer: ${spec.times}`);
    }
    if (spec.kind === 'delay' && !(typeof spec.delayMs === 'number' && spec.delayMs >= 0)) {
      throw new TypeError('a delay fault needs delayMs >= 0');
    }
    const fault = new InjectedFault({ ...spec }, this);
    this.#faults.push(fault);
    return fault;
  }

  clear(): void {
    this.#faults = [];
  }

  /** Total calls disturbed by any fault since the emulator started. */
  get applied(): number {
    return this.#applied;
  }

  isActive(fault: FaultHandle): boolean {
    return this.#faults.some((f) => f === fault);
  }

  remove(fault: FaultHandle): void {
    this.#faults = this.#faults.filter((f) => f !== fault);
  }

  /** Used by the server: counts one application of the first matching fault and returns it. */
  take(service: string, action: string): FaultSpec | undefined {
    const fault = this.#faults.find(
      (f) =>
        (f.spec.service === undefined || f.spec.service === service) &&
        (f.spec.action === undefined || f.spec.action === action),
    );
    if (fault === undefined) return undefined;
    fault.applied += 1;
    this.#applied += 1;
    if (fault.spec.times !== undefined && fault.applied >= fault.spec.times) this.remove(fault);
    return fault.spec;
  }
}
