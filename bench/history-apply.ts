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
//     [--rtt-ms 0,0.5,2: a database on another machine, every variant through a TCP proxy that
//      delays each chunk by rtt/2 each way (bench/probes/delay-proxy.py, python3); 0: no proxy]
// Besides the wall time, each run's CPU time (user + system, from /usr/bin/time when it is there):
// on a shared machine the wall time swings with the load, the CPU time much less.
// Prints a table and writes bench/results/history-apply.json. See bench/README.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type PostgresServer, startPostgres } from '../test/postgres/server.ts';
import {
  debianPostgresBin,
  psqlApply,
  psqlArgs,
} from '../test/integration/migrate/histories-world.ts';
import { chooseHistories, combinedHistory, shape } from './history-world.ts';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    histories: { type: 'string', default: 'supabase-storage,temporal' },
    variants: { type: 'string', default: 'psql,cli,action' },
    // Other builds of dist/rds-migrate (e.g. copies from before a change), comma-separated, each
    // `label=dir` or a bare dir: their cli.js runs too.
    compare: { type: 'string' },
    'rtt-ms': { type: 'string', default: '0' },
  },
});
const ROUNDS = Number(args.rounds);
const chosen = chooseHistories(args.histories);
const RTTS = args['rtt-ms'].split(',').map(Number);
if (RTTS.some((rtt) => !(rtt >= 0)))
  throw new Error(`--rtt-ms: milliseconds >= 0, comma-separated`);
const COMPARED = new Map<string, string>(
  (args.compare?.split(',') ?? []).map((entry, i, all) => {
    const [label, dir] = entry.includes('=') ? entry.split('=', 2) : [undefined, entry];
    return [`cli ${label ?? (all.length === 1 ? '(--compare)' : `(--compare ${i + 1})`)}`, dir!];
  }),
);
const VARIANTS = [...args.variants.split(','), ...COMPARED.keys()];
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const loadAtStart = loadavg();

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

/** The mean of 300 `SELECT 1` round trips on one connection through `port`, in ms. */
async function roundTripMs(server: PostgresServer, port: number): Promise<number> {
  const url = server.url('postgres').replace(`:${server.port}/`, `:${port}/`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < 20; i++) await client.query('SELECT 1');
    const started = performance.now();
    for (let i = 0; i < 300; i++) await client.query('SELECT 1');
    return Number(((performance.now() - started) / 300).toFixed(2));
  } finally {
    await client.end();
  }
}

/** A proxy that delays each chunk by rtt/2 each way; resolves to its port once it listens. */
async function delayProxy(
  server: PostgresServer,
  rttMs: number,
): Promise<{ port: number; child: ChildProcess }> {
  const script = join(root, 'bench/probes/delay-proxy.py');
  const child = spawn(
    'python3',
    [script, '0', server.host, String(server.port), String(rttMs / 2)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  for await (const line of createInterface({ input: child.stdout! })) {
    const ready = /^ready (\d+)$/.exec(line);
    if (ready) return { port: Number(ready[1]), child };
  }
  throw new Error(`the delay proxy for ${rttMs} ms exited before it listened`);
}

const bin = debianPostgresBin();
const server = await startPostgres();
const proxies: ChildProcess[] = [];
try {
  const { dir, files } = await combinedHistory(chosen);
  // Which files run outside a transaction: found once, by PostgreSQL, on a scratch database.
  const scratch = await server.createDatabase('scratch');
  for (const history of chosen) await history.setup(server, scratch);
  const inTransaction = new Map<string, boolean>();
  for (const file of files) inTransaction.set(file, await psqlApply(bin, server, scratch, file));
  const expected = await shape(server, scratch);
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
  // Where each RTT reaches PostgreSQL: the server itself at 0, else a proxy of its own.
  const ports = new Map<number, number>();
  for (const rtt of RTTS) {
    if (rtt === 0) ports.set(rtt, server.port);
    else {
      const proxy = await delayProxy(server, rtt);
      proxies.push(proxy.child);
      ports.set(rtt, proxy.port);
    }
  }

  // What a round trip takes through each proxy (the proxy's own wake-ups add to the delay).
  const measured = new Map<number, number>();
  for (const [rtt, port] of ports) measured.set(rtt, await roundTripMs(server, port));

  const key = (rtt: number, variant: string) => `${rtt}\u0000${variant}`;
  const samples = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (const rtt of RTTS)
    for (const v of VARIANTS) [samples, cpu].forEach((m) => m.set(key(rtt, v), []));
  const base = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const rtt of RTTS) {
      const port = ports.get(rtt)!;
      // Interleaved, order rotated each round, so machine noise hits every variant alike.
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      for (const variant of order) {
        const db = await server.createDatabase(`bench_${variant.replace(/\W+/g, '_')}`);
        for (const history of chosen) await history.setup(server, db);
        const url = server.url(db).replace(`:${server.port}/`, `:${port}/`);
        const started = performance.now();
        let cpuMs: number | undefined;
        if (variant === 'psql') {
          const env = { ...base, PGPASSWORD: server.password };
          const through = {
            ...server,
            port,
            url: server.url,
            createDatabase: server.createDatabase,
          };
          cpuMs = await exited(join(bin, 'psql'), psqlArgs(through, db, driver, false), env);
        } else if (variant.startsWith('cli')) {
          const cli = COMPARED.get(variant) ?? join(root, 'dist/rds-migrate');
          cpuMs = await exited(
            process.execPath,
            [join(cli, 'cli.js'), 'apply', '--migrations', dir, '--allow-destructive', 'true'],
            { ...base, DATABASE_URL: url },
          );
        } else {
          cpuMs = await exited(process.execPath, [join(root, 'dist/rds-migrate/index.js')], {
            ...base,
            GITHUB_WORKSPACE: dir,
            INPUT_COMMAND: 'apply',
            INPUT_MIGRATIONS: '.',
            'INPUT_ALLOW-DESTRUCTIVE': 'true',
            'INPUT_DATABASE-URL': url,
          });
        }
        samples.get(key(rtt, variant))!.push(performance.now() - started);
        if (cpuMs !== undefined) cpu.get(key(rtt, variant))!.push(cpuMs);
        const got = await shape(server, db);
        if (got !== expected) throw new Error(`${variant}: the schema differs from psql's`);
      }
    }
  }

  const rows = RTTS.flatMap((rtt) => {
    const psqlMedian = median(samples.get(key(rtt, 'psql')) ?? [NaN]);
    return VARIANTS.map((variant) => {
      const ms = samples.get(key(rtt, variant))!;
      const used = cpu.get(key(rtt, variant))!;
      return {
        rttMs: rtt,
        roundTripMs: measured.get(rtt),
        variant,
        medianMs: Math.round(median(ms)),
        minMs: Math.round(Math.min(...ms)),
        maxMs: Math.round(Math.max(...ms)),
        timesPsql: Number((median(ms) / psqlMedian).toFixed(2)),
        samplesMs: ms.map(Math.round),
        ...(used.length > 0 ? { cpuMedianMs: median(used), cpuSamplesMs: used } : {}),
      };
    });
  });
  const loadAtEnd = loadavg();
  console.log(
    `\n${files.length} files (${chosen.map((h) => h.name).join(' + ')}), ${ROUNDS} rounds, PostgreSQL 18 on 127.0.0.1, psql ${bin}, load ${loadAtStart[0]!.toFixed(2)} → ${loadAtEnd[0]!.toFixed(2)}\n`,
  );
  console.log(
    `Round trip (SELECT 1, mean of 300): ${[...measured].map(([rtt, ms]) => `${rtt} ms → ${ms} ms`).join(', ')}\n`,
  );
  console.log('| RTT | variant | median | min | max | × psql | CPU (median) | samples (ms) |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.rttMs} ms | ${r.variant} | ${r.medianMs} ms | ${r.minMs} | ${r.maxMs} | ${r.timesPsql}× | ${r.cpuMedianMs ?? '—'} ms | ${r.samplesMs.join(', ')} |`,
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
          loadavgAtEnd: loadAtEnd,
        },
        compared: Object.fromEntries(COMPARED),
        node: process.version,
        psql: bin,
        histories: chosen.map((h) => h.name),
        files: files.length,
        rounds: ROUNDS,
        rttMs: RTTS,
        results: rows,
      },
      null,
      2,
    )}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), `bench-history-usage-${process.pid}`), { force: true });
} finally {
  for (const proxy of proxies) proxy.kill();
  await server.stop();
}
