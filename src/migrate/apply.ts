// Applies pending migrations: one runner at a time (advisory lock), each migration in one
// transaction with its history row, statements PostgreSQL forbids in a transaction alone and in
// order, lock timeouts retried with backoff, INVALID indexes of failed concurrent builds dropped.
import { oneLine } from '../lib/errors.ts';
import { acquireLock } from './advisory-lock.ts';
import type { MigrateEvent } from './events.ts';
import {
  type HistoryTable,
  type NewHistoryRow,
  createAndReadHistory,
  recordMigration,
  SINCE_BEGIN,
  recordSql,
} from './history.ts';
import { dropNewInvalidIndexes, invalidIndexes } from './invalid-indexes.ts';
import type { Migration, Part, PhaseInput } from './migration-set.ts';
import type { SqlStatement } from './sql-lexer.ts';
import { LOCK_NOT_AVAILABLE, type SqlSession, configureSession, sqlState } from './session.ts';
import { type Deferred, type PendingMigration, computeStatus } from './status.ts';
import { type Version, formatVersion } from './version.ts';

export interface ApplyOptions {
  history: HistoryTable;
  outOfOrder: boolean;
  baselineVersion: Version | undefined;
  phase: PhaseInput;
  lockWaitMs: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** Attempts after the first when a statement hits the lock timeout. */
  lockRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Who or what applies the migrations: the run's URL, or user@host. */
  appliedBy: string;
  commit: string | null;
}

export interface EngineDeps {
  session: SqlSession;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
  onEvent?: (event: MigrateEvent) => void;
  random?: () => number;
  /**
   * Asked before each migration is sent: why it must not be (a file the parser refuses, found
   * while the apply runs), or undefined.
   */
  refuse?: (script: string) => { line: number; column: number; reason: string } | undefined;
}

export interface AppliedMigration {
  script: string;
  version: string | null;
  description: string;
  kind: Migration['kind'];
  executionMs: number;
}

export interface FailedMigration {
  script: string;
  line: number;
  column: number;
  statement: string;
  reason: string;
  sqlState: string | undefined;
  /** Parts of the migration committed so far (by this run and earlier ones). */
  partsCommitted: number;
  parts: number;
}

export type ApplyResult =
  | {
      outcome: 'applied' | 'up-to-date';
      applied: AppliedMigration[];
      current: string | undefined;
      deferred: Deferred[];
    }
  | {
      outcome: 'failed';
      applied: AppliedMigration[];
      failed: FailedMigration;
      notRun: string[];
    };

class StatementFailure extends Error {
  readonly statement: SqlStatement;
  readonly sqlState: string | undefined;
  constructor(statement: SqlStatement, cause: unknown) {
    super(oneLine(cause), { cause });
    this.statement = statement;
    this.sqlState = sqlState(cause);
  }
}

export async function applyMigrations(
  migrations: readonly Migration[],
  options: ApplyOptions,
  deps: EngineDeps,
): Promise<ApplyResult> {
  const { session, onEvent = () => {} } = deps;
  const { serverVersion } = await configureSession(session, options);
  // Several migrations to a message only where statement_timeout still times each statement
  // alone (PostgreSQL 13+; before, it timed the whole message).
  const batching = serverVersion !== undefined && serverVersion >= 130_000;
  const started = deps.now();
  const lock = await acquireLock(session, {
    historyTable: options.history.qualified,
    waitMs: options.lockWaitMs,
    sleep: deps.sleep,
    now: deps.now,
    ...(deps.signal ? { signal: deps.signal } : {}),
    onWaiting: (holderPid) => onEvent({ type: 'lock-waiting', holderPid }),
  });
  try {
    onEvent({ type: 'lock-acquired', waitedMs: deps.now() - started });
    const rows = await createAndReadHistory(session, options.history);
    const status = computeStatus(migrations, rows, options);
    if (status.missingLocally.length > 0) {
      onEvent({ type: 'missing-locally', migrations: status.missingLocally });
    }
    if (status.baseline) {
      await recordMigration(session, options.history, {
        version: formatVersion(status.baseline),
        description: '<< baseline >>',
        type: 'baseline',
        script: '<< baseline >>',
        checksum: '',
        appliedBy: options.appliedBy,
        commit: options.commit,
        executionMs: 0,
        success: true,
        partsApplied: 0,
      });
      onEvent({ type: 'baselined', version: formatVersion(status.baseline) });
    }
    const applied: AppliedMigration[] = [];
    const pendings = status.pending;
    const knownRank = Math.max(0, ...rows.map((r) => r.rank));
    for (let index = 0; index < pendings.length;) {
      deps.signal?.throwIfAborted();
      const batch = batching ? takeBatch(pendings, index, deps) : [];
      if (batch.length > 1) {
        const done = await applyBatch(batch, knownRank, options, deps);
        applied.push(...done);
        index += done.length;
        // The one that failed runs again on its own, a statement at a time: its error names the
        // statement, and a lock timeout is retried.
        if (done.length === batch.length) continue;
      }
      const pending = pendings[index]!;
      const refused = deps.refuse?.(pending.migration.script);
      const failed = refused
        ? { failed: refusedMigration(pending, refused) }
        : await applyOne(pending, options, deps);
      if ('failed' in failed) {
        return {
          outcome: 'failed',
          applied,
          failed: failed.failed,
          notRun: pendings.slice(index + 1).map((p) => p.migration.script),
        };
      }
      applied.push(failed.applied);
      index++;
    }
    const last = applied.filter((a) => a.version !== null).at(-1);
    return {
      outcome: applied.length > 0 ? 'applied' : 'up-to-date',
      applied,
      current: last?.version ?? status.current,
      deferred: status.deferred,
    };
  } finally {
    // A broken connection has released the lock already: the session is gone.
    await lock.release().catch(() => {});
  }
}

/** How many migrations, and how much SQL, one message carries at most. */
const BATCH_MIGRATIONS = 100;
const BATCH_BYTES = 1 << 20;

/**
 * The migrations from `from` on that can share one message: new (not resumed), one transaction
 * each, not refused; at least two, or none.
 */
function takeBatch(
  pendings: readonly PendingMigration[],
  from: number,
  deps: EngineDeps,
): PendingMigration[] {
  const batch: PendingMigration[] = [];
  let bytes = 0;
  for (const pending of pendings.slice(from, from + BATCH_MIGRATIONS)) {
    const { migration } = pending;
    const oneTransaction =
      migration.parts.length <= 1 && (migration.parts[0]?.transactional ?? true);
    if (pending.reason === 'resume' || pending.resumeFromPart > 0 || !oneTransaction) break;
    if (deps.refuse?.(migration.script)) break;
    bytes += migration.text.length;
    if (bytes > BATCH_BYTES && batch.length > 0) break;
    batch.push(pending);
  }
  return batch.length > 1 ? batch : [];
}

/**
 * Several migrations in one simple-query message, each `BEGIN; <statements>; <history row>;
 * COMMIT;`: each commits on its own, and after an error PostgreSQL skips the rest of the message.
 * Returns the migrations that committed, a prefix of `batch`, found in the history after an error.
 */
async function applyBatch(
  batch: readonly PendingMigration[],
  knownRank: number,
  options: ApplyOptions,
  deps: EngineDeps,
): Promise<AppliedMigration[]> {
  const { session, onEvent = () => {} } = deps;
  const sql = batch
    .map(({ migration }) => {
      const statements = migration.parts[0]?.statements ?? [];
      const row = recordSql(options.history, {
        ...historyRow(migration, options, true, 1),
        executionMs: SINCE_BEGIN,
      });
      // A newline before each ';': a statement may end in a -- comment.
      return [
        'BEGIN',
        ...statements.map((s) => s.sql),
        `${row} RETURNING execution_ms AS rds_migrate_execution_ms`,
        'COMMIT',
      ].join('\n;\n');
    })
    .join('\n;\n');
  onEvent({
    type: 'batch-started',
    scripts: batch.map((p) => p.migration.script),
    statements: batch.reduce((n, p) => n + (p.migration.parts[0]?.statements.length ?? 0), 0),
  });
  let committed: number;
  let times: number[] = [];
  try {
    const results = await session.query(sql);
    committed = batch.length;
    times = (
      Array.isArray(results) ? (results as { rows: Record<string, unknown>[] }[]) : [results]
    )
      .flatMap((r) => r.rows)
      .filter((row) => 'rds_migrate_execution_ms' in row)
      .map((row) => Number(row.rds_migrate_execution_ms));
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    await session.query('ROLLBACK').catch(() => {});
    const { rows } = await session.query(
      `SELECT script, checksum FROM ${options.history.qualified} WHERE installed_rank > $1 AND success`,
      [knownRank],
    );
    const recorded = new Set(rows.map((r) => `${String(r.script)}\n${String(r.checksum)}`));
    committed = batch.findIndex(
      ({ migration }) => !recorded.has(`${migration.script}\n${migration.checksum}`),
    );
    if (committed === -1) committed = batch.length;
  }
  return batch.slice(0, committed).map(({ migration }, index) => {
    const executionMs = times[index] ?? 0;
    onEvent({ type: 'migration-applied', script: migration.script, executionMs });
    return {
      script: migration.script,
      version: migration.version ? formatVersion(migration.version) : null,
      description: migration.description,
      kind: migration.kind,
      executionMs,
    };
  });
}

function historyRow(
  migration: Migration,
  options: ApplyOptions,
  success: boolean,
  partsApplied: number,
): Omit<NewHistoryRow, 'executionMs'> {
  return {
    version: migration.version ? formatVersion(migration.version) : null,
    description: migration.description,
    type: migration.kind,
    script: migration.script,
    checksum: migration.checksum,
    appliedBy: options.appliedBy,
    commit: options.commit,
    success,
    partsApplied,
  };
}

function refusedMigration(
  { migration, resumeFromPart }: PendingMigration,
  refused: { line: number; column: number; reason: string },
): FailedMigration {
  return {
    script: migration.script,
    ...refused,
    statement: '',
    sqlState: undefined,
    partsCommitted: resumeFromPart,
    parts: Math.max(1, migration.parts.length),
  };
}

async function applyOne(
  pending: PendingMigration,
  options: ApplyOptions,
  deps: EngineDeps,
): Promise<{ applied: AppliedMigration } | { failed: FailedMigration }> {
  const { migration, resumeFromPart } = pending;
  const { session, onEvent = () => {} } = deps;
  const started = deps.now();
  const row = (success: boolean, partsApplied: number): NewHistoryRow => ({
    version: migration.version ? formatVersion(migration.version) : null,
    description: migration.description,
    type: migration.kind,
    script: migration.script,
    checksum: migration.checksum,
    appliedBy: options.appliedBy,
    commit: options.commit,
    executionMs: deps.now() - started,
    success,
    partsApplied,
  });
  const parts = migration.parts.length === 0 ? [emptyPart] : migration.parts;
  onEvent({
    type: 'migration-started',
    script: migration.script,
    parts: parts.length,
    resumeFromPart,
  });
  let committed = resumeFromPart;
  // Only a resumed migration has a failed row (from the run that committed its first parts).
  const hasFailedRow = pending.reason === 'resume';
  try {
    for (let index = resumeFromPart; index < parts.length; index++) {
      const part = parts[index]!;
      const isLast = index === parts.length - 1;
      onEvent({
        type: 'part-started',
        script: migration.script,
        part: index + 1,
        transactional: part.transactional,
        statements: part.statements.length,
        ...(part.reason ? { reason: part.reason } : {}),
      });
      // The history row goes with the last part's COMMIT (the SQL is made when it is sent).
      const record = isLast
        ? () => recordSql(options.history, row(true, parts.length), hasFailedRow)
        : undefined;
      if (part.transactional) await runInTransaction(migration, part, record, options, deps);
      else await runAlone(migration, part, record, options, deps);
      committed = index + 1;
    }
  } catch (error) {
    if (!(error instanceof StatementFailure)) throw error;
    if (committed > 0) {
      await recordMigration(session, options.history, row(false, committed), hasFailedRow).catch(
        () => {},
      );
    }
    return {
      failed: {
        script: migration.script,
        line: error.statement.line,
        column: error.statement.column,
        statement: error.statement.sql,
        // Cancelling closes the session under the running statement: say why it failed.
        reason: deps.signal?.aborted
          ? `stopped because ${oneLine(deps.signal.reason)}; the session was closed, so PostgreSQL rolled back the open transaction`
          : error.message,
        sqlState: error.sqlState,
        partsCommitted: committed,
        parts: parts.length,
      },
    };
  }
  const executionMs = deps.now() - started;
  onEvent({ type: 'migration-applied', script: migration.script, executionMs });
  return {
    applied: {
      script: migration.script,
      version: migration.version ? formatVersion(migration.version) : null,
      description: migration.description,
      kind: migration.kind,
      executionMs,
    },
  };
}

/** A migration without statements still gets its history row, in a transaction of its own. */
const emptyPart: Part = { transactional: true, statements: [] };

function retryDelay(attempt: number, options: ApplyOptions, random: () => number): number {
  const ceiling = Math.min(options.retryMaxDelayMs, options.retryBaseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

async function shouldRetry(
  error: StatementFailure,
  attempt: number,
  script: string,
  options: ApplyOptions,
  deps: EngineDeps,
): Promise<boolean> {
  if (error.sqlState !== LOCK_NOT_AVAILABLE || attempt > options.lockRetries) return false;
  const delayMs = retryDelay(attempt, options, deps.random ?? Math.random);
  deps.onEvent?.({
    type: 'retrying',
    script,
    line: error.statement.line,
    attempt,
    delayMs,
    reason: error.message,
  });
  await deps.sleep(delayMs, deps.signal);
  return true;
}

async function runInTransaction(
  migration: Migration,
  part: Part,
  record: (() => string) | undefined,
  options: ApplyOptions,
  deps: EngineDeps,
): Promise<void> {
  const { session } = deps;
  for (let attempt = 1; ; attempt++) {
    let current: SqlStatement | undefined;
    try {
      // BEGIN travels with the first statement: one round trip less per migration, and the
      // statement timeout still covers that statement alone (BEGIN takes no time).
      const [first, ...rest] = part.statements;
      current = first;
      await session.query(first === undefined ? 'BEGIN' : `BEGIN;\n${first.sql}`);
      for (const statement of rest) {
        current = statement;
        await session.query(statement.sql);
      }
      current = undefined;
      // The history row and COMMIT in one round trip, as psql's COMMIT after a file.
      await session.query(record ? `${record()};\nCOMMIT` : 'COMMIT');
      return;
    } catch (error) {
      await session.query('ROLLBACK').catch(() => {});
      const failure = new StatementFailure(current ?? part.statements.at(-1) ?? noStatement, error);
      if (!(await shouldRetry(failure, attempt, migration.script, options, deps))) throw failure;
    }
  }
}

const noStatement: SqlStatement = { sql: '', line: 1, column: 1 };

async function runAlone(
  migration: Migration,
  part: Part,
  record: (() => string) | undefined,
  options: ApplyOptions,
  deps: EngineDeps,
): Promise<void> {
  const { session } = deps;
  const statement = part.statements[0]!;
  const { table } = part;
  for (let attempt = 1; ; attempt++) {
    const before = table ? await invalidIndexes(session, table) : [];
    try {
      await session.query(statement.sql);
      break;
    } catch (error) {
      const failure = new StatementFailure(statement, error);
      if (table) {
        for (const index of await dropNewInvalidIndexes(session, table, before)) {
          deps.onEvent?.({
            type: 'invalid-index-dropped',
            script: migration.script,
            line: statement.line,
            index,
          });
        }
      }
      if (!(await shouldRetry(failure, attempt, migration.script, options, deps))) throw failure;
    }
  }
  if (record) await session.query(record());
}
