// The release's repository port on the git command line. The release commit is built in a
// temporary index (GIT_INDEX_FILE) from the parent's tree, so the working tree, the index and
// every branch stay as they were. git runs without a shell; a push gets its token through git's
// GIT_CONFIG_* environment, never on a command line or in .git/config.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, shown } from '../lib/errors.ts';
import type { ReleaseRepository } from '../release/ports.ts';

interface GitOptions {
  input?: string;
  env?: Record<string, string>;
}

export function gitReleaseRepository(
  cwd: string,
  options: { token?: string; onMask?: (secret: string) => void } = {},
): ReleaseRepository {
  const git = (args: string[], extra: GitOptions = {}) => run(cwd, args, extra);
  // The header git sends, masked before anything else is printed.
  const header =
    options.token === undefined || options.token === ''
      ? undefined
      : `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`;
  if (header !== undefined) options.onMask?.(header.slice('AUTHORIZATION: basic '.length));
  return {
    head: async () => (await git(['rev-parse', '--verify', 'HEAD^{commit}'])).trim(),
    dirtyPaths: async () =>
      (await git(['status', '--porcelain=v1', '-z', '--untracked-files=all']))
        .split('\0')
        .filter((entry) => entry.length > 3)
        .map((entry) => entry.slice(3)),
    tags: async () => (await git(['tag', '--list'])).split('\n').filter((tag) => tag.length > 0),
    tagRef: async (tag) => {
      const found = await run(
        cwd,
        ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}`],
        {},
        true,
      );
      return found.trim() === '' ? undefined : found.trim();
    },
    restoreTag: async (tag, ref) => {
      await git(['update-ref', `refs/tags/${tag}`, ref]);
    },
    files: async (commit) =>
      (await git(['ls-tree', '-r', '-z', '--name-only', commit])).split('\0').filter(Boolean),
    read: (commit, path) => git(['cat-file', 'blob', `${commit}:${path}`]),
    commit: async (parent, changes, message) => {
      const directory = await mkdtemp(join(tmpdir(), 'release-index-'));
      const env = { GIT_INDEX_FILE: join(directory, 'index') };
      try {
        await git(['read-tree', parent], { env });
        for (const [path, text] of changes) {
          const mode = (await git(['ls-tree', parent, '--', path])).split(' ')[0] || '100644';
          const blob = (await git(['hash-object', '-w', '--stdin'], { input: text })).trim();
          await git(['update-index', '--cacheinfo', `${mode},${blob},${path}`], { env });
        }
        const tree = (await git(['write-tree'], { env })).trim();
        return (
          await git(['commit-tree', tree, '-p', parent, '-F', '-'], { input: message })
        ).trim();
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
    tag: async (name, commit, message, force) => {
      await git(['tag', '-a', ...(force ? ['-f'] : []), '-F', '-', name, commit], {
        input: message,
      });
    },
    deleteTag: async (name) => {
      await git(['tag', '-d', name]);
    },
    push: async (remote, refspecs) => {
      const env: Record<string, string> =
        header === undefined
          ? {}
          : {
              GIT_CONFIG_COUNT: '1',
              GIT_CONFIG_KEY_0: 'http.extraheader',
              GIT_CONFIG_VALUE_0: header,
            };
      await git(['push', '--atomic', '--porcelain', remote, ...refspecs], { env });
    },
  };
}

function run(
  cwd: string,
  args: string[],
  options: GitOptions,
  allowFailure = false,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      {
        cwd,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...options.env },
      },
      (error, stdout, stderr) => {
        if (error === null || allowFailure) {
          resolve(error === null ? stdout : '');
          return;
        }
        if (error.code === 'ENOENT') {
          reject(new UserError('A release needs git, which is not on PATH: install git.'));
          return;
        }
        const why = stderr.trim().split('\n').pop() ?? '';
        reject(new UserError(`git ${args[0]} failed in ${cwd}: ${shown(why, 200)}.`));
      },
    );
    // A command that does not read its input may close it first: that is not an error.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}
