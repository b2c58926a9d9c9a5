// rds-migrate's one entry: load and lint the migrations, then validate them on a throwaway
// database, or connect, plan and apply them; or hand all of it to the command line in an ECS task.
// Decides which findings block the command and when the run has failed.
import type { Sleep } from '../lib/clock.ts';
import { UserError } from '../lib/errors.ts';
import {
  type AppliedMigration,
  type ApplyOptions,
  type ApplyResult,
  type FailedMigration,
  applyMigrations,
} from './apply.ts';
import {
  type ConnectionSpec,
  type ConnectionTarget,
  type TargetPorts,
  resolveTarget,
} from './connection.ts';
import {
  type EcsTaskPort,
  type EcsTaskSpec,
  type TaskReport,
  reportTask,
  runMigrationTask,
} from './ecs-task.ts';
import {
  type DatabaseFacts,
  type DatabaseState,
  type DeclaredState,
  decideDatabaseState,
} from './database-state.ts';
import { type Finding, type LintOptions, blocking } from './lint/lint.ts';
import { type ChangesPort, type LintScope, lintScope } from './lint-scope.ts';
import { type LintJob, lintEach, startLint } from './lint-job.ts';
import { type Migration, nextTurn, readMigrations } from './migration-set.ts';
import {
  type HistoryLookup,
  type Plan,
  type PlanOptions,
  type PlannedMigration,
  lookUpHistory,
  planFrom,
} from './plan.ts';
import { inspectDatabase } from './schema.ts';
import type { DatabaseSession } from './session.ts';
import { type ThrowawayPostgres, findPostgresBin } from './throwaway-postgres.ts';
import { type ValidateServer, type Validation, validateMigrations } from './validate.ts';

export type Command = 'lint' | 'plan' | 'apply' | 'validate';

/** Backoff after a lock timeout: 1 s, 2 s, 4 s, ... up to 30 s, with jitter. */
const RETRY_BASE_DELAY_MS = 1000;
const RETRY_MAX_DELAY_MS = 30_000;

/**
 * Against a database that may be new, the parse waits for the apply's first message; but not for a
 * connection slower than this, so that a file the parser refuses still ends the run at once.
 */
const SLOW_CONNECT_MS = 100;

export interface MigrateOptions
  extends
    LintOptions,
    PlanOptions,
    Pick<ApplyOptions, 'lockRetries' | 'lockWaitMs' | 'appliedBy' | 'commit'> {
  command: Command;
  migrationsDir: string;
  /** The database plan and apply work on. */
  connection: ConnectionSpec | undefined;
  /** validate: the shadow server, or undefined for a throwaway cluster. */
  shadow: ConnectionTarget | undefined;
  /** validate: the throwaway cluster's binaries, or undefined to look on `searchPath`. */
  postgresBin: string | undefined;
  searchPath: string | undefined;
  /** mode: ecs-task: the task that runs the command line instead. */
  ecsTask: EcsTaskSpec | undefined;
  /** plan and apply: whether the database is live (findings block) or new (reported only). */
  databaseState: DeclaredState;
  /** lint: judge only the migrations added or changed since this git ref. */
  baseRef: string | undefined;
}

export interface MigratePorts extends TargetPorts {
  /**
   * A session on the database to migrate, or on the shadow server; `signal` gives up a connection
   * still being made (its promise then never settles).
   */
  connect(target: ConnectionTarget, signal?: AbortSignal): Promise<DatabaseSession>;
  /** A throwaway PostgreSQL from the binaries in `binDir`, for validate. */
  startThrowaway(binDir: string): Promise<ThrowawayPostgres>;
  /** The ECS and CloudWatch Logs calls of mode ecs-task, loaded only in that mode. */
  ecsTask(): Promise<EcsTaskPort & { destroy(): void }>;
  /** The files a branch changed since its base (lint with a base ref). */
  changes: ChangesPort;
  sleep: Sleep;
  now: () => number;
  signal: AbortSignal;
}

export type Outcome = 'applied' | 'up-to-date' | 'valid' | 'ok' | 'failed';

export interface RunnerReport {
  mode: 'runner';
  /** The command as given. */
  command: string;
  outcome: Outcome;
  findings: Finding[];
  /** The findings that stop this command. */
  blockers: Finding[];
  plan: Plan | undefined;
  apply: ApplyResult | undefined;
  validation: Validation | undefined;
  applied: AppliedMigration[];
  /** Planned and not applied by this run. */
  pending: PlannedMigration[];
  /** The version the database is at, as far as this run knows. */
  current: string | undefined;
  /** plan and apply: live or new, and why. */
  database: DatabaseState | undefined;
  /** lint with a base ref: what it judged. */
  scope: LintScope | undefined;
}

export type MigrateReport = RunnerReport | TaskReport;

/** A failed run still reports what it got to; an ECS task that never started has no report. */
export type MigrateRun =
  | { ok: true; report: MigrateReport }
  | { ok: false; report: MigrateReport | undefined; error: unknown };

export async function runMigration(
  options: MigrateOptions,
  ports: MigratePorts,
): Promise<MigrateRun> {
  if (options.ecsTask) return runInTask(options.ecsTask, options.command, ports);
  const found: Found = {};
  let error: unknown;
  try {
    await lintAndMigrate(found, options, ports);
    error = refusal(options.command, found);
  } catch (caught) {
    error = caught;
  }
  const report = runnerReport(options.command, found, error !== undefined);
  return error === undefined ? { ok: true, report } : { ok: false, report, error };
}

/** What a run found before it ended. */
interface Found {
  findings?: Finding[];
  plan?: Plan;
  apply?: ApplyResult;
  validation?: Validation;
  database?: DatabaseState;
  scope?: LintScope;
}

/** The report of a run that failed before it found anything (its inputs, say). */
export function failedReport(command: string): RunnerReport {
  return runnerReport(command, {}, true);
}

function runnerReport(command: string, found: Found, failed: boolean): RunnerReport {
  const { findings = [], plan, apply, validation, database, scope } = found;
  const applied = apply?.applied ?? [];
  const appliedScripts = new Set(applied.map((a) => a.script));
  return {
    mode: 'runner',
    command,
    outcome: failed ? 'failed' : outcome(command, apply),
    findings,
    blockers: blockingFor(command, findings, plan, database),
    plan,
    apply,
    validation,
    applied,
    pending: (plan?.pending ?? []).filter((p) => !appliedScripts.has(p.script)),
    current: apply && apply.outcome !== 'failed' ? apply.current : plan?.current,
    database,
    scope,
  };
}

function outcome(command: string, apply: ApplyResult | undefined): Outcome {
  if (command === 'apply') return apply?.outcome ?? 'failed';
  return command === 'validate' ? 'valid' : 'ok';
}

/**
 * The findings that stop this command: all of them for lint (with a base ref it judged only what
 * the branch changed), the pending ones for plan and apply against a live database, none against
 * a new one (nothing there to lock or break), none for validate (it answers whether the
 * migrations apply, not whether they are safe).
 */
export function blockingFor(
  command: string,
  findings: readonly Finding[],
  plan: Plan | undefined,
  database?: DatabaseState,
): Finding[] {
  if (command === 'validate' || database?.state === 'new') return [];
  const all = blocking(findings);
  // Against a database only what is still to apply can hurt it, so plan and apply agree and an
  // applied or baselined migration never blocks; lint, with no database, judges every file.
  if (command === 'lint') return all;
  const pending = new Set(plan?.pending.map((p) => p.script) ?? []);
  return all.filter((f) => pending.has(f.script));
}

/** Why a run that threw nothing failed all the same: a migration failed, or findings block it. */
function refusal(command: Command, found: Found): UserError | undefined {
  if (found.apply?.outcome === 'failed') return migrationFailed(found.apply.failed);
  const blockers = blockingFor(command, found.findings ?? [], found.plan, found.database);
  if (blockers.length === 0) return undefined;
  const first = blockers[0]!;
  return new UserError(
    `Lint: ${blockers.length} finding${blockers.length === 1 ? '' : 's'} would lock or break the live database (first: ${first.script}:${first.line} ${first.rule}): use the safe pattern, move destructive changes to a contract migration, or waive with -- rds-migrate: allow <rule> because <reason>.`,
  );
}

function migrationFailed(f: FailedMigration): UserError {
  return new UserError(
    `${f.script}:${f.line}: ${f.reason}${f.sqlState ? ` (SQLSTATE ${f.sqlState})` : ''}; ${f.partsCommitted > 0 ? `${f.partsCommitted} of ${f.parts} parts committed, the next run resumes after them` : 'rolled back, nothing of it is applied'}.`,
  );
}

async function lintAndMigrate(
  found: Found,
  options: MigrateOptions,
  ports: MigratePorts,
): Promise<void> {
  const early = connectEarly(options, ports);
  try {
    await lintAndMigrateWith(early, found, options, ports);
  } catch (error) {
    // Loading or linting failed before the session was handed over: close it unused, or give up
    // connecting (an unreachable host would otherwise hold the process until connect-timeout).
    if (early && !early.handedOver) {
      early.giveUp.abort();
      void early.session.then((s) => s.end()).catch(() => {});
    }
    throw error;
  }
}

/**
 * A session that connects while the migrations are parsed and linted (CPU work, while connecting
 * mostly waits on the server: bench/README.md, "rds-migrate against psql"). Only for a database
 * URL: a secret or an IAM token is still fetched after the files are known to be good. Its
 * outcome, a failure included, is taken where `connect` was, so the output keeps its order.
 */
interface EarlySession {
  session: Promise<DatabaseSession>;
  /** The reads the plan starts with, sent once connected, while the files are still being cut. */
  lookup: Promise<Lookup>;
  giveUp: AbortController;
  handedOver: boolean;
}

function connectEarly(options: MigrateOptions, ports: MigratePorts): EarlySession | undefined {
  if (options.command !== 'plan' && options.command !== 'apply') return undefined;
  if (options.connection?.kind !== 'url') return undefined;
  const giveUp = new AbortController();
  const session = ports.connect(options.connection.target, giveUp.signal);
  const lookup = session.then((s) => lookUp(s, options));
  // Taken, failure and all, in planAndApply.
  session.catch(() => {});
  lookup.catch(() => {});
  return { session, lookup, giveUp, handedOver: false };
}

/** What plan and apply read before deciding anything; reads only, no lock, nothing created. */
interface Lookup {
  history: HistoryLookup;
  facts: DatabaseFacts;
}

async function lookUp(session: DatabaseSession, options: MigrateOptions): Promise<Lookup> {
  const history = await lookUpHistory(session, options);
  return { history, facts: await inspectDatabase(session, options.history, history.rows.length) };
}

async function lintAndMigrateWith(
  early: EarlySession | undefined,
  found: Found,
  options: MigrateOptions,
  ports: MigratePorts,
): Promise<void> {
  if (options.command === 'plan' || options.command === 'apply') {
    // The early connection's socket opens first (pg's load and the connect run as microtasks and
    // ticks): the server starts its backend while the files are read, not after.
    if (early) await nextTurn();
    // Cut by the lexer: the parse and the lint run beside the connection (and against a new
    // database beside the apply), see lint-job.ts.
    const reading = readMigrations(options.migrationsDir);
    const lint = startLint(reading, options, ports.signal);
    // The findings decide a plan and an apply to a live database: parse at once. Against a new
    // one they are only reported, so the parse waits for the apply's first message (below).
    if (options.command === 'plan' || options.databaseState === 'live') lint.start();
    const migrations = await reading;
    ports.onEvent({ type: 'loaded', migrations: migrations.length, dir: options.migrationsDir });
    // Against a database the findings are shown once its state says whether they block.
    let shown = false;
    const show = (database: DatabaseState | undefined) => {
      if (shown || !found.findings) return;
      shown = true;
      ports.onEvent({
        type: 'linted',
        findings: found.findings,
        advisory: database?.state === 'new',
      });
    };
    try {
      await planAndApply(found, migrations, lint, options, ports, show, early);
    } finally {
      // A run that ended before the findings were taken (no connection, say) still shows them.
      if (!found.findings) {
        lint.start();
        const outcome = await lint.done.catch(() => undefined);
        if (outcome && !outcome.failure) found.findings = outcome.findings;
      }
      show(found.database);
    }
    return;
  }
  // A file at a time: a parse tree is dropped once its file is linted (bench/README.md, "rds-migrate
  // memory"), and any file the parser refuses still stops the run before anything is reported.
  const migrations = await readMigrations(options.migrationsDir);
  const linted = await lintEach(migrations, options, ports.signal);
  ports.onEvent({ type: 'loaded', migrations: migrations.length, dir: options.migrationsDir });
  let judged: ReadonlySet<string> | undefined;
  if (options.command === 'lint' && options.baseRef) {
    const changes = await ports.changes.changesSince(options.baseRef, options.migrationsDir);
    found.scope = lintScope(
      migrations.map((m) => m.script),
      changes,
    );
    ports.onEvent({ type: 'lint-scope', scope: found.scope });
    judged = new Set(found.scope.judged);
  }
  const findings = migrations.flatMap((m, i) =>
    !judged || judged.has(m.script) ? linted[i]! : [],
  );
  found.findings = findings;
  ports.onEvent({ type: 'linted', findings, advisory: false });
  if (options.command === 'validate') {
    found.validation = await validate(migrations, options, ports);
    found.apply = found.validation.result;
  }
}

/** The findings, once every file parsed: a file the parser refuses ends the run. */
async function linted(found: Found, lint: LintJob): Promise<void> {
  lint.start();
  const { findings, failure } = await lint.done;
  if (failure) throw failure;
  found.findings = findings;
}

async function planAndApply(
  found: Found,
  migrations: Migration[],
  lint: LintJob,
  options: MigrateOptions,
  ports: MigratePorts,
  showFindings: (database: DatabaseState) => void,
  early: EarlySession | undefined,
): Promise<void> {
  if (!options.connection) throw new Error(`command ${options.command} has no connection`);
  // A secret or an IAM token is fetched only once the files are known to be good.
  if (!early) await linted(found, lint);
  const target = await resolveTarget(options.connection, ports);
  ports.onEvent({ type: 'connecting', target });
  // A file the parser refuses ends the run even while the connection is still being made.
  const refused = lint.done.then(({ failure }) =>
    failure ? Promise.reject(failure) : new Promise<never>(() => {}),
  );
  refused.catch(() => {});
  // A host slow to answer (or unreachable until connect-timeout) does not hold the parse back.
  const connected = new AbortController();
  ports.sleep(SLOW_CONNECT_MS, connected.signal).then(lint.start, () => {});
  let session: DatabaseSession;
  try {
    session = await Promise.race([early?.session ?? ports.connect(target), refused]);
  } finally {
    connected.abort();
  }
  if (early) early.handedOver = true;
  // Cancelling ends the session: PostgreSQL rolls back the open transaction and frees the lock.
  const onAbort = () => void session.end().catch(() => {});
  ports.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const { history, facts } = await (early?.lookup ?? lookUp(session, options));
    found.plan = planFrom(migrations, history, options, ports.onEvent);
    found.database = decideDatabaseState(options.databaseState, facts, options.baselineVersion);
    ports.onEvent({ type: 'database-state', ...found.database });
    const deps = {
      session,
      sleep: ports.sleep,
      now: ports.now,
      signal: ports.signal,
      onEvent: ports.onEvent,
    };
    if (options.command === 'apply' && found.database.state === 'new') {
      // Nothing there to lock or break: findings are only reported, so the apply does not wait
      // for the parser; it stops before a file the parser refuses. The parse begins once the
      // first message is on its way, and runs while the server works on it.
      found.apply = await applyMigrations(migrations, applyOptions(options), {
        ...deps,
        refuse: (script) => {
          lint.start();
          const failure = lint.refusal(script);
          return (
            failure && {
              line: failure.line,
              column: failure.column,
              reason: `${failure.detail} (PostgreSQL's parser): fix the SQL`,
            }
          );
        },
      });
      // A cancelled run stops the lint too: the apply's failure says why.
      lint.start();
      const outcome = await lint.done.catch((error: unknown) => {
        if (found.apply?.outcome === 'failed') return undefined;
        throw error;
      });
      if (!outcome) return;
      const { findings, failure } = outcome;
      found.findings = findings;
      showFindings(found.database);
      // The parser's refusal in its own words; and a file the parser refuses that the server
      // took (a newer server's syntax) is still an error.
      const stoppedAt = found.apply.outcome === 'failed' ? found.apply.failed : undefined;
      if (
        failure &&
        (!stoppedAt || (stoppedAt.script === failure.script && stoppedAt.statement === ''))
      )
        throw failure;
      return;
    }
    await linted(found, lint);
    showFindings(found.database);
    if (options.command === 'plan') return;
    if (blockingFor(options.command, found.findings ?? [], found.plan, found.database).length > 0)
      return;
    found.apply = await applyMigrations(migrations, applyOptions(options), deps);
  } finally {
    ports.signal.removeEventListener('abort', onAbort);
    // Terminate is sent now; the server closing its end (its backend's exit, a round trip away)
    // goes on while the run reports, instead of before.
    void session.end().catch(() => {});
  }
}

function applyOptions(options: MigrateOptions): ApplyOptions {
  return {
    ...options,
    retryBaseDelayMs: RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: RETRY_MAX_DELAY_MS,
  };
}

async function validate(
  migrations: Migration[],
  options: MigrateOptions,
  ports: MigratePorts,
): Promise<Validation> {
  const { shadow } = options;
  let server: ValidateServer;
  if (shadow) {
    server = {
      kind: 'shadow',
      database: shadow.database,
      connect: (database) => ports.connect({ ...shadow, database }),
    };
    ports.onEvent({ type: 'validating', on: { shadow } });
  } else {
    const binDir = findPostgresBin(options.postgresBin, options.searchPath);
    server = { kind: 'embedded', start: () => ports.startThrowaway(binDir) };
    ports.onEvent({ type: 'validating', on: { binDir } });
  }
  const validation = await validateMigrations(
    migrations,
    server,
    { ...applyOptions(options), lockWaitMs: 0 },
    { sleep: ports.sleep, now: ports.now, signal: ports.signal, onEvent: ports.onEvent },
  );
  ports.onEvent({ type: 'validated', server: validation.server });
  return validation;
}

async function runInTask(
  spec: EcsTaskSpec,
  command: Command,
  ports: MigratePorts,
): Promise<MigrateRun> {
  let port: (EcsTaskPort & { destroy(): void }) | undefined;
  try {
    port = await ports.ecsTask();
    ports.onEvent({ type: 'task-running', cluster: spec.cluster, command: spec.command });
    const outcome = await runMigrationTask(spec, port, {
      sleep: ports.sleep,
      now: ports.now,
      signal: ports.signal,
      onEvent: ports.onEvent,
    });
    const { report, error } = reportTask(command, outcome);
    return error ? { ok: false, report, error } : { ok: true, report };
  } catch (error) {
    return { ok: false, report: undefined, error };
  } finally {
    port?.destroy();
  }
}
