// The history the rds-migrate benches apply (history-apply.ts, history-timeline.ts): fixtures of
// test/fixtures/migration-histories/ renumbered into one directory, and what a run must leave.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintMigrations } from '../src/migrate/lint/lint.ts';
import { loadMigrations } from '../src/migrate/migration-set.ts';
import type { PostgresServer } from '../test/postgres/server.ts';
import { HISTORIES, type History } from '../test/integration/migrate/histories-world.ts';

export function chooseHistories(names: string): History[] {
  return names.split(',').map((name) => {
    const history = HISTORIES.find((h) => h.name === name);
    if (!history) throw new Error(`no fixture ${name}: one of ${HISTORIES.map((h) => h.name)}`);
    return history;
  });
}

/**
 * One directory of the chosen histories in order, renumbered. rds-migrate now applies a history to
 * a new database without blocking on its findings, but builds before database-state (run with
 * `--compare`) block; the copy waives the blocking findings at the end of each statement's first
 * line, which changes no statement, so every build does the same work.
 */
export async function combinedHistory(
  chosen: readonly History[],
): Promise<{ dir: string; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-history-'));
  let n = 0;
  for (const history of chosen) {
    for (const migration of await loadMigrations(history.dir)) {
      const name = `V${++n}__${history.name}_${migration.script.replace(/^V[^_]+__/, '')}`;
      copyFileSync(migration.path, join(dir, name));
    }
  }
  const migrations = await loadMigrations(dir);
  const findings = lintMigrations(migrations, {
    allowDestructive: true,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
  }).filter((f) => f.severity === 'error');
  for (const migration of migrations) {
    const mine = findings.filter((f) => f.script === migration.script);
    if (mine.length === 0) continue;
    const lines = migration.text.split('\n');
    for (const line of new Set(mine.map((f) => f.line))) {
      const rules = [...new Set(mine.filter((f) => f.line === line).map((f) => f.rule))];
      lines[line - 1] += ` -- rds-migrate: allow ${rules.join(', ')} because bench`;
    }
    writeFileSync(migration.path, lines.join('\n'));
  }
  return { dir, files: migrations.map((m) => m.path) };
}

/** What a run must leave: every relation, function and type of the database, by schema and kind. */
export async function shape(server: PostgresServer, database: string): Promise<string> {
  const rows = await server.query<{ line: string }>(
    database,
    `SELECT n.nspname::text || ' ' || c.relkind::text || ' ' || c.relname::text AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relname NOT LIKE 'rds_migrate_history%'
     UNION ALL SELECT n.nspname::text || ' f ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
     ORDER BY 1`,
  );
  return rows.map((r) => r.line).join('\n');
}
