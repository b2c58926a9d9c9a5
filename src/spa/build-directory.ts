// The build directory as the engine's source: every regular file under it, hashed. A symbolic link
// is followed only when it resolves inside `root` (the workspace): a link out of it is refused
// before anything is uploaded, so a build cannot publish the runner's files.
import { createHash } from 'node:crypto';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UserError } from '../lib/errors.ts';
import type { SourceFile, SourcePort } from './ports.ts';
import { forEachBounded } from './pool.ts';

const HASHING_WORKERS = 4;

export function buildDirectory(directory: string, root: string, signal: AbortSignal): SourcePort {
  return {
    async files() {
      const found: { path: string; absolute: string; size: number }[] = [];
      await walk(directory, directory, await realpath(root), found, new Set());
      found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const files: SourceFile[] = new Array(found.length);
      const buffers: Buffer[] = [];
      await forEachBounded(
        found.map((f, i) => ({ ...f, i })),
        HASHING_WORKERS,
        signal,
        async (f) => {
          const buffer = buffers.pop() ?? Buffer.allocUnsafe(READ_BUFFER_BYTES);
          try {
            files[f.i] = { path: f.path, size: f.size, sha256: await sha256Of(f.absolute, buffer) };
          } finally {
            buffers.push(buffer);
          }
        },
      );
      return files;
    },
  };
}

async function walk(
  top: string,
  dir: string,
  root: string,
  found: { path: string; absolute: string; size: number }[],
  visited: Set<string>,
): Promise<void> {
  const real = await realpath(dir);
  if (visited.has(real)) return;
  visited.add(real);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const absolute = join(dir, entry.name);
    const path = relative(top, absolute).split(sep).join('/');
    let info = await lstat(absolute);
    if (info.isSymbolicLink()) {
      const target = await realpath(absolute).catch(() => undefined);
      if (target === undefined) {
        throw new UserError(
          `The build has ${path}, a symbolic link to nothing: remove it or build again.`,
        );
      }
      if (!inside(root, target)) {
        throw new UserError(
          `The build has ${path}, a symbolic link to ${target}, outside the workspace: copy what it names into the build instead.`,
        );
      }
      info = await stat(absolute);
    }
    if (info.isDirectory()) await walk(top, absolute, root, found, visited);
    else if (info.isFile()) found.push({ path, absolute, size: info.size });
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith(sep));
}

const READ_BUFFER_BYTES = 64 * 1024;

/** Read through one buffer per worker: hashing a build makes no garbage for the GC to lag behind. */
async function sha256Of(path: string, buffer: Buffer): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
