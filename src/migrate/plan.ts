// What `apply` would do, without changing anything: no history table is created, no lock taken.
import type { MigrateEvent } from './events.ts';
import { type HistoryTable, historyExists, readHistory } from './history.ts';
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

export async function planMigrations(
  migrations: readonly Migration[],
  options: PlanOptions,
  deps: { session: SqlSession; onEvent?: (event: MigrateEvent) => void },
): Promise<Plan> {
  const configured = await configureSession(deps.session, options, options.history);
  const exists = configured.historyExists ?? (await historyExists(deps.session, options.history));
  const status = computeStatus(
    migrations,
    exists ? await readHistory(deps.session, options.history, true) : [],
    options,
  );
  if (status.missingLocally.length > 0) {
    deps.onEvent?.({ type: 'missing-locally', migrations: status.missingLocally });
  }
  return {
    historyExists: exists,
    current: status.current,
    baseline: status.baseline ? formatVersion(status.baseline) : undefined,
    missingLocally: status.missingLocally,
    pending: status.pending.map(describePending),
    deferred: status.deferred,
  };
}
