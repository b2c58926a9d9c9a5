// Splits a migration into statements with PostgreSQL's own parser (libpg-query, WASM), keeping
// each statement's parse tree and where it starts in the file. A syntax error names the file,
// line and column before anything runs.
import { loadModule, parseSync } from 'libpg-query';
import { UserError } from '../lib/errors.ts';
import { limitParserTiering } from './parser-flags.ts';

/** One node of a libpg-query parse tree: `{ NodeType: { ...fields } }`. */
export type Node = Record<string, unknown>;

export interface Statement {
  /** The statement's text without its terminating ';'. */
  sql: string;
  /** The parse tree's top node type, e.g. 'IndexStmt'. */
  type: string;
  /** The fields of that node. */
  node: Record<string, unknown>;
  /** 1-based line and column of the statement's first token. */
  line: number;
  column: number;
}

let loaded: Promise<void> | undefined;

/** The parser is WASM: loaded once, before the first parse. */
export function loadParser(): Promise<void> {
  if (!loaded) limitParserTiering();
  loaded ??= loadModule();
  return loaded;
}

/** Line and column (1-based, in characters) of UTF-8 byte offsets into `bytes`. */
export function positions(bytes: Buffer): (offset: number) => { line: number; column: number } {
  const lineStarts = [0];
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    const lineStart = lineStarts[low]!;
    return {
      line: low + 1,
      column: [...bytes.subarray(lineStart, offset).toString('utf8')].length + 1,
    };
  };
}

interface RawStatement {
  stmt?: Node;
  stmt_location?: number;
  stmt_len?: number;
}

/** Parses `text` (the contents of `file`); call loadParser() once first. */
export function splitStatements(file: string, text: string): Statement[] {
  const bytes = Buffer.from(text, 'utf8');
  const positionOf = positions(bytes);
  let stmts: RawStatement[];
  try {
    stmts = (parseSync(text) as { stmts?: RawStatement[] }).stmts ?? [];
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } })
      .sqlDetails;
    // The parser's cursor counts characters (code points) from 0, not bytes.
    const prefix = [...text].slice(0, Math.max(0, details?.cursorPosition ?? 0)).join('');
    const { line, column } = positionOf(Buffer.byteLength(prefix, 'utf8'));
    throw new UserError(
      `${file}:${line}:${column}: ${details?.message ?? (error as Error).message} (PostgreSQL's parser): fix the SQL.`,
      { cause: error },
    );
  }
  return stmts.map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const sql = bytes.subarray(start, end).toString('utf8').trim().replace(/;$/, '').trim();
    const [type, node] = Object.entries(raw.stmt ?? {})[0] ?? ['Unknown', {}];
    return {
      sql,
      type,
      node: node as Record<string, unknown>,
      ...positionOf(start),
    };
  });
}
