// Reads a JSON file whose top level is one object, entry by entry, holding one entry's bytes at
// a time: Istanbul's coverage files are `{ "<path>": {…one file…}, … }`, so memory follows the
// largest file's entry, never the report. A scan finds each entry's bounds (depth and strings
// only); JSON.parse, native and fast, reads the entry; a syntax error is placed at its byte.
import { ReportError, readChunks } from '../report-file.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Whether a prefix of a JSON text fails only because it ends too early. */
function endsEarly(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    if (/end of JSON input/.test(message)) return true;
    const at = /position (\d+)/.exec(message);
    return at !== null && Number(at[1]) >= prefix.length;
  }
}

/**
 * Where in `text` JSON.parse failed. V8 names a position for most errors but not for an
 * unexpected token ("Unexpected token 'x', "…" is not valid JSON"): then the shortest prefix
 * that fails for another reason than ending early ends at the culprit (a search in log n parses,
 * only on error).
 */
function errorPosition(text: string, message: string): number {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  let low = 0;
  let high = text.length;
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (endsEarly(text.slice(0, middle))) low = middle;
    else high = middle;
  }
  return high - 1;
}

/**
 * Calls `onEntry` with each key and parsed value of the top-level object. Anything else at the
 * top level, a truncated file or a syntax error is a ReportError with the byte where it is.
 */
export async function readJsonEntries(
  file: string,
  onEntry: (key: string, value: unknown) => void,
): Promise<void> {
  let offset = 0; // bytes before the current chunk
  let depth = 0;
  let inString = false;
  let escaped = false;
  let ended = false;
  let started = false;
  let first = true;
  let afterComma = false;
  let entryStart = -1; // absolute byte where the current entry starts, -1 outside one
  let parts: Buffer[] = [];

  const finish = (endInChunk: Buffer, end: number) => {
    parts.push(endInChunk.subarray(0, end));
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    const start = entryStart;
    entryStart = -1;
    const text = bytes.toString('utf8');
    if (text.trim() === '') throw new ReportError(file, 'expected an object key', { byte: start });
    const wrapped = `{${text}}`;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(wrapped) as Record<string, unknown>;
    } catch (error) {
      const message = (error as Error).message;
      const inText = Math.max(0, errorPosition(wrapped, message) - 1);
      const byte = start + Buffer.byteLength(text.slice(0, inText));
      const reason = message.replace(/,? ".*" is not valid JSON$| in JSON at position.*$/s, '');
      throw new ReportError(file, `not valid JSON: ${reason.trim()}`, { byte });
    }
    for (const key in parsed) onEntry(key, parsed[key]);
  };

  for await (const chunk of readChunks(file)) {
    let from = entryStart === -1 ? -1 : 0; // where the open entry's bytes start in this chunk
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
        continue;
      }
      if (!started || ended) {
        if (isSpace(byte)) continue;
        if (first && byte === 0xef && chunk[i + 1] === 0xbb && chunk[i + 2] === 0xbf) {
          i += 2; // a UTF-8 byte-order mark
          continue;
        }
        first = false;
        if (!started && byte === OPEN_BRACE) {
          started = true;
          depth = 1;
          continue;
        }
        throw new ReportError(
          file,
          ended ? 'unexpected data after the top-level object' : 'the top level is not an object',
          { byte: offset + i },
        );
      }
      if (depth === 1 && entryStart === -1) {
        if (isSpace(byte)) continue;
        if (byte === CLOSE_BRACE) {
          if (afterComma) throw new ReportError(file, 'expected an object key', { byte: offset + i });
          depth = 0;
          ended = true;
          continue;
        }
        entryStart = offset + i;
        from = i;
        afterComma = false;
      }
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
      else if (byte === CLOSE_BRACKET) depth -= 1;
      else if (byte === CLOSE_BRACE) {
        depth -= 1;
        if (depth === 0) {
          finish(chunk.subarray(from), i - from);
          ended = true;
        }
      } else if (byte === COMMA && depth === 1) {
        finish(chunk.subarray(from), i - from);
        afterComma = true;
      }
      if (depth < 1 && !ended) {
        throw new ReportError(file, 'unbalanced brackets', { byte: offset + i });
      }
    }
    // The chunk's buffer is reused for the next read: keep a copy of the open entry's bytes.
    if (entryStart !== -1) parts.push(Buffer.from(from <= 0 ? chunk : chunk.subarray(from)));
    offset += chunk.length;
  }
  if (!started) throw new ReportError(file, 'the report is empty');
  if (!ended) {
    throw new ReportError(file, 'the JSON ends before its top-level object closes (truncated?)', {
      byte: offset,
    });
  }
}
