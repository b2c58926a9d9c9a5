// deploy-command's cost for one `/deploy staging` decision, side by side with the same calls made
// the conventional way (@actions/core + fetch, bench/conventional/deploy-command.ts) and bare node:
// spawn to the first GitHub request, spawn to exit (the whole decision: 👀, permission, pull
// request, lock, checks, reply), bundle size, and the process's peak memory (/usr/bin/time).
//   npm run -s build -- deploy-command && node bench/build.ts conventional-deploy-command
//   node_modules/.bin/node bench/deploy-command.ts [--runs 30]
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCommentEvent } from '../test/emulator/github/events.ts';
import { startGitHubEmulator } from '../test/emulator/github/server.ts';
import { cleanupActionRuns, runAction } from '../test/harness/index.ts';
import { CONVENTIONAL_DEPLOY_COMMAND, outputOf } from './build.ts';
import { formatTable, startRecordingProxy, summarize, timedSpawn } from './cold-start.ts';

const root = new URL('..', import.meta.url).pathname;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const WARMUP = 3;
const TOKEN = 'ghs_benchdeploycommand00000000000000000';

const github = await startGitHubEmulator();
const proxy = await startRecordingProxy(github.url);
const unused = await startRecordingProxy(github.url);
const repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
github.store.setRole(repository, 'writer', 'write');
github.addToken({
  token: TOKEN,
  permissions: {
    'pull-requests': 'write',
    contents: 'write',
    deployments: 'write',
    checks: 'read',
    statuses: 'read',
  },
});
const pr = github.store.addPullRequest(repository, { author: github.accounts.get('writer') });
github.store.addCheckRun(repository, pr.pull!.headSha, 'test', 'success');
const comment = github.store.addComment(
  repository,
  pr.number,
  github.accounts.get('writer'),
  '/deploy staging',
);

// The runner's environment, from one run through the harness (which must decide `proceed`).
const template = await runAction({
  action: join(root, 'actions/deploy-command/action.yml'),
  githubToken: TOKEN,
  context: { eventName: 'issue_comment' },
  event: issueCommentEvent(github, comment) as Record<string, unknown>,
  env: { GITHUB_API_URL: proxy.url },
});
if (template.outputs.decision !== 'proceed') throw new Error(`not proceed:\n${template.log}`);

const fileDir = join(template.runnerTemp, '_runner_file_commands');
const envFor = (name: string) => ({
  ...template.env,
  GITHUB_OUTPUT: join(fileDir, `set_output_${name}`),
  GITHUB_STEP_SUMMARY: join(fileDir, `summary_${name}`),
  GITHUB_ENV: join(fileDir, `env_${name}`),
  GITHUB_STATE: join(fileDir, `state_${name}`),
  GITHUB_PATH: join(fileDir, `path_${name}`),
});
const POST = `const r=require('node:http').request(process.argv[1]+'/user',{method:'POST',headers:{'user-agent':'x'}},(s)=>{s.resume();s.on('end',()=>{})});r.end('{}')`;

const variants = [
  {
    label: 'deploy-command (dist)',
    args: [join(root, 'dist/deploy-command/index.js')],
    env: envFor('suite'),
    file: join(root, 'dist/deploy-command'),
  },
  {
    label: 'conventional stand-in',
    args: [outputOf(CONVENTIONAL_DEPLOY_COMMAND)],
    env: envFor('conventional'),
    file: join(outputOf(CONVENTIONAL_DEPLOY_COMMAND), '..'),
  },
  {
    label: 'bare node: one POST',
    args: ['-e', POST, proxy.url],
    env: { PATH: process.env.PATH ?? '' },
    file: undefined,
  },
  {
    label: 'bare node: node -e 0',
    args: ['-e', '0'],
    env: { PATH: process.env.PATH ?? '' },
    file: undefined,
  },
];
const samples = new Map(
  variants.map((v) => [v.label, { first: [] as number[], exit: [] as number[], requests: 0 }]),
);

for (let round = 0; round < WARMUP + RUNS; round++) {
  const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
  for (const v of order) {
    for (const file of Object.values(v.env).filter((x) => x.startsWith(fileDir)))
      writeFileSync(file, '');
    const run = await timedSpawn(
      { args: v.args, env: v.env, cwd: template.workspace },
      { aws: proxy, token: unused },
    );
    if (run.exitCode !== 0) throw new Error(`${v.label} failed:\n${run.output}`);
    if (round < WARMUP) continue;
    const s = samples.get(v.label)!;
    if (run.firstAwsRequestMs !== undefined) s.first.push(run.firstAwsRequestMs);
    s.exit.push(run.exitMs);
    s.requests = proxy.arrivals.length;
  }
}

/**
 * Peak resident memory (wait4's ru_maxrss through GNU time), median of 5. Spawned without
 * blocking: the emulator answering the run lives in this process.
 */
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

const bare = summarize(samples.get('bare node: one POST')!.first).median;
const rows = [];
for (const v of variants) {
  const s = samples.get(v.label)!;
  const first = s.first.length > 0 ? summarize(s.first) : undefined;
  const exit = summarize(s.exit);
  const bytes = v.file
    ? statSync(v.file).isDirectory()
      ? dirBytes(v.file)
      : statSync(v.file).size
    : undefined;
  rows.push({
    label: v.label,
    firstMedian: first?.median,
    firstP90: first?.p90,
    ratio: first ? first.median / bare : undefined,
    exitMedian: exit.median,
    requests: s.requests,
    peakMiB: (await peakKiB(v)) / 1024,
    bundleKiB: bytes === undefined ? undefined : bytes / 1024,
  });
}

function dirBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f: string) => f.endsWith('.js'))
    .reduce((n: number, f: string) => n + statSync(join(dir, f)).size, 0);
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toFixed(digits));
console.log(
  formatTable(
    [
      'variant',
      'first request (median)',
      'p90',
      '× bare POST',
      'exit (median)',
      'requests',
      'peak RSS',
      'bundle',
    ],
    rows.map((r) => [
      r.label,
      `${fmt(r.firstMedian, 1)} ms`,
      r.firstP90 === undefined ? '' : `${fmt(r.firstP90, 1)} ms`,
      r.ratio === undefined ? '' : `${fmt(r.ratio, 2)}×`,
      `${fmt(r.exitMedian, 1)} ms`,
      String(r.requests),
      `${fmt(r.peakMiB, 1)} MiB`,
      r.bundleKiB === undefined ? '' : `${fmt(r.bundleKiB)} KiB`,
    ]),
  ),
);
writeFileSync(
  join(root, 'bench/results/deploy-command.json'),
  `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, node: process.version, cpus: (await import('node:os')).cpus().length, command: 'node_modules/.bin/node bench/deploy-command.ts', rows }, null, 2)}\n`,
);
await proxy.close();
await unused.close();
await github.close();
await cleanupActionRuns();
