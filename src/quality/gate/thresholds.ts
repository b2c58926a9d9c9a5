// The policy's thresholds, their defaults (the suite's stated policy: line coverage >= 80%, no
// critical finding, p95 < 2 s, no failed test) and the grammar of each threshold's text, shared
// by the action's inputs and the policy file. `where` names the input or the policy key.
import { UserError, shown } from '../../lib/errors.ts';

/** Finding severities, most severe first (the findings model's order). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Thresholds {
  /** Overall line coverage, percent; undefined: off. */
  readonly minCoverage: number | undefined;
  /** Coverage of the changed lines, percent; undefined: off. */
  readonly minPatchCoverage: number | undefined;
  /** Failed plus errored tests allowed; undefined: off. */
  readonly maxFailedTests: number | undefined;
  readonly allowSkipped: boolean;
  /** The least severe finding that fails the gate; `none`: findings never fail it. */
  readonly failOn: Severity | 'none';
  readonly maxP95Ms: number | undefined;
  /** A fraction, 0 to 1. */
  readonly maxErrorRate: number | undefined;
  /** Percentage points of line coverage the change may lose against the baseline. */
  readonly maxCoverageDrop: number;
  /** Percent the p95 may grow against the baseline. */
  readonly maxP95Regression: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  minCoverage: 80,
  minPatchCoverage: undefined,
  maxFailedTests: 0,
  allowSkipped: true,
  failOn: 'critical',
  maxP95Ms: 2000,
  maxErrorRate: undefined,
  maxCoverageDrop: 0,
  maxP95Regression: 10,
};

/** A threshold's text: `off`, or a value. */
const OFF = 'off';

/** `80`, `80%`, `80.5`: 0 to 100; `off` when `offable`. */
export function parsePercent(where: string, text: string, offable = true): number | undefined {
  const trimmed = text.trim();
  if (offable && trimmed === OFF) return undefined;
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(trimmed);
  const value = match ? Number(match[1]) : NaN;
  if (!(value >= 0 && value <= 100)) {
    throw new UserError(
      `${where} is ${shown(trimmed)}: use a percentage from 0 to 100 such as 80 or 80%${offable ? ', or off' : ''}.`,
    );
  }
  return value;
}

/** `1%`, `0.01`: a fraction of requests, 0 to 1. */
export function parseRate(where: string, text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === OFF) return undefined;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(trimmed);
  const value = percent
    ? Number(percent[1]) / 100
    : /^\d+(?:\.\d+)?$/.test(trimmed)
      ? Number(trimmed)
      : NaN;
  if (!(value >= 0 && value <= 1)) {
    throw new UserError(
      `${where} is ${shown(trimmed)}: use a percentage such as 1% or a fraction from 0 to 1 such as 0.01, or off.`,
    );
  }
  return value;
}

/** `0`, `3`: a count; `off`. */
export function parseCount(where: string, text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === OFF) return undefined;
  if (!/^\d{1,9}$/.test(trimmed)) {
    throw new UserError(`${where} is ${shown(trimmed)}: use a whole number such as 0, or off.`);
  }
  return Number(trimmed);
}

const LATENCY_UNITS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000 };

/** `2s`, `1500ms`, `1.5s`, `2` (seconds): a latency up to 10 minutes; `off`. */
export function parseLatency(where: string, text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === OFF) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|)$/.exec(trimmed);
  const ms = match ? Number(match[1]) * LATENCY_UNITS[match[2]!]! : NaN;
  if (!(ms > 0 && ms <= 600_000)) {
    throw new UserError(
      `${where} is ${shown(trimmed)}: use a latency with its unit, such as 2s or 1500ms (at most 10m), or off.`,
    );
  }
  return ms;
}

export function parseSeverity(where: string, text: string): Severity | 'none' {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'none' || (SEVERITIES as readonly string[]).includes(trimmed)) {
    return trimmed as Severity | 'none';
  }
  throw new UserError(
    `${where} is ${shown(text.trim())}: use one of ${SEVERITIES.join(', ')}, or none.`,
  );
}

export function parseFlag(where: string, text: string): boolean {
  const trimmed = text.trim();
  if (['true', 'True', 'TRUE'].includes(trimmed)) return true;
  if (['false', 'False', 'FALSE'].includes(trimmed)) return false;
  throw new UserError(`${where} is ${shown(trimmed)}: use true or false.`);
}

/** Severities at or above `failOn`. */
export function failingSeverities(failOn: Severity | 'none'): readonly Severity[] {
  return failOn === 'none' ? [] : SEVERITIES.slice(0, SEVERITIES.indexOf(failOn) + 1);
}

/** The thresholds that have a text form, by the name the inputs and the policy file share. */
export const THRESHOLD_PARSERS = {
  'min-coverage': (w: string, t: string) => ({ minCoverage: parsePercent(w, t) }),
  'min-patch-coverage': (w: string, t: string) => ({ minPatchCoverage: parsePercent(w, t) }),
  'max-failed-tests': (w: string, t: string) => ({ maxFailedTests: parseCount(w, t) }),
  'allow-skipped': (w: string, t: string) => ({ allowSkipped: parseFlag(w, t) }),
  'fail-on': (w: string, t: string) => ({ failOn: parseSeverity(w, t) }),
  'max-p95-latency': (w: string, t: string) => ({ maxP95Ms: parseLatency(w, t) }),
  'max-error-rate': (w: string, t: string) => ({ maxErrorRate: parseRate(w, t) }),
  'max-coverage-drop': (w: string, t: string) => ({
    maxCoverageDrop: parsePercent(w, t, false)!,
  }),
  'max-p95-regression': (w: string, t: string) => ({
    maxP95Regression: parseRegression(w, t),
  }),
} as const satisfies Record<string, (where: string, text: string) => Partial<Thresholds>>;

export type ThresholdName = keyof typeof THRESHOLD_PARSERS;

/** The field of Thresholds each threshold sets. */
export const THRESHOLD_FIELDS: Readonly<Record<ThresholdName, keyof Thresholds>> = {
  'min-coverage': 'minCoverage',
  'min-patch-coverage': 'minPatchCoverage',
  'max-failed-tests': 'maxFailedTests',
  'allow-skipped': 'allowSkipped',
  'fail-on': 'failOn',
  'max-p95-latency': 'maxP95Ms',
  'max-error-rate': 'maxErrorRate',
  'max-coverage-drop': 'maxCoverageDrop',
  'max-p95-regression': 'maxP95Regression',
};
export const THRESHOLD_NAMES = Object.keys(THRESHOLD_PARSERS) as ThresholdName[];

function parseRegression(where: string, text: string): number {
  const trimmed = text.trim();
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(trimmed);
  const value = match ? Number(match[1]) : NaN;
  if (!(value >= 0 && value <= 10_000)) {
    throw new UserError(`${where} is ${shown(trimmed)}: use a percentage such as 10%.`);
  }
  return value;
}
