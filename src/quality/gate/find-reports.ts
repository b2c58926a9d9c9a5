// Report globs to files. A glob that matches nothing is named; a plain path is passed on as it is,
// so the reader says "no such file" about it.
import { glob, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

const MAGIC = /[*?[\]{}]/;

export type Expanded = { files: string[] } | { problem: string };

export async function expandGlobs(globs: readonly string[], workspace: string): Promise<Expanded> {
  const files: string[] = [];
  for (const pattern of globs) {
    if (!MAGIC.test(pattern)) {
      files.push(isAbsolute(pattern) ? pattern : join(workspace, pattern));
      continue;
    }
    const matched: string[] = [];
    for await (const found of glob(pattern, { cwd: workspace })) {
      const path = isAbsolute(found) ? found : join(workspace, found);
      if ((await stat(path).catch(() => undefined))?.isFile()) matched.push(path);
    }
    if (matched.length === 0) return { problem: `the glob ${pattern} matches no file` };
    files.push(...matched.sort());
  }
  return { files: [...new Set(files)] };
}
