// Lint in a pull request: judge the migrations the branch added or changed against its base, not
// the whole history (whose files were judged, or applied, when they were new). The changed files
// come through ChangesPort, which the adapter implements with git.

/** One file that differs between the merge base and the working tree. */
export interface FileChange {
  status: 'added' | 'modified' | 'renamed' | 'deleted';
  /** Relative to the migrations folder, '/'-separated (the migration's script). */
  path: string;
  /** A renamed file's old path. */
  from?: string;
}

export interface BranchChanges {
  /** The base as resolved (e.g. origin/main), and the commit the branch left it at. */
  base: string;
  mergeBase: string;
  changes: FileChange[];
}

export interface ChangesPort {
  /** The files under `directory` that differ from where HEAD left `baseRef`. */
  changesSince(baseRef: string, directory: string): Promise<BranchChanges>;
}

export interface LintScope {
  base: string;
  mergeBase: string;
  /** The migrations to lint: added, edited or renamed. */
  judged: string[];
  /** Migrations gone from the branch: an applied one shows up as missing at plan and apply. */
  deleted: string[];
  renamed: { from: string; to: string }[];
}

const isSql = (path: string) => path.toLowerCase().endsWith('.sql');

/** Which migrations to judge: those the branch added or changed (a rename or an edit is a change). */
export function lintScope(scripts: readonly string[], changed: BranchChanges): LintScope {
  const present = new Set(scripts);
  const judged = new Set<string>();
  const deleted: string[] = [];
  const renamed: { from: string; to: string }[] = [];
  for (const change of changed.changes) {
    if (change.status === 'deleted') {
      if (isSql(change.path)) deleted.push(change.path);
      continue;
    }
    if (change.status === 'renamed' && change.from && isSql(change.from)) {
      renamed.push({ from: change.from, to: change.path });
    }
    if (present.has(change.path)) judged.add(change.path);
  }
  return {
    base: changed.base,
    mergeBase: changed.mergeBase,
    judged: scripts.filter((s) => judged.has(s)),
    deleted: deleted.sort(),
    renamed,
  };
}
