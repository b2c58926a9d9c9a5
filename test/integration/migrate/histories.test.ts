// Real open-source migration histories (test/fixtures/migration-histories/): rds-migrate's engine
// applies each to a fresh database and must leave the schema psql leaves from the same files
// (pg_dump --schema-only, compared whole), then do nothing on a second apply; the linter must give
// the reviewed findings of each fixture's expected-findings.json.
//   HISTORIES_UPDATE=1 npm test -- test/integration/migrate/histories.test.ts   rewrites those lists
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintMigrations } from '../../../src/migrate/lint/lint.ts';
import { loadMigrations } from '../../../src/migrate/migration-set.ts';
import { type PostgresServer, startPostgres } from '../../postgres/server.ts';
import {
  HISTORIES,
  HISTORIES_ROOT,
  debianPostgresBin,
  psqlApply,
  schemaDump,
} from './histories-world.ts';
import { OPTIONS, apply } from './world.ts';

const HISTORY_TABLE = 'public.schema_history';

let bin: string;
let server: PostgresServer;
beforeAll(async () => {
  bin = debianPostgresBin();
  server = await startPostgres({ bin });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe.each(HISTORIES)('$name', (history) => {
  it('leaves the schema psql leaves from the same files, and a second apply does nothing', async () => {
    const migrations = await loadMigrations(history.dir);
    expect(migrations.length).toBeGreaterThanOrEqual(25);

    const byPsql = await server.createDatabase('psql');
    await history.setup(server, byPsql);
    const outsideByPsql: string[] = [];
    for (const migration of migrations) {
      if (!(await psqlApply(bin, server, byPsql, migration.path))) {
        outsideByPsql.push(migration.script);
      }
    }
    // What PostgreSQL refused in a transaction, rds-migrate runs outside one (it also runs ALTER
    // TYPE ... ADD VALUE alone, which PostgreSQL would allow).
    const outsideByEngine = migrations.filter((m) => m.parts.some((p) => !p.transactional));
    expect(outsideByEngine.map((m) => m.script)).toEqual(expect.arrayContaining(outsideByPsql));

    const byEngine = await server.createDatabase('engine');
    await history.setup(server, byEngine);
    const first = await apply(server, byEngine, history.dir);
    expect(first.result).toMatchObject({ outcome: 'applied' });
    expect(first.result.applied.map((a) => a.script)).toEqual(migrations.map((m) => m.script));

    const dump = await schemaDump(bin, server, byEngine, HISTORY_TABLE);
    expect(dump).toEqual(await schemaDump(bin, server, byPsql, HISTORY_TABLE));
    expect(dump).toMatch(/CREATE TABLE/);

    const second = await apply(server, byEngine, history.dir);
    expect(second.result).toMatchObject({ outcome: 'up-to-date', applied: [] });
    expect(await schemaDump(bin, server, byEngine, HISTORY_TABLE)).toEqual(dump);
    const [{ rows }] = (await server.query<{ rows: number }>(
      byEngine,
      `SELECT count(*)::int AS rows FROM ${OPTIONS.history.qualified} WHERE success`,
    )) as [{ rows: number }];
    expect(rows).toBe(migrations.length);
  }, 60_000);

  it('gives the reviewed lint findings, file by file', async () => {
    const findings = lintMigrations(await loadMigrations(history.dir), {
      allowDestructive: false,
      lockTimeoutMs: 5000,
      statementTimeoutMs: 60_000,
    });
    const actual: Record<string, string[]> = {};
    for (const f of findings) (actual[f.script] ??= []).push(`${f.line} ${f.rule}`);
    const file = join(HISTORIES_ROOT, history.name, 'expected-findings.json');
    if (process.env.HISTORIES_UPDATE === '1') {
      writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    }
    expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });
});
