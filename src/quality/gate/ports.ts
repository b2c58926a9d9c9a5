// What the gate needs from the world, as the gate sees it: the report readers, the lines a change
// added or modified (src/git/changed-lines.ts), and a clock for waiver expiry.
import type { Coverage, CoverageFormat } from '../coverage/model.ts';
import type { TestResults } from '../tests/model.ts';
import type { Severity } from './thresholds.ts';

export interface ChangedLines {
  /** The base as resolved (`main`, `origin/main`) and the merge base compared with. */
  readonly base: string;
  readonly mergeBase: string;
  /** Workspace-relative path → the added or modified line numbers of its new version, ascending. */
  readonly files: ReadonlyMap<string, readonly number[]>;
}

export interface ChangedLinesPort {
  changedLines(baseRef: string, workspace: string): Promise<ChangedLines>;
}

/** A finding as the gate judges it (the findings model's fields it reads). */
export interface GateFinding {
  readonly tool: string;
  readonly id: string;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: { readonly file: string; readonly line?: number };
  readonly suppressed?: { readonly justification: string };
  readonly fingerprint: string;
}

export interface GateFindingsReport {
  readonly file: string;
  /** Details kept, the most severe first. */
  readonly findings: readonly GateFinding[];
  /** Every active finding by severity, kept or not. */
  readonly counts: Readonly<Record<Severity, number>>;
  readonly omitted: number;
}

export interface GatePerformanceReport {
  readonly file: string;
  readonly p95Seconds: number | undefined;
  /** A fraction, 0 to 1. */
  readonly errorRate: number | undefined;
  readonly notes: readonly string[];
}

/** One reader per report kind; each throws a ReportError for a missing, empty or malformed file. */
export interface ReportReaders {
  coverage(
    files: readonly string[],
    options: { workspace: string; format?: CoverageFormat },
  ): Promise<Coverage>;
  tests(files: readonly string[]): Promise<TestResults>;
  findings?(files: readonly string[]): Promise<readonly GateFindingsReport[]>;
  performance?(files: readonly string[]): Promise<readonly GatePerformanceReport[]>;
}

export interface GatePorts {
  readonly readers: ReportReaders;
  readonly changedLines: ChangedLinesPort;
  /** Milliseconds since the epoch: decides which waivers have expired. */
  now(): number;
}
