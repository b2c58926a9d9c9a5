// The engine entry against fakes: which findings block each command, a failed migration as the
// run's failure, the order of the connection target's resolution, validate's servers, cancelling,
// and what a mode ecs-task run makes of the task's outcome. No PostgreSQL: the fake database
// takes every statement, answers the engine's own questions, and fails what it is told to.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionSpec, ConnectionTarget } from '../../../src/migrate/connection.ts';
import type { EcsTaskPort, EcsTaskSpec, TaskOutcome } from '../../../src/migrate/ecs-task.ts';
import { reportTask } from '../../../src/migrate/ecs-task.ts';
import type { RunEvent } from '../../../src/migrate/events.ts';
import { checksumOf } from '../../../src/migrate/files.ts';
import { historyTable } from '../../../src/migrate/history.ts';
import {
  type Command,
  type MigrateOptions,
  type MigratePorts,
  type MigrateRun,
  type RunnerReport,
  blockingFor,
  runMigration,
} from '../../../src/migrate/run.ts';
import type { DatabaseSession } from '../../../src/migrate/session.ts';

const UNSAFE_INDEX = 'CREATE INDEX orders_note ON orders (note);';
const SAFE = 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);';
const LOCAL: ConnectionTarget = {
  host: '127.0.0.1',
  port: 5432,
  user: 'app',
  password: 'pw',
  database: 'shop',
  tls: false,
};

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-migrations-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The history row of a migration applied earlier. */
const appliedRow = (script: string, version: string, text: string) => ({
  installed_rank: 1,
  version,
  description: script,
  type: 'versioned',
  script,
  checksum: checksumOf(text),
  applied_by: 'ci',
  commit_sha: null,
  applied_at: new Date(0),
  execution_ms: 1,
  success: true,
  parts_applied: 1,
});

/**
 * A database that takes every statement; `history` undefined: no history table yet; `objects`:
 * the user's own tables (none: a new database).
 */
function fakeDatabase(
  options: {
    history?: Record<string, unknown>[];
    objects?: string[];
    failOn?: { sql: string; error: Error & { code?: string } };
    onQuery?: (sql: string) => Promise<void>;
  } = {},
) {
  const queries: string[] = [];
  let ended = 0;
  const session: DatabaseSession = {
    async query(sql) {
      queries.push(sql);
      await options.onQuery?.(sql);
      if (sql.includes('pg_try_advisory_lock')) return { rows: [{ locked: true }] };
      if (sql.includes('AS exists')) return { rows: [{ exists: options.history !== undefined }] };
      if (sql.includes('ORDER BY installed_rank')) return { rows: options.history ?? [] };
      if (sql.includes('count(*) OVER ()')) {
        const objects = options.objects ?? [];
        return { rows: objects.map((name) => ({ name, total: objects.length })) };
      }
      if (sql.includes('count(*)::int AS n')) return { rows: [{ n: options.history?.length }] };
      if (options.failOn && sql.includes(options.failOn.sql)) throw options.failOn.error;
      return { rows: [] };
    },
    async end() {
      ended++;
    },
  };
  return {
    session,
    queries,
    /** The migration statements it ran, without the engine's own bookkeeping. */
    statements: () =>
      queries
        .map((q) => q.replace(/^BEGIN;\n/, ''))
        .filter((q) => /^(CREATE|INSERT INTO (?!"public")|ALTER)/.test(q)),
    ended: () => ended,
  };
}

function options(
  command: Command,
  migrationsDirectory: string,
  more: Partial<MigrateOptions> = {},
): MigrateOptions {
  return {
    command,
    migrationsDir: migrationsDirectory,
    connection:
      command === 'plan' || command === 'apply' ? { kind: 'url', target: LOCAL } : undefined,
    phase: 'all',
    history: historyTable('"public"', '"rds_migrate_history"'),
    outOfOrder: false,
    baselineVersion: undefined,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
    lockRetries: 0,
    lockWaitMs: 10_000,
    allowDestructive: false,
    shadow: undefined,
    postgresBin: undefined,
    searchPath: undefined,
    ecsTask: undefined,
    databaseState: 'auto',
    baseRef: undefined,
    appliedBy: 'ci',
    commit: null,
    ...more,
  };
}

function fakePorts(database = fakeDatabase(), more: Partial<MigratePorts> = {}) {
  const events: RunEvent[] = [];
  const masked: string[] = [];
  const connected: ConnectionTarget[] = [];
  const calls: string[] = [];
  const ports: MigratePorts = {
    async connect(target) {
      connected.push(target);
      return database.session;
    },
    async startThrowaway(binDir) {
      calls.push(`startThrowaway ${binDir}`);
      return {
        version: 'postgres (PostgreSQL) 18.0',
        connect: async () => database.session,
        stop: async () => void calls.push('stop'),
      };
    },
    async readSecret(secretId, region) {
      calls.push(`readSecret ${secretId} ${region}`);
      return JSON.stringify({
        username: 'app',
        password: 's3cret',
        host: 'db.internal',
        port: 5433,
      });
    },
    async rdsAuthToken(endpoint) {
      calls.push(
        `rdsAuthToken ${endpoint.user}@${endpoint.host}:${endpoint.port} ${endpoint.region}`,
      );
      return 'iam-token';
    },
    ecsTask: async () => {
      throw new Error('no ECS in this test');
    },
    changes: {
      changesSince: async () => {
        throw new Error('no git in this test');
      },
    },
    sleep: async () => {},
    now: () => 0,
    signal: new AbortController().signal,
    onEvent: (event) => void events.push(event),
    mask: (secret) => void masked.push(secret),
    ...more,
  };
  return { ports, events, masked, connected, calls, database };
}

function failed(run: MigrateRun): { report: RunnerReport; message: string } {
  if (run.ok) throw new Error('expected a failed run, it succeeded');
  return { report: run.report as RunnerReport, message: (run.error as Error).message };
}

const LINT_REFUSAL =
  /^Lint: 1 finding would lock or break the live database \(first: (V\d__\w+\.sql):\d+ require-concurrent-index-creation\): use the safe pattern/;

describe('which findings block the command', () => {
  it('lint: every open error, without touching a database', async () => {
    const dir = migrationsDir({ 'V1__orders.sql': SAFE, 'V2__index.sql': UNSAFE_INDEX });
    const { ports, connected, events } = fakePorts();
    const { report, message } = failed(await runMigration(options('lint', dir), ports));
    expect(message).toMatch(LINT_REFUSAL);
    expect(report).toMatchObject({ command: 'lint', outcome: 'failed' });
    expect(report.blockers.map((f) => f.script)).toEqual(['V2__index.sql']);
    expect(connected).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['loaded', 'linted']);
  });

  it('lint: files are parsed and linted one at a time, and a later file the parser refuses still reports nothing', async () => {
    const dir = migrationsDir({
      'V1__index.sql': UNSAFE_INDEX,
      'V2__orders.sql': SAFE,
      'V3__broken.sql': 'CREATE TABEL broken (id int);',
    });
    const { ports, events } = fakePorts();
    const { report, message } = failed(await runMigration(options('lint', dir), ports));
    expect(message).toMatch(/^V3__broken\.sql:1:8: syntax error at or near "TABEL"/);
    expect(report.findings).toEqual([]);
    expect(events).toEqual([]);
  });

  it('lint: a waived finding does not block', async () => {
    const dir = migrationsDir({
      'V1__index.sql': `-- rds-migrate: allow require-concurrent-index-creation because the table is empty\n${UNSAFE_INDEX}`,
    });
    const run = await runMigration(options('lint', dir), fakePorts().ports);
    expect(run).toMatchObject({ ok: true, report: { outcome: 'ok', blockers: [] } });
    expect(run.report!.findings).toEqual([expect.objectContaining({ waived: expect.any(String) })]);
  });

  it('plan: like apply, only findings of pending migrations block (an applied one never does)', async () => {
    const dir = migrationsDir({ 'V1__index.sql': UNSAFE_INDEX, 'V2__orders.sql': SAFE });
    const database = fakeDatabase({ history: [appliedRow('V1__index.sql', '1', UNSAFE_INDEX)] });
    const run = await runMigration(options('plan', dir), fakePorts(database).ports);
    expect(run).toMatchObject({ ok: true, report: { outcome: 'ok', blockers: [] } });
    expect(run.report!.findings.map((f) => f.script)).toEqual(['V1__index.sql']);
    expect((run.report as RunnerReport).pending.map((p) => p.script)).toEqual(['V2__orders.sql']);
    expect(database.statements()).toEqual([]);
  });

  it('plan: a finding in a pending migration blocks, after the plan is made', async () => {
    const dir = migrationsDir({ 'V1__orders.sql': SAFE, 'V2__index.sql': UNSAFE_INDEX });
    const database = fakeDatabase({ history: [appliedRow('V1__orders.sql', '1', SAFE)] });
    const { report, message } = failed(
      await runMigration(options('plan', dir), fakePorts(database).ports),
    );
    expect(message).toMatch(LINT_REFUSAL);
    expect(report.plan?.pending.map((p) => p.script)).toEqual(['V2__index.sql']);
    expect(database.statements()).toEqual([]);
  });

  it('apply: only findings of pending migrations block', async () => {
    const dir = migrationsDir({ 'V1__index.sql': UNSAFE_INDEX, 'V2__orders.sql': SAFE });
    const database = fakeDatabase({ history: [appliedRow('V1__index.sql', '1', UNSAFE_INDEX)] });
    const run = await runMigration(options('apply', dir), fakePorts(database).ports);
    expect(run).toMatchObject({
      ok: true,
      report: { outcome: 'applied', blockers: [], pending: [], current: '2' },
    });
    expect(run.report!.applied.map((a) => a.script)).toEqual(['V2__orders.sql']);
    expect(database.statements()).toEqual([SAFE.replace(/;$/, '')]);
    expect(database.ended()).toBeGreaterThan(0);
  });

  it('apply: a pending migration that blocks stops the run before anything runs', async () => {
    const dir = migrationsDir({ 'V1__orders.sql': SAFE, 'V2__index.sql': UNSAFE_INDEX });
    const database = fakeDatabase({ objects: ['public.customers'] });
    const { report, message } = failed(
      await runMigration(options('apply', dir), fakePorts(database).ports),
    );
    expect(message).toMatch(LINT_REFUSAL);
    expect(message).toContain('V2__index.sql:1');
    expect(report.apply).toBeUndefined();
    expect(report.pending.map((p) => p.script)).toEqual(['V1__orders.sql', 'V2__index.sql']);
    expect(database.queries.filter((q) => q.startsWith('BEGIN'))).toEqual([]);
    expect(database.queries.some((q) => q.includes('pg_try_advisory_lock'))).toBe(false);
  });

  it('validate: none (it answers whether they apply, not whether they are safe)', async () => {
    const dir = migrationsDir({ 'V1__orders.sql': SAFE, 'V2__index.sql': UNSAFE_INDEX });
    const { ports, calls, events } = fakePorts();
    const run = await runMigration(options('validate', dir, { postgresBin: '/opt/pg/bin' }), ports);
    expect(run).toMatchObject({
      ok: true,
      report: {
        outcome: 'valid',
        blockers: [],
        validation: { server: 'postgres (PostgreSQL) 18.0' },
      },
    });
    expect(run.report!.findings).toHaveLength(1);
    expect(calls).toEqual(['startThrowaway /opt/pg/bin', 'stop']);
    expect(events).toContainEqual({ type: 'validating', on: { binDir: '/opt/pg/bin' } });
    expect(events.at(-1)).toEqual({ type: 'validated', server: 'postgres (PostgreSQL) 18.0' });
  });

  it('blockingFor, by command', () => {
    const finding = (script: string, waived?: string) => ({
      script,
      line: 1,
      column: 1,
      rule: 'r',
      severity: 'error' as const,
      detail: '',
      why: '',
      fix: '',
      ...(waived ? { waived } : {}),
    });
    const findings = [finding('V1.sql'), finding('V2.sql'), finding('V3.sql', 'ok')];
    const plan = { pending: [{ script: 'V2.sql' }] } as Parameters<typeof blockingFor>[2];
    const scripts = (command: string) => blockingFor(command, findings, plan).map((f) => f.script);
    expect(scripts('lint')).toEqual(['V1.sql', 'V2.sql']);
    expect(scripts('plan')).toEqual(['V2.sql']);
    expect(scripts('apply')).toEqual(['V2.sql']);
    expect(scripts('validate')).toEqual([]);
  });
});

describe('a new database takes the whole history, a live one is guarded', () => {
  /** One safe migration applied to a new fake database: what it was sent. */
  async function appliedOrders() {
    const database = fakeDatabase();
    const run = await runMigration(
      options('apply', migrationsDir({ 'V1__orders.sql': SAFE })),
      fakePorts(database).ports,
    );
    expect(run.ok).toBe(true);
    return database;
  }

  it('a plan and the apply after it share the session: timeouts set once, the history looked up once before the lock', async () => {
    const database = await appliedOrders();
    const before = database.queries.slice(
      0,
      database.queries.findIndex((q) => q.includes('pg_try_advisory_lock')),
    );
    expect(before.filter((q) => q.includes('set_config('))).toHaveLength(1);
    expect(before.filter((q) => q.includes('AS exists'))).toHaveLength(1);
    expect(database.queries.filter((q) => q.includes('set_config('))).toHaveLength(1);
  });

  it("the plan's reads go out while the files are still being cut; nothing is written before they are", async () => {
    const log: string[] = [];
    const database = fakeDatabase({ onQuery: async (sql) => void log.push(sql) });
    const files = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [
        `V${i + 1}__t${i + 1}.sql`,
        `CREATE TABLE t${i + 1} (id int);`,
      ]),
    );
    const { ports } = fakePorts(database, {
      onEvent: (event) => void (event.type === 'loaded' && log.push('loaded')),
    });
    const run = await runMigration(options('apply', migrationsDir(files)), ports);
    expect(run.ok).toBe(true);
    const loaded = log.indexOf('loaded');
    expect(log.slice(0, loaded)).toEqual([
      expect.stringContaining('set_config('),
      expect.stringContaining('count(*) OVER ()'),
    ]);
    expect(log[loaded + 1]).toContain('pg_try_advisory_lock');
  });

  it('a live database: its history read once before the lock, and counted from what was read', async () => {
    const database = fakeDatabase({ history: [appliedRow('V1__orders.sql', '1', SAFE)] });
    const { ports, events } = fakePorts(database);
    const run = await runMigration(
      options('apply', migrationsDir({ 'V1__orders.sql': SAFE, 'V2__more.sql': SAFE })),
      ports,
    );
    expect(run.ok).toBe(true);
    const lock = database.queries.findIndex((q) => q.includes('pg_try_advisory_lock'));
    expect(database.queries.slice(0, lock)).toEqual([
      expect.stringMatching(/set_config\(.*AS exists$/s),
      expect.stringContaining('ORDER BY installed_rank'),
      expect.stringContaining('count(*) OVER ()'),
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'database-state',
        state: 'live',
        reason: expect.stringContaining('a migration history (1 row)'),
      }),
    );
  });

  it('a new database: two round trips before the lock, one after it before the first migration', async () => {
    const database = await appliedOrders();
    const lock = database.queries.findIndex((q) => q.includes('pg_try_advisory_lock'));
    const first = database.queries.findIndex((q) => q.includes('CREATE TABLE orders'));
    // The timeouts with the history's lookup; the user's own tables.
    expect(database.queries.slice(0, lock)).toEqual([
      expect.stringMatching(/set_config\(.*AS exists$/s),
      expect.stringContaining('count(*) OVER ()'),
    ]);
    // The history created and read in one message.
    expect(database.queries.slice(lock + 1, first)).toEqual([
      expect.stringMatching(
        /^DO .*CREATE TABLE IF NOT EXISTS .*;\nSELECT .* ORDER BY installed_rank$/s,
      ),
    ]);
  });

  const HISTORY = { 'V1__orders.sql': SAFE, 'V2__index.sql': UNSAFE_INDEX };

  it('apply on a database with no tables and no history: everything applied, findings reported, none blocking', async () => {
    const database = fakeDatabase();
    const { ports, events } = fakePorts(database);
    const run = await runMigration(options('apply', migrationsDir(HISTORY)), ports);
    expect(run).toMatchObject({
      ok: true,
      report: {
        outcome: 'applied',
        blockers: [],
        database: { state: 'new', reason: expect.stringMatching(/no tables and no history/) },
      },
    });
    expect(run.report!.findings.map((f) => [f.script, f.severity])).toEqual([
      ['V2__index.sql', 'error'],
    ]);
    expect(run.report!.applied.map((a) => a.script)).toEqual(['V1__orders.sql', 'V2__index.sql']);
    expect(database.statements()).toEqual(
      expect.arrayContaining([SAFE.replace(/;$/, ''), UNSAFE_INDEX.replace(/;$/, '')]),
    );
    // Nothing waits for the lint: the findings are shown, as advisory, after the apply.
    const types = events.map((e) => e.type);
    expect(types.indexOf('database-state')).toBeLessThan(types.indexOf('migration-started'));
    expect(types.lastIndexOf('migration-applied')).toBeLessThan(types.indexOf('linted'));
    expect(events).toContainEqual(expect.objectContaining({ type: 'linted', advisory: true }));
  });

  it('plan agrees on a new database', async () => {
    const run = await runMigration(options('plan', migrationsDir(HISTORY)), fakePorts().ports);
    expect(run).toMatchObject({ ok: true, report: { blockers: [], database: { state: 'new' } } });
  });

  it('a table of its own makes it live: the pending finding blocks, shown as an error', async () => {
    const database = fakeDatabase({ objects: ['public.customers'] });
    const { ports, events } = fakePorts(database);
    const { report, message } = failed(
      await runMigration(options('apply', migrationsDir(HISTORY)), ports),
    );
    expect(message).toMatch(LINT_REFUSAL);
    expect(report.database).toEqual({
      state: 'live',
      reason:
        'database has 1 table or view of its own (public.customers): treated as live, findings of pending migrations block',
    });
    expect(events).toContainEqual(expect.objectContaining({ type: 'linted', advisory: false }));
    expect(database.statements()).toEqual([]);
  });

  it('declared live: blocks on an empty database too', async () => {
    const { message } = failed(
      await runMigration(
        options('apply', migrationsDir(HISTORY), { databaseState: 'live' }),
        fakePorts().ports,
      ),
    );
    expect(message).toMatch(LINT_REFUSAL);
  });

  it('declared new on a database with tables: refused before anything runs, findings still shown', async () => {
    const database = fakeDatabase({ objects: ['public.customers', 'public.orders'] });
    const { ports, events } = fakePorts(database);
    const { report, message } = failed(
      await runMigration(options('apply', migrationsDir(HISTORY), { databaseState: 'new' }), ports),
    );
    expect(message).toMatch(/^The database is declared new but has 2 tables or views of its own/);
    expect(report.database).toBeUndefined();
    expect(report.blockers.map((f) => f.script)).toEqual(['V2__index.sql']);
    expect(events).toContainEqual(expect.objectContaining({ type: 'linted', advisory: false }));
    expect(database.statements()).toEqual([]);
  });
});

describe('lint with a base ref', () => {
  const changesTo = (changes: { status: 'added' | 'modified' | 'deleted'; path: string }[]) => {
    const asked: string[] = [];
    return {
      asked,
      changes: {
        changesSince: async (baseRef: string, directory: string) => {
          asked.push(`${baseRef} ${directory}`);
          return { base: 'origin/main', mergeBase: 'c'.repeat(40), changes };
        },
      },
    };
  };

  it('judges only what the branch added or changed: an old finding does not block', async () => {
    const dir = migrationsDir({ 'V1__index.sql': UNSAFE_INDEX, 'V2__orders.sql': SAFE });
    const git = changesTo([
      { status: 'added', path: 'V2__orders.sql' },
      { status: 'deleted', path: 'V0__gone.sql' },
    ]);
    const { ports, events } = fakePorts(fakeDatabase(), { changes: git.changes });
    const run = await runMigration(options('lint', dir, { baseRef: 'main' }), ports);
    expect(git.asked).toEqual([`main ${dir}`]);
    expect(run).toMatchObject({
      ok: true,
      report: {
        findings: [],
        scope: { base: 'origin/main', judged: ['V2__orders.sql'], deleted: ['V0__gone.sql'] },
      },
    });
    expect(events.map((e) => e.type)).toEqual(['loaded', 'lint-scope', 'linted']);
  });

  it('a changed migration with a finding blocks', async () => {
    const dir = migrationsDir({ 'V1__orders.sql': SAFE, 'V2__index.sql': UNSAFE_INDEX });
    const git = changesTo([{ status: 'modified', path: 'V2__index.sql' }]);
    const { message } = failed(
      await runMigration(
        options('lint', dir, { baseRef: 'main' }),
        fakePorts(fakeDatabase(), { changes: git.changes }).ports,
      ),
    );
    expect(message).toMatch(LINT_REFUSAL);
  });

  it('without a base ref, every file as before (git is not asked)', async () => {
    const dir = migrationsDir({ 'V1__index.sql': UNSAFE_INDEX });
    const git = changesTo([]);
    const run = await runMigration(
      options('lint', dir),
      fakePorts(fakeDatabase(), { changes: git.changes }).ports,
    );
    expect(run.ok).toBe(false);
    expect(git.asked).toEqual([]);
  });
});

describe('a failed migration fails the run', () => {
  const missing = Object.assign(new Error('relation "missing" does not exist'), { code: '42P01' });

  it('in one line: file, line, reason, SQLSTATE, and that nothing of it is applied', async () => {
    const dir = migrationsDir({
      'V1__orders.sql': SAFE,
      'V2__bad.sql': 'CREATE TABLE t2 (id bigint);\nINSERT INTO missing VALUES (1);',
    });
    const database = fakeDatabase({ failOn: { sql: 'INSERT INTO missing', error: missing } });
    const { report, message } = failed(
      await runMigration(options('apply', dir), fakePorts(database).ports),
    );
    expect(message).toBe(
      'V2__bad.sql:2: relation "missing" does not exist (SQLSTATE 42P01); rolled back, nothing of it is applied.',
    );
    expect(report.outcome).toBe('failed');
    expect(report.applied.map((a) => a.script)).toEqual(['V1__orders.sql']);
    expect(report.pending.map((p) => p.script)).toEqual(['V2__bad.sql']);
    expect(report.apply).toMatchObject({ outcome: 'failed', failed: { script: 'V2__bad.sql' } });
  });

  it('says how many parts committed when a multi-part migration fails after the first', async () => {
    const dir = migrationsDir({
      'V1__orders.sql': `${SAFE}\nCREATE INDEX CONCURRENTLY orders_note ON orders (note);\nINSERT INTO missing VALUES (1);`,
    });
    const database = fakeDatabase({ failOn: { sql: 'INSERT INTO missing', error: missing } });
    const { message } = failed(
      await runMigration(options('apply', dir), fakePorts(database).ports),
    );
    expect(message).toBe(
      'V1__orders.sql:3: relation "missing" does not exist (SQLSTATE 42P01); 2 of 3 parts committed, the next run resumes after them.',
    );
  });

  it('on validate too', async () => {
    const dir = migrationsDir({ 'V1__bad.sql': 'INSERT INTO missing VALUES (1);' });
    const database = fakeDatabase({ failOn: { sql: 'INSERT INTO missing', error: missing } });
    const { report, message } = failed(
      await runMigration(
        options('validate', dir, { postgresBin: '/pg' }),
        fakePorts(database).ports,
      ),
    );
    expect(message).toMatch(/^V1__bad\.sql:1: relation "missing" does not exist/);
    expect(report.validation).toMatchObject({ schema: undefined, result: { outcome: 'failed' } });
  });

  it('and what the run threw is its failure, with the report so far', async () => {
    const dir = migrationsDir({ 'V1__orders.sql': SAFE });
    const refused = new Error('The database at 127.0.0.1:5432 refused user');
    const { ports } = fakePorts(fakeDatabase(), {
      connect: async () => {
        throw refused;
      },
    });
    const run = await runMigration(options('plan', dir), ports);
    expect(run).toMatchObject({
      ok: false,
      error: refused,
      report: { outcome: 'failed', plan: undefined },
    });
    expect(run.report!.findings).toEqual([]);
  });
});

describe('the connection target', () => {
  const plan = async (connection: ConnectionSpec) => {
    const fakes = fakePorts();
    const run = await runMigration(options('plan', migrationsDir({}), { connection }), fakes.ports);
    expect(run.ok).toBe(true);
    return fakes;
  };

  it('a URL is used as it is', async () => {
    const { connected, calls, masked } = await plan({ kind: 'url', target: LOCAL });
    expect(connected).toEqual([LOCAL]);
    expect(calls).toEqual([]);
    expect(masked).toEqual([]);
  });

  it('IAM: a token, masked, as the password, over verified TLS', async () => {
    const { connected, calls, masked } = await plan({
      kind: 'iam',
      host: 'db.x.rds.amazonaws.com',
      port: 5432,
      user: 'migrator',
      database: 'shop',
      region: 'eu-west-1',
      ca: 'PEM',
    });
    expect(calls).toEqual(['rdsAuthToken migrator@db.x.rds.amazonaws.com:5432 eu-west-1']);
    expect(masked).toEqual(['iam-token']);
    expect(connected).toEqual([
      {
        host: 'db.x.rds.amazonaws.com',
        port: 5432,
        user: 'migrator',
        password: 'iam-token',
        database: 'shop',
        tls: { ca: 'PEM' },
      },
    ]);
  });

  it('a secret: read, masked whole and its password, then parsed; database overrides dbname', async () => {
    const { connected, calls, masked, events } = await plan({
      kind: 'secret',
      secretId: 'prod/db',
      region: 'us-east-1',
      database: 'shop',
      tls: { ca: undefined, allowPlaintext: false },
    });
    expect(events[1]).toEqual({ type: 'reading-secret', secretId: 'prod/db', region: 'us-east-1' });
    expect(calls).toEqual(['readSecret prod/db us-east-1']);
    expect(masked).toEqual([expect.stringContaining('"password":"s3cret"'), 's3cret']);
    expect(connected).toEqual([
      {
        host: 'db.internal',
        port: 5433,
        user: 'app',
        password: 's3cret',
        database: 'shop',
        tls: { ca: undefined },
      },
    ]);
    expect(events[2]).toEqual({ type: 'connecting', target: connected[0] });
  });

  it.each(['new', 'live'] as const)(
    'a URL: connected while the files are parsed; a syntax error ends the run before the file is sent (%s database)',
    async (databaseState) => {
      const fakes = fakePorts();
      const run = await runMigration(
        options(
          'apply',
          migrationsDir({
            'V1__orders.sql': SAFE,
            'V2__broken.sql': 'CREATE TABLE orders (id bigint',
          }),
          { databaseState },
        ),
        fakes.ports,
      );
      expect(failed(run).message).toMatch(/^V2__broken\.sql:1:\d+: syntax error/);
      expect(fakes.connected).toEqual([LOCAL]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(fakes.database.ended()).toBe(1);
      // Live: nothing runs until every file parsed. New: the files before it may be applied, and
      // the broken one is refused by the parser, or by the server if the apply gets there first
      // (this fake server takes anything: the run fails all the same).
      if (databaseState === 'live') expect(fakes.database.statements()).toEqual([]);
      else expect(fakes.database.statements()).toContain(SAFE.replace(/;$/, ''));
    },
  );

  it('a URL still connecting when a file fails to parse is given up', async () => {
    let signal: AbortSignal | undefined;
    const fakes = fakePorts(fakeDatabase(), {
      connect: (_target, given) => {
        signal = given;
        return new Promise<never>(() => {}); // an unreachable host: never settles
      },
    });
    const run = await runMigration(
      options('apply', migrationsDir({ 'V1__orders.sql': 'CREATE TABLE orders (id bigint' })),
      fakes.ports,
    );
    expect(run.ok).toBe(false);
    expect(signal?.aborted).toBe(true);
  });

  it("a URL's connection failure surfaces where the run connects, after the files are loaded", async () => {
    const refused = new Error('Cannot reach the database at 127.0.0.1:5432 (ECONNREFUSED)');
    const fakes = fakePorts(fakeDatabase(), {
      connect: async () => {
        throw refused;
      },
    });
    const run = await runMigration(
      options('apply', migrationsDir({ 'V1__orders.sql': SAFE })),
      fakes.ports,
    );
    expect(failed(run).message).toBe(refused.message);
    expect(fakes.events.map((e) => e.type)).toEqual(['loaded', 'connecting', 'linted']);
  });

  it('a secret or an IAM token is fetched only once the files are good', async () => {
    const fakes = fakePorts();
    const run = await runMigration(
      options('apply', migrationsDir({ 'V1__orders.sql': 'CREATE TABLE orders (id bigint' }), {
        connection: {
          kind: 'iam',
          host: 'db',
          port: 5432,
          user: 'm',
          database: 'shop',
          region: 'eu-west-1',
          ca: undefined,
        },
      }),
      fakes.ports,
    );
    expect(run.ok).toBe(false);
    expect(fakes.calls).toEqual([]);
    expect(fakes.connected).toEqual([]);
  });

  it('validate on a shadow server: a temporary database on it, dropped afterwards', async () => {
    const fakes = fakePorts();
    const run = await runMigration(
      options('validate', migrationsDir({ 'V1__orders.sql': SAFE }), { shadow: LOCAL }),
      fakes.ports,
    );
    expect(run.ok).toBe(true);
    const [admin, temporary] = fakes.connected;
    expect(admin).toEqual(LOCAL);
    expect(temporary).toEqual({
      ...LOCAL,
      database: expect.stringMatching(/^rds_migrate_validate_/),
    });
    expect(fakes.database.queries).toContainEqual(
      `DROP DATABASE IF EXISTS ${temporary!.database} WITH (FORCE)`,
    );
    expect(fakes.calls).toEqual([]);
  });
});

it.each([0, 300])(
  'cancelling ends the session under the running statement, and the run fails saying so (%i more files, still being linted)',
  async (more) => {
    const controller = new AbortController();
    let release: () => void = () => {};
    const database = fakeDatabase({
      onQuery: async (sql) => {
        if (!sql.includes('pg_sleep')) return;
        const ended = new Promise<void>((resolve) => (release = resolve));
        controller.abort(new Error('the job was cancelled (SIGINT)'));
        await ended;
        throw new Error('Connection terminated');
      },
    });
    const end = database.session.end;
    database.session.end = async () => {
      release();
      await end();
    };
    const dir = migrationsDir({
      'V1__slow.sql': 'CREATE TABLE half (id int);\nSELECT pg_sleep(60);',
      ...Object.fromEntries(
        Array.from({ length: more }, (_, i) => [
          `V${i + 2}__more.sql`,
          `CREATE TABLE m${i} (id bigint);`,
        ]),
      ),
    });
    const { message } = failed(
      await runMigration(
        options('apply', dir),
        fakePorts(database, { signal: controller.signal }).ports,
      ),
    );
    expect(message).toMatch(
      /^V1__slow\.sql:2: stopped because the job was cancelled \(SIGINT\); the session was closed, so PostgreSQL rolled back the open transaction/,
    );
  },
);

describe('mode ecs-task', () => {
  const outcome = (more: Partial<TaskOutcome>): TaskOutcome => ({
    taskArn: 'arn:aws:ecs:us-east-1:1:task/c/abc',
    exitCode: 0,
    stoppedReason: undefined,
    result: undefined,
    logsAvailable: true,
    ...more,
  });
  const remote = {
    version: 1,
    suiteVersion: '0.1.0',
    command: 'apply',
    outcome: 'applied',
    applied: [{ script: 'V1__a.sql' }, { script: 'V2__b.sql' }],
    pending: [{ script: 'V3__c.sql' }],
    findings: [{ script: 'V1__a.sql', waived: 'ok' }],
  };

  it("counts what the task's own result reports, and adds the task to it", () => {
    expect(reportTask('apply', outcome({ result: remote }))).toEqual({
      report: {
        mode: 'ecs-task',
        command: 'apply',
        taskArn: 'arn:aws:ecs:us-east-1:1:task/c/abc',
        exitCode: 0,
        applied: remote.applied,
        pending: remote.pending,
        findings: remote.findings,
        result: { ...remote, task: { arn: 'arn:aws:ecs:us-east-1:1:task/c/abc', exitCode: 0 } },
      },
    });
  });

  it('fails with the reason the task gave when it exits non-zero', () => {
    const { report, error } = reportTask(
      'apply',
      outcome({
        exitCode: 1,
        result: { ...remote, outcome: 'failed', reason: 'V2__b.sql:1: boom.' },
      }),
    );
    expect(error?.message).toBe('The migration task exited 1: V2__b.sql:1: boom.');
    expect(report.result).toMatchObject({ outcome: 'failed', task: { exitCode: 1 } });
  });

  it("without a result: the task's stop reason, a failed result, and why no log was shown", () => {
    const { report, error } = reportTask(
      'plan',
      outcome({ exitCode: 137, stoppedReason: 'OutOfMemoryError', logsAvailable: false }),
    );
    expect(error?.message).toBe(
      'The migration task exited 137: OutOfMemoryError (its container has no awslogs configuration, so its log could not be shown)',
    );
    expect(report).toMatchObject({ applied: [], pending: [], findings: [] });
    expect(report.result).toEqual({
      command: 'plan',
      outcome: 'failed',
      task: { arn: 'arn:aws:ecs:us-east-1:1:task/c/abc', exitCode: 137 },
    });
  });

  it('without an exit code or a reason', () => {
    expect(reportTask('plan', outcome({ exitCode: undefined })).error?.message).toBe(
      'The migration task exited without an exit code: no reason given',
    );
  });

  const spec: EcsTaskSpec = {
    cluster: 'apps',
    taskDefinition: 'migrate:1',
    service: undefined,
    container: undefined,
    network: undefined,
    command: ['node', '/opt/rds-migrate/cli.js', 'apply', '--json'],
    timeoutMs: 60_000,
    pollMs: 1000,
  };

  function fakeEcs(options: { exitCode?: number; runTask?: () => Promise<string> } = {}) {
    const calls: string[] = [];
    const port: EcsTaskPort & { destroy(): void } = {
      destroy: () => void calls.push('destroy'),
      describeTaskDefinition: async (reference) => ({
        arn: `arn:aws:ecs:us-east-1:1:task-definition/${reference}`,
        networkMode: 'bridge',
        containers: [{ name: 'app', essential: true, logGroup: '/ecs/app', logStreamPrefix: 'm' }],
      }),
      describeService: async () => {
        throw new Error('no service');
      },
      runTask: options.runTask ?? (async () => 'arn:aws:ecs:us-east-1:1:task/c/abc'),
      describeTask: async () => ({
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: undefined,
        exitCode: options.exitCode ?? 0,
        containerReason: undefined,
      }),
      stopTask: async () => {},
      readLog: async (_group, _stream, token) =>
        token
          ? { lines: [], token }
          : { lines: ['Applied V1__a.sql in 3ms.', JSON.stringify(remote)], token: '1' },
    };
    return { port, calls };
  }

  it('runs the command line in a task, reports its lines, and lets the task port go', async () => {
    const ecs = fakeEcs();
    const { ports, events } = fakePorts(fakeDatabase(), { ecsTask: async () => ecs.port });
    const run = await runMigration(options('apply', '/unused', { ecsTask: spec }), ports);
    expect(run).toMatchObject({ ok: true, report: { mode: 'ecs-task', applied: remote.applied } });
    expect(events.map((e) => e.type)).toEqual([
      'task-running',
      'started',
      'status',
      'line',
      'line',
    ]);
    expect(ecs.calls).toEqual(['destroy']);
  });

  it('fails when the task exits non-zero, with its report', async () => {
    const ecs = fakeEcs({ exitCode: 1 });
    const { ports } = fakePorts(fakeDatabase(), { ecsTask: async () => ecs.port });
    const run = await runMigration(options('apply', '/unused', { ecsTask: spec }), ports);
    expect(run).toMatchObject({ ok: false, report: { mode: 'ecs-task', exitCode: 1 } });
    expect((run as { error: Error }).error.message).toMatch(/^The migration task exited 1: /);
  });

  it('has no report when the task never started', async () => {
    const refused = new Error('ECS did not start the migration task: RESOURCE:MEMORY.');
    const ecs = fakeEcs({
      runTask: async () => {
        throw refused;
      },
    });
    const { ports } = fakePorts(fakeDatabase(), { ecsTask: async () => ecs.port });
    const run = await runMigration(options('apply', '/unused', { ecsTask: spec }), ports);
    expect(run).toEqual({ ok: false, report: undefined, error: refused });
    expect(ecs.calls).toEqual(['destroy']);
  });
});
