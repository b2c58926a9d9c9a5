// Bundles every action under src/actions/<name>/index.ts into dist/<name>/index.js with ncc.
// dist/ is committed: the runner executes these files, and CI fails when they are stale.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BundleOptions, bundle, writeBundle } from './bundle.ts';
import { selfExtracting } from './single-file.ts';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

const LIBPG_QUERY_WASM = {
  'libpg-query.wasm': join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm'),
};
/** Per-action bundling choices; see BundleOptions. */
const OPTIONS: Record<string, BundleOptions> = {
  // The root action (action.yml at the repository's root): it lints and applies migrations too.
  // It assumes its role and passes the credentials to every client: no default chain.
  deploy: {
    commonJsPaths: true,
    files: LIBPG_QUERY_WASM,
    withoutDefaultCredentialChain: true,
    withoutBrowserUserAgentParser: true,
    // ECS and Secrets Manager speak JSON 1.1, CloudWatch JSON 1.0, ELB and STS query (SSM: aws-json-call.ts).
    withoutCborProtocol: true,
  },
  'oidc-assume': { withoutDefaultCredentialChain: true },
  'rds-migrate': {
    commonJsPaths: true,
    files: LIBPG_QUERY_WASM,
    entries: { 'cli.js': join(root, 'src/cli/rds-migrate.ts') },
  },
};

/** Command line bundles that also ship as one self-extracting file (scripts/single-file.ts). */
const SINGLE_FILES: Record<string, { file: string; entry: string; title: string }> = {
  'rds-migrate': {
    file: 'rds-migrate.mjs',
    entry: 'cli.js',
    title: 'The rds-migrate command line',
  },
};

const names = (await readdir(join(root, 'src/actions'), { withFileTypes: true }))
  // src/actions/shared/ holds the input parsing actions share: no entry, no bundle.
  .filter((d) => d.isDirectory() && existsSync(join(root, 'src/actions', d.name, 'index.ts')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

// Each bundle is made by a child process of its own (ncc holds 1 to 1.6 GB per bundle, which one
// process building them all ran out of), into a staging directory: dist/ is replaced only once
// every bundle is built, so a failed build leaves the committed dist/ as it was.
const one = process.env.SUITE_BUILD_ONE;
if (one) await bundleOne(...(JSON.parse(one) as [string, string]));
else await bundleAll();

async function bundleOne(name: string, out: string): Promise<void> {
  const started = performance.now();
  const result = await bundle(join(root, 'src/actions', name, 'index.ts'), OPTIONS[name]);
  await writeBundle(out, result);
  const single = SINGLE_FILES[name];
  if (single !== undefined) {
    // Everything the entry may load, from the directory just written (index.js is the action's).
    const files: Record<string, Buffer> = {};
    for (const file of await readdir(out)) {
      if (file !== 'index.js') files[file] = await readFile(join(out, file));
    }
    await writeFile(join(out, single.file), selfExtracting(files, single.entry, single.title));
  }
  const kb = (Buffer.byteLength(result.code) / 1024).toFixed(0);
  console.log(`dist/${name}/index.js  ${kb} KiB  ${(performance.now() - started).toFixed(0)} ms`);
}

async function bundleAll(): Promise<void> {
  const staging = await mkdtemp(join(root, '.build-'));
  try {
    // Two at a time: on a machine with two cores that takes about half as long.
    await inParallel(names, 2, (name) => bundleInChild(name, join(staging, name)));
    if (only.length === 0) await rm(join(root, 'dist'), { recursive: true, force: true });
    await mkdir(join(root, 'dist'), { recursive: true });
    for (const name of names) {
      await rm(join(root, 'dist', name), { recursive: true, force: true });
      await rename(join(staging, name), join(root, 'dist', name));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  // The CDK constructs as JavaScript with declarations (infra/dist/, committed like dist/): what an
  // app repository's CDK app imports as `aws-ship-suite/infra` (package.json exports).
  if (only.length === 0) {
    const started = performance.now();
    await rm(join(root, 'infra/dist'), { recursive: true, force: true });
    const tsc = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(root, 'infra/tsconfig.build.json'),
      ],
      { stdio: 'inherit' },
    );
    if (tsc.status !== 0) throw new Error(`tsc -p infra/tsconfig.build.json exited ${tsc.status}`);
    console.log(`infra/dist/index.js  ${(performance.now() - started).toFixed(0)} ms`);
  }
}

function bundleInChild(name: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
      stdio: 'inherit',
      env: { ...process.env, SUITE_BUILD_ONE: JSON.stringify([name, out]) },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bundling ${name} failed (exit ${code})`)),
    );
  });
}

async function inParallel<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, worker));
}
