// ecr-build-push: first build+push against an unchanged rebuild+push of the same context, with
// the bytes each uploads, and the bundle's cold start (spawn to its first AWS request).
//   npm run build && node bench/ecr-build-push.ts             5 rounds, 20 cold starts
//   node bench/ecr-build-push.ts --rounds 2 --starts 5        a quicker look
// Real buildah builds (vfs storage, fresh per round) pushed through the emulator's ECR to a real
// docker-registry. Writes bench/results/ecr-build-push.json. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from '../test/emulator/server.ts';
import { cleanupActionRuns, runAction, type ActionRun } from '../test/harness/index.ts';
import { buildBaseImage } from '../test/e2e/buildah-base-image.ts';
import { formatTable, startRecordingProxy, summarize, timedSpawn } from './cold-start.ts';

const root = new URL('..', import.meta.url).pathname;
const ACTION = join(root, 'actions/ecr-build-push/action.yml');
const BUNDLE = join(root, 'dist/ecr-build-push/index.js');
const KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIABENCHECRKEY00001',
  AWS_SECRET_ACCESS_KEY: 'bench-ecr-secret-key-0000000000000000000',
};
const ASSET_BYTES = 8 * 1024 * 1024;
const BASE_IMAGE = 'localhost/bench-base:1';
/** The RUN step stands in for installing dependencies: 2 s of waiting and 16 MiB written. */
const CONTAINERFILE = [
  `FROM ${BASE_IMAGE}`,
  'RUN sleep 2; head -c 16777216 /dev/urandom > /srv-deps.bin',
  'COPY assets.bin /srv/assets.bin',
  'COPY app.txt /srv/app.txt',
  '',
].join('\n');

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, starts: { type: 'string', default: '20' } },
});
const rounds = Number(values.rounds);
const starts = Number(values.starts);

const emulator = await startEmulator({ ecr: { registry: true } });
const work = await mkdtemp(join(tmpdir(), 'bench-ecr-'));
try {
  emulator.sts.addCredentials({
    accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
    secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY,
    arn: 'arn:aws:iam::123456789012:user/bench',
  });
  const context = join(work, 'context');
  await mkdir(context);
  await writeFile(join(context, 'assets.bin'), randomBytes(ASSET_BYTES));
  await writeFile(join(context, 'app.txt'), 'app v1\n');
  await writeFile(join(context, 'Containerfile'), CONTAINERFILE);

  const step = async (
    repository: string,
    storageConf: string,
    env: Record<string, string> = {},
  ) => {
    const before = emulator.registry!.uploadedBytes;
    const run: ActionRun = await runAction({
      action: ACTION,
      inputs: { repository, builder: 'buildah', 'aws-region': 'us-east-1' },
      cwd: context,
      env: {
        ...KEYS,
        AWS_ENDPOINT_URL: emulator.url,
        CONTAINERS_STORAGE_CONF: storageConf,
        BUILDAH_ISOLATION: 'chroot',
        ...env,
      },
      post: false,
      timeoutMs: 120_000,
    });
    return { run, uploadedBytes: emulator.registry!.uploadedBytes - before };
  };

  const first: { ms: number; bytes: number }[] = [];
  const rebuild: { ms: number; bytes: number }[] = [];
  const freshRunner: { ms: number; bytes: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const storage = join(work, `storage-${round}`);
    const storageConf = join(work, `storage-${round}.conf`);
    await writeFile(
      storageConf,
      `[storage]\ndriver = "vfs"\ngraphroot = "${storage}/root"\nrunroot = "${storage}/run"\n`,
    );
    buildBaseImage(storageConf, BASE_IMAGE);
    const repository = `bench/app-${round}`;
    emulator.ecr.createRepository(repository);
    emulator.ecr.createRepository(`${repository}-cache`);
    const a = await step(repository, storageConf);
    const b = await step(repository, storageConf);
    // Another runner: empty storage but for the same base image; the registry cache only.
    const other = join(work, `other-${round}`);
    const otherConf = `${other}.conf`;
    await writeFile(
      otherConf,
      `[storage]\ndriver = "vfs"\ngraphroot = "${other}/root"\nrunroot = "${other}/run"\n`,
    );
    buildBaseImage(otherConf, BASE_IMAGE);
    const c = await step(repository, otherConf);
    for (const r of [a, b, c]) {
      if (r.run.exitCode !== 0) throw new Error(`a bench run failed:\n${r.run.log}`);
    }
    if (
      a.run.outputs.digest !== b.run.outputs.digest ||
      a.run.outputs.digest !== c.run.outputs.digest
    ) {
      throw new Error('a rebuild changed the digest');
    }
    first.push({ ms: a.run.durationMs, bytes: a.uploadedBytes });
    rebuild.push({ ms: b.run.durationMs, bytes: b.uploadedBytes });
    freshRunner.push({ ms: c.run.durationMs, bytes: c.uploadedBytes });
    console.log(
      `round ${round + 1}: first ${a.run.durationMs.toFixed(0)} ms, ${a.uploadedBytes} B; rebuild ${b.run.durationMs.toFixed(0)} ms, ${b.uploadedBytes} B; fresh runner ${c.run.durationMs.toFixed(0)} ms, ${c.uploadedBytes} B`,
    );
    await rm(storage, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  }

  // Cold start: the runner's environment of a real run, the bundle spawned directly; the step
  // stops at DescribeRepositories (no such repository), after its first AWS request.
  const awsProxy = await startRecordingProxy(emulator.url);
  const unused = await startRecordingProxy(emulator.url);
  const template = await runAction({
    action: ACTION,
    inputs: { repository: 'bench/absent', builder: 'buildah', 'aws-region': 'us-east-1' },
    cwd: context,
    env: { ...KEYS, AWS_ENDPOINT_URL: awsProxy.url },
    post: false,
  });
  if (!/does not exist/.test(template.log))
    throw new Error(`cold-start scenario:\n${template.log}`);
  const spec = { args: [BUNDLE], env: template.env, cwd: context };
  const cold: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < starts + 2; i++) {
    const run = await timedSpawn(spec, { aws: awsProxy, token: unused });
    const baseline = await timedSpawn(
      { ...spec, args: ['-e', '0'] },
      { aws: awsProxy, token: unused },
    );
    if (run.firstAwsRequestMs === undefined) throw new Error(`no AWS request:\n${run.output}`);
    if (i >= 2) {
      cold.push(run.firstAwsRequestMs);
      bare.push(baseline.exitMs);
    }
  }
  await awsProxy.close();
  await unused.close();

  const median = (xs: number[]) => summarize(xs).median;
  const firstMs = median(first.map((f) => f.ms));
  const rebuildMs = median(rebuild.map((f) => f.ms));
  const rows = [
    ['first build + push', firstMs.toFixed(0), String(median(first.map((f) => f.bytes)))],
    ['unchanged rebuild + push', rebuildMs.toFixed(0), String(median(rebuild.map((f) => f.bytes)))],
    [
      'unchanged, fresh runner + push',
      median(freshRunner.map((f) => f.ms)).toFixed(0),
      String(median(freshRunner.map((f) => f.bytes))),
    ],
  ];
  console.log(
    `\n${formatTable(['step (median of ' + rounds + ')', 'ms', 'bytes uploaded'], rows)}`,
  );
  const coldStart = summarize(cold);
  const bareExit = summarize(bare);
  console.log(
    `\ncold start (spawn to first AWS request, ${starts} runs): median ${coldStart.median.toFixed(0)} ms, p90 ${coldStart.p90.toFixed(0)} ms; bare node -e 0: median ${bareExit.median.toFixed(0)} ms`,
  );
  const ratio = rebuildMs / firstMs;
  const zero = [...rebuild, ...freshRunner].every((r) => r.bytes === 0);
  console.log(
    `goal: unchanged rebuild uploads zero layer bytes (${zero ? 'met' : 'NOT met'}) and takes under a quarter of the first (${(ratio * 100).toFixed(0)}%: ${ratio < 0.25 ? 'met' : 'NOT met'})`,
  );
  writeFileSync(
    join(root, 'bench/results/ecr-build-push.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        argv: `node bench/ecr-build-push.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
        machine: { cpus: cpus().length, node: process.version, loadBefore: loadavg()[0] },
        context: { assetBytes: ASSET_BYTES, containerfile: CONTAINERFILE },
        first,
        rebuild,
        freshRunner,
        medians: { firstMs, rebuildMs, ratio },
        coldStart: { samples: cold, ...coldStart },
        bareNodeExit: { samples: bare, ...bareExit },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await emulator.close();
  await cleanupActionRuns();
  await rm(work, { recursive: true, force: true });
}
