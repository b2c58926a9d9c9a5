// The migrations a branch added, changed, renamed or deleted since it left its base, from git:
// committed, staged, edited and untracked files alike, so a run on a laptop sees what CI will.
// git runs without a shell, its arguments after --end-of-options or a checked ref.
import { UserError, shown } from '../lib/errors.ts';
import type { ChangesPort, FileChange } from '../migrate/lint-scope.ts';

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(args: string[], cwd: string): Promise<GitResult> {
  // Loaded here, not at start: a plan or an apply never runs git.
  const { execFile } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            error.code === 'ENOENT'
              ? new UserError(
                  'Comparing with a base ref needs git, which is not on PATH: install git, or lint without a base ref.',
                )
              : error,
          );
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

export async function gitOk(args: string[], cwd: string): Promise<string> {
  const result = await git(args, cwd);
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n')[0] ?? '';
    throw new UserError(`git ${args[0]} failed in ${cwd}: ${shown(why, 200)}.`);
  }
  return result.stdout;
}

/** The commit `ref` names, or the remote-tracking branch origin/<ref> (a pull request's checkout). */
async function resolveRef(ref: string, cwd: string): Promise<{ name: string; commit: string }> {
  const candidates = ref.startsWith('refs/') ? [ref] : [ref, `refs/remotes/origin/${ref}`];
  for (const name of candidates) {
    const found = await git(
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{commit}`],
      cwd,
    );
    if (found.code === 0) {
      return { name: name.replace(/^refs\/remotes\//, ''), commit: found.stdout.trim() };
    }
  }
  throw new UserError(
    `Base ref ${shown(ref)} is not in this clone (nor origin/${ref}): fetch it, e.g. actions/checkout with fetch-depth: 0, or git fetch origin ${ref}.`,
  );
}

/** `git diff --name-status -z` output: a status, then one path, or two for a rename or copy. */
export function parseNameStatus(output: string): FileChange[] {
  const fields = output.split('\0');
  const changes: FileChange[] = [];
  for (let i = 0; i < fields.length;) {
    const status = fields[i++] ?? '';
    if (status === '') continue;
    const kind = status[0];
    if (kind === 'R' || kind === 'C') {
      const from = fields[i++]!;
      const to = fields[i++]!;
      changes.push(
        kind === 'R' ? { status: 'renamed', path: to, from } : { status: 'added', path: to },
      );
    } else {
      const path = fields[i++]!;
      if (kind === 'D') changes.push({ status: 'deleted', path });
      else if (kind === 'A') changes.push({ status: 'added', path });
      else changes.push({ status: 'modified', path });
    }
  }
  return changes;
}

/**
 * The merge base of `baseRef` (or origin/<baseRef>) and HEAD in the checkout at `cwd`; `notCheckout`
 * is the one line for a folder that is not in a git checkout.
 */
export async function mergeBaseWith(
  baseRef: string,
  cwd: string,
  notCheckout: string,
): Promise<{ base: string; mergeBase: string }> {
  const inside = await git(['rev-parse', '--is-inside-work-tree'], cwd);
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') throw new UserError(notCheckout);
  const base = await resolveRef(baseRef, cwd);
  const mergeBase = await git(['merge-base', base.commit, 'HEAD'], cwd);
  if (mergeBase.code !== 0) {
    throw new UserError(
      `Base ref ${shown(baseRef)} and HEAD share no commit in this clone (a shallow clone?): fetch the whole history, e.g. actions/checkout with fetch-depth: 0.`,
    );
  }
  return { base: base.name, mergeBase: mergeBase.stdout.trim() };
}

export const gitChanges: ChangesPort = {
  async changesSince(baseRef, directory) {
    const { base, mergeBase: at } = await mergeBaseWith(
      baseRef,
      directory,
      `The migrations folder ${directory} is not in a git checkout, so there is nothing to compare with base ref ${shown(baseRef)}: check the repository out (actions/checkout), or lint without a base ref.`,
    );
    // Against the working tree, paths relative to (and only under) the migrations folder.
    const diff = await gitOk(
      [
        'diff',
        '--name-status',
        '-z',
        '-M',
        '--no-ext-diff',
        '--no-textconv',
        '--relative',
        at,
        '--',
      ],
      directory,
    );
    const untracked = await gitOk(['ls-files', '--others', '--exclude-standard', '-z'], directory);
    const changes = parseNameStatus(diff);
    for (const path of untracked.split('\0').filter(Boolean)) {
      changes.push({ status: 'added', path });
    }
    return { base, mergeBase: at, changes };
  },
};
