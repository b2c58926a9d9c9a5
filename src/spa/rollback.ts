// Rollback: the entry points of a kept release copied back onto their live keys from their stored
// copies, invalidated, and the history's live release moved. Its assets were never deleted.
import { UserError } from '../lib/errors.ts';
import type { PlannedFile } from './classify.ts';
import { goLive } from './deploy.ts';
import {
  type History,
  type Release,
  historyKey,
  liveRelease,
  previousRelease,
  releaseKeys,
} from './history.ts';
import {
  type InvalidationOutcome,
  invalidate,
  invalidationPaths,
  pathsToInvalidate,
} from './invalidation.ts';
import type { FilePlan } from './plan.ts';
import type { SpaPorts } from './ports.ts';
import { readHistory, writeIndex, writeRelease } from './history-store.ts';

export interface RollbackOptions {
  readonly prefix: string;
  /** A release id from the history; undefined: the one before the live release. */
  readonly target: string | undefined;
  readonly waitForInvalidation: boolean;
  readonly invalidateEverything: boolean;
  readonly dryRun: boolean;
  readonly concurrency: number;
}

export interface RollbackResult {
  readonly outcome: 'rolled-back' | 'unchanged' | 'dry-run';
  readonly release: string;
  readonly previousRelease: string | undefined;
  /** Entry points rewritten. */
  readonly rewritten: number;
  readonly invalidation: InvalidationOutcome | undefined;
  readonly timeToLiveMs: number | undefined;
}

export async function rollbackSpa(
  options: RollbackOptions,
  ports: SpaPorts,
): Promise<RollbackResult> {
  const { bucket, cdn, signal, clock } = ports;
  const started = clock.now();
  await bucket.check(signal);
  await cdn.check(signal);
  const stateKey = historyKey(options.prefix);
  const history = await readHistory(options.prefix, ports);
  const live = liveRelease(history);
  const target = targetOf(history, options.target, stateKey);
  const listing = await bucket.list(options.prefix, signal);
  const missing = releaseKeys(options.prefix, target).filter((key) => !listing.has(key));
  if (missing.length > 0) {
    throw new UserError(
      `Release ${target.id} cannot be restored: ${missing.length} of its objects are gone from the bucket (${missing[0]}${missing.length > 1 ? ', …' : ''}); deploy it again instead.`,
    );
  }
  const changed: FilePlan[] = Object.entries(target.objects)
    .filter(
      ([path, object]) =>
        object.kind === 'entry-point' && !sameObject(live, path, object.sha256, object),
    )
    .map(([path, object]) => {
      const file: PlannedFile = {
        path,
        size: object.size,
        sha256: object.sha256,
        kind: 'entry-point',
        headers: {
          contentType: object.contentType,
          cacheControl: object.cacheControl,
          ...(object.contentEncoding === undefined
            ? {}
            : { contentEncoding: object.contentEncoding }),
        },
        ...(object.contentEncoding === undefined
          ? {}
          : { compresses: path.replace(/\.(br|gz)$/, '') }),
      };
      return {
        file,
        key: `${options.prefix}${path}`,
        current: false,
        etag: undefined,
        archive: 'present',
      };
    });
  const base = { release: target.id, previousRelease: live?.id, rewritten: changed.length };
  if (options.dryRun)
    return { outcome: 'dry-run', ...base, invalidation: undefined, timeToLiveMs: undefined };
  if (target.id === history.live && changed.length === 0) {
    return { outcome: 'unchanged', ...base, invalidation: undefined, timeToLiveMs: undefined };
  }

  const etags = new Map<string, string>();
  await goLive(changed, options, ports, etags);
  const timeToLiveMs = clock.now() - started;
  ports.onEvent?.({ type: 'live', release: target.id, entryPoints: changed.length });
  const restored: Release = {
    ...target,
    objects: Object.fromEntries(
      Object.entries(target.objects).map(([path, o]) => [
        path,
        { ...o, etag: etags.get(`${options.prefix}${path}`) ?? o.etag },
      ]),
    ),
  };
  // The entry points' new ETags, so the next deploy knows them without asking.
  await writeRelease(options.prefix, restored, ports);
  await writeIndex(options.prefix, { ...history, live: target.id }, ports);
  const paths = invalidationPaths(changed.map((p) => p.key));
  const invalidation =
    paths.length === 0 && !options.invalidateEverything
      ? undefined
      : await invalidate(
          pathsToInvalidate(paths, options.invalidateEverything),
          `spa-deploy-rollback-${target.id}-${started}`,
          options.waitForInvalidation,
          ports,
        );
  return { outcome: 'rolled-back', ...base, invalidation, timeToLiveMs };
}

function targetOf(history: History, named: string | undefined, stateKey: string): Release {
  if (history.releases.length === 0) {
    throw new UserError(`Nothing to roll back: ${stateKey} records no release. Deploy first.`);
  }
  if (named === undefined) {
    const previous = previousRelease(history);
    if (previous === undefined) {
      throw new UserError(
        `Nothing to roll back to: release ${history.live ?? '(none)'} is the oldest one kept. Name a release to restore, or deploy.`,
      );
    }
    return previous;
  }
  const release = history.releases.find((r) => r.id === named);
  if (release === undefined) {
    const kept = history.releases.map((r) => r.id).join(', ');
    throw new UserError(
      `Release ${named} is not kept in this bucket: roll back to one of ${kept}.`,
    );
  }
  return release;
}

function sameObject(
  live: Release | undefined,
  path: string,
  sha256: string,
  headers: { contentType: string; cacheControl: string; contentEncoding?: string },
): boolean {
  const current = live?.objects[path];
  return (
    current !== undefined &&
    current.sha256 === sha256 &&
    current.contentType === headers.contentType &&
    current.cacheControl === headers.cacheControl &&
    (current.contentEncoding ?? '') === (headers.contentEncoding ?? '')
  );
}
