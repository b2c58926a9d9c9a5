// The one coverage model every format is read into: per file, per line hit counts, and branch
// counts per line where the format has them. A typed array indexed by line number, so a
// report's model costs about 4 bytes a source line (8 more a line with branches), whatever its
// size on disk.

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
 * 2^31-1. Lines are a dense Int32Array (4 bytes a line); branches, on a few lines only, are kept
 * sparse: sorted line numbers beside taken/total packed in one 32-bit word (each ≤ 65535).
 */
export class LineHits {
  private hits = new Int32Array(64).fill(NOT_EXECUTABLE);
  private highest = 0;
  private branchLines = new Uint32Array(0);
  private branchCounts = new Uint32Array(0);
  private branchSize = 0;

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
    checkLine(line);
    const index = this.branchSlot(line);
    const packed = this.branchCounts[index]!;
    this.branchCounts[index] = pack(
      Math.min(MAX_BRANCHES, (packed >>> 16) + taken),
      Math.min(MAX_BRANCHES, (packed & 0xffff) + total),
    );
  }

  /** The line's hits, or undefined when it is not executable. */
  get(line: number): number | undefined {
    const hits = line > 0 && line <= this.highest ? this.hits[line]! : NOT_EXECUTABLE;
    return hits < 0 ? undefined : hits;
  }

  /** The line's branches, when the format gave any for it. */
  branches(line: number): Count | undefined {
    const index = this.findBranch(line);
    if (index < 0) return undefined;
    const packed = this.branchCounts[index]!;
    return { covered: packed >>> 16, total: packed & 0xffff };
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
    if (this.branchSize === 0) return undefined;
    let covered = 0;
    let total = 0;
    for (let index = 0; index < this.branchSize; index += 1) {
      const packed = this.branchCounts[index]!;
      covered += packed >>> 16;
      total += packed & 0xffff;
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
    for (let index = 0; index < other.branchSize; index += 1) {
      const line = other.branchLines[index]!;
      const theirs = other.branchCounts[index]!;
      const slot = this.branchSlot(line);
      const ours = this.branchCounts[slot]!;
      this.branchCounts[slot] = pack(
        Math.max(ours >>> 16, theirs >>> 16),
        Math.max(ours & 0xffff, theirs & 0xffff),
      );
    }
  }

  /** Gives back the room kept for growth; parsers call it when a file's record ends. */
  compact(): void {
    if (this.hits.length > this.highest + 1) this.hits = this.hits.slice(0, this.highest + 1);
    if (this.branchLines.length > this.branchSize) {
      this.branchLines = this.branchLines.slice(0, this.branchSize);
      this.branchCounts = this.branchCounts.slice(0, this.branchSize);
    }
  }

  private ensure(line: number): void {
    checkLine(line);
    if (line >= this.hits.length) {
      const hits = new Int32Array(Math.max(line + 1, Math.ceil(this.hits.length * 1.5)));
      hits.fill(NOT_EXECUTABLE, this.hits.length);
      hits.set(this.hits);
      this.hits = hits;
    }
    if (line > this.highest) this.highest = line;
  }

  /** Index of the line in the sorted branch arrays, or -1. */
  private findBranch(line: number): number {
    let low = 0;
    let high = this.branchSize - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.branchLines[middle]!;
      if (at === line) return middle;
      if (at < line) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The line's slot in the branch arrays, inserted in order when new (appended, usually). */
  private branchSlot(line: number): number {
    const size = this.branchSize;
    if (size > 0 && this.branchLines[size - 1] === line) return size - 1;
    let index = size;
    if (size > 0 && this.branchLines[size - 1]! > line) {
      const found = this.findBranch(line);
      if (found >= 0) return found;
      index = 0;
      while (this.branchLines[index]! < line) index += 1;
    }
    if (size === this.branchLines.length) {
      const capacity = Math.max(8, Math.ceil(size * 1.5));
      const lines = new Uint32Array(capacity);
      const counts = new Uint32Array(capacity);
      lines.set(this.branchLines);
      counts.set(this.branchCounts);
      this.branchLines = lines;
      this.branchCounts = counts;
    }
    this.branchLines.copyWithin(index + 1, index, size);
    this.branchCounts.copyWithin(index + 1, index, size);
    this.branchLines[index] = line;
    this.branchCounts[index] = 0;
    this.branchSize = size + 1;
    return index;
  }
}

function pack(taken: number, total: number): number {
  return ((taken << 16) | total) >>> 0;
}

function checkLine(line: number): void {
  if (!Number.isSafeInteger(line) || line < 1 || line > 0x7fffffff) {
    throw new Error(`line number ${line} is not valid`);
  }
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
