// A failed CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) leaves an INVALID index behind:
// it costs writes and blocks a retry with the same name. Compare the invalid indexes of the
// table before and after the statement, and drop the new ones.
import type { Statement } from './parser.ts';
import type { SqlSession } from './session.ts';

export interface InvalidIndex {
  oid: number;
  /** Schema-qualified, quoted: ready for DROP INDEX. */
  name: string;
}

/** The table a concurrent index statement works on, as text for regclass, or undefined. */
export function concurrentIndexTable(statement: Statement): string | undefined {
  if (statement.type !== 'IndexStmt' && statement.type !== 'ReindexStmt') return undefined;
  const relation = statement.node.relation as { relname?: string; schemaname?: string } | undefined;
  if (!relation?.relname) return undefined;
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  return relation.schemaname
    ? `${quote(relation.schemaname)}.${quote(relation.relname)}`
    : quote(relation.relname);
}

/**
 * Invalid indexes on `table` — or, for REINDEX INDEX, on the table of that index. Empty when the
 * relation does not exist.
 */
export async function invalidIndexes(session: SqlSession, table: string): Promise<InvalidIndex[]> {
  const { rows } = await session.query(
    `WITH target AS (
       SELECT COALESCE((SELECT indrelid FROM pg_index WHERE indexrelid = to_regclass($1)), to_regclass($1)) AS relid
     )
     SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE i.indrelid = (SELECT relid FROM target) AND NOT i.indisvalid`,
    [table],
  );
  return rows.map((r) => ({ oid: Number(r.oid), name: r.name as string }));
}

/** Drops the invalid indexes on `table` that were not in `before`; returns their names. */
export async function dropNewInvalidIndexes(
  session: SqlSession,
  table: string,
  before: readonly InvalidIndex[],
): Promise<string[]> {
  const known = new Set(before.map((i) => i.oid));
  const dropped: string[] = [];
  for (const index of await invalidIndexes(session, table)) {
    if (known.has(index.oid)) continue;
    await session.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`);
    dropped.push(index.name);
  }
  return dropped;
}
