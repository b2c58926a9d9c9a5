// Bundles what the bench runs besides dist/: the conventional stand-in and the probes, each with
// ncc as scripts/build.ts bundles the actions, into bench/.build/<name>/index.js (gitignored).
// bench/run.ts runs this file in a child process, so that ncc's work and heap stay out of the
// process that does the timing.
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export interface BuildEntry {
  name: string;
  entry: string;
  /** For probes: what the probe loads. */
  loads?: string;
}

export const CONVENTIONAL: BuildEntry = {
  name: 'conventional-oidc-assume',
  entry: 'bench/conventional/oidc-assume.ts',
};

export const CONVENTIONAL_DEPLOY_COMMAND: BuildEntry = {
  name: 'conventional-deploy-command',
  entry: 'bench/conventional/deploy-command.ts',
};

/** One-line programs that show what the parts of a start-up cost. */
export const PROBES: BuildEntry[] = [
  { name: 'empty', loads: 'nothing (an empty ES module bundle)' },
  { name: 'client-sts', loads: '@aws-sdk/client-sts, new STSClient({ region })' },
  { name: 'actions-core', loads: '@actions/core (with @actions/http-client, undici)' },
  { name: 'fetch', loads: "one POST with the global fetch (Node's own undici)" },
  { name: 'node-http', loads: 'one POST with node:http' },
].map((probe) => ({
  ...probe,
  name: `probe-${probe.name}`,
  entry: `bench/probes/${probe.name}.ts`,
}));

export function outputOf(build: BuildEntry): string {
  return join(root, 'bench/.build', build.name, 'index.js');
}

export function bundleBytes(build: BuildEntry): number {
  return statSync(outputOf(build)).size;
}

async function build(entry: BuildEntry): Promise<void> {
  // Imported here so that only the child process that bundles loads ncc.
  const { bundle, writeBundle } = await import('../scripts/bundle.ts');
  const out = join(outputOf(entry), '..');
  await writeBundle(out, await bundle(join(root, entry.entry)));
  // Like dist/<name>/package.json: the bundle is an ES module.
  if (!existsSync(join(out, 'package.json'))) {
    await writeFile(join(out, 'package.json'), '{\n  "type": "module"\n}\n');
  }
}

if (import.meta.main) {
  const only = process.argv.slice(2);
  for (const entry of [CONVENTIONAL, CONVENTIONAL_DEPLOY_COMMAND, ...PROBES]) {
    if (only.length === 0 || only.includes(entry.name)) await build(entry);
  }
}
