// Bundles every action under src/actions/<name>/index.ts into dist/<name>/index.js with ncc.
// dist/ is committed: the runner executes these files, and CI fails when they are stale.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Bundle, type BundleOptions, bundle, writeBundle } from './bundle.ts';
import { selfExtracting } from './single-file.ts';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

const LIBPG_QUERY_WASM = {
  'libpg-query.wasm': join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm'),
};
/** Per-action bundling choices; see BundleOptions. */
const OPTIONS: Record<string, BundleOptions> = {
  // The root action (action.yml at the repository's root): it lints and applies migrations too.
  deploy: { commonJsPaths: true, files: LIBPG_QUERY_WASM },
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

// Bundle everything first, so a failed build leaves the committed dist/ as it was.
const built: (Bundle & { name: string; ms: number })[] = [];
for (const name of names) {
  const started = performance.now();
  const result = await bundle(join(root, 'src/actions', name, 'index.ts'), OPTIONS[name]);
  built.push({ name, ...result, ms: performance.now() - started });
}

if (only.length === 0) await rm(join(root, 'dist'), { recursive: true, force: true });
for (const { name, ms, ...result } of built) {
  await writeBundle(join(root, 'dist', name), result);
  const single = SINGLE_FILES[name];
  if (single !== undefined) {
    // Everything the entry may load, from the directory just written (index.js is the action's).
    const files: Record<string, Buffer> = {};
    for (const file of await readdir(join(root, 'dist', name))) {
      if (file !== 'index.js') files[file] = await readFile(join(root, 'dist', name, file));
    }
    await writeFile(
      join(root, 'dist', name, single.file),
      selfExtracting(files, single.entry, single.title),
    );
  }
  const kb = (Buffer.byteLength(result.code) / 1024).toFixed(0);
  console.log(`dist/${name}/index.js  ${kb} KiB  ${ms.toFixed(0)} ms`);
}

// The CDK constructs as JavaScript with declarations (infra/dist/, committed like dist/): what an
// app repository's CDK app imports as `aws-ship-suite/infra` (package.json exports).
if (only.length === 0) {
  const started = performance.now();
  await rm(join(root, 'infra/dist'), { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'infra/tsconfig.build.json')],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p infra/tsconfig.build.json exited ${tsc.status}`);
  console.log(`infra/dist/index.js  ${(performance.now() - started).toFixed(0)} ms`);
}
