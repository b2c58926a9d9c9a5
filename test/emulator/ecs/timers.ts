// Waits measured in emulated time: `timeScale` times faster on the real clock. Every wait ends
// (rejects with `EmulatorClosed`) when the emulator closes, so no timer outlives it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimeScale } from '../world.ts';

export class EmulatorClosed extends Error {
  constructor() {
    super('emulator closed');
    this.name = 'EmulatorClosed';
  }
}

export const MINUTE = 60_000;
export const SECOND = 1_000;

export class Timers {
  readonly #scale: TimeScale;
  readonly #closed: AbortSignal;

  constructor(scale: TimeScale, closed: AbortSignal) {
    this.#scale = scale;
    this.#closed = closed;
  }

  get closed(): boolean {
    return this.#closed.aborted;
  }

  /** Aborted when the emulator closes. */
  get signal(): AbortSignal {
    return this.#closed;
  }

  /** Real milliseconds for an emulated duration (for wall-clock timestamps such as expiresAt). */
  real(emulatedMs: number): number {
    return this.#scale.real(emulatedMs);
  }

  /** Settles like `promise`, or rejects like `wait` when `signal` aborts or the emulator closes. */
  async until<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
    const signals = signal === undefined ? [this.#closed] : [this.#closed, signal];
    const any = AbortSignal.any(signals);
    const reason = () => (this.#closed.aborted ? new EmulatorClosed() : signal?.reason);
    if (any.aborted) throw reason();
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(reason());
      any.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([promise, aborted]);
    } finally {
      any.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Resolves after `emulatedMs`; rejects with `signal.reason` when `signal` aborts first, or with
   * EmulatorClosed when the emulator closes.
   */
  async wait(emulatedMs: number, signal?: AbortSignal): Promise<void> {
    const signals = signal === undefined ? [this.#closed] : [this.#closed, signal];
    const any = AbortSignal.any(signals);
    try {
      await sleep(Math.max(0, this.#scale.real(emulatedMs)), undefined, { signal: any });
    } catch (error) {
      if (this.#closed.aborted) throw new EmulatorClosed();
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }

  /** Runs `fn` after `emulatedMs` unless the emulator closes or `signal` aborts first. */
  after(emulatedMs: number, fn: () => void, signal?: AbortSignal): void {
    this.wait(emulatedMs, signal)
      .then(fn, () => {})
      .catch((error: unknown) => console.error('emulator: ECS timer callback failed', error));
  }
}
