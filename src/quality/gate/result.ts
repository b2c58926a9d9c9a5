// What the gate returns: one verdict per rule with the figure it judged, the threshold, the
// baseline's figure and the items that made it fail; then the facts a later run compares with.
import type { TestCounts } from '../tests/model.ts';
import type { Severity } from './thresholds.ts';

/** `skip`: the rule could not judge (no report of its kind, no baseline), with a note saying why. */
export type RuleVerdict = 'pass' | 'fail' | 'skip';

/** Something that made a rule fail (or warn), placed on a line when it has one. */
export interface Offender {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly endLine?: number;
}

export interface RuleResult {
  /** `min-coverage`, `coverage:src/payments/**`, `max-failed-tests`, … */
  readonly rule: string;
  readonly verdict: RuleVerdict;
  /** The figure judged, for people (`83.4%`, `2 failed`); undefined when there is none. */
  readonly figure?: string;
  readonly threshold?: string;
  /** The same figure in the baseline run, or `no baseline`. */
  readonly baseline?: string;
  /** Why it was skipped, or what else a reader needs (`2 files with no line data`). */
  readonly note?: string;
  /** What made it fail, the first MAX_OFFENDERS of them. */
  readonly offenders: readonly Offender[];
  /** Offenders beyond those listed. */
  readonly moreOffenders: number;
}

/** How many offenders a rule lists (the rest are counted). */
export const MAX_OFFENDERS = 200;

export interface CoverageFacts {
  readonly covered: number;
  readonly total: number;
  /** Rounded to two decimals. */
  readonly percent: number;
}

/** Figures of this run that the next run's baseline compares with. */
export interface GateFacts {
  readonly coverage?: CoverageFacts;
  readonly patchCoverage?: CoverageFacts;
  readonly tests?: TestCounts;
  readonly findings?: {
    readonly counts: Readonly<Partial<Record<Severity, number>>>;
    /** Fingerprints of the active findings whose details were read, sorted. */
    readonly fingerprints: readonly string[];
  };
  readonly performance?: {
    readonly p95Seconds?: number;
    readonly errorRate?: number;
  };
}

export interface GateResult {
  readonly verdict: 'pass' | 'fail';
  readonly failedRules: readonly string[];
  readonly rules: readonly RuleResult[];
  /** Problems that do not fail the gate: an unused waiver, an optional report missing. */
  readonly warnings: readonly string[];
  readonly reports: readonly { readonly kind: ReportKind; readonly file: string }[];
  readonly facts: GateFacts;
}

export const REPORT_KINDS = ['coverage', 'tests', 'findings', 'performance'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** A percentage of covered/total, two decimals; undefined when there is nothing to cover. */
export function percentOf(count: { covered: number; total: number }): number | undefined {
  if (count.total === 0) return undefined;
  return Math.floor((count.covered / count.total) * 10000) / 100;
}

export function rule(
  name: string,
  verdict: RuleVerdict,
  fields: Omit<Partial<RuleResult>, 'rule' | 'verdict' | 'offenders'> & {
    offenders?: readonly Offender[];
  } = {},
): RuleResult {
  const all = fields.offenders ?? [];
  return {
    rule: name,
    verdict,
    ...fields,
    offenders: all.slice(0, MAX_OFFENDERS),
    moreOffenders: Math.max(0, all.length - MAX_OFFENDERS) + (fields.moreOffenders ?? 0),
  };
}
