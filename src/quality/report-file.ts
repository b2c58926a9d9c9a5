// What every quality-gate report parser shares: the file it reads, where in it a parse failed,
// and the first bytes that tell which format it is.
import { open } from 'node:fs/promises';
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
