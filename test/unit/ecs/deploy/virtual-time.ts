// Virtual time for the deploy engine: sleep advances the clock at once, running any scheduled
// callbacks (a cancel, a fault) at their own time on the way. Nothing waits on the wall clock.
import type { Clock, Sleep } from '../../../../src/lib/clock.ts';

export const START = Date.parse('2026-03-01T12:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60_000;

export class VirtualTime {
  now = START;
  readonly sleeps: { at: number; ms: number }[] = [];
  readonly #timers: { at: number; fn: () => void }[] = [];
  readonly #limitMs: number;

  constructor(limitMs = 24 * 60 * MINUTE) {
    this.#limitMs = limitMs;
  }

  readonly clock: Clock = { now: () => this.now };

  readonly sleep: Sleep = async (ms, signal) => {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push({ at: this.now, ms });
    const until = this.now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (next === undefined || next.at > until) break;
      this.#timers.shift();
      this.now = Math.max(this.now, next.at);
      next.fn();
      if (signal?.aborted) throw signal.reason;
    }
    this.now = until;
    await Promise.resolve();
    if (this.now - START > this.#limitMs || this.sleeps.length > 50_000) {
      throw new Error(`virtual time ran away: ${(this.now - START) / MINUTE} min`);
    }
  };

  /** Runs `fn` when virtual time reaches `at` (absolute) during a sleep. */
  at(at: number, fn: () => void): void {
    this.#timers.push({ at, fn });
  }

  /** Minutes since START, for readable assertions. */
  minutes(at = this.now): number {
    return (at - START) / MINUTE;
  }
}
