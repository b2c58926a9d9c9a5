// A full apply of a real migration history, rds-migrate's bundles against psql, side by side in one
// run, on the embedded PostgreSQL 18 (test/postgres/server.ts):
//   psql         one `psql -X -q -v ON_ERROR_STOP=1 -f <driver>` whose driver script runs
//                `BEGIN; \i <file> COMMIT;` for each file in order (without BEGIN/COMMIT for the
//                files PostgreSQL refuses in a transaction block: CREATE INDEX CONCURRENTLY): one
//                process and one connection, like rds-migrate;
//   cli          node dist/rds-migrate/cli.js apply (DATABASE_URL in the environment);
//   action       node dist/rds-migrate/index.js with command: apply, as the runner starts it.
// Each run gets a fresh database; timed from spawn to the exit of the last process. The history is
// the fixtures of test/fixtures/migration-histories/ named by --histories, one after the other,
// renumbered V1, V2, … into one directory (88 files by default: Supabase Storage's 63, then
// Temporal's 25).
//   node_modules/.bin/node bench/history-apply.ts [--rounds 7] [--histories supabase-storage,temporal]
//     [--variants psql,cli,action] [--compare [label=]<another dist/rds-migrate>,...: its cli.js timed too]
// Besides the wall time, each run's CPU time (user + system, from /usr/bin/time when it is there):
// on a shared machine the wall time swings with the load, the CPU time much less.
// Prints a table and writes bench/results/history-apply.json. See bench/README.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lintMigrations } from '../src/migrate/lint/lint.ts';
import { loadMigrations } from '../src/migrate/migration-set.ts';
import { startPostgres } from '../test/postgres/server.ts';
import {
  HISTORIES,
  debianPostgresBin,
  psqlApply,
  psqlArgs,
} from '../test/integration/migrate/histories-world.ts';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    histories: { type: 'string', default: 'supabase-storage,temporal' },
    variants: { type: 'string', default: 'psql,cli,action' },
    // Other builds of dist/rds-migrate (e.g. copies from before a change), comma-separated, each
    // `label=dir` or a bare dir: their cli.js runs too.
    compare: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const chosen = args.histories.split(',').map((name) => {
  const history = HISTORIES.find((h) => h.name === name);
  if (!history) throw new Error(`no fixture ${name}: one of ${HISTORIES.map((h) => h.name)}`);
  return history;
});
const COMPARED = new Map<string, string>(
  (args.compare?.split(',') ?? []).map((entry, i, all) => {
    const [label, dir] = entry.includes('=') ? entry.split('=', 2) : [undefined, entry];
    return [`cli ${label ?? (all.length === 1 ? '(--compare)' : `(--compare ${i + 1})`)}`, dir!];
  }),
);
const VARIANTS = [...args.variants.split(','), ...COMPARED.keys()];
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const loadAtStart = loadavg();

/**
 * One directory of the chosen histories in order, renumbered. rds-migrate now applies a history to
 * a new database without blocking on its findings, but builds before database-state (run with
 * `--compare`) block; the copy waives the blocking findings at the end of each statement's first
 * line, which changes no statement, so every build does the same work.
 */
async function combinedHistory(): Promise<{ dir: string; files: string[] }> {
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

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs the command to its exit; returns its CPU time (user + system, ms) when /usr/bin/time is there. */
async function exited(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<number | undefined> {
  const usage = join(tmpdir(), `bench-history-usage-${process.pid}`);
  const [file, all] = TIME
    ? [TIME, ['-f', '%U %S', '-o', usage, command, ...argv]]
    : [command, argv];
  const child = spawn(file, all, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${code}:\n${stderr}`);
  if (!TIME) return undefined;
  const [user, system] = readFileSync(usage, 'utf8').trim().split('\n').at(-1)!.split(' ');
  return Math.round((Number(user) + Number(system)) * 1000);
}

const bin = debianPostgresBin();
const server = await startPostgres();
try {
  const { dir, files } = await combinedHistory();
  // Which files run outside a transaction: found once, by PostgreSQL, on a scratch database.
  const scratch = await server.createDatabase('scratch');
  for (const history of chosen) await history.setup(server, scratch);
  const inTransaction = new Map<string, boolean>();
  for (const file of files) inTransaction.set(file, await psqlApply(bin, server, scratch, file));
  const expected = await shape(scratch);
  const driver = join(dir, 'psql-driver.psql');
  writeFileSync(
    driver,
    files
      .map((file) => {
        const include = `\\i ${file}`;
        return inTransaction.get(file) ? `BEGIN;\n${include}\nCOMMIT;\n` : `${include}\n`;
      })
      .join(''),
  );

  const samples: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const base = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (let round = 1; round <= ROUNDS; round++) {
    // Interleaved, order rotated each round, so machine noise hits every variant alike.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
    for (const variant of order) {
      const db = await server.createDatabase(`bench_${variant.replace(/\W+/g, '_')}`);
      for (const history of chosen) await history.setup(server, db);
      const started = performance.now();
      let cpuMs: number | undefined;
      if (variant === 'psql') {
        const env = { ...base, PGPASSWORD: server.password };
        cpuMs = await exited(join(bin, 'psql'), psqlArgs(server, db, driver, false), env);
      } else if (variant.startsWith('cli')) {
        const cli = COMPARED.get(variant) ?? join(root, 'dist/rds-migrate');
        cpuMs = await exited(
          process.execPath,
          [join(cli, 'cli.js'), 'apply', '--migrations', dir, '--allow-destructive', 'true'],
          { ...base, DATABASE_URL: server.url(db) },
        );
      } else {
        cpuMs = await exited(process.execPath, [join(root, 'dist/rds-migrate/index.js')], {
          ...base,
          GITHUB_WORKSPACE: dir,
          INPUT_COMMAND: 'apply',
          INPUT_MIGRATIONS: '.',
          'INPUT_ALLOW-DESTRUCTIVE': 'true',
          'INPUT_DATABASE-URL': server.url(db),
        });
      }
      samples[variant]!.push(performance.now() - started);
      if (cpuMs !== undefined) cpu[variant]!.push(cpuMs);
      const got = await shape(db);
      if (got !== expected) throw new Error(`${variant}: the schema differs from psql's`);
    }
  }

  const psqlMedian = median(samples.psql ?? [NaN]);
  const rows = Object.entries(samples).map(([variant, ms]) => ({
    variant,
    medianMs: Math.round(median(ms)),
    minMs: Math.round(Math.min(...ms)),
    maxMs: Math.round(Math.max(...ms)),
    timesPsql: Number((median(ms) / psqlMedian).toFixed(2)),
    samplesMs: ms.map(Math.round),
    ...(cpu[variant]!.length > 0
      ? { cpuMedianMs: median(cpu[variant]!), cpuSamplesMs: cpu[variant]! }
      : {}),
  }));
  console.log(
    `\n${files.length} files (${chosen.map((h) => h.name).join(' + ')}), ${ROUNDS} rounds, PostgreSQL 18 on 127.0.0.1, psql ${bin}\n`,
  );
  console.log('| variant | median | min | max | × psql | CPU (median) | samples (ms) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.variant} | ${r.medianMs} ms | ${r.minMs} | ${r.maxMs} | ${r.timesPsql}× | ${r.cpuMedianMs ?? '—'} ms | ${r.samplesMs.join(', ')} |`,
    );
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/history-apply.json'),
    `${JSON.stringify(
      {
        command: `node bench/history-apply.ts ${process.argv.slice(2).join(' ')}`.trim(),
        date: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          loadavgAtStart: loadAtStart,
          loadavgAtEnd: loadavg(),
        },
        compared: Object.fromEntries(COMPARED),
        node: process.version,
        psql: bin,
        histories: chosen.map((h) => h.name),
        files: files.length,
        rounds: ROUNDS,
        results: rows,
      },
      null,
      2,
    )}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), `bench-history-usage-${process.pid}`), { force: true });
} finally {
  await server.stop();
}

/** What a run must leave: every relation, function and type of the database, by schema and kind. */
async function shape(database: string): Promise<string> {
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
