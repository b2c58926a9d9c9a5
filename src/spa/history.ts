// The release history kept in the bucket: which objects each release serves, and which release is
// live. One JSON object beside the site (`<prefix>.spa-deploy/releases.json`); entry points of every
// kept release are stored by content hash under `<prefix>.spa-deploy/objects/` for rollback.
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

export function parseHistory(text: string | undefined, key: string): History {
  if (text === undefined) return EMPTY_HISTORY;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(
      `The release history ${key} in the bucket is not JSON: restore it from the bucket's versions, or delete it to start a new history.`,
    );
  }
  const history = value as Partial<History>;
  if (history.version !== HISTORY_VERSION || !Array.isArray(history.releases)) {
    throw new UserError(
      `The release history ${key} has version ${String(history.version)}, which this action does not read (it writes version ${HISTORY_VERSION}): use the spa-deploy version that wrote it.`,
    );
  }
  return { version: HISTORY_VERSION, live: history.live, releases: history.releases };
}

export const serializeHistory = (history: History): string => `${JSON.stringify(history)}\n`;

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
