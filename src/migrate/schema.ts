// The schema the migrations produce, read from the catalog: what `validate` reports.
import type { DatabaseFacts } from './database-state.ts';
import { type HistoryTable, historyExists as historyTableExists } from './history.ts';
import type { SqlSession } from './session.ts';

export interface SchemaTable {
  name: string;
  columns: { name: string; type: string; nullable: boolean; default: string | null }[];
  constraints: string[];
  indexes: string[];
}

export interface SchemaSummary {
  tables: SchemaTable[];
  views: string[];
  sequences: string[];
  types: string[];
  functions: string[];
}

const USER_NAMESPACES = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'`;

/** Everything in user schemas, except the history table given as "schema"."table". */
export async function describeSchema(
  session: SqlSession,
  historyTable: string,
): Promise<SchemaSummary> {
  const rows = async (sql: string, params: unknown[] = []) =>
    (await session.query(sql, params)).rows;
  const tables = await rows(
    `SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND ${USER_NAMESPACES} AND c.oid <> COALESCE(to_regclass($1), 0)
      ORDER BY 2`,
    [historyTable],
  );
  const result: SchemaSummary = { tables: [], views: [], sequences: [], types: [], functions: [] };
  for (const table of tables) {
    const columns = await rows(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
              pg_get_expr(d.adbin, d.adrelid) AS default
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [table.oid],
    );
    const constraints = await rows(
      `SELECT format('%I %s', conname, pg_get_constraintdef(oid)) AS def FROM pg_constraint
        WHERE conrelid = $1 AND contype <> 'n' ORDER BY conname`,
      [table.oid],
    );
    const indexes = await rows(
      `SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = $1 ORDER BY 1`,
      [table.oid],
    );
    result.tables.push({
      name: table.name as string,
      columns: columns.map((c) => ({
        name: c.name as string,
        type: c.type as string,
        nullable: c.nullable as boolean,
        default: (c.default as string | null) ?? null,
      })),
      constraints: constraints.map((c) => c.def as string),
      indexes: indexes.map((i) => i.def as string),
    });
  }
  const names = async (sql: string) => (await rows(sql)).map((r) => r.name as string);
  result.views = await names(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('v', 'm') AND ${USER_NAMESPACES} ORDER BY 1`,
  );
  result.sequences = await names(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S' AND ${USER_NAMESPACES} ORDER BY 1`,
  );
  result.types = await names(
    `SELECT format('%I.%I', n.nspname, t.typname) ||
            CASE t.typtype WHEN 'e' THEN ' enum (' || (SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid) || ')' ELSE ' ' || t.typtype::text END AS name
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype IN ('e', 'd') AND ${USER_NAMESPACES} ORDER BY 1`,
  );
  result.functions = await names(
    `SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS name
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE ${USER_NAMESPACES} ORDER BY 1`,
  );
  return result;
}

export function schemaMarkdown(schema: SchemaSummary): string {
  const lines: string[] = [];
  for (const table of schema.tables) {
    lines.push(
      `**${table.name}**`,
      '',
      '| Column | Type | Null | Default |',
      '| --- | --- | --- | --- |',
    );
    for (const c of table.columns) {
      lines.push(
        `| ${c.name} | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${c.default ?? ''} |`.replace(
          /\n/g,
          ' ',
        ),
      );
    }
    for (const c of table.constraints) lines.push('', `- constraint ${c}`);
    for (const i of table.indexes) lines.push('', `- ${i}`);
    lines.push('');
  }
  for (const [label, items] of [
    ['Views', schema.views],
    ['Sequences', schema.sequences],
    ['Types', schema.types],
    ['Functions', schema.functions],
  ] as const) {
    if (items.length > 0) lines.push(`${label}: ${items.map((i) => `\`${i}\``).join(', ')}`, '');
  }
  return lines.join('\n').trim() || 'The migrations create nothing.';
}

/** How many of the user's own objects are named; the count says how many there are. */
const NAMED_OBJECTS = 3;

/**
 * What tells a live database from a new one: the history's rows, and the user's own relations
 * (see DatabaseFacts). Names are printable: a quoted identifier may hold a line break.
 */
export async function inspectDatabase(
  session: SqlSession,
  history: HistoryTable,
  /** The history's rows, when the caller has just read them (the plan has): not counted again. */
  historyRows: number | undefined = undefined,
): Promise<DatabaseFacts> {
  const { rows } = await session.query(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name, count(*) OVER () AS total
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${USER_NAMESPACES}
        AND c.oid <> COALESCE(to_regclass($1), 0)
        AND NOT EXISTS (
          SELECT 1 FROM pg_depend d
           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
      ORDER BY 1 LIMIT ${NAMED_OBJECTS}`,
    [history.qualified],
  );
  return {
    historyRows: historyRows ?? (await countHistory(session, history)),
    // eslint-disable-next-line no-control-regex -- control characters are what it replaces
    objects: rows.map((r) => String(r.name).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')),
    objectCount: Number(rows[0]?.total ?? 0),
  };
}

async function countHistory(session: SqlSession, history: HistoryTable): Promise<number> {
  if (!(await historyTableExists(session, history))) return 0;
  const counted = await session.query(`SELECT count(*)::int AS n FROM ${history.qualified}`);
  return Number(counted.rows[0]?.n ?? 0);
}
