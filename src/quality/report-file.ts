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
