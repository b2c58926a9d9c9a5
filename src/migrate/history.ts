// The history table: one row per applied migration (and one per failed multi-part migration
// whose first parts committed, so the next run resumes after them).
import type { SqlSession } from './session.ts';

export interface HistoryRow {
  rank: number;
  version: string | null;
  description: string;
  type: 'versioned' | 'repeatable' | 'baseline';
  script: string;
  checksum: string;
  appliedBy: string;
  commit: string | null;
  appliedAt: Date;
  executionMs: number;
  success: boolean;
  partsApplied: number;
}

export interface HistoryTable {
  /** "schema"."table", quoted. */
  qualified: string;
  schema: string;
  table: string;
}

export function historyTable(schema: string, table: string): HistoryTable {
  return { qualified: `${schema}.${table}`, schema, table };
}

export async function historyExists(session: SqlSession, history: HistoryTable): Promise<boolean> {
  const { rows } = await session.query('SELECT to_regclass($1) IS NOT NULL AS exists', [
    history.qualified,
  ]);
  return rows[0]?.exists === true;
}

/**
 * Creates the table (and its schema) unless it exists: one round trip either way. CREATE SCHEMA
 * runs only when the table is missing: it needs the CREATE privilege on the database even for a
 * schema that exists.
 */
export async function createHistory(session: SqlSession, history: HistoryTable): Promise<void> {
  await session.query(createSql(history));
}

/**
 * Creates the table unless it exists, as createHistory, and reads its rows (readHistory): the two
 * statements in one message, one round trip.
 */
export async function createAndReadHistory(
  session: SqlSession,
  history: HistoryTable,
): Promise<HistoryRow[]> {
  const results: unknown = await session.query(`${createSql(history)};\n${selectSql(history)}`);
  // pg answers a message of several statements with a result each.
  const last = (Array.isArray(results) ? results.at(-1) : results) as {
    rows: Record<string, unknown>[];
  };
  return last.rows.map(historyRow);
}

function createSql(history: HistoryTable): string {
  return `DO $rds_migrate$ BEGIN
  IF to_regclass(${literal(history.qualified)}) IS NULL THEN
  CREATE SCHEMA IF NOT EXISTS ${history.schema};
  CREATE TABLE IF NOT EXISTS ${history.qualified} (
    installed_rank serial PRIMARY KEY,
    version text,
    description text NOT NULL,
    type text NOT NULL CHECK (type IN ('versioned', 'repeatable', 'baseline')),
    script text NOT NULL,
    checksum text NOT NULL,
    applied_by text NOT NULL,
    commit_sha text,
    applied_at timestamptz NOT NULL DEFAULT now(),
    execution_ms integer NOT NULL,
    success boolean NOT NULL,
    parts_applied integer NOT NULL
  );
  END IF;
END $rds_migrate$`;
}

function selectSql(history: HistoryTable): string {
  return `SELECT installed_rank, version, description, type, script, checksum, applied_by, commit_sha,
            applied_at, execution_ms, success, parts_applied
       FROM ${history.qualified} ORDER BY installed_rank`;
}

function historyRow(r: Record<string, unknown>): HistoryRow {
  return {
    rank: Number(r.installed_rank),
    version: r.version as string | null,
    description: r.description as string,
    type: r.type as HistoryRow['type'],
    script: r.script as string,
    checksum: r.checksum as string,
    appliedBy: r.applied_by as string,
    commit: r.commit_sha as string | null,
    appliedAt: r.applied_at as Date,
    executionMs: Number(r.execution_ms),
    success: r.success as boolean,
    partsApplied: Number(r.parts_applied),
  };
}

/** The history's rows, oldest first; none when there is no table (`exists` skips that check). */
export async function readHistory(
  session: SqlSession,
  history: HistoryTable,
  exists?: true,
): Promise<HistoryRow[]> {
  if (!exists && !(await historyExists(session, history))) return [];
  const { rows } = await session.query(selectSql(history));
  return rows.map(historyRow);
}

export type NewHistoryRow = Omit<HistoryRow, 'rank' | 'appliedAt' | 'executionMs'> & {
  executionMs: number | typeof SINCE_BEGIN;
};

/** Records a migration; `replacesFailed` deletes the failed row of a resumed one first. */
export async function recordMigration(
  session: SqlSession,
  history: HistoryTable,
  row: NewHistoryRow,
  replacesFailed = false,
): Promise<void> {
  await session.query(recordSql(history, row, replacesFailed));
}

/**
 * An execution time the server measures: the time since its transaction began (now() is the
 * transaction's start), for migrations sent several to a message.
 */
export const SINCE_BEGIN = 'since-begin';
const ELAPSED_MS_SQL = '(extract(epoch FROM clock_timestamp() - now()) * 1000)::int';

/**
 * The statements that record a migration, values as literals: a simple query, so the caller can
 * send COMMIT in the same round trip (a parameterised INSERT is a round trip of its own).
 */
export function recordSql(
  history: HistoryTable,
  row: NewHistoryRow,
  replacesFailed = false,
): string {
  const insert = `INSERT INTO ${history.qualified}
       (version, description, type, script, checksum, applied_by, commit_sha, execution_ms, success, parts_applied)
     VALUES (${[
       row.version,
       row.description,
       row.type,
       row.script,
       row.checksum,
       row.appliedBy,
       row.commit,
       row.executionMs === SINCE_BEGIN ? SINCE_BEGIN : Math.round(row.executionMs),
       row.success,
       row.partsApplied,
     ]
       .map((v) => (v === SINCE_BEGIN ? ELAPSED_MS_SQL : literal(v)))
       .join(', ')})`;
  if (!replacesFailed) return insert;
  return `DELETE FROM ${history.qualified} WHERE NOT success AND script = ${literal(row.script)} AND checksum = ${literal(row.checksum)};\n${insert}`;
}

/**
 * A value as an SQL literal, whatever standard_conforming_strings says: quotes doubled, and a
 * string with a backslash written E'...' with the backslash doubled (as pg's escapeLiteral).
 */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value !== 'string') return String(value);
  const quoted = `'${value.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`;
  return value.includes('\\') ? `E${quoted}` : quoted;
}
