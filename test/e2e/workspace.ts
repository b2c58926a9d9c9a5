// The directories end-to-end steps run in: a fresh temp directory holding the files a test names.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A fresh directory under `parent` holding `files` (paths relative to it, folders made as needed). */
export function workspace(files: Record<string, string>, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, 'ws-'));
  writeFiles(dir, files);
  return dir;
}

/** A workspace whose migrations/ folder, there even when empty, holds `migrations`. */
export function migrationsWorkspace(
  migrations: Record<string, string>,
  beside: Record<string, string> = {},
): string {
  const dir = workspace(beside);
  mkdirSync(join(dir, 'migrations'));
  writeFiles(join(dir, 'migrations'), migrations);
  return dir;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}
