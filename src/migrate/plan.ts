// What `apply` would do, without changing anything: no history table is created, no lock taken.
import type { MigrateEvent } from './events.ts';
import { type HistoryRow, type HistoryTable, historyExists, readHistory } from './history.ts';
import type { Migration, PhaseInput } from './migration-set.ts';
import { type SqlSession, configureSession } from './session.ts';
import { type Deferred, type PendingMigration, computeStatus } from './status.ts';
import { type Version, formatVersion } from './version.ts';

export interface PlanOptions {
  history: HistoryTable;
  outOfOrder: boolean;
  baselineVersion: Version | undefined;
  phase: PhaseInput;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export interface PlannedMigration {
  script: string;
  version: string | null;
  description: string;
  reason: PendingMigration['reason'];
  phase: Migration['phase'];
  resumeFromPart: number;
  parts: {
    transactional: boolean;
    reason: string | undefined;
    statements: { line: number; sql: string }[];
  }[];
}

export interface Plan {
  historyExists: boolean;
  current: string | undefined;
  baseline: string | undefined;
  missingLocally: string[];
  pending: PlannedMigration[];
  deferred: Deferred[];
}

export function describePending(pending: PendingMigration): PlannedMigration {
  const { migration } = pending;
  return {
    script: migration.script,
    version: migration.version ? formatVersion(migration.version) : null,
    description: migration.description,
    reason: pending.reason,
    phase: migration.phase,
    resumeFromPart: pending.resumeFromPart,
    parts: migration.parts.map((part) => ({
      transactional: part.transactional,
      reason: part.reason,
      statements: part.statements.map((s) => ({ line: s.line, sql: s.sql })),
    })),
  };
}

/** What the plan reads from the database: whether the history table exists, and its rows. */
export interface HistoryLookup {
  exists: boolean;
  rows: HistoryRow[];
}

/** Sets the session's timeouts and reads the history, if there is one: nothing is changed. */
export async function lookUpHistory(
  session: SqlSession,
  options: Pick<PlanOptions, 'history' | 'lockTimeoutMs' | 'statementTimeoutMs'>,
): Promise<HistoryLookup> {
  const configured = await configureSession(session, options, options.history);
  const exists = configured.historyExists ?? (await historyExists(session, options.history));
  return { exists, rows: exists ? await readHistory(session, options.history, true) : [] };
}

/** The plan of the migrations against the history looked up. */
export function planFrom(
  migrations: readonly Migration[],
  history: HistoryLookup,
  options: PlanOptions,
  onEvent?: (event: MigrateEvent) => void,
): Plan {
  const status = computeStatus(migrations, history.rows, options);
  if (status.missingLocally.length > 0) {
    onEvent?.({ type: 'missing-locally', migrations: status.missingLocally });
  }
  return {
    historyExists: history.exists,
    current: status.current,
    baseline: status.baseline ? formatVersion(status.baseline) : undefined,
    missingLocally: status.missingLocally,
    pending: status.pending.map(describePending),
    deferred: status.deferred,
  };
}

export async function planMigrations(
  migrations: readonly Migration[],
  options: PlanOptions,
  deps: { session: SqlSession; onEvent?: (event: MigrateEvent) => void },
): Promise<Plan> {
  return planFrom(migrations, await lookUpHistory(deps.session, options), options, deps.onEvent);
}
