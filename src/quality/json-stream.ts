// Reads a JSON report of any size in bounded memory and at close to JSON.parse's speed: a
// scanner walks the file's structure in 1 MiB reads, and each value a reader asks for (one SARIF
// result, one Trivy vulnerability) is cut out of the bytes and given to JSON.parse alone, then
// dropped. The levels above those values are checked by the scanner (keys, colons, commas,
// brackets), everything else by JSON.parse, so a malformed file anywhere is a ReportError naming
// the byte where it stops being JSON (found by stream-json's verifier: JSON.parse does not always
// say where).
//
// Why not stream-json's tokenizer and Assembler: on a 200 MB SARIF they took 7× JSON.parse's
// time (bench/quality-findings.ts keeps that variant and its figures); the tokenizer alone is
// 1.5×, building objects from its tokens the rest.
import { open } from 'node:fs/promises';
import { ReportError, jsonErrorAt } from './report-file.ts';

export type JsonPath = readonly (string | number)[];

/**
 * What to do with the value at a path: `take` it whole (parsed, then `onValue`), `enter` it (a
 * container whose members are asked about in turn), or `skip` it (checked, nothing inside wanted).
 */
export type JsonChoice = 'take' | 'enter' | 'skip';

export interface JsonVisitor {
  choose(path: JsonPath): JsonChoice;
  onValue(path: JsonPath, value: unknown): void;
}

/** Bytes per read; the scanner keeps one buffer of twice that, reused for every read. */
const READ_BYTES = 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** Where a number or literal ends. */
const isDelimiter = (c: number) =>
  isSpace(c) || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY;

/** What the scanner expects next inside the open containers. */
type Expect = 'value' | 'first-value' | 'key' | 'first-key' | 'colon' | 'after' | 'end';

interface Frame {
  readonly array: boolean;
  /** Inside a skipped container: nothing below is asked about. */
  readonly skipped: boolean;
}

/** Thrown inside the scanner when the bytes run out mid-token: read more, then resume. */
const MORE = Symbol('more');

class Scanner {
  buf: Buffer = Buffer.alloc(0);
  /** The file offset of buf[0]. */
  base = 0;
  i = 0;
  eof = false;
  expect: Expect = 'value';
  readonly frames: Frame[] = [];
  readonly path: (string | number)[] = [];
  /** Resumable state of a value being cut out: where it began, its depth, where the scan is. */
  valueStart = -1;
  valueDepth = 0;
  valueAt = 0;
  valueInString = false;
  private readonly file: string;
  private readonly visitor: JsonVisitor;

  constructor(file: string, visitor: JsonVisitor) {
    this.file = file;
    this.visitor = visitor;
  }

  fail(reason: string, at = this.i): never {
    throw new ReportError(this.file, `not valid JSON: ${reason}`, { byte: this.base + at });
  }

  /** The end (exclusive) of the string whose opening quote is at `from`. */
  stringEnd(from: number): number {
    let at = from + 1;
    for (;;) {
      const quote = this.buf.indexOf(QUOTE, at);
      if (quote < 0) {
        if (this.eof) this.fail('unterminated string', from);
        throw MORE;
      }
      let k = quote - 1;
      while (this.buf[k] === BACKSLASH) k--;
      if ((quote - 1 - k) % 2 === 0) return quote + 1;
      at = quote + 1;
    }
  }

  /** The end of a number or literal starting at `from`. */
  scalarEnd(from: number): number {
    let at = from;
    while (at < this.buf.length && !isDelimiter(this.buf[at]!)) at++;
    if (at === this.buf.length && !this.eof) throw MORE;
    return at;
  }

  /**
   * The end of the container opening at valueStart, resuming where the last call stopped. Strings
   * are stepped through here rather than by indexOf: most are short, and a call per string cost
   * more than the loop.
   */
  containerEnd(): number {
    const { buf } = this;
    const { length } = buf;
    let at = this.valueAt;
    let depth = this.valueDepth;
    let inString = this.valueInString;
    for (; at < length; at++) {
      const c = buf[at]!;
      if (inString) {
        if (c === BACKSLASH) at++;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (--depth === 0) return at + 1;
      }
    }
    // An escape's second byte may lie past the end: step back to the backslash.
    if (at > length) at -= 2;
    this.valueAt = at;
    this.valueDepth = depth;
    this.valueInString = inString;
    if (this.eof) {
      const start = this.base + this.valueStart;
      this.fail(`the file ends inside a value that starts at byte ${start} (truncated?)`, length);
    }
    throw MORE;
  }

  /** JSON.parse of buf[from, to); a failure is placed at its byte in the file. */
  parse(from: number, to: number): unknown {
    const text = this.buf.toString('utf8', from, to);
    try {
      return JSON.parse(text);
    } catch (error) {
      const at = jsonErrorAt(text);
      this.fail(at?.reason ?? (error as Error).message, from + (at?.byte ?? 0));
    }
  }

  skipSpace(): number {
    const { buf } = this;
    let at = this.i;
    while (at < buf.length && isSpace(buf[at]!)) at++;
    this.i = at;
    if (at === buf.length) {
      if (this.eof) return -1;
      throw MORE;
    }
    return buf[at]!;
  }

  /** Runs until the bytes in buf are used up (MORE) or the document ends. */
  run(): void {
    for (;;) {
      if (this.valueStart >= 0) {
        this.finishTaken();
        continue;
      }
      const c = this.skipSpace();
      if (c < 0) {
        if (this.expect !== 'end') this.fail('the file ends before the JSON does (truncated?)');
        return;
      }
      switch (this.expect) {
        case 'end':
          return this.fail('more after the end of the JSON value');
        case 'value':
        case 'first-value':
          if (this.expect === 'first-value' && c === CLOSE_ARRAY) {
            this.close();
            break;
          }
          this.value(c);
          break;
        case 'key':
        case 'first-key':
          if (this.expect === 'first-key' && c === CLOSE_OBJECT) {
            this.close();
            break;
          }
          if (c !== QUOTE) this.fail('expected a key in double quotes');
          this.key();
          break;
        case 'colon':
          if (c !== COLON) this.fail("expected ':' after the key");
          this.i++;
          this.expect = 'value';
          break;
        case 'after':
          this.after(c);
          break;
      }
    }
  }

  private key(): void {
    const end = this.stringEnd(this.i);
    if (!this.frames.at(-1)!.skipped)
      this.path[this.path.length - 1] = this.parse(this.i, end) as string;
    this.i = end;
    this.expect = 'colon';
  }

  private after(c: number): void {
    const frame = this.frames.at(-1)!;
    if (c === COMMA) {
      this.i++;
      this.expect = frame.array ? 'value' : 'key';
      return;
    }
    if (c === (frame.array ? CLOSE_ARRAY : CLOSE_OBJECT)) return this.close();
    this.fail(`expected ',' or '${frame.array ? ']' : '}'}'`);
  }

  private close(): void {
    const frame = this.frames.pop()!;
    if (!frame.skipped) this.path.pop();
    this.i++;
    this.expect = this.frames.length === 0 ? 'end' : 'after';
  }

  private value(c: number): void {
    const container = c === OPEN_OBJECT || c === OPEN_ARRAY;
    // A scalar's end first: it may need the next read, and the value is then begun again.
    const end = container ? -1 : c === QUOTE ? this.stringEnd(this.i) : this.scalarEnd(this.i);
    const parent = this.frames.at(-1);
    const skipped = parent?.skipped ?? false;
    if (!skipped && parent?.array) {
      this.path[this.path.length - 1] = (this.path.at(-1) as number) + 1;
    }
    const choice = skipped ? 'skip' : this.visitor.choose(this.path);
    if (choice === 'take' && container) {
      this.valueStart = this.i;
      this.valueAt = this.i;
      this.valueDepth = 0;
      this.valueInString = false;
      return;
    }
    if (container) {
      const array = c === OPEN_ARRAY;
      const skip = choice === 'skip';
      this.frames.push({ array, skipped: skip });
      if (!skip) this.path.push(array ? -1 : '');
      this.i++;
      this.expect = array ? 'first-value' : 'first-key';
      return;
    }
    const scalar = this.parse(this.i, end);
    if (choice === 'take') this.visitor.onValue([...this.path], scalar);
    this.i = end;
    this.expect = this.frames.length === 0 ? 'end' : 'after';
  }

  private finishTaken(): void {
    const end = this.containerEnd();
    const value = this.parse(this.valueStart, end);
    this.valueStart = -1;
    this.i = end;
    this.expect = this.frames.length === 0 ? 'end' : 'after';
    this.visitor.onValue([...this.path], value);
  }

  /** The bytes read so far and not yet used up; `buf` is a view of it. */
  private storage = Buffer.allocUnsafe(2 * READ_BYTES);

  /**
   * Room for the next read: what is already used is dropped by moving the rest (a value being cut
   * out stays) to the start of the one storage buffer, which grows only for a value larger than it.
   */
  room(): { buffer: Buffer; offset: number } {
    const keep = this.valueStart >= 0 ? this.valueStart : this.i;
    const rest = this.buf.length - keep;
    if (rest + READ_BYTES > this.storage.length) {
      const larger = Buffer.allocUnsafe(2 * (rest + READ_BYTES));
      this.buf.copy(larger, 0, keep);
      this.storage = larger;
    } else {
      this.storage.copyWithin(0, keep, this.buf.length);
    }
    this.base += keep;
    this.i -= keep;
    if (this.valueStart >= 0) {
      this.valueStart -= keep;
      this.valueAt -= keep;
    }
    this.buf = this.storage.subarray(0, rest);
    return { buffer: this.storage, offset: rest };
  }

  /** `bytes` more were read into the room; none: the end of the file. */
  filled(bytes: number): void {
    this.buf = this.storage.subarray(0, this.buf.length + bytes);
    if (bytes === 0) this.eof = true;
  }
}

/**
 * Walks a JSON file, asking `visitor.choose` about each value it reaches (the root is `[]`,
 * array members by index) and handing over the values it takes.
 */
export async function streamJson(file: string, visitor: JsonVisitor): Promise<void> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ReportError(
      file,
      error.code === 'ENOENT' ? 'no such file' : `cannot read it (${error.code ?? error.message})`,
    );
  });
  try {
    const scanner = new Scanner(file, visitor);
    for (let first = true; ; first = false) {
      const { buffer, offset } = scanner.room();
      const { bytesRead } = await handle.read(buffer, offset, READ_BYTES, null);
      scanner.filled(bytesRead);
      if (
        first &&
        bytesRead >= 3 &&
        buffer[0] === 0xef &&
        buffer[1] === 0xbb &&
        buffer[2] === 0xbf
      ) {
        scanner.i = 3; // a byte-order mark: skipped, and counted in the bytes a failure names
      }
      try {
        scanner.run();
        return;
      } catch (error) {
        if (error !== MORE) throw error;
      }
    }
  } finally {
    await handle.close();
  }
}
