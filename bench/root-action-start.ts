// The root action's start-up and bundle loads against ecs-canary-deploy's: spawn to exit on a
// refused input (index.js and the input parsers only: the phases chunk is never loaded), beside
// `node -e 0`. 20 timed rounds after 3 warm-ups, variants interleaved. Needs `npm run build`.
//   node_modules/.bin/node bench/root-action-start.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'root-action-start-'));
const files = {
  GITHUB_OUTPUT: 'out',
  GITHUB_ENV: 'env',
  GITHUB_STATE: 'state',
  GITHUB_STEP_SUMMARY: 'sum',
};
for (const file of Object.values(files)) writeFileSync(join(dir, file), '');
const base: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  GITHUB_REPOSITORY: 'octo-org/octo-app',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_ACTOR: 'octocat',
  GITHUB_WORKSPACE: dir,
  ...Object.fromEntries(Object.entries(files).map(([name, file]) => [name, join(dir, file)])),
};
const rootInputs = {
  INPUT_ENVIRONMENT: 'staging',
  'INPUT_ROLE-TO-ASSUME': 'arn:aws:iam::123456789012:role/deploy',
  'INPUT_AWS-REGION': 'us-east-1',
  INPUT_CLUSTER: 'shop',
  INPUT_SERVICE: 'shop',
  'INPUT_IMAGE-REPOSITORY': '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop',
  INPUT_DIGEST: 'latest',
  'INPUT_GITHUB-TOKEN': 'token',
  INPUT_COMMAND: 'push',
  INPUT_MIGRATIONS: 'migrations/',
};
const canaryInputs = {
  'INPUT_AWS-REGION': 'us-east-1',
  INPUT_CLUSTER: 'shop',
  INPUT_SERVICE: 'shop',
  INPUT_STRATEGY: 'big-bang',
};
const variants: [string, string[], Record<string, string>][] = [
  ['node -e 0', ['-e', '0'], {}],
  ['root action (dist/deploy), bad digest', [join(root, 'dist/deploy/index.js')], rootInputs],
  [
    'ecs-canary-deploy, bad strategy',
    [join(root, 'dist/ecs-canary-deploy/index.js')],
    canaryInputs,
  ],
];
const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
for (let round = 0; round < 23; round++) {
  for (let i = 0; i < variants.length; i++) {
    const [name, args, env] = variants[(i + round) % variants.length]!;
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { env: { ...base, ...env }, stdio: 'pipe' });
    const ms = performance.now() - started;
    if (name !== 'node -e 0' && run.status !== 1) throw new Error(`${name} exited ${run.status}`);
    if (round >= 3) samples.get(name)!.push(ms);
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const bare = median(samples.get('node -e 0')!);
for (const [name, values] of samples) {
  console.log(
    `${name.padEnd(40)} median ${median(values).toFixed(1)} ms  ${(median(values) / bare).toFixed(2)}x node -e 0`,
  );
}
