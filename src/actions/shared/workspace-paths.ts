// Paths an input names must stay in the workspace: as written and once every symlink is resolved.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/** The path with every symlink resolved; the path itself when it cannot be resolved. */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** `path` is `directory` or below it (both absolute; resolve links first where they matter). */
export function isInside(directory: string, path: string): boolean {
  const rel = relative(directory, path);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}
