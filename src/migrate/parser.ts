// Splits a migration into statements with PostgreSQL's own parser (libpg-query, WASM), keeping
// each statement's parse tree and where it starts in the file. A syntax error names the file,
// line and column before anything runs. The same WASM parses PL/pgSQL, for the bodies of DO blocks.
import type * as LibPgQuery from 'libpg-query';
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
let parser: typeof LibPgQuery | undefined;

/**
 * The parser is WASM: loaded once, before the first parse. libpg-query starts reading and
 * compiling its WASM when its module is evaluated, so it is imported here, not at the top: a
 * command that parses nothing (--help, a usage error) never loads it, and the V8 flags are set
 * before the compile starts.
 */
export function loadParser(): Promise<void> {
  loaded ??= (async () => {
    limitParserTiering();
    const lib = await import('libpg-query');
    await lib.loadModule();
    parser = lib;
  })();
  return loaded;
}

function loadedParser(): typeof LibPgQuery {
  if (!parser) throw new Error('the SQL parser is not loaded: call loadParser() first');
  return parser;
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

/**
 * The statements of `text` with their lines and columns in it; throws the parser's own error
 * (with `sqlDetails`). Call loadParser() once first.
 */
export function parseStatements(text: string): Statement[] {
  const bytes = Buffer.from(text, 'utf8');
  const positionOf = positions(bytes);
  const stmts = (loadedParser().parseSync(text) as { stmts?: RawStatement[] }).stmts ?? [];
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

/** A file PostgreSQL's parser refuses: where, and the parser's message. */
export class ParseFailure extends UserError {
  readonly script: string;
  readonly line: number;
  readonly column: number;
  /** The parser's message, e.g. `syntax error at or near "TABEL"`. */
  readonly detail: string;

  constructor(script: string, line: number, column: number, detail: string, cause: unknown) {
    super(`${script}:${line}:${column}: ${detail} (PostgreSQL's parser): fix the SQL.`, { cause });
    this.script = script;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

/** Parses `text` (the contents of `file`); call loadParser() once first. */
export function splitStatements(file: string, text: string): Statement[] {
  try {
    return parseStatements(text);
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } })
      .sqlDetails;
    // The parser's cursor counts characters (code points) from 0, not bytes.
    const prefix = [...text].slice(0, Math.max(0, details?.cursorPosition ?? 0)).join('');
    const { line, column } = positions(Buffer.from(text, 'utf8'))(
      Buffer.byteLength(prefix, 'utf8'),
    );
    throw new ParseFailure(file, line, column, details?.message ?? (error as Error).message, error);
  }
}

/**
 * The PL/pgSQL parse tree of each DO block or plpgsql function in `sql` (PL/pgSQL's own parser:
 * it also refuses what PostgreSQL refuses when it compiles the body, such as an unknown variable).
 */
export function parsePlpgsql(sql: string): Node[] {
  const result = loadedParser().parsePlPgSQLSync(sql) as unknown as { plpgsql_funcs?: Node[] };
  return result.plpgsql_funcs ?? [];
}
