// Where an rds-migrate apply of the bench's history spends its time, per thread: runs a bundle
// under bench/probes/timeline.mjs (marks at node's start, each bundle file's load, the worker's
// start and messages, the socket's traffic, each printed line, the exit), each run on a fresh
// database, and prints the medians of chosen marks (wall ms since spawn, and the thread's CPU).
//   node_modules/.bin/node bench/history-timeline.ts [--runs 7] [--variant action|cli]
//     [--dist [label=]dist/rds-migrate,...] [--raw]   (several builds: their runs alternate, a
//     column each; --raw: every mark of each build's last run)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../test/postgres/server.ts';
import { chooseHistories, combinedHistory, shape } from './history-world.ts';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    variant: { type: 'string', default: 'action' },
    dist: { type: 'string', default: join(root, 'dist/rds-migrate') },
    histories: { type: 'string', default: 'supabase-storage,temporal' },
    raw: { type: 'boolean', default: false },
  },
});
const DISTS = args.dist.split(',').map((entry) => {
  const [label, dir] = entry.includes('=') ? entry.split('=', 2) : [entry, entry];
  return { label: label!, dir: resolve(dir!) };
});
const chosen = chooseHistories(args.histories);
interface Mark {
  what: string;
  t: number;
  cpu: number;
}
interface Thread {
  thread: number;
  marks: Mark[];
}

/** The marks summed up: label → the matching mark of a thread (first or last match). */
const KEY: { label: string; main: boolean; match: RegExp; last?: boolean; after?: RegExp }[] = [
  { label: "node's start (preload runs)", main: true, match: /^preload$/ },
  { label: 'first bundle file loaded', main: true, match: /^load / },
  { label: 'worker created', main: true, match: /^worker new$/ },
  { label: 'worker constructor returned', main: true, match: /^worker constructed$/ },
  { label: 'socket connect', main: true, match: /^socket connect$/ },
  { label: '"Found N migrations" printed', main: true, match: /^print Found/ },
  { label: 'first bytes from the server', main: true, match: /^socket data$/ },
  { label: 'lock held (printed)', main: true, match: /^print Holding/ },
  {
    label: 'first migration message sent',
    main: true,
    match: /^socket write/,
    after: /^print Applying/,
  },
  { label: 'last bytes from the server', main: true, match: /^socket data$/, last: true },
  { label: 'socket closed', main: true, match: /^socket close$/ },
  { label: 'worker: preload', main: false, match: /^preload$/ },
  { label: 'worker: got the migrations', main: false, match: /^worker got message$/ },
  { label: 'worker: exit', main: false, match: /^exit$/ },
  { label: 'main: worker done received', main: true, match: /^from worker done$/ },
  { label: 'main: worker exit seen', main: true, match: /^worker exit$/ },
  { label: 'last line printed', main: true, match: /^print /, last: true },
  { label: 'main: exit', main: true, match: /^exit$/ },
];

const median = (values: number[]) =>
  values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startPostgres();
const load = [loadavg()[0]];
try {
  const { dir } = await combinedHistory(chosen);
  const all = new Map<string, { threads: Thread[]; wall: number }[]>(
    DISTS.map((d) => [d.label, []]),
  );
  for (let n = 0; n < Number(args.runs) * DISTS.length; n++) {
    const run = n;
    const { label, dir: dist } = DISTS[n % DISTS.length]!;
    const runs = all.get(label)!;
    const db = await server.createDatabase('timeline');
    for (const history of chosen) await history.setup(server, db);
    const file = join(tmpdir(), `timeline-${process.pid}-${run}.jsonl`);
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, TIMELINE_FILE: file };
    const node = [process.execPath, '--import', join(root, 'bench/probes/timeline.mjs')];
    const [command, env] =
      args.variant === 'cli'
        ? [
            [join(dist, 'cli.js'), 'apply', '--migrations', dir, '--allow-destructive', 'true'],
            { ...base, DATABASE_URL: server.url(db) },
          ]
        : [
            [join(dist, 'index.js')],
            {
              ...base,
              GITHUB_WORKSPACE: dir,
              INPUT_COMMAND: 'apply',
              INPUT_MIGRATIONS: '.',
              'INPUT_ALLOW-DESTRUCTIVE': 'true',
              'INPUT_DATABASE-URL': server.url(db),
            },
          ];
    const started = performance.now();
    const child = spawn(node[0]!, [...node.slice(1), ...command], { env, stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    const wall = performance.now() - started;
    if (code !== 0) throw new Error(`run ${run} exited ${code}`);
    const threads = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Thread);
    rmSync(file);
    runs.push({ threads, wall });
    if ((await shape(server, db)).split('\n').length < 50) throw new Error('nothing applied?');
  }
  load.push(loadavg()[0]);
  console.log(
    `${args.variant}, ${args.runs} runs of each build (alternating), load ${load.map((l) => l!.toFixed(2)).join(' → ')}; medians, ms since spawn (main-thread CPU ms)`,
  );
  console.log(`| mark | ${DISTS.map((d) => `${d.label}: wall (CPU)`).join(' | ')} |`);
  console.log(`| --- | ${DISTS.map(() => '---:').join(' | ')} |`);
  const cell = (runs: { threads: Thread[] }[], key: (typeof KEY)[number]) => {
    const found = runs.map(({ threads }) => {
      const thread = threads.find((t) => (t.thread === 0) === key.main);
      const from = key.after ? (thread?.marks.findIndex((m) => key.after!.test(m.what)) ?? -1) : 0;
      const matches =
        thread?.marks.slice(Math.max(from, 0)).filter((m) => key.match.test(m.what)) ?? [];
      return key.last ? matches.at(-1) : matches[0];
    });
    const hits = found.filter((m): m is Mark => m !== undefined);
    return hits.length === 0
      ? '—'
      : `${median(hits.map((m) => m.t)).toFixed(0)} (${median(hits.map((m) => m.cpu)).toFixed(0)})`;
  };
  for (const key of KEY) {
    const cells = DISTS.map((d) => cell(all.get(d.label)!, key));
    if (cells.every((c) => c === '—')) continue;
    console.log(`| ${key.label} | ${cells.join(' | ')} |`);
  }
  const exitCells = DISTS.map((d) => {
    const runs = all.get(d.label)!;
    const cpuAll = runs.map(({ threads }) =>
      threads.reduce((sum, t) => sum + (t.marks.at(-1)?.cpu ?? 0), 0),
    );
    return `${median(runs.map((r) => r.wall)).toFixed(0)} (${median(cpuAll).toFixed(0)} all threads)`;
  });
  console.log(`| process exit seen by the parent (spawn → exit) | ${exitCells.join(' | ')} |`);
  if (args.raw) {
    for (const d of DISTS) {
      for (const t of all.get(d.label)!.at(-1)!.threads) {
        console.log(`\n${d.label}, thread ${t.thread}`);
        for (const m of t.marks)
          console.log(`${m.t.toFixed(1).padStart(8)} ${m.cpu.toFixed(1).padStart(7)}  ${m.what}`);
      }
    }
  }
} finally {
  await server.stop();
}
