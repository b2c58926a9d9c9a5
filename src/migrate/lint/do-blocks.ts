// The statements a DO block runs, so they are linted like the migration's own: its PL/pgSQL body
// parsed by PostgreSQL's PL/pgSQL parser, every static SQL statement in it (inside IF, loops,
// nested blocks and exception handlers) parsed again as SQL, each placed at its line in the file.
// A function body is not run by the migration, so CREATE FUNCTION is not opened. What cannot be
// read (EXECUTE of a built string, another language, a body PL/pgSQL refuses) is told as a gap.
import { type Node, type Statement, parsePlpgsql, parseStatements } from '../parser.ts';
import { list, unwrap } from './ast.ts';

/** A statement to lint, with the DO blocks it runs in, outermost first. */
export interface Unit {
  statement: Statement;
  blocks: Statement[];
}

/** Where a DO block could not be fully checked, and why. */
export interface Gap {
  line: number;
  column: number;
  detail: string;
  blocks: Statement[];
}

interface Found {
  lineno: number;
  query?: string;
}

const chars = (text: string) => [...text].length;

/** The DO block's body, its language, and where the body starts in the statement's text. */
function bodyOf(statement: Statement): { body: string; language: string; start: number } {
  let body = '';
  let language = 'plpgsql';
  for (const arg of list(statement.node.args)) {
    const option = unwrap(arg, 'DefElem');
    const value = String(unwrap(option?.arg, 'String')?.sval ?? '');
    if (option?.defname === 'as') body = value;
    if (option?.defname === 'language') language = value.toLowerCase();
  }
  const opening = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$|[eE]?'/.exec(statement.sql);
  const after = opening ? opening.index + opening[0].length : 0;
  const at = statement.sql.indexOf(body, after);
  return { body, language, start: at === -1 ? after : at };
}

/** Every statement the PL/pgSQL tree runs: static ones with their text, dynamic ones without. */
function statementsOfTree(node: unknown, into: Found[] = []): Found[] {
  if (Array.isArray(node)) for (const item of node) statementsOfTree(item, into);
  else if (node && typeof node === 'object') {
    for (const [type, value] of Object.entries(node)) {
      const fields = value as Record<string, unknown> | undefined;
      const lineno = Number(fields?.lineno ?? 0);
      // PL/pgSQL keeps a nested DO (and CALL) as a call statement.
      if (type === 'PLpgSQL_stmt_execsql' || type === 'PLpgSQL_stmt_call') {
        const query = unwrap(fields?.sqlstmt ?? fields?.expr, 'PLpgSQL_expr')?.query;
        into.push({ lineno, query: String(query ?? '') });
      } else if (type.startsWith('PLpgSQL_stmt_dyn') || fields?.dynquery) {
        const text = unwrap(fields?.query ?? fields?.dynquery, 'PLpgSQL_expr')?.query;
        const constant = constantString(String(text ?? ''));
        into.push(constant === undefined ? { lineno } : { lineno, query: constant });
      }
      statementsOfTree(value, into);
    }
  }
  return into;
}

/**
 * The SQL an EXECUTE runs when it is one string constant ('…' with '' for a quote, or $tag$…$tag$),
 * so it is linted like a static statement; undefined when the string is built at run time.
 */
export function constantString(expression: string): string | undefined {
  const text = expression.trim();
  const quoted = /^'((?:[^']|'')*)'$/s.exec(text);
  if (quoted) return quoted[1]!.replaceAll("''", "'");
  const dollar = /^(\$(?:[A-Za-z_][\w]*)?\$)([\s\S]*)\1$/.exec(text);
  return dollar ? dollar[2] : undefined;
}

/** Line and column in the file of a place in the block's body (line 1 is the opening line). */
function placeIn(
  body: { text: string; line: number; column: number },
  lineno: number,
  query: string | undefined,
): { line: number; column: number } {
  const text = body.text.split('\n')[lineno - 1] ?? '';
  const firstColumn = lineno === 1 ? body.column : 1;
  const head = query?.split('\n')[0] ?? '';
  let index = head ? text.indexOf(head) : -1;
  if (index === -1) index = text.search(/\S/);
  return {
    line: body.line + lineno - 1,
    column: firstColumn + (index === -1 ? 0 : chars(text.slice(0, index))),
  };
}

/**
 * The migration's statements with each DO block's statements after it, in file order, and the
 * gaps: what in a block the linter could not read.
 */
export function expandDoBlocks(
  statements: readonly Statement[],
  blocks: Statement[] = [],
): { units: Unit[]; gaps: Gap[] } {
  const units: Unit[] = [];
  const gaps: Gap[] = [];
  for (const statement of statements) {
    units.push({ statement, blocks });
    if (statement.type !== 'DoStmt') continue;
    const inner = [...blocks, statement];
    const gap = (where: { line: number; column: number }, detail: string) =>
      gaps.push({ ...where, detail, blocks: inner });
    const { body, language, start } = bodyOf(statement);
    if (language !== 'plpgsql') {
      gap(statement, `DO block in LANGUAGE ${language}`);
      continue;
    }
    const prefix = statement.sql.slice(0, start);
    const newlines = prefix.split('\n').length - 1;
    const place = {
      text: body,
      line: statement.line + newlines,
      column:
        newlines === 0 ? statement.column + chars(prefix) : chars(prefix.split('\n').at(-1)!) + 1,
    };
    let found: Found[];
    try {
      found = parsePlpgsql(statement.sql).flatMap((f: Node) => statementsOfTree(f));
    } catch (error) {
      gap(statement, `DO block refused by PL/pgSQL's parser: ${(error as Error).message}`);
      continue;
    }
    const parsed: Statement[] = [];
    const dynamic: { line: number; column: number }[] = [];
    for (const { lineno, query } of found.sort((a, b) => a.lineno - b.lineno)) {
      const at = placeIn(place, Math.max(1, lineno), query);
      if (query === undefined) {
        dynamic.push(at);
        continue;
      }
      try {
        for (const s of parseStatements(query)) {
          parsed.push({
            ...s,
            line: at.line + s.line - 1,
            column: s.line === 1 ? at.column + s.column - 1 : s.column,
          });
        }
      } catch (error) {
        gap(at, `statement in the DO block that did not parse: ${(error as Error).message}`);
      }
    }
    // One notice per block, at its first EXECUTE of a built string, naming every line.
    if (dynamic.length > 0) gap(dynamic[0]!, builtAtRunTime(dynamic, statement.line));
    const nested = expandDoBlocks(parsed, inner);
    units.push(...nested.units);
    gaps.push(...nested.gaps);
  }
  return { units, gaps };
}

/** "3 statements built at run time (EXECUTE) at lines 22, 26, 30 of the DO block at line 12". */
function builtAtRunTime(places: readonly { line: number }[], blockLine: number): string {
  const lines = places.map((p) => p.line);
  const shownLines =
    lines.slice(0, 8).join(', ') + (lines.length > 8 ? ` and ${lines.length - 8} more` : '');
  const what =
    lines.length === 1
      ? `statement built at run time (EXECUTE) at line ${shownLines}`
      : `${lines.length} statements built at run time (EXECUTE) at lines ${shownLines}`;
  return `${what} of the DO block at line ${blockLine}`;
}
