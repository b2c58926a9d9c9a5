// What a release needs from the world: the repository (src/git/release-repository.ts) and a
// fresh build of dist/ to compare with the committed one.

export interface ReleaseRepository {
  /** The full SHA of the commit checked out. */
  head(): Promise<string>;
  /** Paths with uncommitted changes, untracked files included. */
  dirtyPaths(): Promise<string[]>;
  /** Every tag name. */
  tags(): Promise<string[]>;
  /** What a tag's ref holds (the tag object of an annotated tag), undefined when there is none. */
  tagRef(tag: string): Promise<string | undefined>;
  /** Points a tag's ref back at what tagRef returned, to undo a move. */
  restoreTag(tag: string, ref: string): Promise<void>;
  /** Every file path in `commit`'s tree. */
  files(commit: string): Promise<string[]>;
  read(commit: string, path: string): Promise<string>;
  /**
   * A new commit whose parent is `parent` and whose tree is the parent's with `changes`
   * applied, on no branch and without touching the working tree; returns its SHA.
   */
  commit(parent: string, changes: ReadonlyMap<string, string>, message: string): Promise<string>;
  /** An annotated tag; `force` moves an existing one. */
  tag(name: string, commit: string, message: string, force: boolean): Promise<void>;
  deleteTag(name: string): Promise<void>;
  /** Pushes the refspecs to `remote` atomically: all or none. */
  push(remote: string, refspecs: readonly string[]): Promise<void>;
}

export interface DistBuild {
  /** Rebuilds dist/ in the working tree; the release then finds it unchanged or refuses. */
  rebuild(): Promise<void>;
}
