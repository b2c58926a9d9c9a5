// Objects no kept release uses, deleted once the new release is live. The history is written
// without the dropped releases only after their objects are gone, so an interrupted prune is
// finished by the next deploy.
import { type History, releaseKeys } from './history.ts';
import type { ListedObject, SpaPorts } from './ports.ts';
import { manifestKey, writeIndex } from './history-store.ts';

export interface PruneOutcome {
  readonly releases: readonly string[];
  readonly objects: number;
}

export async function prune(
  history: History,
  prefix: string,
  keepReleases: number,
  listing: ReadonlyMap<string, ListedObject>,
  ports: Pick<SpaPorts, 'bucket' | 'signal' | 'onEvent'>,
): Promise<PruneOutcome> {
  const { kept, dropped } = splitKept(history, keepReleases);
  if (dropped.length === 0) return { releases: [], objects: 0 };
  const inUse = new Set(kept.flatMap((r) => releaseKeys(prefix, r)));
  const unused = [...new Set(dropped.flatMap((r) => releaseKeys(prefix, r)))].filter(
    (key) => !inUse.has(key) && listing.has(key),
  );
  for (let i = 0; i < unused.length; i += 1000) {
    await ports.bucket.delete(unused.slice(i, i + 1000), ports.signal);
  }
  await writeIndex(prefix, { ...history, releases: kept }, ports);
  await ports.bucket.delete(
    dropped.map((r) => manifestKey(prefix, r.id)),
    ports.signal,
  );
  const releases = dropped.map((r) => r.id);
  ports.onEvent?.({ type: 'pruned', releases, objects: unused.length });
  return { releases, objects: unused.length };
}

/** The newest `keep` releases, and the live one wherever it is; the rest dropped. */
export function splitKept(history: History, keep: number) {
  const newest = new Set(history.releases.slice(-keep).map((r) => r.id));
  const isKept = (id: string) => newest.has(id) || id === history.live;
  return {
    kept: history.releases.filter((r) => isKept(r.id)),
    dropped: history.releases.filter((r) => !isKept(r.id)),
  };
}
