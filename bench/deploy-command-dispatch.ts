// deploy-command mode dispatch's cost for one rollback decision (rollback.yml's resolve job) on an
// environment with 30 deployments, the most it reads: spawn to exit, the GitHub requests it makes
// (permission, lock, the deployments and each one's statuses), and the process's peak memory
// (/usr/bin/time), side by side with bare node. There is no conventional action to compare with:
// the usual way is a hand-written script over `gh api`, which makes the same requests.
//   npm run -s build -- deploy-command
//   node_modules/.bin/node bench/deploy-command-dispatch.ts [--runs 30]
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGitHubEmulator } from '../test/emulator/github/server.ts';
import { cleanupActionRuns, runAction } from '../test/harness/index.ts';
import { formatTable, startRecordingProxy, summarize, timedSpawn } from './cold-start.ts';

const root = new URL('..', import.meta.url).pathname;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const WARMUP = 3;
const TOKEN = 'ghs_benchdeploycommanddispatch000000000';
const DEPLOYMENTS = 30;

const github = await startGitHubEmulator();
const proxy = await startRecordingProxy(github.url);
const unused = await startRecordingProxy(github.url);
const repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
github.store.setRole(repository, 'writer', 'write');
github.addToken({ token: TOKEN, permissions: { contents: 'read', deployments: 'read' } });
const creator = github.accounts.get('github-actions[bot]');
for (let i = 0; i < DEPLOYMENTS; i++) {
  const sha = i.toString(16).padStart(2, '0').repeat(20);
  repository.commits.add(sha);
  const at = new Date(Date.parse('2026-12-01T00:00:00Z') + i * 3600_000);
  repository.deployments.push({
    id: github.store.nextId(),
    sha,
    ref: sha,
    task: 'deploy',
    environment: 'staging',
    payload: {
      schema: 'aws-ship-suite/deployment@1',
      actor: 'writer',
      command: 'push',
      imageDigest: `sha256:${i.toString(16).padStart(2, '0').repeat(32)}`,
    },
    description: null,
    creator,
    createdAt: at,
    transientEnvironment: false,
    productionEnvironment: false,
    statuses: ['in_progress', 'success', ...(i < DEPLOYMENTS - 1 ? ['inactive'] : [])].map(
      (state) => ({
        id: github.store.nextId(),
        state: state as 'success',
        creator,
        description: '',
        logUrl: '',
        environmentUrl: '',
        createdAt: at,
      }),
    ),
  });
}

const template = await runAction({
  action: join(root, 'actions/deploy-command/action.yml'),
  githubToken: TOKEN,
  inputs: { mode: 'dispatch', command: 'rollback', environment: 'staging' },
  context: { eventName: 'workflow_dispatch', actor: 'writer' },
  event: { inputs: { environment: 'staging' } },
  env: { GITHUB_API_URL: proxy.url },
});
if (template.outputs.decision !== 'proceed') throw new Error(`not proceed:\n${template.log}`);

const fileDir = join(template.runnerTemp, '_runner_file_commands');
const variants = [
  {
    label: 'deploy-command dispatch (dist)',
    args: [join(root, 'dist/deploy-command/index.js')],
    env: {
      ...template.env,
      GITHUB_OUTPUT: join(fileDir, 'set_output_bench'),
      GITHUB_STEP_SUMMARY: join(fileDir, 'summary_bench'),
    },
    dir: join(root, 'dist/deploy-command'),
  },
  {
    label: 'bare node: node -e 0',
    args: ['-e', '0'],
    env: { PATH: process.env.PATH ?? '' },
    dir: undefined,
  },
];
const exits = new Map(variants.map((v) => [v.label, [] as number[]]));
const requests = new Map(variants.map((v) => [v.label, 0]));

for (let round = 0; round < WARMUP + RUNS; round++) {
  for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
    for (const file of Object.values(v.env).filter((x) => x.startsWith(fileDir))) {
      writeFileSync(file, '');
    }
    const run = await timedSpawn(
      { args: v.args, env: v.env, cwd: template.workspace },
      { aws: proxy, token: unused },
    );
    if (run.exitCode !== 0) throw new Error(`${v.label} failed:\n${run.output}`);
    if (round < WARMUP) continue;
    exits.get(v.label)!.push(run.exitMs);
    requests.set(v.label, proxy.arrivals.length);
  }
}

async function peakKiB(v: (typeof variants)[number]): Promise<number> {
  const kib: number[] = [];
  for (let i = 0; i < 5; i++) {
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, ...v.args], {
      env: v.env,
      cwd: template.workspace,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await new Promise((resolve) => child.once('close', resolve));
    kib.push(Number(stderr.trim().split('\n').at(-1)));
  }
  return summarize(kib).median;
}

const bare = summarize(exits.get('bare node: node -e 0')!).median;
const rows = [];
for (const v of variants) {
  const exit = summarize(exits.get(v.label)!);
  rows.push({
    label: v.label,
    exitMedian: exit.median,
    exitP90: exit.p90,
    ratio: exit.median / bare,
    requests: requests.get(v.label)!,
    peakMiB: (await peakKiB(v)) / 1024,
    bundleKiB:
      v.dir === undefined
        ? undefined
        : readdirSync(v.dir)
            .filter((f) => f.endsWith('.js'))
            .reduce((n, f) => n + statSync(join(v.dir, f)).size, 0) / 1024,
  });
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));
console.log(
  formatTable(
    ['variant', 'exit (median)', 'p90', '× node -e 0', 'requests', 'peak RSS', 'bundle'],
    rows.map((r) => [
      r.label,
      `${fmt(r.exitMedian, 1)} ms`,
      `${fmt(r.exitP90, 1)} ms`,
      `${fmt(r.ratio, 2)}×`,
      String(r.requests),
      `${fmt(r.peakMiB, 1)} MiB`,
      r.bundleKiB === undefined ? '' : `${fmt(r.bundleKiB)} KiB`,
    ]),
  ),
);
writeFileSync(
  join(root, 'bench/results/deploy-command-dispatch.json'),
  `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, deployments: DEPLOYMENTS, node: process.version, cpus: (await import('node:os')).cpus().length, command: 'node_modules/.bin/node bench/deploy-command-dispatch.ts', rows }, null, 2)}\n`,
);
await proxy.close();
await unused.close();
await github.close();
await cleanupActionRuns();
