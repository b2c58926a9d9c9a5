// deploy-command finish announcing a rolled-back deploy (the record, SNS Publish, the Slack
// webhook), side by side with finish of a success (no notice: the SDK is not loaded), the same
// three requests made the conventional way (bench/probes/notify-conventional.ts: fetch and the
// unbundled @aws-sdk/client-sns) and bare node: spawn to exit, and peak RSS (/usr/bin/time).
//   npm run -s build -- deploy-command
//   node_modules/.bin/node bench/deploy-notify.ts [--runs 20]
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGitHubEmulator } from '../test/emulator/github/server.ts';
import { startEmulator } from '../test/emulator/server.ts';
import { startSlackStandIn } from '../test/emulator/slack-webhook.ts';
import { cleanupActionRuns, runAction } from '../test/harness/index.ts';
import { formatTable, summarize } from './cold-start.ts';

const root = new URL('..', import.meta.url).pathname;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
const WARMUP = 2;
const TOKEN = 'ghs_benchdeploynotify0000000000000000000';
const KEYS = { id: 'AKIABENCHNOTIFY00001', secret: 'bench-notify-secret' };

const [github, aws, slack] = await Promise.all([
  startGitHubEmulator(),
  startEmulator(),
  startSlackStandIn(),
]);
const repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
github.addToken({ token: TOKEN, permissions: { deployments: 'write', contents: 'read' } });
aws.sts.addCredentials({
  accessKeyId: KEYS.id,
  secretAccessKey: KEYS.secret,
  arn: 'arn:aws:sts::123456789012:assumed-role/deploy/bench',
});
const topic = aws.sns.createTopic({ name: 'alarms' });
const webhook = slack.createWebhook();
const sha = github.store.addPullRequest(repository, { author: github.accounts.get('octocat') })
  .pull!.headSha;
const awsEnv = {
  AWS_ENDPOINT_URL: aws.url,
  AWS_ACCESS_KEY_ID: KEYS.id,
  AWS_SECRET_ACCESS_KEY: KEYS.secret,
  AWS_REGION: 'us-east-1',
};

const action = join(root, 'actions/deploy-command/action.yml');
const start = await runAction({
  action,
  githubToken: TOKEN,
  inputs: { mode: 'start', environment: 'staging', sha, actor: 'octocat', command: 'push' },
  env: { GITHUB_API_URL: github.url },
});
const id = start.outputs['deployment-id'];
if (start.exitCode !== 0 || !id) throw new Error(`start failed:\n${start.log}`);

/** The runner's environment for a finish step with these inputs, from one harness run. */
async function finishEnv(inputs: Record<string, string>): Promise<Record<string, string>> {
  const run = await runAction({
    action,
    githubToken: TOKEN,
    inputs: { mode: 'finish', environment: 'staging', 'deployment-id': id!, ...inputs },
    env: { GITHUB_API_URL: github.url, ...awsEnv },
  });
  if (run.exitCode !== 0) throw new Error(`finish failed:\n${run.log}`);
  return run.env as Record<string, string>;
}

const notifyInputs = {
  outcome: 'failure',
  'rolled-back': 'true',
  'failure-reason': 'alarm shop-staging-api-5xx-rate',
  'notify-topic-arn': topic.arn,
  'slack-webhook-url': webhook,
};
const variants = [
  {
    label: 'finish: success (no notice)',
    args: [join(root, 'dist/deploy-command/index.js')],
    env: await finishEnv({ outcome: 'success' }),
  },
  {
    label: 'finish: rolled back, SNS + Slack',
    args: [join(root, 'dist/deploy-command/index.js')],
    env: await finishEnv(notifyInputs),
  },
  {
    label: 'conventional: fetch + client-sns',
    args: [
      join(root, 'bench/probes/notify-conventional.ts'),
      github.url,
      'octo-org/octo-app',
      id,
      topic.arn,
      webhook,
    ],
    env: { PATH: process.env.PATH ?? '', GITHUB_TOKEN: TOKEN, ...awsEnv },
  },
  { label: 'bare node: node -e 0', args: ['-e', '0'], env: { PATH: process.env.PATH ?? '' } },
];

function timed(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('close', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`exit ${code}: ${output}`)),
    );
  });
}

async function peakKiB(args: string[], env: Record<string, string>): Promise<number> {
  const kib: number[] = [];
  for (let i = 0; i < 5; i++) {
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await new Promise((resolve) => child.once('close', resolve));
    kib.push(Number(stderr.trim().split('\n').at(-1)));
  }
  return summarize(kib).median;
}

const samples = new Map(variants.map((v) => [v.label, [] as number[]]));
const published = aws.sns.published.length;
for (let round = 0; round < WARMUP + RUNS; round++) {
  for (const v of variants.map((_, i) => variants[(i + round) % variants.length]!)) {
    const ms = await timed(v.args, v.env);
    if (round >= WARMUP) samples.get(v.label)!.push(ms);
  }
}
if (aws.sns.published.length - published !== 2 * (WARMUP + RUNS))
  throw new Error('not every notifying run published');

const loaded = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1024;
const rows = [];
for (const v of variants) {
  const exit = summarize(samples.get(v.label)!);
  rows.push({
    label: v.label,
    exitMedian: exit.median,
    exitP90: exit.p90,
    peakMiB: (await peakKiB(v.args, v.env)) / 1024,
  });
}
console.log(
  formatTable(
    ['variant', 'exit (median)', 'p90', 'peak RSS'],
    rows.map((r) => [
      r.label,
      `${r.exitMedian.toFixed(1)} ms`,
      `${r.exitP90.toFixed(1)} ms`,
      `${r.peakMiB.toFixed(1)} MiB`,
    ]),
  ),
);
console.log(
  `dist/deploy-command/*.js: ${loaded(join(root, 'dist/deploy-command')).toFixed(0)} KiB`,
);
writeFileSync(
  join(root, 'bench/results/deploy-notify.json'),
  `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, node: process.version, command: 'node_modules/.bin/node bench/deploy-notify.ts', rows }, null, 2)}\n`,
);
await Promise.all([github.close(), aws.close(), slack.close()]);
await cleanupActionRuns();
