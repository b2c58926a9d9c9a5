import { UserError, shown } from './errors.ts';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest duration any input takes, whatever its own maximum: 21 days (504h). Node's timers
 * hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms, so no duration may
 * reach it.
 */
export const MAX_DURATION_MS = 504 * 3_600_000;

export interface DurationRange {
  /** The shortest accepted, in ms; 0 by default. */
  min?: number;
  /** The longest accepted, in ms; MAX_DURATION_MS by default and never more. */
  max?: number;
}

/**
 * Parses a duration input such as `90s`, `5m`, `1h30m`, `250ms`, or a bare number of seconds,
 * within `range` (at most MAX_DURATION_MS). Throws a UserError that names the input when the text
 * is not a duration or is out of range.
 */
export function parseDuration(input: string, text: string, range: DurationRange = {}): number {
  const trimmed = text.trim();
  const ms = durationMs(trimmed);
  if (ms === undefined) {
    throw new UserError(
      `Input '${input}' is ${shown(text)}, which is not a duration: use a number of seconds or a value like 30s, 5m, 1h30m.`,
    );
  }
  const max = Math.min(range.max ?? MAX_DURATION_MS, MAX_DURATION_MS);
  const min = range.min ?? 0;
  if (ms > max) {
    throw new UserError(
      `Input '${input}' is ${shown(text)}, longer than the ${formatDuration(max)} it accepts: give ${formatDuration(max)} or less.`,
    );
  }
  if (ms < min) {
    throw new UserError(
      `Input '${input}' is ${shown(text)}, shorter than the ${formatDuration(min)} it needs: give ${formatDuration(min)} or more.`,
    );
  }
  return ms;
}

/** The duration's milliseconds, or undefined when the text is not a duration. */
function durationMs(trimmed: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  const ms = Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS_MS[unit!]!, 0));
  return Number.isFinite(ms) ? ms : Number.MAX_VALUE;
}

/** The inputs `request-timeout` (each request attempt) and `timeout` (the whole step), together. */
export function parseTimeouts(values: { 'request-timeout': string; timeout: string }): {
  requestTimeoutMs: number;
  timeoutMs: number;
} {
  const requestTimeoutMs = parseDuration('request-timeout', values['request-timeout']);
  const timeoutMs = parseDuration('timeout', values.timeout);
  if (requestTimeoutMs < 100 || timeoutMs < requestTimeoutMs) {
    throw new UserError(
      `Inputs 'request-timeout' (${shown(values['request-timeout'])}) and 'timeout' (${shown(values.timeout)}) must satisfy 100ms <= request-timeout <= timeout.`,
    );
  }
  return { requestTimeoutMs, timeoutMs };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}
