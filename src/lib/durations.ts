import { UserError } from './errors.ts';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration input such as `90s`, `5m`, `1h30m`, `250ms`, or a bare number of seconds.
 * Throws a UserError that names the input when the text is not a duration.
 */
export function parseDuration(input: string, text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new UserError(
      `Input '${input}' is '${text}', which is not a duration: use a number of seconds or a value like 30s, 5m, 1h30m.`,
    );
  }
  return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS_MS[unit!]!, 0));
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
      `Inputs 'request-timeout' (${values['request-timeout']}) and 'timeout' (${values.timeout}) must satisfy 100ms <= request-timeout <= timeout.`,
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
