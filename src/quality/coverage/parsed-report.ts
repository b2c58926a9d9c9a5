// What a coverage format parser hands back before paths are normalised: files by the path the
// report wrote, and, for Cobertura, the `<sources>` those paths are relative to.
import { LineHits, type Count } from './model.ts';

export interface ParsedFile {
  readonly lines: LineHits | undefined;
  readonly statedTotals?: { readonly lines: Count; readonly branches?: Count };
  /** Statements covered/total, where the format counts them (Go). */
  readonly statements?: Count | undefined;
}

export class ParsedReport {
  readonly files = new Map<string, ParsedFile>();
  readonly sources: string[] = [];

  /** The line hits of a file the report names (once or several times: they add up). */
  linesOf(path: string): LineHits {
    let file = this.files.get(path);
    if (!file?.lines) {
      file = { lines: new LineHits() };
      this.files.set(path, file);
    }
    return file.lines!;
  }
}

/** A non-negative integer from a report's text, or an Error naming what was expected. */
export function count(text: string | undefined, what: string): number {
  const value = text === undefined ? NaN : Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${what} is not a non-negative integer: '${String(text).slice(0, 40)}'`);
  }
  return value;
}
