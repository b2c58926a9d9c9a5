// The one coverage model every format is read into: per file, per line hit counts, and branch
// counts per line where the format has them. Dense typed arrays indexed by line number, so a
// report's model costs about 4 bytes per executable line (8 with branches), whatever its size
// on disk.

export type CoverageFormat =
  | 'lcov'
  | 'cobertura'
  | 'jacoco'
  | 'istanbul-summary'
  | 'istanbul-final'
  | 'go';

export const COVERAGE_FORMATS: readonly CoverageFormat[] = [
  'lcov',
  'cobertura',
  'jacoco',
  'istanbul-summary',
  'istanbul-final',
  'go',
];

/** Covered out of total (lines, branches or statements). */
export interface Count {
  readonly covered: number;
  readonly total: number;
}

const NOT_EXECUTABLE = -1;
const MAX_HITS = 0x7fffffff;
const MAX_BRANCHES = 0xffff;

/**
 * Hit counts by line number (1-based). A line never set is not executable; counts saturate at
 * 2^31-1. Branches per line, when known, as taken/total (each ≤ 65535).
 */
export class LineHits {
  private hits = new Int32Array(64).fill(NOT_EXECUTABLE);
  private branchTotal: Uint16Array | undefined;
  private branchTaken: Uint16Array | undefined;
  private highest = 0;

  /** Adds `count` hits to a line (summing, as merged runs do). */
  add(line: number, count: number): void {
    this.ensure(line);
    const before = this.hits[line]!;
    this.hits[line] = Math.min(MAX_HITS, (before < 0 ? 0 : before) + clampHits(count));
  }

  /** Keeps the larger of the line's hits and `count` (Go's `set` mode; blocks sharing a line). */
  max(line: number, count: number): void {
    this.ensure(line);
    this.hits[line] = Math.max(this.hits[line]!, clampHits(count));
  }

  /**
   * Adds branches seen on a line: `total` of them, `taken` of those executed. It does not make
   * the line executable: lcov and Istanbul place branches on lines that have no statement.
   */
  addBranches(line: number, taken: number, total: number): void {
    this.ensure(line);
    this.branchTotal ??= new Uint16Array(this.hits.length);
    this.branchTaken ??= new Uint16Array(this.hits.length);
    this.branchTotal[line] = Math.min(MAX_BRANCHES, this.branchTotal[line]! + total);
    this.branchTaken[line] = Math.min(MAX_BRANCHES, this.branchTaken[line]! + taken);
  }

  /** The line's hits, or undefined when it is not executable. */
  get(line: number): number | undefined {
    const hits = line > 0 && line <= this.highest ? this.hits[line]! : NOT_EXECUTABLE;
    return hits < 0 ? undefined : hits;
  }

  /** The line's branches, when the format gave any for it. */
  branches(line: number): Count | undefined {
    const total = line <= this.highest ? (this.branchTotal?.[line] ?? 0) : 0;
    return total === 0 ? undefined : { covered: this.branchTaken![line]!, total };
  }

  /** Executable lines in order, with their hits. */
  *entries(): IterableIterator<[line: number, hits: number]> {
    for (let line = 1; line <= this.highest; line += 1) {
      const hits = this.hits[line]!;
      if (hits >= 0) yield [line, hits];
    }
  }

  get lineCount(): Count {
    let covered = 0;
    let total = 0;
    for (let line = 1; line <= this.highest; line += 1) {
      const hits = this.hits[line]!;
      if (hits < 0) continue;
      total += 1;
      if (hits > 0) covered += 1;
    }
    return { covered, total };
  }

  get branchCount(): Count | undefined {
    if (!this.branchTotal) return undefined;
    let covered = 0;
    let total = 0;
    for (let line = 1; line <= this.highest; line += 1) {
      total += this.branchTotal[line]!;
      covered += this.branchTaken![line]!;
    }
    return { covered, total };
  }

  /**
   * Merges another run of the same file: hits add up (a line is covered when either run
   * covered it); per line, branches keep the larger total and the larger number taken, a lower
   * bound of the union since the formats do not all name their branches.
   */
  merge(other: LineHits): void {
    for (const [line, hits] of other.entries()) this.add(line, hits);
    if (!other.branchTotal) return;
    for (let line = 1; line <= other.highest; line += 1) {
      const total = other.branchTotal[line]!;
      if (total === 0) continue;
      this.ensure(line);
      this.branchTotal ??= new Uint16Array(this.hits.length);
      this.branchTaken ??= new Uint16Array(this.hits.length);
      this.branchTotal[line] = Math.max(this.branchTotal[line]!, total);
      this.branchTaken[line] = Math.max(this.branchTaken[line]!, other.branchTaken![line]!);
    }
  }

  private ensure(line: number): void {
    if (!Number.isSafeInteger(line) || line < 1) throw new Error(`line number ${line} is not valid`);
    if (line >= this.hits.length) {
      let size = this.hits.length * 2;
      while (size <= line) size *= 2;
      const hits = new Int32Array(size).fill(NOT_EXECUTABLE);
      hits.set(this.hits);
      this.hits = hits;
      if (this.branchTotal) this.branchTotal = grown(this.branchTotal, size);
      if (this.branchTaken) this.branchTaken = grown(this.branchTaken, size);
    }
    if (line > this.highest) this.highest = line;
  }
}

function grown(array: Uint16Array, size: number): Uint16Array {
  const bigger = new Uint16Array(size);
  bigger.set(array);
  return bigger;
}

function clampHits(count: number): number {
  if (!Number.isFinite(count) || count < 0) throw new Error(`hit count ${count} is not valid`);
  return Math.min(MAX_HITS, Math.floor(count));
}

/**
 * One source file's coverage. `lines` is undefined when the format gives only totals per file
 * (Istanbul's coverage-summary.json): such a file counts in overall coverage through `totals`,
 * but patch coverage cannot say which changed lines it covered.
 */
export interface FileCoverage {
  /** Workspace-relative with `/` separators, or the path as the report gave it when outside. */
  readonly path: string;
  /** The report named a path outside the workspace: kept as given, and flagged. */
  readonly outsideWorkspace: boolean;
  readonly lines: LineHits | undefined;
  /** Totals the format stated for the file when it has no line detail (coverage-summary). */
  readonly statedTotals?: { readonly lines: Count; readonly branches?: Count };
  /** Statements covered/total where the format counts them (Go: what `go tool cover` shows). */
  readonly statements?: Count | undefined;
}

/** Several reports of one kind, merged by file. */
export interface Coverage {
  /** The formats that were read, one per report, in order. */
  readonly reports: readonly { readonly file: string; readonly format: CoverageFormat }[];
  /** By normalised path. */
  readonly files: ReadonlyMap<string, FileCoverage>;
}

/** A file's line counts: from its lines, else from the totals its report stated. */
export function lineTotals(file: FileCoverage): Count {
  return file.lines ? file.lines.lineCount : (file.statedTotals?.lines ?? { covered: 0, total: 0 });
}

/** A file's branch counts, when its format has branches. */
export function branchTotals(file: FileCoverage): Count | undefined {
  return file.lines ? file.lines.branchCount : file.statedTotals?.branches;
}

/** Line coverage over all files, covered and total summed (the figure a `min-coverage` judges). */
export function overallLines(coverage: Coverage): Count {
  let covered = 0;
  let total = 0;
  for (const file of coverage.files.values()) {
    const count = lineTotals(file);
    covered += count.covered;
    total += count.total;
  }
  return { covered, total };
}
