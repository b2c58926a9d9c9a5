// The changed migrations from a real git repository: committed, edited, untracked, renamed and
// deleted files; a base that exists only as origin/<branch>; and one line for a missing base, a
// shallow clone and a folder outside any repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { gitChanges } from '../../../src/git/changed-files.ts';

const IDENTITY = ['-c', 'user.name=t', '-c', 'user.email=t@example.com'];

function repository(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'git-changes-'));
  const git = (...args: string[]) =>
    execFileSync('git', [...IDENTITY, ...args], { cwd: root, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  const write = (more: Record<string, string>) => {
    for (const [path, text] of Object.entries(more)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  };
  write(files);
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  return { root, git, write, migrations: join(root, 'db', 'migrations') };
}

describe('gitChanges', () => {
  it('sees what a branch committed, edited, renamed, deleted and left untracked, relative to the folder', async () => {
    const repo = repository({
      'db/migrations/V1__a.sql': 'CREATE TABLE a (id int);\n',
      'db/migrations/V2__b.sql': 'CREATE TABLE b (id int);\n',
      'db/migrations/V3__c.sql': 'CREATE TABLE c (id int);\n-- a long enough text to rename\n',
      'app/V9__not_here.sql': 'SELECT 1;\n',
    });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'db/migrations/V4__d.sql': 'CREATE INDEX d ON a (id);\n' });
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'V4');
    renameSync(join(repo.migrations, 'V3__c.sql'), join(repo.migrations, 'V3__c_renamed.sql'));
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'rename');
    repo.git('checkout', '-q', 'main');
    repo.write({ 'app/other.txt': 'main moved on\n' });
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'main moves on');
    const base = repo.git('merge-base', 'main', 'feature');
    repo.git('checkout', '-q', 'feature');
    repo.write({
      'db/migrations/V1__a.sql': 'CREATE TABLE a (id bigint);\n',
      'db/migrations/V5__e.sql': 'SELECT 1;\n',
      'app/V9__not_here.sql': 'SELECT 2;\n',
    });
    rmSync(join(repo.migrations, 'V2__b.sql'));

    const changed = await gitChanges.changesSince('main', repo.migrations);
    expect(changed.base).toBe('main');
    expect(changed.mergeBase).toBe(base);
    expect(changed.changes.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { status: 'modified', path: 'V1__a.sql' },
      { status: 'deleted', path: 'V2__b.sql' },
      { status: 'renamed', path: 'V3__c_renamed.sql', from: 'V3__c.sql' },
      { status: 'added', path: 'V4__d.sql' },
      { status: 'added', path: 'V5__e.sql' },
    ]);
  });

  it('finds the base as origin/<branch>, as a pull request checkout has it', async () => {
    const repo = repository({ 'db/migrations/V1__a.sql': 'SELECT 1;\n' });
    repo.git('update-ref', 'refs/remotes/origin/trunk', 'HEAD');
    repo.write({ 'db/migrations/V2__b.sql': 'SELECT 2;\n' });
    const changed = await gitChanges.changesSince('trunk', repo.migrations);
    expect(changed).toMatchObject({
      base: 'origin/trunk',
      changes: [{ status: 'added', path: 'V2__b.sql' }],
    });
  });

  it('one line for a base that is not in the clone, with the way to fetch it', async () => {
    const repo = repository({ 'db/migrations/V1__a.sql': 'SELECT 1;\n' });
    await expect(gitChanges.changesSince('release', repo.migrations)).rejects.toThrow(
      "Base ref 'release' is not in this clone (nor origin/release): fetch it, e.g. actions/checkout with fetch-depth: 0, or git fetch origin release.",
    );
  });

  it('one line for a base with no common history (a shallow clone)', async () => {
    const repo = repository({ 'db/migrations/V1__a.sql': 'SELECT 1;\n' });
    repo.git('checkout', '-q', '--orphan', 'other');
    repo.git('commit', '-q', '-m', 'unrelated');
    await expect(gitChanges.changesSince('main', repo.migrations)).rejects.toThrow(
      /^Base ref 'main' and HEAD share no commit in this clone \(a shallow clone\?\): fetch the whole history/,
    );
  });

  it('one line for a folder outside any git checkout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-git-'));
    await expect(gitChanges.changesSince('main', dir)).rejects.toThrow(
      /^The migrations folder .* is not in a git checkout, so there is nothing to compare with base ref 'main'/,
    );
  });
});
