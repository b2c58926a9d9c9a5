// The deploy: every new asset first, then the entry points (HTML last), then one invalidation of
// exactly the entry points that changed, then the release history, then pruning of what no kept
// release uses. Stopped at any point before the entry points, the live site is the old release
// whole; after them, the new one, its assets all in place.
import { UserError } from '../lib/errors.ts';
import { type CacheRule, type PlannedFile, classify, entryPointOrder } from './classify.ts';
import {
  type History,
  type Release,
  type ReleaseObject,
  STATE_FOLDER,
  archiveKey,
  checkNoStateFiles,
  liveRelease,
  uniqueReleaseId,
} from './history.ts';
import {
  type InvalidationOutcome,
  invalidate,
  invalidationPaths,
  pathsToInvalidate,
} from './invalidation.ts';
import { type FilePlan, planDeploy } from './plan.ts';
import type { SpaPorts } from './ports.ts';
import { forEachBounded } from './pool.ts';
import { prune } from './prune.ts';
import { readHistory, writeIndex, writeRelease } from './history-store.ts';

export interface DeployOptions {
  /** Key prefix in the bucket: '' or ending in '/'. */
  readonly prefix: string;
  readonly rules: readonly CacheRule[];
  /** Releases whose objects are kept (the new one among them); at least 2. */
  readonly keepReleases: number;
  readonly waitForInvalidation: boolean;
  /** Invalidate `/*` instead of the changed paths. */
  readonly invalidateEverything: boolean;
  readonly dryRun: boolean;
  /** The new release's id, made unique against the history. */
  readonly releaseId: string;
  readonly concurrency: number;
}

export interface Transfer {
  readonly count: number;
  readonly bytes: number;
}

export type DeployResult = {
  readonly outcome: 'deployed' | 'unchanged' | 'dry-run';
  readonly release: string;
  readonly previousRelease: string | undefined;
  readonly files: number;
  readonly uploaded: Transfer;
  /** Entry points rewritten from a stored copy, without uploading their bytes. */
  readonly copied: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly prunedReleases: readonly string[];
  readonly invalidation: InvalidationOutcome | undefined;
  /** From the start until the new entry points were all in place. */
  readonly timeToLiveMs: number | undefined;
};

export async function deploySpa(options: DeployOptions, ports: SpaPorts): Promise<DeployResult> {
  const { bucket, cdn, signal, clock } = ports;
  const started = clock.now();
  const sourceFiles = await ports.source.files();
  if (sourceFiles.length === 0) {
    throw new UserError('The build directory has no files: build the app before deploying it.');
  }
  checkNoStateFiles(
    sourceFiles.map((f) => f.path),
    STATE_FOLDER,
  );
  await bucket.check(signal);
  await cdn.check(signal);

  const history = await readHistory(options.prefix, ports);
  const listing = await bucket.list(options.prefix, signal);
  const files = classify(sourceFiles, options.rules);
  const plan = await planDeploy(
    files,
    options.prefix,
    listing,
    history,
    options.concurrency,
    ports,
  );
  ports.onEvent?.({
    type: 'plan',
    upload: plan.uploads,
    bytes: plan.uploadBytes,
    unchanged: plan.unchanged,
  });

  const live = liveRelease(history);
  const releaseId = uniqueReleaseId(history, options.releaseId);
  const unchangedRelease =
    live !== undefined &&
    plan.files.every((p) => p.current && (p.archive === 'present' || p.archive === 'none')) &&
    sameSet(
      Object.keys(live.objects),
      files.map((f) => f.path),
    );
  const base = {
    previousRelease: live?.id,
    files: files.length,
    uploaded: { count: plan.uploads, bytes: plan.uploadBytes },
    copied: plan.files.filter(
      (p) => !p.current && p.file.kind === 'entry-point' && p.archive === 'present',
    ).length,
    unchanged: plan.unchanged,
    deleted: 0,
    prunedReleases: [],
    invalidation: undefined,
    timeToLiveMs: undefined,
  };
  if (options.dryRun) return { outcome: 'dry-run', release: releaseId, ...base };
  if (unchangedRelease)
    return { outcome: 'unchanged', release: live.id, ...base, uploaded: { count: 0, bytes: 0 } };

  const etags = new Map<string, string>();
  const assets = plan.files.filter((p) => p.file.kind === 'asset');
  const entryPoints = plan.files.filter((p) => p.file.kind === 'entry-point');
  // Not live yet: new assets, and the stored copies the entry points will be copied from.
  await forEachBounded([...assets, ...entryPoints], options.concurrency, signal, async (p) => {
    if (p.file.kind === 'asset') {
      if (!p.current) etags.set(p.key, await bucket.upload(uploadOf(p, p.key), signal));
      return;
    }
    const stored = archiveKey(options.prefix, p.file.sha256);
    if (p.archive === 'upload') await bucket.upload(uploadOf(p, stored), signal);
    else if (p.archive === 'copy-from-live')
      await bucket.copy(p.key, stored, { ...p.file.headers, sha256: p.file.sha256 }, signal);
  });
  ports.onEvent?.({ type: 'assets-uploaded', count: plan.uploads, bytes: plan.uploadBytes });

  // Going live: the entry points, in order, each a copy of its stored copy.
  const changedEntryPoints = entryPoints
    .filter((p) => !p.current)
    .sort((a, b) => entryPointOrder(a.file, b.file));
  await goLive(changedEntryPoints, options, ports, etags);
  const timeToLiveMs = clock.now() - started;
  const release: Release = {
    id: releaseId,
    createdAt: new Date(clock.now()).toISOString(),
    objects: Object.fromEntries(
      plan.files.map((p) => [p.file.path, releaseObject(p, etags, listing)]),
    ),
  };
  ports.onEvent?.({ type: 'live', release: releaseId, entryPoints: changedEntryPoints.length });
  const recorded: History = {
    ...history,
    live: releaseId,
    releases: [...history.releases, release],
  };
  await writeRelease(options.prefix, release, ports);
  await writeIndex(options.prefix, recorded, ports);

  const changedPaths = invalidationPaths(changedEntryPoints.map((p) => p.key));
  const invalidation =
    changedPaths.length === 0 && !options.invalidateEverything
      ? undefined
      : await invalidate(
          pathsToInvalidate(changedPaths, options.invalidateEverything),
          `spa-deploy-${releaseId}`,
          options.waitForInvalidation,
          ports,
        );
  const pruned = await prune(recorded, options.prefix, options.keepReleases, listing, ports);
  return {
    outcome: 'deployed',
    release: releaseId,
    ...base,
    deleted: pruned.objects,
    prunedReleases: pruned.releases,
    invalidation,
    timeToLiveMs,
  };
}

/** Copies each stored entry point onto its live key; the HTML ones after everything they name. */
export async function goLive(
  entryPoints: readonly FilePlan[],
  options: Pick<DeployOptions, 'prefix' | 'concurrency'>,
  ports: Pick<SpaPorts, 'bucket' | 'signal'>,
  etags: Map<string, string>,
): Promise<void> {
  const copy = async (p: FilePlan) => {
    const stored = archiveKey(options.prefix, p.file.sha256);
    etags.set(
      p.key,
      await ports.bucket.copy(
        stored,
        p.key,
        { ...p.file.headers, sha256: p.file.sha256 },
        ports.signal,
      ),
    );
  };
  const html = (p: FilePlan) => /\.html?$/i.test(p.file.compresses ?? p.file.path);
  await forEachBounded(
    entryPoints.filter((p) => !html(p)),
    options.concurrency,
    ports.signal,
    copy,
  );
  await forEachBounded(entryPoints.filter(html), options.concurrency, ports.signal, copy);
}

function uploadOf(p: FilePlan, key: string) {
  return { key, source: p.file.path, size: p.file.size, sha256: p.file.sha256, ...p.file.headers };
}

function releaseObject(
  p: FilePlan,
  etags: ReadonlyMap<string, string>,
  listing: ReadonlyMap<string, { etag: string }>,
): ReleaseObject {
  const file: PlannedFile = p.file;
  return {
    kind: file.kind,
    sha256: file.sha256,
    size: file.size,
    ...file.headers,
    etag: etags.get(p.key) ?? p.etag ?? listing.get(p.key)?.etag ?? '',
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((x) => set.has(x));
}
