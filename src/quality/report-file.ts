// What every quality-gate report parser shares: the file it reads, where in it a parse failed,
// and the first bytes that tell which format it is.
import { open, readFile, stat } from 'node:fs/promises';
import { none } from 'stream-chain/defs.js';
import { jsonVerifier } from 'stream-json/core/utils/verifier.js';
import { UserError } from '../lib/errors.ts';

/** Where in a report a parse failed: a line (and column) for text formats, a byte offset otherwise. */
export type ReportPosition =
  { readonly line: number; readonly column?: number } | { readonly byte: number };

/** A report that is missing, empty or malformed: names the file and, when known, the place. */
export class ReportError extends UserError {
  readonly file: string;
  readonly position: ReportPosition | undefined;

  constructor(file: string, reason: string, position?: ReportPosition) {
    super(`${file}${where(position)}: ${reason}`);
    this.name = 'ReportError';
    this.file = file;
    this.position = position;
  }
}

function where(position: ReportPosition | undefined): string {
  if (!position) return '';
  if ('byte' in position) return ` (byte ${position.byte})`;
  return position.column === undefined
    ? `:${position.line}`
    : `:${position.line}:${position.column}`;
}

/** How many bytes a report is read in at a time by the streaming readers below. */
const CHUNK_BYTES = 64 * 1024;

function openError(file: string, error: NodeJS.ErrnoException): ReportError {
  return new ReportError(
    file,
    error.code === 'ENOENT' ? 'no such file' : `cannot read it (${error.code ?? error.message})`,
  );
}

/**
 * The report's bytes, chunk by chunk, read into one buffer that is reused: each chunk is valid
 * only until the next is asked for (copy what must outlive it). A fresh buffer per read would
 * leave the whole file behind as dead external memory until V8's next full GC. A file that
 * cannot be opened is a ReportError.
 */
export async function* readChunks(file: string): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw openError(file, error);
  });
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads a line straight from the report's bytes (`start` to `end`, CR and BOM already dropped)
 * and says whether it did; a line it leaves goes to `onLine` as a string.
 */
export type RawLineReader = (bytes: Buffer, start: number, end: number) => boolean;

/**
 * Calls `onLine` for every line of a text report with its 1-based number (CRLF or LF, a BOM
 * dropped), holding one chunk and one partial line at a time, never the file. Lines are cut
 * from the bytes: no chunk-sized string is made, so nothing big lives long enough to be
 * promoted to the old generation, and `raw` can read the commonest lines with no string at
 * all. A throw from either that is not a ReportError becomes one naming the file and the line.
 */
export async function readLines(
  file: string,
  onLine: (line: string, number: number) => void,
  raw?: RawLineReader,
): Promise<void> {
  let number = 0;
  let rest: Buffer | undefined;
  const emit = (bytes: Buffer, start: number, end: number) => {
    number += 1;
    if (end > start && bytes[end - 1] === 0x0d) end -= 1;
    if (
      number === 1 &&
      bytes[start] === 0xef &&
      bytes[start + 1] === 0xbb &&
      bytes[start + 2] === 0xbf
    ) {
      start += 3;
    }
    try {
      if (raw?.(bytes, start, end)) return;
      onLine(bytes.toString('utf8', start, end), number);
    } catch (error) {
      if (error instanceof ReportError) throw error;
      throw new ReportError(file, (error as Error).message, { line: number });
    }
  };
  for await (const read of readChunks(file)) {
    let start = 0;
    if (rest) {
      const end = read.indexOf(0x0a);
      if (end === -1) {
        rest = Buffer.concat([rest, read]);
        continue;
      }
      const joined = Buffer.concat([rest, read.subarray(0, end)]);
      emit(joined, 0, joined.length);
      start = end + 1;
    }
    for (let end = read.indexOf(0x0a, start); end !== -1; end = read.indexOf(0x0a, start)) {
      emit(read, start, end);
      start = end + 1;
    }
    rest = start < read.length ? Buffer.from(read.subarray(start)) : undefined; // read is reused
  }
  if (rest) emit(rest, 0, rest.length);
}

/** How many bytes format detection looks at. */
export const SNIFF_BYTES = 4096;

/**
 * The first bytes of a report as text (a byte-order mark dropped), for format detection without
 * reading the whole file. An empty file is a ReportError.
 */
export async function sniff(file: string): Promise<string> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ReportError(
      file,
      error.code === 'ENOENT' ? 'no such file' : `cannot read it (${error.code ?? error.message})`,
    );
  });
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    if (text.trim() === '') throw new ReportError(file, 'the report is empty');
    return text;
  } finally {
    await handle.close();
  }
}

/**
 * The byte at which JSON text stops being JSON, and what was expected there, from stream-json's
 * verifier: JSON.parse's messages do not always give a position ("Unexpected token 'x', … is
 * not valid JSON" has none). Undefined when the text is valid JSON.
 */
export function jsonErrorAt(text: string): { byte: number; reason: string } | undefined {
  const verify = jsonVerifier();
  try {
    verify(text);
    verify(none as unknown as string); // the end of input: a truncated value fails here
    return undefined;
  } catch (error) {
    const { offset, message } = error as { offset?: number; message: string };
    const reason = message.replace(/^.*?Verifier (cannot parse input: |has )/s, '');
    // The verifier counts characters; a report names bytes.
    return { byte: Buffer.byteLength(text.slice(0, offset ?? 0)), reason };
  }
}

/**
 * A small JSON report read whole (a k6 summary, a deployment result): a file past `maxBytes`, or
 * one that is not JSON, is a ReportError naming the byte where it stops being JSON.
 */
export async function readJsonReport(file: string, maxBytes: number): Promise<unknown> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size > maxBytes) {
    throw new ReportError(
      file,
      `${(size / 1048576).toFixed(1)} MiB, more than the ${maxBytes / 1048576} MiB such a report can be`,
    );
  }
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const at = jsonErrorAt(text);
    throw new ReportError(
      file,
      `not valid JSON (${at?.reason ?? 'unexpected input'})`,
      at ? { byte: at.byte } : undefined,
    );
  }
}
