// The release history: which objects each kept release serves, and which release is live (stored
// by src/spa/history-store.ts under `<prefix>.spa-deploy/`). Entry points of every kept release are
// stored by content hash under `<prefix>.spa-deploy/objects/` for rollback.
import { UserError } from '../lib/errors.ts';
import type { FileKind } from './classify.ts';
import type { ObjectHeaders } from './ports.ts';

export const HISTORY_VERSION = 1;
export const STATE_FOLDER = '.spa-deploy/';

export interface ReleaseObject extends ObjectHeaders {
  readonly kind: FileKind;
  readonly sha256: string;
  readonly size: number;
  /** The live object's ETag when the release wrote or found it: unchanged ETag, unchanged content. */
  readonly etag: string;
}

export interface Release {
  readonly id: string;
  readonly createdAt: string;
  /** By path in the build (the key without the prefix). */
  readonly objects: Readonly<Record<string, ReleaseObject>>;
}

export interface History {
  readonly version: typeof HISTORY_VERSION;
  /** The release whose entry points are live; undefined before the first deploy. */
  readonly live: string | undefined;
  /** Oldest first. */
  readonly releases: readonly Release[];
}

export const EMPTY_HISTORY: History = { version: HISTORY_VERSION, live: undefined, releases: [] };

export const historyKey = (prefix: string) => `${prefix}${STATE_FOLDER}releases.json`;
export const archiveKey = (prefix: string, sha256: string) =>
  `${prefix}${STATE_FOLDER}objects/${sha256}`;

export const liveRelease = (history: History): Release | undefined =>
  history.releases.find((r) => r.id === history.live);

/** The release before the live one, for a rollback without a named release. */
export function previousRelease(history: History): Release | undefined {
  const index = history.releases.findIndex((r) => r.id === history.live);
  return index > 0 ? history.releases[index - 1] : undefined;
}

/** Every key a release needs in the bucket. */
export function releaseKeys(prefix: string, release: Release): string[] {
  const keys: string[] = [];
  for (const [path, object] of Object.entries(release.objects)) {
    keys.push(`${prefix}${path}`);
    if (object.kind === 'entry-point') keys.push(archiveKey(prefix, object.sha256));
  }
  return keys;
}

/** A release id not yet in the history: `candidate`, or `candidate-2`, `-3`, … */
export function uniqueReleaseId(history: History, candidate: string): string {
  const taken = new Set(history.releases.map((r) => r.id));
  if (!taken.has(candidate)) return candidate;
  let n = 2;
  while (taken.has(`${candidate}-${n}`)) n += 1;
  return `${candidate}-${n}`;
}

/** The build may not hold the folder the history lives in: its files would overwrite it. */
export function checkNoStateFiles(paths: readonly string[], folder: string): void {
  const clash = paths.find((p) => p === folder.slice(0, -1) || p.startsWith(folder));
  if (clash !== undefined) {
    throw new UserError(
      `The build has ${clash}, but ${folder} is where spa-deploy keeps its release history in the bucket: rename it.`,
    );
  }
}
