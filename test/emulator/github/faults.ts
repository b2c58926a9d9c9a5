// Failures GitHub produces that a test cannot provoke honestly: the secondary rate limit (403 or
// 429, GitHub's message, `retry-after` when GitHub sends one) and server errors.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit

export type GitHubFaultKind = 'secondary-rate-limit' | 'server-error';

export interface GitHubFaultSpec {
  readonly kind: GitHubFaultKind;
  /** The operation as the call log names it ('issues/create-comment', …); any when absent. */
  readonly operation?: string;
  /** How many matching calls to disturb; every one when absent. */
  readonly times?: number;
  /** secondary-rate-limit: 403 (default) or 429; server-error: 500 (default), 502 or 503. */
  readonly status?: number;
  /** secondary-rate-limit: the `retry-after` header in seconds; absent sends none. */
  readonly retryAfterSeconds?: number;
}

export interface GitHubFaultHandle {
  readonly applied: number;
  remove(): void;
}

export class GitHubFaults {
  #faults: { spec: GitHubFaultSpec; applied: number }[] = [];

  inject(spec: GitHubFaultSpec): GitHubFaultHandle {
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new TypeError(`fault times must be a positive integer: ${spec.times}`);
    }
    const fault = { spec: { ...spec }, applied: 0 };
    this.#faults.push(fault);
    return {
      get applied() {
        return fault.applied;
      },
      remove: () => {
        this.#faults = this.#faults.filter((f) => f !== fault);
      },
    };
  }

  clear(): void {
    this.#faults = [];
  }

  /** The first active fault matching the operation, counted as applied. */
  take(operation: string): GitHubFaultSpec | undefined {
    const fault = this.#faults.find(
      (f) => f.spec.operation === undefined || f.spec.operation === operation,
    );
    if (fault === undefined) return undefined;
    fault.applied += 1;
    if (fault.spec.times !== undefined && fault.applied >= fault.spec.times) {
      this.#faults = this.#faults.filter((f) => f !== fault);
    }
    return fault.spec;
  }
}
