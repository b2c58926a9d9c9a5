// The lines a change added or modified since it left its base, as diff-cover finds them: the
// `+` side of `git diff -U0` from the merge base with the base ref to the working tree (commits,
// staged and unstaged edits alike), renames followed, binary files skipped. Paths are relative
// to the workspace. git runs without a shell, through changed-files.ts's runner and ref checks.
import { shown } from '../lib/errors.ts';
import type { ChangedLinesPort } from '../quality/gate/ports.ts';
import { gitOk, mergeBaseWith } from './changed-files.ts';

/** Parses `git diff -U0 --no-prefix`-free output (a/ b/ prefixes) into new-side line numbers. */
export function parseUnifiedDiff(output: string): Map<string, number[]> {
  const files = new Map<string, number[]>();
  let current: number[] | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('+++ ')) {
      const target = line.slice(4);
      current = undefined;
      if (target === '/dev/null') continue;
      const path = unquote(target).replace(/^b\//, '');
      current = files.get(path) ?? [];
      files.set(path, current);
      continue;
    }
    if (line.startsWith('diff --git ')) {
      current = undefined;
      continue;
    }
    if (!current || !line.startsWith('@@ ')) continue;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!hunk) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    for (let n = start; n < start + count; n += 1) current.push(n);
  }
  for (const [path, lines] of files) {
    if (lines.length === 0) files.delete(path);
    else lines.sort((a, b) => a - b);
  }
  return files;
}

/** git's C-style quoting of unusual paths (`"b/caf\303\251.ts"`), undone. */
function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  const escapes: Record<string, number> = {
    n: 10,
    t: 9,
    '"': 34,
    '\\': 92,
    a: 7,
    b: 8,
    f: 12,
    r: 13,
    v: 11,
  };
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export const gitChangedLines: ChangedLinesPort = {
  async changedLines(baseRef, workspace) {
    const { base, mergeBase: at } = await mergeBaseWith(
      baseRef,
      workspace,
      `The workspace ${workspace} is not a git checkout, so there are no changed lines to compare with base ref ${shown(baseRef)}: check the repository out (actions/checkout), or turn patch coverage off.`,
    );
    const diff = await gitOk(
      [
        'diff',
        '-U0',
        '-M',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        '--src-prefix=a/',
        '--dst-prefix=b/',
        '--relative',
        at,
        '--',
      ],
      workspace,
    );
    return { base, mergeBase: at, files: parseUnifiedDiff(diff) };
  },
};
