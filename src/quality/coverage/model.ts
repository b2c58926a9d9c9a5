// The one coverage model every format is read into: per file, per line hit counts, and branch
// counts per line where the format has them. A typed array indexed by line number, so a
// report's model costs about 2 bytes a source line (8 more a line with branches), whatever its
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

/** Hits are stored plus one, so 0 (a new array's fill) means "not executable". */
const NOT_EXECUTABLE = 0;
const MAX_HITS = 0xfffffffe;
const MAX_SMALL_HITS = 0xfffe;
const MAX_BRANCHES = 0xffff;

/**
 * Hit counts by line number (1-based). A line never set is not executable; counts saturate at
 * 2^32-2. Lines are a dense array of hits + 1: 16-bit (2 bytes a line) until a count passes
 * 65534, then 32-bit for that file. Branches, on a few lines only, are kept sparse: sorted line
 * numbers beside taken/total packed in one 32-bit word (each ≤ 65535).
 */
export class LineHits {
  private hits: Uint16Array | Uint32Array = new Uint16Array(64);
  private highest = 0;
  private branchLines = new Uint32Array(0);
  private branchCounts = new Uint32Array(0);
  private branchSize = 0;

  /** Adds `count` hits to a line (summing, as merged runs do). */
  add(line: number, count: number): void {
    this.ensure(line);
    const before = this.hits[line]!;
    this.store(line, Math.min(MAX_HITS, (before === NOT_EXECUTABLE ? 0 : before - 1) + clampHits(count)));
  }

  /** Keeps the larger of the line's hits and `count` (Go's `set` mode; blocks sharing a line). */
  max(line: number, count: number): void {
    this.ensure(line);
    this.store(line, Math.max(this.hits[line]! - 1, clampHits(count)));
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
    const stored = line > 0 && line <= this.highest ? this.hits[line]! : NOT_EXECUTABLE;
    return stored === NOT_EXECUTABLE ? undefined : stored - 1;
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
      const stored = this.hits[line]!;
      if (stored !== NOT_EXECUTABLE) yield [line, stored - 1];
    }
  }

  get lineCount(): Count {
    let covered = 0;
    let total = 0;
    for (let line = 1; line <= this.highest; line += 1) {
      const stored = this.hits[line]!;
      if (stored === NOT_EXECUTABLE) continue;
      total += 1;
      if (stored > 1) covered += 1;
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
    if (this.hits.length > this.highest + 1) {
      const working = this.hits;
      this.hits = working.slice(0, this.highest + 1);
      if (working instanceof Uint16Array) spare.give(working);
    }
    if (this.branchLines.length > this.branchSize) {
      this.branchLines = this.branchLines.slice(0, this.branchSize);
      this.branchCounts = this.branchCounts.slice(0, this.branchSize);
    }
  }

  private ensure(line: number): void {
    checkLine(line);
    if (line >= this.hits.length) {
      const size = Math.max(line + 1, Math.ceil(this.hits.length * 1.5));
      const hits = this.hits instanceof Uint32Array ? new Uint32Array(size) : spare.take(size);
      hits.set(this.hits);
      if (this.hits instanceof Uint16Array) spare.give(this.hits);
      this.hits = hits;
    }
    if (line > this.highest) this.highest = line;
  }

  /** Stores a line's hits (ensured), widening to 32 bits the first time a count needs it. */
  private store(line: number, hits: number): void {
    if (hits > MAX_SMALL_HITS && this.hits instanceof Uint16Array) {
      const wide = new Uint32Array(this.hits.length);
      wide.set(this.hits);
      this.hits = wide;
    }
    this.hits[line] = hits + 1;
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

/**
 * One working array kept for reuse. A file's hits grow while its record is read and are then
 * copied to an exact-size array; without reuse every file left two or three dead arrays
 * behind, external memory V8 frees only at its next full GC (on 200 MB of lcov, peak RSS
 * ~260 MB instead of ~230). Parsers read one file at a time, so one spare is enough.
 */
const spare = {
  array: undefined as Uint16Array | undefined,
  /** A zeroed array of `size` entries, the spare's memory when it is big enough. */
  take(size: number): Uint16Array {
    const array = this.array;
    if (!array || array.length < size) return new Uint16Array(size);
    this.array = undefined;
    return array.subarray(0, size).fill(0);
  },
  /** An array no LineHits holds any more. */
  give(array: Uint16Array): void {
    const whole = new Uint16Array(array.buffer, 0, array.buffer.byteLength / 2);
    if (!this.array || whole.length > this.array.length) this.array = whole;
  },
};

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
