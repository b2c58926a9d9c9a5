// One file that carries a whole bundle directory: the command line bundle of rds-migrate is
// cli.js, PostgreSQL's parser as a WASM file and parts loaded on demand, and people want to copy
// one file into an image. The file holds them (base64), writes them once to a cache directory
// named after their content hash, and imports the entry from there in the same process, so the
// arguments, environment and exit code are the entry's own.
import { createHash } from 'node:crypto';

export function selfExtracting(
  files: Record<string, Buffer>,
  entry: string,
  title: string,
): string {
  if (!(entry in files)) throw new Error(`single file: the entry ${entry} is not among the files`);
  const names = Object.keys(files).sort();
  const hash = createHash('sha256');
  for (const name of names) hash.update(name).update('\0').update(files[name]!);
  const version = hash.digest('hex').slice(0, 16);
  const encoded = Object.fromEntries(names.map((name) => [name, files[name]!.toString('base64')]));
  return `#!/usr/bin/env node
// ${title}, in one file: the files of its bundle directory, unpacked once to
// $RDS_MIGRATE_CACHE or the temp directory (rds-migrate-${version}), then run from there.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const FILES = ${JSON.stringify(encoded)};
const dir = join(process.env.RDS_MIGRATE_CACHE || tmpdir(), 'rds-migrate-${version}');
if (!existsSync(join(dir, '.complete'))) {
  const staging = dir + '.' + process.pid;
  mkdirSync(staging, { recursive: true });
  for (const [name, data] of Object.entries(FILES)) writeFileSync(join(staging, name), Buffer.from(data, 'base64'));
  writeFileSync(join(staging, '.complete'), '');
  try { renameSync(staging, dir); } catch { rmSync(staging, { recursive: true, force: true }); }
}
await import(pathToFileURL(join(dir, ${JSON.stringify(entry)})).href);
`;
}
