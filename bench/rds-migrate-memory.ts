// rds-migrate's command line against node-pg-migrate's, as processes, side by side in one run:
// peak resident memory of each process tree, wall time, the time from the last line printed to
// the exit (work done -> process gone), and cold start (spawn to first output, and to exit, of
// --help and of a usage error).
//   jobs:    lint of a few migrations (rds-migrate alone: node-pg-migrate has no lint),
//            apply of the same few migrations to a fresh database (node-pg-migrate: up),
//            lint of 10,000 statements (rds-migrate alone), --help, usage error (no arguments).
//   variants of rds-migrate, to show what the parser's V8 flag does:
//     (since the parser's tiering is limited in process, src/migrate/parser-flags.ts, "relaunch" is
//     the shipped command line with no relaunch, and "turbofan" is limited all the same)
//     relaunch   node dist/rds-migrate/cli.js ...        (as shipped before: relaunched itself in a child
//                                                         node with --liftoff-only)
//     liftoff    node --liftoff-only dist/.../cli.js ...  (the child's own command line, alone)
//     turbofan   node --liftoff-only --no-liftoff-only .. (no relaunch, V8's default tiering: the
//                                                         last flag wins; what the bundle did before)
//     execve     node -e 'process.execve(node, [--liftoff-only, cli.js, ...])' ... (an experiment:
//                                                         the relaunch without a parent left)
//   node bench/rds-migrate-memory.ts [--rounds 5] [--migrations 5] [--statements 10000]
// Prints tables and writes bench/results/rds-migrate-memory.json. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../test/postgres/server.ts';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    migrations: { type: 'string', default: '5' },
    statements: { type: 'string', default: '10000' },
  },
});
const ROUNDS = Number(args.rounds);
const MIGRATIONS = Number(args.migrations);
const STATEMENTS = Number(args.statements);

const CLI = join(root, 'dist/rds-migrate/cli.js');
const NODE_PG_MIGRATE = realpathSync(join(root, 'node_modules/.bin/node-pg-migrate'));
const VARIANTS = {
  relaunch: [],
  liftoff: ['--liftoff-only'],
  turbofan: ['--liftoff-only', '--no-liftoff-only'],
  // What a relaunch by process.execve (node >= 23.11) would cost: the process replaces itself with
  // the --liftoff-only one, so no parent node stays resident beside the child.
  execve: [
    '-e',
    `process.execve(process.execPath, [process.execPath, '--liftoff-only', ${JSON.stringify(CLI)}, ...process.argv.slice(1)], process.env)`,
  ],
} as const satisfies Record<string, readonly string[]>;
type Variant = keyof typeof VARIANTS | 'node-pg-migrate';

interface Sample {
  code: number | null;
  wallMs: number;
  firstOutputMs: number | undefined;
  /** From the last chunk of output to the exit of the whole tree. */
  tailMs: number | undefined;
  /** The largest process of the tree (wait4's ru_maxrss, through /usr/bin/time: exact). */
  maxProcessKb: number;
  /** Each process's VmHWM (polled from /proc every few ms), summed: the tree's resident peak. */
  treeKb: number;
  processes: number;
}

/** Node processes under `pid` (inclusive), from /proc/<pid>/task/<pid>/children. */
function tree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8');
      pids.push(...children.split(' ').filter(Boolean).map(Number));
    } catch {
      // Gone already.
    }
  }
  return pids;
}

function hwmKb(pid: number): { name: string; kb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const name = /^Name:\s*(\S+)/m.exec(status)?.[1] ?? '';
    const kb = Number(/^VmHWM:\s*(\d+)/m.exec(status)?.[1] ?? 0);
    return { name, kb };
  } catch {
    return undefined;
  }
}

async function measure(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  expectCode: number,
): Promise<Sample> {
  const timeFile = join(tmpdir(), `bench-time-${process.pid}-${Math.random()}`);
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, ...argv], {
    cwd,
    env: { PATH: process.env.PATH!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let first: number | undefined;
  let last: number | undefined;
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      const now = performance.now();
      first ??= now;
      last = now;
      if (output.length < 20_000) output += chunk.toString();
    });
  }
  // The peak of each node process of the tree; VmHWM only grows, so the last reading is the best.
  const peaks = new Map<number, number>();
  const poll = () => {
    for (const pid of tree(child.pid!)) {
      const hwm = hwmKb(pid);
      if (hwm && hwm.name !== 'time') peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm.kb));
    }
  };
  const timer = setInterval(poll, 3);
  poll();
  const closed = new Promise((resolve) => child.on('close', resolve));
  const code = await new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      clearInterval(timer);
      resolve(c);
    }),
  );
  const ended = performance.now();
  await closed;
  const maxProcessKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  rmSync(timeFile, { force: true });
  if (code !== expectCode) {
    throw new Error(`${argv.join(' ')} exited ${code}, expected ${expectCode}:\n${output}`);
  }
  const polled = [...peaks.values()].reduce((a, b) => a + b, 0);
  return {
    code,
    wallMs: ended - started,
    firstOutputMs: first === undefined ? undefined : first - started,
    tailMs: last === undefined ? undefined : ended - last,
    maxProcessKb,
    // A child that lived between two polls is not in the sum; the exact largest process is.
    treeKb: Math.max(polled, maxProcessKb),
    processes: peaks.size,
  };
}

const migrationSql = (i: number) =>
  `CREATE TABLE t${i} (id bigint PRIMARY KEY, note text);\nCREATE INDEX t${i}_note ON t${i} (note);\nINSERT INTO t${i} VALUES (${i}, 'row ${i}');\n`;

/** The same few migrations, in Flyway's naming for rds-migrate and node-pg-migrate's own. */
function writeWorkspace(): string {
  const base = mkdtempSync(join(tmpdir(), 'bench-rds-memory-'));
  mkdirSync(join(base, 'migrations'));
  mkdirSync(join(base, 'node-pg'));
  for (let i = 1; i <= MIGRATIONS; i++) {
    writeFileSync(join(base, 'migrations', `V${i}__table_${i}.sql`), migrationSql(i));
    writeFileSync(
      join(base, 'node-pg', `${String(i).padStart(6, '0')}_table_${i}.sql`),
      `-- Up Migration\n${migrationSql(i)}`,
    );
  }
  return base;
}

/** 10,000 statements of the kinds migrations hold, in files of 100 (as bench/migrations.ts). */
function writeLintCorpus(): string {
  const base = mkdtempSync(join(tmpdir(), 'bench-rds-memory-lint-'));
  const dir = join(base, 'migrations');
  mkdirSync(dir);
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
  for (let f = 0; f < STATEMENTS / 100; f++) {
    const lines: string[] = [];
    for (let s = 0; s < 100; s++)
      lines.push(`${kinds[(f * 100 + s) % kinds.length]!(f * 100 + s)};`);
    writeFileSync(join(dir, `V${f + 1}__lint_${f + 1}.sql`), `${lines.join('\n')}\n`);
  }
  return base;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

type Job = 'lint' | 'apply' | 'lint-10k' | 'help' | 'usage-error';
const JOBS: Record<Job, Variant[]> = {
  lint: ['relaunch', 'liftoff', 'turbofan', 'execve'],
  apply: ['relaunch', 'liftoff', 'turbofan', 'execve', 'node-pg-migrate'],
  'lint-10k': ['relaunch', 'liftoff', 'turbofan', 'execve'],
  help: ['relaunch', 'liftoff', 'turbofan', 'node-pg-migrate'],
  'usage-error': ['relaunch', 'liftoff', 'turbofan', 'node-pg-migrate'],
};

const server = await startPostgres();
const samples = new Map<string, Sample[]>();
const key = (job: Job, variant: Variant) => `${job}\t${variant}`;
try {
  const workspace = writeWorkspace();
  const corpus = writeLintCorpus();
  // Warm the file cache and the database once, untimed.
  await measure([CLI, 'lint'], workspace, {}, 0);
  await measure([NODE_PG_MIGRATE, '--help'], workspace, {}, 0);

  for (let round = 1; round <= ROUNDS; round++) {
    for (const job of Object.keys(JOBS) as Job[]) {
      // Interleaved, the order rotated each round, so the machine's noise hits every variant.
      const variants = JOBS[job];
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const variant of order) {
        const ours = variant !== 'node-pg-migrate';
        const program = !ours
          ? [NODE_PG_MIGRATE]
          : variant === 'execve'
            ? [...VARIANTS[variant]]
            : [...VARIANTS[variant], CLI];
        let sample: Sample;
        if (job === 'lint' || job === 'lint-10k') {
          sample = await measure(
            [...program, 'lint'],
            job === 'lint' ? workspace : corpus,
            {},
            job === 'lint' ? 0 : 1,
          );
        } else if (job === 'apply') {
          const db = await server.createDatabase(`bench_${variant.replace(/-/g, '_')}`);
          const env = { DATABASE_URL: server.url(db) };
          sample = ours
            ? await measure([...program, 'apply'], workspace, env, 0)
            : await measure([...program, 'up', '-m', 'node-pg', '--no-verbose'], workspace, env, 0);
          const [{ n }] = (await server.query<{ n: number }>(
            db,
            "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$'",
          )) as [{ n: number }];
          if (n !== MIGRATIONS) throw new Error(`${variant}: ${n} tables, expected ${MIGRATIONS}`);
        } else if (job === 'help') {
          sample = await measure([...program, '--help'], workspace, {}, 0);
        } else {
          sample = await measure(program, workspace, {}, ours ? 2 : 1);
        }
        const list = samples.get(key(job, variant)) ?? [];
        list.push(sample);
        samples.set(key(job, variant), list);
      }
    }
    process.stderr.write(`round ${round}/${ROUNDS} done (load ${loadavg()[0]!.toFixed(1)})\n`);
  }
} finally {
  await server.stop();
}

const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const ms = (value: number) => Math.round(value);
const rows = [...samples].map(([k, list]) => {
  const [job, variant] = k.split('\t') as [Job, Variant];
  const med = (pick: (s: Sample) => number | undefined) => {
    const values = list.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  return {
    job,
    variant,
    runs: list.length,
    treePeakMb: mb(med((s) => s.treeKb)!),
    largestProcessMb: mb(med((s) => s.maxProcessKb)!),
    processes: med((s) => s.processes),
    wallMs: ms(med((s) => s.wallMs)!),
    firstOutputMs:
      med((s) => s.firstOutputMs) === undefined ? null : ms(med((s) => s.firstOutputMs)!),
    lastOutputToExitMs: med((s) => s.tailMs) === undefined ? null : ms(med((s) => s.tailMs)!),
    samples: list.map((s) => ({
      treeMb: mb(s.treeKb),
      largestMb: mb(s.maxProcessKb),
      wallMs: ms(s.wallMs),
      firstOutputMs: s.firstOutputMs === undefined ? null : ms(s.firstOutputMs),
      tailMs: s.tailMs === undefined ? null : ms(s.tailMs),
    })),
  };
});

const NAMES: Record<Variant, string> = {
  relaunch: 'rds-migrate (as shipped: one process, the parser limited in process)',
  liftoff: 'rds-migrate with node --liftoff-only (how it shipped before)',
  turbofan: 'rds-migrate with --liftoff-only --no-liftoff-only',
  execve: 'rds-migrate relaunched by process.execve (experiment: no parent)',
  'node-pg-migrate': 'node-pg-migrate',
};
console.log(
  `\n${MIGRATIONS} migrations (3 statements each), ${STATEMENTS} statements for lint-10k, ${ROUNDS} rounds (medians), node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log(
  '| job | variant | tree peak RSS | largest process | wall | first output | last output → exit |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.job} | ${NAMES[r.variant]} | ${r.treePeakMb} MB | ${r.largestProcessMb} MB | ${r.wallMs} ms | ${r.firstOutputMs ?? '—'} ms | ${r.lastOutputToExitMs ?? '—'} ms |`,
  );
}

const row = (job: Job, variant: Variant) =>
  rows.find((r) => r.job === job && r.variant === variant)!;
const goals = {
  peakUnder128Mb: (['lint', 'apply'] as Job[]).every((j) => row(j, 'relaunch').treePeakMb < 128),
  exitWithin100MsOfWorkEnd: (['lint', 'apply', 'lint-10k'] as Job[]).every(
    (j) => (row(j, 'relaunch').lastOutputToExitMs ?? Infinity) <= 100,
  ),
  coldStartRatio: {
    help: row('help', 'relaunch').wallMs / row('help', 'node-pg-migrate').wallMs,
    usageError:
      row('usage-error', 'relaunch').wallMs / row('usage-error', 'node-pg-migrate').wallMs,
  },
};
console.log(
  `\ngoals: peak under 128 MB (lint, apply): ${goals.peakUnder128Mb}; exit within 100 ms of the last line: ${goals.exitWithin100MsOfWorkEnd}; cold start ×node-pg-migrate: --help ${goals.coldStartRatio.help.toFixed(2)}, usage error ${goals.coldStartRatio.usageError.toFixed(2)} (goal ≤ 1.5)`,
);

mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/rds-migrate-memory.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      command: `node bench/rds-migrate-memory.ts --rounds ${ROUNDS} --migrations ${MIGRATIONS} --statements ${STATEMENTS}`,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() },
      node: process.version,
      migrations: MIGRATIONS,
      statements: STATEMENTS,
      rounds: ROUNDS,
      variants: NAMES,
      goals,
      results: rows,
    },
    null,
    2,
  )}\n`,
);
