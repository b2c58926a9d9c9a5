// spa-deploy against `aws s3 sync --delete` + `aws cloudfront create-invalidation --paths '/*'`
// (the real AWS CLI, against the same emulator) on a 2,000-file build: the first deploy, an
// unchanged redeploy after a fresh build (same content, new mtimes, as in CI), and a one-file
// change (one chunk's content: a new hashed name, and index.html naming it).
//   npm run build && node_modules/.bin/node bench/spa-deploy.ts            3 rounds
//   node_modules/.bin/node bench/spa-deploy.ts --rounds 1                  a quicker look
// Writes bench/results/spa-deploy.json. See bench/README.md.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { type Emulator, startEmulator } from '../test/emulator/server.ts';
import { cleanupActionRuns, runAction } from '../test/harness/index.ts';

const root = new URL('..', import.meta.url).pathname;
const ACTION = join(root, 'actions/spa-deploy/action.yml');
const KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIABENCHSPADEPLOY01',
  AWS_SECRET_ACCESS_KEY: 'bench-spa-deploy-secret-key-000000000000',
};
const FILES = 2000;
const run = promisify(execFile);

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Build {
  /** path -> content */
  readonly files: Map<string, Buffer>;
}

/**
 * A build like a large SPA's: 1,900 content-hashed chunks and styles (0.5 to 60 KiB), 90 unhashed
 * images, fonts and texts, 9 HTML pages naming the chunks, index.html. `changed` edits chunk 0.
 */
function makeBuild(changed: boolean): Build {
  const next = random(42);
  const files = new Map<string, Buffer>();
  const chunks: string[] = [];
  for (let i = 0; i < 1900; i += 1) {
    const size = Math.round(512 + next() ** 3 * 60 * 1024);
    const body = Buffer.alloc(size, `chunk ${i} ${changed && i === 0 ? 'v2' : 'v1'} `);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
    const name = i % 5 === 0 ? `assets/style-${i}.${hash}.css` : `assets/chunk-${i}.${hash}.js`;
    files.set(name, body);
    chunks.push(name);
  }
  for (let i = 0; i < 90; i += 1) {
    const size = Math.round(1024 + next() * 200 * 1024);
    const ext = ['png', 'svg', 'woff2', 'txt'][i % 4]!;
    files.set(`static/file-${i}.${ext}`, Buffer.alloc(size, `static ${i} `));
  }
  const page = (title: string) =>
    Buffer.from(
      `<!doctype html><title>${title}</title>${chunks
        .slice(0, 40)
        .map((c) => `<script src="/${c}"></script>`)
        .join('')}`,
    );
  for (let i = 0; i < FILES - 1991; i += 1) files.set(`pages/page-${i}.html`, page(`page ${i}`));
  files.set('index.html', page('home'));
  if (files.size !== FILES) throw new Error(`the build has ${files.size} files`);
  return { files };
}

/** Writes the build afresh (every file rewritten: new mtimes, as a CI build makes). */
function writeBuild(dir: string, build: Build): void {
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  for (const [path, body] of build.files) {
    mkdirSync(join(dir, 'dist', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'dist', path), body);
  }
}

interface Measure {
  readonly ms: number;
  readonly objects: number;
  readonly bytes: number;
  readonly deletes: number;
  readonly invalidatedPaths: readonly string[];
  /** Build files the bucket does not serve as built, after the step. */
  readonly stale: number;
  readonly peakRssMb?: number;
}

function counter(emulator: Emulator) {
  let objects = 0;
  let bytes = 0;
  let deletes = 0;
  emulator.s3.onWrite = (action, _key, n) => {
    if (action === 'PutObject' || action === 'CompleteMultipartUpload') objects += 1;
    if (action === 'DeleteObject') deletes += 1;
    bytes += n;
  };
  return () => ({ objects, bytes, deletes });
}

function stale(emulator: Emulator, bucket: string, build: Build): number {
  const objects = emulator.s3.bucket(bucket)!.objects;
  let count = 0;
  for (const [path, body] of build.files) if (!objects.get(path)?.body.equals(body)) count += 1;
  return count;
}

async function measure(
  emulator: Emulator,
  bucket: string,
  distributionId: string,
  build: Build,
  step: () => Promise<number | undefined>,
): Promise<Measure> {
  const count = counter(emulator);
  const invalidations = emulator.cloudfront.distribution(distributionId)!.invalidations.length;
  const started = performance.now();
  const peakRssMb = await step();
  const ms = performance.now() - started;
  const paths = emulator.cloudfront
    .distribution(distributionId)!
    .invalidations.slice(invalidations)
    .flatMap((i) => i.paths);
  return {
    ms: Math.round(ms),
    ...count(),
    invalidatedPaths: paths,
    stale: stale(emulator, bucket, build),
    ...(peakRssMb === undefined ? {} : { peakRssMb }),
  };
}

const results: Record<string, Record<string, Measure[]>> = {
  'spa-deploy': {},
  'aws s3 sync': {},
  'aws s3 sync --size-only': {},
};
const record = (tool: string, step: string, m: Measure) => {
  (results[tool]![step] ??= []).push(m);
  console.log(
    `${tool.padEnd(12)} ${step.padEnd(18)} ${String(m.ms).padStart(6)} ms ${String(m.objects).padStart(5)} objects ${String(m.bytes).padStart(9)} bytes ${String(m.deletes).padStart(4)} deleted, invalidated ${m.invalidatedPaths.length > 3 ? `${m.invalidatedPaths.length} paths` : m.invalidatedPaths.join(' ') || '-'}, stale ${m.stale}${m.peakRssMb ? `, ${m.peakRssMb} MB` : ''}`,
  );
};

const v1 = makeBuild(false);
const v2 = makeBuild(true);
const emulator = await startEmulator();
emulator.cloudfront.completionMs = 0;
emulator.sts.addCredentials({
  accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
  secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY,
  arn: 'arn:aws:iam::123456789012:user/bench',
});
const env = { ...KEYS, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: emulator.url };
const cliEnv = {
  ...process.env,
  ...KEYS,
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  // botocore 1.36+ would send aws-chunked bodies with a trailing checksum, which the emulator does not read.
  AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
  AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
};
try {
  for (let round = 0; round < rounds; round += 1) {
    // spa-deploy, through its bundle as the runner runs it.
    const ours = `spa-${round}`;
    emulator.s3.createBucket(ours);
    const ourCdn = emulator.cloudfront.createDistribution(ours);
    const ws = mkdtempSync(join(tmpdir(), 'bench-spa-'));
    const deploy = async () => {
      const r = await runAction({
        action: ACTION,
        cwd: ws,
        timeoutMs: 300_000,
        env: {
          ...env,
          NODE_OPTIONS: `--import=${join(root, 'bench/peak-rss.mjs')}`,
        },
        inputs: { bucket: ours, 'distribution-id': ourCdn.id, source: 'dist' },
      });
      if (r.exitCode !== 0) throw new Error(`spa-deploy failed:\n${r.log}`);
      const kib = /peak-rss-kib=(\d+)/.exec(r.log)?.[1];
      return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
    };
    for (const [step, build] of [
      ['first deploy', v1],
      ['unchanged', v1],
      ['one-file change', v2],
    ] as const) {
      writeBuild(ws, build);
      record('spa-deploy', step, await measure(emulator, ours, ourCdn.id, build, deploy));
    }
    rmSync(ws, { recursive: true, force: true });

    // aws s3 sync --delete, then an invalidation of /*: what teams do today (and with
    // --size-only, which skips the mtime test and so also skips same-size changes).
    for (const [tool, flags] of [
      ['aws s3 sync', []],
      ['aws s3 sync --size-only', ['--size-only']],
    ] as const) {
      const theirs = `${flags.length ? 'sizeonly' : 'sync'}-${round}`;
      emulator.s3.createBucket(theirs);
      const theirCdn = emulator.cloudfront.createDistribution(theirs);
      const wsSync = mkdtempSync(join(tmpdir(), 'bench-sync-'));
      const sync = async () => {
        await run(
          'aws',
          [
            's3',
            'sync',
            join(wsSync, 'dist'),
            `s3://${theirs}/`,
            '--delete',
            ...flags,
            '--only-show-errors',
            '--endpoint-url',
            emulator.url,
          ],
          { env: cliEnv },
        );
        await run(
          'aws',
          [
            'cloudfront',
            'create-invalidation',
            '--distribution-id',
            theirCdn.id,
            '--paths',
            '/*',
            '--endpoint-url',
            emulator.url,
          ],
          { env: cliEnv },
        );
        return undefined;
      };
      for (const [step, build] of [
        ['first deploy', v1],
        ['unchanged', v1],
        ['one-file change', v2],
      ] as const) {
        writeBuild(wsSync, build);
        record(tool, step, await measure(emulator, theirs, theirCdn.id, build, sync));
      }
      rmSync(wsSync, { recursive: true, force: true });
    }
  }
} finally {
  await cleanupActionRuns();
  await emulator.close();
}

/** Spawn to exit of the bundle stopped by its first input check, against `node -e 0`. */
async function startup(): Promise<{ bundleMs: number; nodeMs: number }> {
  const time = async (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const started = performance.now();
      await run(process.execPath, args, { env: { PATH: process.env.PATH ?? '' } }).catch(
        () => undefined,
      );
      if (i >= 2) samples.push(performance.now() - started);
    }
    return Math.round(median(samples));
  };
  return {
    bundleMs: await time([join(root, 'dist/spa-deploy/index.js')]),
    nodeMs: await time(['-e', '0']),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const table: string[] = [
  '| tool | step | ms (median) | objects uploaded | bytes uploaded | deleted | invalidated paths | stale files after | peak RSS MB (max) |',
  '| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
];
for (const [tool, steps] of Object.entries(results)) {
  for (const [step, ms] of Object.entries(steps)) {
    const m = ms[0]!;
    const paths =
      m.invalidatedPaths.length > 3
        ? `${m.invalidatedPaths.length} paths`
        : m.invalidatedPaths.join(' ') || 'none';
    table.push(
      `| ${tool} | ${step} | ${median(ms.map((x) => x.ms))} | ${m.objects} | ${m.bytes} | ${m.deletes} | ${paths} | ${m.stale} | ${m.peakRssMb === undefined ? '-' : Math.max(...ms.map((x) => x.peakRssMb ?? 0))} |`,
    );
  }
}
console.log(`\n${table.join('\n')}`);
const start = await startup();
console.log(
  `\nstart-up, spawn to exit at the first input check (median of 10): bundle ${start.bundleMs} ms, node -e 0 ${start.nodeMs} ms`,
);
const totalBytes = [...v1.files.values()].reduce((sum, b) => sum + b.length, 0);
writeFileSync(
  join(root, 'bench/results/spa-deploy.json'),
  `${JSON.stringify(
    {
      recordedAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadavg: loadavg(),
      build: { files: FILES, bytes: totalBytes },
      rounds,
      startup: start,
      results,
    },
    null,
    2,
  )}\n`,
);
