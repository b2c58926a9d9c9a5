// rds-migrate's engine against node-pg-migrate on one PostgreSQL server, in one run:
//   1. apply 1,000 small migrations to a fresh database (each tool its own database), in process,
//      both from the same SQL; rds-migrate also as the action's bundle, process start included;
//   2. parse and lint 10,000 statements (node-pg-migrate has no linter: rds-migrate alone).
//   node bench/migrations.ts [--migrations 1000] [--statements 10000] [--rounds 3]
// Prints a table and writes bench/results/migrations.json. See bench/README.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runner as nodePgMigrate } from 'node-pg-migrate';
import { sleep } from '../src/lib/clock.ts';
import { applyMigrations } from '../src/migrate/apply.ts';
import { historyTable } from '../src/migrate/history.ts';
import { lintMigrations } from '../src/migrate/lint/lint.ts';
import { loadMigrations } from '../src/migrate/migration-set.ts';
import { startPostgres } from '../test/postgres/server.ts';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    migrations: { type: 'string', default: '1000' },
    statements: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
  },
});
const MIGRATIONS = Number(args.migrations);
const STATEMENTS = Number(args.statements);
const ROUNDS = Number(args.rounds);

const migrationSql = (i: number) =>
  `CREATE TABLE t${i} (id bigint PRIMARY KEY, note text);\nINSERT INTO t${i} VALUES (${i}, 'row ${i}');\n`;

function writeMigrations(): { flyway: string; nodePg: string } {
  const base = mkdtempSync(join(tmpdir(), 'bench-migrations-'));
  const flyway = join(base, 'flyway');
  const nodePg = join(base, 'node-pg');
  mkdirSync(flyway);
  mkdirSync(nodePg);
  for (let i = 1; i <= MIGRATIONS; i++) {
    writeFileSync(join(flyway, `V${i}__table_${i}.sql`), migrationSql(i));
    writeFileSync(
      join(nodePg, `${String(i).padStart(6, '0')}_table_${i}.sql`),
      `-- Up Migration\n${migrationSql(i)}`,
    );
  }
  return { flyway, nodePg };
}

/** 10,000 statements of the kinds migrations hold, in files of 100. */
function writeLintCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-lint-'));
  const kinds = [
    (i: number) => `CREATE TABLE l${i} (id bigint PRIMARY KEY, name text, created_at timestamptz)`,
    (i: number) => `CREATE INDEX CONCURRENTLY l${i}_name ON orders (name)`,
    (i: number) => `ALTER TABLE orders ADD COLUMN c${i} text DEFAULT 'x'`,
    (i: number) =>
      `ALTER TABLE orders ADD CONSTRAINT f${i} FOREIGN KEY (a) REFERENCES customers (id) NOT VALID`,
    (i: number) => `UPDATE orders SET note = 'n${i}' WHERE id BETWEEN ${i} AND ${i + 100}`,
    (i: number) => `CREATE OR REPLACE VIEW v${i} AS SELECT id, name FROM orders WHERE id > ${i}`,
    (i: number) => `ALTER TABLE orders DROP COLUMN old${i}`,
    (i: number) => `CREATE INDEX l${i}_x ON orders (x)`,
  ];
  const perFile = 100;
  for (let f = 0; f < STATEMENTS / perFile; f++) {
    const lines: string[] = [];
    for (let s = 0; s < perFile; s++) {
      const i = f * perFile + s;
      lines.push(`${kinds[i % kinds.length]!(i)};`);
    }
    writeFileSync(join(dir, `V${f + 1}__lint_${f + 1}.sql`), `${lines.join('\n')}\n`);
  }
  return dir;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(what: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await what();
  return performance.now() - started;
}

const server = await startPostgres();
try {
  const { flyway, nodePg } = writeMigrations();
  const lintDir = writeLintCorpus();
  const samples: Record<string, number[]> = {
    'rds-migrate engine (in process)': [],
    'node-pg-migrate runner (in process)': [],
    'rds-migrate bundle (process, end to end)': [],
    'rds-migrate lint (parse + 21 rules)': [],
  };
  let findings = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    // Interleaved, order rotated each round, so machine noise hits both alike.
    const order = round % 2 === 0 ? ['node-pg', 'rds', 'bundle'] : ['rds', 'node-pg', 'bundle'];
    for (const which of order) {
      const db = await server.createDatabase(`bench_${which.replace('-', '_')}`);
      if (which === 'rds') {
        const client = new pg.Client({ connectionString: server.url(db) });
        await client.connect();
        samples['rds-migrate engine (in process)']!.push(
          await timed(async () => {
            const migrations = await loadMigrations(flyway);
            lintMigrations(migrations, {
              allowDestructive: false,
              lockTimeoutMs: 5000,
              statementTimeoutMs: 60_000,
            });
            const result = await applyMigrations(
              migrations,
              {
                history: historyTable('"public"', '"rds_migrate_history"'),
                outOfOrder: false,
                baselineVersion: undefined,
                phase: 'all',
                lockWaitMs: 10_000,
                lockTimeoutMs: 5000,
                statementTimeoutMs: 60_000,
                lockRetries: 5,
                retryBaseDelayMs: 1000,
                retryMaxDelayMs: 30_000,
                appliedBy: 'bench',
                commit: null,
              },
              { session: client, sleep, now: () => Date.now() },
            );
            if (result.applied.length !== MIGRATIONS)
              throw new Error(`rds-migrate: ${result.outcome}`);
          }),
        );
        await client.end();
      } else if (which === 'node-pg') {
        samples['node-pg-migrate runner (in process)']!.push(
          await timed(async () => {
            const applied = await nodePgMigrate({
              databaseUrl: server.url(db),
              dir: nodePg,
              migrationsTable: 'pgmigrations',
              direction: 'up',
              count: Infinity,
              log: () => {},
            });
            if (applied.length !== MIGRATIONS) throw new Error('node-pg-migrate applied too few');
          }),
        );
      } else {
        samples['rds-migrate bundle (process, end to end)']!.push(
          await timed(async () => {
            const child = spawn(process.execPath, [join(root, 'dist/rds-migrate/index.js')], {
              cwd: join(flyway, '..'),
              env: {
                PATH: process.env.PATH,
                INPUT_COMMAND: 'apply',
                INPUT_MIGRATIONS: 'flyway',
                'INPUT_DATABASE-URL': server.url(db),
              },
              stdio: ['ignore', 'ignore', 'inherit'],
            });
            const [code] = (await once(child, 'exit')) as [number | null];
            if (code !== 0) throw new Error(`rds-migrate bundle exited ${code}`);
          }),
        );
      }
      const [{ n }] = (await server.query<{ n: number }>(
        db,
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$'",
      )) as [{ n: number }];
      if (n !== MIGRATIONS) throw new Error(`${which}: ${n} tables, expected ${MIGRATIONS}`);
    }
    samples['rds-migrate lint (parse + 21 rules)']!.push(
      await timed(async () => {
        const migrations = await loadMigrations(lintDir);
        findings = lintMigrations(migrations, {
          allowDestructive: false,
          lockTimeoutMs: 5000,
          statementTimeoutMs: 60_000,
        }).length;
      }),
    );
  }

  const rows = Object.entries(samples).map(([variant, ms]) => ({
    variant,
    medianMs: Math.round(median(ms)),
    samplesMs: ms.map(Math.round),
  }));
  const base = rows.find((r) => r.variant.startsWith('node-pg-migrate'))!.medianMs;
  console.log(
    `\n${MIGRATIONS} migrations (2 statements each), ${STATEMENTS} statements linted, ${ROUNDS} rounds, PostgreSQL 18 on 127.0.0.1\n`,
  );
  console.log('| variant | median | × node-pg-migrate | samples (ms) |');
  console.log('| --- | ---: | ---: | --- |');
  for (const r of rows) {
    const ratio = r.variant.includes('lint') ? '—' : `${(r.medianMs / base).toFixed(2)}×`;
    console.log(`| ${r.variant} | ${r.medianMs} ms | ${ratio} | ${r.samplesMs.join(', ')} |`);
  }
  console.log(`\nlint: ${findings} findings over ${STATEMENTS} statements`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/migrations.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
        node: process.version,
        migrations: MIGRATIONS,
        statements: STATEMENTS,
        rounds: ROUNDS,
        lintFindings: findings,
        results: rows,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await server.stop();
}
