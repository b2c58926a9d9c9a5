// Applying safely: concurrent statements outside the transaction, INVALID index clean-up and
// resume, lock timeouts retried then failed cleanly, and a plan that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { historyTable } from '../../../src/migrate/history.ts';
import { loadMigrations } from '../../../src/migrate/migration-set.ts';
import { planMigrations } from '../../../src/migrate/plan.ts';
import { type PostgresServer, startPostgres } from '../../postgres/server.ts';
import { OPTIONS, apply, connect, migrationsDir } from './world.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.stop();
});

const invalidIndexes = (db: string) =>
  server.query(db, 'SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid');

describe('concurrent statements', () => {
  it('runs CREATE INDEX CONCURRENTLY outside the transaction, between the transactional parts', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({
      'V1__orders.sql': `CREATE TABLE orders (id bigint, note text);
CREATE INDEX CONCURRENTLY orders_note ON orders (note);
COMMENT ON TABLE orders IS 'orders';
INSERT INTO orders VALUES (1, 'a');`,
    });
    const { result, events } = await apply(server, db, files.dir);
    expect(result.outcome).toBe('applied');
    expect(
      events.filter((e) => e.type === 'part-started').map((e) => [e.transactional, e.statements]),
    ).toEqual([
      [true, 1],
      [false, 1],
      [true, 2],
    ]);
    expect(await server.query(db, "SELECT to_regclass('orders_note')::text AS i")).toEqual([
      { i: 'orders_note' },
    ]);
  });

  it('drops the INVALID index of a failed concurrent build, records how far it got, and resumes there once fixed', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({
      'V1__orders.sql': `CREATE TABLE orders (id bigint);
INSERT INTO orders VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY orders_id ON orders (id);
CREATE TABLE after_index (id int);`,
    });
    const first = await apply(server, db, files.dir);
    expect(first.result).toMatchObject({
      outcome: 'failed',
      failed: {
        script: 'V1__orders.sql',
        line: 3,
        sqlState: '23505',
        partsCommitted: 1,
        parts: 3,
      },
    });
    expect(first.events).toContainEqual({
      type: 'invalid-index-dropped',
      script: 'V1__orders.sql',
      line: 3,
      index: 'public.orders_id',
    });
    expect(await invalidIndexes(db)).toEqual([]);
    expect(await server.query(db, "SELECT to_regclass('after_index') AS t")).toEqual([{ t: null }]);
    expect(await server.query(db, 'SELECT success, parts_applied FROM schema_history')).toEqual([
      { success: false, parts_applied: 1 },
    ]);

    await server.query(db, 'DELETE FROM orders WHERE ctid = (SELECT max(ctid) FROM orders)');
    const second = await apply(server, db, files.dir);
    expect(second.result.outcome).toBe('applied');
    expect(second.events).toContainEqual(
      expect.objectContaining({ type: 'migration-started', resumeFromPart: 1 }),
    );
    expect(await server.query(db, 'SELECT success, parts_applied FROM schema_history')).toEqual([
      { success: true, parts_applied: 3 },
    ]);
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 1 }]);
  });
});

describe('lock timeouts', () => {
  it('retries a statement that hits lock-timeout with backoff, then fails with nothing half-applied', async () => {
    const db = await server.createDatabase();
    await server.query(db, 'CREATE TABLE busy (id int)');
    const files = migrationsDir({
      'V1__busy.sql': 'CREATE TABLE side (id int);\nALTER TABLE busy ADD COLUMN note text;',
    });
    const blocker = await connect(server, db);
    try {
      await blocker.query('BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE');
      const { result, events } = await apply(server, db, files.dir, {
        lockTimeoutMs: 100,
        lockRetries: 2,
      });
      expect(events.filter((e) => e.type === 'retrying').map((e) => e.attempt)).toEqual([1, 2]);
      expect(result).toMatchObject({
        outcome: 'failed',
        failed: { script: 'V1__busy.sql', line: 2, sqlState: '55P03', partsCommitted: 0 },
      });
    } finally {
      await blocker.end();
    }
    expect(await server.query(db, "SELECT to_regclass('side') AS t")).toEqual([{ t: null }]);
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM schema_history')).toEqual([
      { n: 0 },
    ]);
  });

  it('succeeds on a retry once the other session lets go', async () => {
    const db = await server.createDatabase();
    await server.query(db, 'CREATE TABLE busy (id int)');
    const files = migrationsDir({ 'V1__busy.sql': 'ALTER TABLE busy ADD COLUMN note text;' });
    const blocker = await connect(server, db);
    await blocker.query('BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE');
    let retries = 0;
    const { result } = await apply(
      server,
      db,
      files.dir,
      { lockTimeoutMs: 100, lockRetries: 5, retryBaseDelayMs: 50 },
      {
        onEvent: (event) => {
          if (event.type !== 'retrying') return;
          retries++;
          if (event.attempt === 1) void blocker.end();
        },
      },
    ).catch(async (error: unknown) => {
      await blocker.end().catch(() => {});
      throw error;
    });
    expect(result.outcome).toBe('applied');
    expect(retries).toBeGreaterThanOrEqual(1);
  });
});

describe('plan', () => {
  it('lists pending migrations with their parts and changes nothing', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({
      'V1__orders.sql':
        'CREATE TABLE orders (id int);\nCREATE INDEX CONCURRENTLY o ON orders (id);',
    });
    const before = await server.query(
      db,
      "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace",
    );
    const client = await connect(server, db);
    try {
      const plan = await planMigrations(
        await loadMigrations(files.dir),
        {
          history: historyTable('"public"', '"schema_history"'),
          outOfOrder: false,
          baselineVersion: undefined,
          phase: 'all',
          lockTimeoutMs: OPTIONS.lockTimeoutMs,
          statementTimeoutMs: OPTIONS.statementTimeoutMs,
        },
        { session: client },
      );
      expect(plan).toEqual({
        historyExists: false,
        current: undefined,
        baseline: undefined,
        missingLocally: [],
        deferred: [],
        pending: [
          {
            script: 'V1__orders.sql',
            version: '1',
            description: 'orders',
            reason: 'new',
            phase: 'expand',
            resumeFromPart: 0,
            parts: [
              {
                transactional: true,
                reason: undefined,
                statements: [{ line: 1, sql: 'CREATE TABLE orders (id int)' }],
              },
              {
                transactional: false,
                reason: 'CREATE INDEX CONCURRENTLY',
                statements: [{ line: 2, sql: 'CREATE INDEX CONCURRENTLY o ON orders (id)' }],
              },
            ],
          },
        ],
      });
    } finally {
      await client.end();
    }
    expect(
      await server.query(
        db,
        "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace",
      ),
    ).toEqual(before);
  });
});
