// Bundles every action under src/actions/<name>/index.ts into dist/<name>/index.js with ncc.
// dist/ is committed: the runner executes these files, and CI fails when they are stale.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ncc from '@vercel/ncc';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

const names = (await readdir(join(root, 'src/actions'), { withFileTypes: true }))
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

// Bundle everything first, so a failed build leaves the committed dist/ as it was.
const bundles = [];
for (const name of names) {
  const started = performance.now();
  const bundle = await ncc(join(root, 'src/actions', name, 'index.ts'), {
    minify: true,
    sourceMap: false,
    quiet: true,
    target: 'es2023',
  });
  bundles.push({ name, ...bundle, ms: performance.now() - started });
}

if (only.length === 0) await rm(join(root, 'dist'), { recursive: true, force: true });
for (const { name, code, assets, ms } of bundles) {
  const out = join(root, 'dist', name);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'index.js'), code);
  for (const [file, asset] of Object.entries(assets ?? {})) {
    await mkdir(join(out, file, '..'), { recursive: true });
    await writeFile(join(out, file), asset.source);
  }
  const kb = (Buffer.byteLength(code) / 1024).toFixed(0);
  console.log(`dist/${name}/index.js  ${kb} KiB  ${ms.toFixed(0)} ms`);
}
