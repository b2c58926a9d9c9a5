// A release of the suite: a commit on no branch whose workflows, actions, templates and READMEs
// name the suite at the release tag, tagged vX.Y.Z and vX (moved), then pushed atomically.
// Every check runs before anything is written; a failed push puts the local tags back.
import { UserError, shown } from '../lib/errors.ts';
import type { DistBuild, ReleaseRepository } from './ports.ts';
import { checkReleased, isReleasedFile, rewriteFile, type Rewrite } from './references.ts';
import { parseVersion, planTags } from './version.ts';

export interface ReleaseOptions {
  version: string;
  /** `owner/repo` the released references name (GitHub's `github.repository`). */
  repository: string;
  /** Remote to push to; undefined leaves the tags local. */
  remote: string | undefined;
  /** Plan and check only: no commit, no tag. */
  dryRun: boolean;
}

export interface ReleaseResult {
  version: string;
  tags: string[];
  /** The commit released from (main's HEAD) and the release commit on top of it. */
  parent: string;
  commit: string | undefined;
  rewrites: { path: string; references: number }[];
  pushed: boolean;
}

export type ReleaseEvent =
  | { kind: 'checked'; what: string }
  | { kind: 'committed'; commit: string }
  | { kind: 'tagged'; tag: string; commit: string; moved: boolean }
  | { kind: 'pushed'; remote: string; refspecs: readonly string[] };

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

export async function release(
  options: ReleaseOptions,
  repo: ReleaseRepository,
  dist: DistBuild,
  emit: (event: ReleaseEvent) => void = () => {},
): Promise<ReleaseResult> {
  const version = parseVersion(options.version);
  if (!REPOSITORY.test(options.repository)) {
    throw new UserError(
      `Repository ${shown(options.repository)} is not owner/name: give the suite's GitHub repository, such as acme/aws-ship-suite.`,
    );
  }
  if (
    options.remote !== undefined &&
    !/^[A-Za-z0-9_.~/:@][A-Za-z0-9_.~/:@+-]*$/.test(options.remote)
  ) {
    throw new UserError(
      `Remote ${shown(options.remote)} is not a git remote name or URL: give one such as origin.`,
    );
  }
  await requireClean(repo, 'The working tree has uncommitted changes', 'commit or stash them');
  emit({ kind: 'checked', what: 'working tree clean' });

  const tags = planTags(version, await repo.tags());
  emit({ kind: 'checked', what: `${tags.exact} is greater than every release tag` });

  await dist.rebuild();
  await requireClean(
    repo,
    'dist/ differs from a fresh build of this commit (rebuilt in the working tree)',
    "commit the rebuilt dist/ on main first ('npm run build')",
  );
  emit({ kind: 'checked', what: 'dist/ matches a fresh build' });

  const parent = await repo.head();
  const tree = await repo.files(parent);
  const rewrites: Rewrite[] = [];
  for (const path of tree.filter(isReleasedFile).sort()) {
    rewrites.push(rewriteFile(path, await repo.read(parent, path), options.repository, tags.exact));
  }
  checkReleased(
    rewrites.map(({ path, after }) => ({ path, text: after })),
    options.repository,
    tags.exact,
    new Set(tree),
  );
  const changed = rewrites.filter((rewrite) => rewrite.after !== rewrite.before);
  emit({ kind: 'checked', what: 'every reference names this release' });

  const result: ReleaseResult = {
    version: version.text,
    tags: [tags.exact, ...(tags.major === undefined ? [] : [tags.major])],
    parent,
    commit: undefined,
    rewrites: changed.map(({ path, references }) => ({ path, references })),
    pushed: false,
  };
  if (options.dryRun) return result;

  const commit = await repo.commit(
    parent,
    new Map(changed.map(({ path, after }) => [path, after])),
    `Release ${tags.exact}\n\nThe suite's own references rewritten from @main to @${tags.exact}.`,
  );
  result.commit = commit;
  emit({ kind: 'committed', commit });

  const previousMajor = tags.major === undefined ? undefined : await repo.tagRef(tags.major);
  const undo = async () => {
    await repo.deleteTag(tags.exact).catch(() => {});
    if (tags.major === undefined) return;
    if (previousMajor === undefined) await repo.deleteTag(tags.major).catch(() => {});
    else await repo.restoreTag(tags.major, previousMajor).catch(() => {});
  };
  try {
    await repo.tag(tags.exact, commit, `Release ${tags.exact}`, false);
    emit({ kind: 'tagged', tag: tags.exact, commit, moved: false });
    if (tags.major !== undefined) {
      await repo.tag(tags.major, commit, `Latest v${version.major} release: ${tags.exact}`, true);
      emit({ kind: 'tagged', tag: tags.major, commit, moved: previousMajor !== undefined });
    }
    if (options.remote !== undefined) {
      const refspecs = [
        `refs/tags/${tags.exact}`,
        ...(tags.major === undefined ? [] : [`+refs/tags/${tags.major}`]),
      ];
      await repo.push(options.remote, refspecs);
      result.pushed = true;
      emit({ kind: 'pushed', remote: options.remote, refspecs });
    }
  } catch (error) {
    await undo();
    throw error;
  }
  return result;
}

async function requireClean(repo: ReleaseRepository, what: string, fix: string): Promise<void> {
  const dirty = await repo.dirtyPaths();
  if (dirty.length === 0) return;
  const listed = dirty.slice(0, 3).join(', ') + (dirty.length > 3 ? `, … (${dirty.length})` : '');
  throw new UserError(`${what}: ${listed}: ${fix}, then release again.`);
}
