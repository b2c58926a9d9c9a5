// The lines a change added or modified, from a real git repository the test creates: committed,
// staged and unstaged edits since the merge base, renames followed, deletions not counted.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitChangedLines, parseUnifiedDiff } from '../../../src/git/changed-lines.ts';

let repo = '';
const git = (...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false', ...args],
    { cwd: repo, encoding: 'utf8' },
  );
const lines = (n: number, prefix = 'line') =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n') + '\n';

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'changed-lines-'));
  git('init', '-q', '-b', 'main');
  await mkdir(join(repo, 'src'));
  await writeFile(join(repo, 'src/a.ts'), lines(10));
  await writeFile(join(repo, 'src/old-name.ts'), lines(20, 'kept'));
  await writeFile(join(repo, 'src/gone.ts'), lines(3));
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  const edited = lines(10)
    .replace('line 3\n', 'line three\n')
    .replace('line 7\n', 'line 7\nnew 7b\nnew 7c\n');
  await writeFile(join(repo, 'src/a.ts'), edited);
  git('mv', 'src/old-name.ts', 'src/new-name.ts');
  await writeFile(
    join(repo, 'src/new-name.ts'),
    lines(20, 'kept').replace('kept 20\n', 'kept 20\nadded 21\n'),
  );
  git('rm', '-q', 'src/gone.ts');
  git('add', '.');
  git('commit', '-q', '-m', 'change');
  // An unstaged edit after the commit counts too.
  await writeFile(join(repo, 'src/a.ts'), `${edited}tail\n`);
});
afterAll(() => rm(repo, { recursive: true, force: true }));

it('gives the new-side line numbers of every added or modified line since the merge base', async () => {
  const changed = await gitChangedLines.changedLines('main', repo);
  expect(changed.base).toBe('main');
  expect(changed.mergeBase).toMatch(/^[0-9a-f]{40}$/);
  expect(Object.fromEntries(changed.files)).toEqual({
    'src/a.ts': [3, 8, 9, 13],
    'src/new-name.ts': [21],
  });
});

it('refuses a base ref the clone does not have, in one line', async () => {
  await expect(gitChangedLines.changedLines('nope', repo)).rejects.toThrow(
    "Base ref 'nope' is not in this clone (nor origin/nope)",
  );
  await expect(gitChangedLines.changedLines('--output=/tmp/x', repo)).rejects.toThrow(
    'is not in this clone',
  );
});

it('refuses a workspace that is not a checkout', async () => {
  await expect(gitChangedLines.changedLines('main', tmpdir())).rejects.toThrow(
    'is not a git checkout',
  );
});

it('reads quoted paths and hunks without counts', () => {
  const diff = [
    'diff --git "a/caf\\303\\251.ts" "b/caf\\303\\251.ts"',
    '--- "a/caf\\303\\251.ts"',
    '+++ "b/caf\\303\\251.ts"',
    '@@ -1 +1 @@',
    '-x',
    '+y',
    '@@ -5,2 +4,0 @@',
    'diff --git a/bin.png b/bin.png',
    'Binary files a/bin.png and b/bin.png differ',
  ].join('\n');
  expect(Object.fromEntries(parseUnifiedDiff(diff))).toEqual({ 'café.ts': [1] });
});
