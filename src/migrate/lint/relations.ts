// Which table a name means. PostgreSQL resolves an unqualified name through search_path, so
// `CREATE TABLE public.t` and `CREATE INDEX ... ON t` name the same table. The linter has no
// database: it takes search_path as PostgreSQL's default ("$user", public, with no schema named
// after the user) until the migration sets it, and then as the migration says.
import type { Statement } from '../parser.ts';
import { list, unwrap } from './ast.ts';

export const DEFAULT_SEARCH_PATH: readonly string[] = ['$user', 'public'];

interface RangeVar {
  relname?: string;
  schemaname?: string;
  relpersistence?: string;
}

/**
 * The schema an unqualified CREATE puts a table in: the first entry of search_path that can hold
 * one ("$user" is taken not to exist, pg_catalog and pg_temp are never chosen). Undefined when none
 * is left (search_path ''): then an unqualified name cannot be told.
 */
export function creationSchema(searchPath: readonly string[]): string | undefined {
  return searchPath.find((s) => s !== '$user' && s !== 'pg_catalog' && !s.startsWith('pg_temp'));
}

/** A table's key: schema and name, joined by NUL, which no PostgreSQL identifier contains. */
export const tableKey = (schema: string, name: string): string => `${schema}\u0000${name}`;

/** The schema of a qualified name, pg_temp for every temporary schema. */
const schemaOf = (r: RangeVar) =>
  r.relpersistence === 't' || r.schemaname?.startsWith('pg_temp') ? 'pg_temp' : r.schemaname;

/**
 * The key of the table a CREATE makes, with `schema` the creation schema of the search_path (a
 * name that is not a new temporary table is found there too); undefined when it cannot be told.
 */
export function createdKey(relation: unknown, schema: string | undefined): string | undefined {
  const r = relation as RangeVar | undefined;
  if (!r?.relname) return undefined;
  const qualified = schemaOf(r) ?? schema;
  return qualified === undefined ? undefined : tableKey(qualified, r.relname);
}

/**
 * The key in `known` that `relation` names, if any: an unqualified name is a temporary table
 * first (it shadows every other), then a table of the creation schema `schema`.
 */
export function knownKey(
  relation: unknown,
  schema: string | undefined,
  known: ReadonlySet<string>,
): string | undefined {
  const r = relation as RangeVar | undefined;
  if (!r?.relname) return undefined;
  const qualified = schemaOf(r);
  const candidates = qualified ? [qualified] : ['pg_temp', schema];
  for (const candidate of candidates) {
    if (candidate !== undefined && known.has(tableKey(candidate, r.relname))) {
      return tableKey(candidate, r.relname);
    }
  }
  return undefined;
}

/**
 * A search_path value as PostgreSQL reads it: comma-separated names, double-quoted ones kept as
 * written, the others folded to lower case.
 */
export function parseSearchPath(value: string): string[] {
  const names: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([^,"\s]+))\s*(?:,|$)/y;
  for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
    names.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!.toLowerCase());
    if (pattern.lastIndex >= value.length) break;
  }
  return names;
}

/**
 * The search_path a statement leaves, or undefined when it does not touch it: SET/RESET
 * search_path (also LOCAL), RESET ALL, and SELECT set_config('search_path', '<constant>', ...).
 */
export function searchPathSet(statement: Statement): readonly string[] | undefined {
  const node = statement.node;
  if (statement.type === 'VariableSetStmt') {
    if (node.kind === 'VAR_RESET_ALL') return DEFAULT_SEARCH_PATH;
    if (String(node.name ?? '').toLowerCase() !== 'search_path') return undefined;
    if (node.kind !== 'VAR_SET_VALUE') return DEFAULT_SEARCH_PATH;
    return list(node.args).flatMap((arg) => {
      const sval = (unwrap(arg, 'A_Const')?.sval as { sval?: string } | undefined)?.sval;
      return sval === undefined ? [] : [sval];
    });
  }
  if (statement.type !== 'SelectStmt') return undefined;
  let path: readonly string[] | undefined;
  for (const target of list(node.targetList)) {
    const call = unwrap(unwrap(target, 'ResTarget')?.val, 'FuncCall');
    const name = unwrap(list(call?.funcname).at(-1), 'String')?.sval;
    if (name !== 'set_config') continue;
    const [setting, value] = list(call?.args).map(
      (a) => (unwrap(a, 'A_Const')?.sval as { sval?: string } | undefined)?.sval,
    );
    if (setting?.toLowerCase() === 'search_path' && value !== undefined) {
      path = parseSearchPath(value);
    }
  }
  return path;
}
