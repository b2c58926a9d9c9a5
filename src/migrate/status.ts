// What is applied, what is pending and what is wrong, from the files and the history table.
// Every refusal here happens before anything runs.
import { UserError } from '../lib/errors.ts';
import type { HistoryRow } from './history.ts';
import { type Migration, type PhaseInput, inPhase } from './migration-set.ts';
import { type Version, compareVersions, formatVersion, parseVersion } from './version.ts';

export interface PendingMigration {
  migration: Migration;
  /** Parts already committed by an earlier, failed run: this run starts after them. */
  resumeFromPart: number;
  /** Why it is pending. */
  reason: 'new' | 'out-of-order' | 'resume' | 'repeatable-new' | 'repeatable-changed';
}

export interface Deferred {
  script: string;
  version: string | null;
}

export interface StatusOptions {
  outOfOrder: boolean;
  /** Adopts a database without history: versions up to this one count as applied. */
  baselineVersion: Version | undefined;
  /** expand leaves contract migrations pending (deferred) for a later contract run. */
  phase: PhaseInput;
}

export interface Status {
  pending: PendingMigration[];
  /** Contract migrations left for the contract phase. */
  deferred: Deferred[];
  /** Successful versioned and baseline rows, by version. */
  appliedVersions: number;
  /** Applied versions with no file any more (a warning: squashed or deleted files). */
  missingLocally: string[];
  /** The version the history says the schema is at. */
  current: string | undefined;
  /** True when the baseline row must be written (history empty, baseline-version given). */
  baseline: Version | undefined;
}

function mismatch(script: string, applied: string, now: string): UserError {
  return new UserError(
    `Migration '${script}' changed after it was applied: checksum ${now} on disk, ${applied} in the history. Restore the applied text and put the change in a new migration.`,
  );
}

export function computeStatus(
  migrations: readonly Migration[],
  history: readonly HistoryRow[],
  options: StatusOptions,
): Status {
  const baselineRow = history.find((r) => r.type === 'baseline');
  const baseline =
    history.length === 0 && options.baselineVersion ? options.baselineVersion : undefined;
  const baselineVersion =
    baseline ?? (baselineRow?.version ? parseVersion(baselineRow.version) : undefined);

  const appliedByVersion = new Map<string, HistoryRow>();
  const failedByScript = new Map<string, HistoryRow>();
  const lastRepeatable = new Map<string, HistoryRow>();
  for (const row of history) {
    if (row.type === 'versioned' && row.version !== null) {
      const key = formatVersion(parseVersion(row.version));
      if (row.success) appliedByVersion.set(key, row);
      else failedByScript.set(row.script, row);
    } else if (row.type === 'repeatable') {
      if (row.success) lastRepeatable.set(row.script, row);
      else failedByScript.set(row.script, row);
    }
  }
  const highest = [...appliedByVersion.keys()]
    .map(parseVersion)
    .reduce<Version | undefined>(
      (max, v) => (max === undefined || compareVersions(v, max) > 0 ? v : max),
      undefined,
    );

  const pending: PendingMigration[] = [];
  const onDisk = new Set<string>();
  for (const migration of migrations) {
    const failed = failedByScript.get(migration.script);
    if (failed && failed.checksum !== migration.checksum) {
      throw new UserError(
        `Migration '${migration.script}' failed half-way in an earlier run (${failed.partsApplied} of its parts committed) and has changed since (checksum ${migration.checksum} on disk, ${failed.checksum} in the history): restore it so the run can resume, or undo those parts by hand and delete its failed row from the history.`,
      );
    }
    if (migration.kind === 'repeatable') {
      const last = lastRepeatable.get(migration.script);
      if (failed)
        pending.push({ migration, resumeFromPart: failed.partsApplied, reason: 'resume' });
      else if (!last) pending.push({ migration, resumeFromPart: 0, reason: 'repeatable-new' });
      else if (last.checksum !== migration.checksum) {
        pending.push({ migration, resumeFromPart: 0, reason: 'repeatable-changed' });
      }
      continue;
    }
    const version = migration.version!;
    const key = formatVersion(version);
    onDisk.add(key);
    const applied = appliedByVersion.get(key);
    if (applied) {
      if (applied.checksum !== migration.checksum) {
        throw mismatch(migration.script, applied.checksum, migration.checksum);
      }
      continue;
    }
    if (baselineVersion && compareVersions(version, baselineVersion) <= 0) continue;
    if (failed) {
      pending.push({ migration, resumeFromPart: failed.partsApplied, reason: 'resume' });
    } else if (highest && compareVersions(version, highest) < 0) {
      // A contract migration deferred by an expand run is below later expand versions by design.
      if (!options.outOfOrder && migration.phase !== 'contract') {
        throw new UserError(
          `Migration '${migration.script}' (version ${key}) is new but below the highest applied version ${formatVersion(highest)}: give it a version above ${formatVersion(highest)}, or set out-of-order: true to apply it anyway.`,
        );
      }
      pending.push({ migration, resumeFromPart: 0, reason: 'out-of-order' });
    } else {
      pending.push({ migration, resumeFromPart: 0, reason: 'new' });
    }
  }
  const deferred = pending
    .filter((p) => !inPhase(p.migration, options.phase))
    .map((p) => ({
      script: p.migration.script,
      version: p.migration.version ? formatVersion(p.migration.version) : null,
    }));
  const missingLocally = [...appliedByVersion.entries()]
    .filter(([key]) => !onDisk.has(key))
    .map(([key, row]) => `${key} (${row.script})`);
  const all = [
    ...appliedByVersion.keys(),
    ...(baselineVersion ? [formatVersion(baselineVersion)] : []),
  ]
    .map(parseVersion)
    .sort(compareVersions);
  const last = all.at(-1);
  return {
    pending: pending.filter((p) => inPhase(p.migration, options.phase)),
    deferred,
    appliedVersions: appliedByVersion.size,
    missingLocally,
    current: last ? formatVersion(last) : undefined,
    baseline,
  };
}
