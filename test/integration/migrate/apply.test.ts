// The migration engine against a real PostgreSQL: fresh and incremental apply, repeatables,
// checksums, out-of-order, baseline, two runners at once, the advisory lock's wait limit. Time is
// virtual (world.ts): nothing here waits on the wall clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { applyMigrations } from '../../../src/migrate/apply.ts';
import { checksumOf } from '../../../src/migrate/files.ts';
import {
  createAndReadHistory,
  createHistory,
  recordMigration,
} from '../../../src/migrate/history.ts';
import { loadMigrations } from '../../../src/migrate/migration-set.ts';
import { type PostgresServer, startPostgres } from '../../postgres/server.ts';
import type { MigrateEvent } from '../../../src/migrate/events.ts';
import { OPTIONS, apply, connect, migrationsDir, virtualClock } from './world.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.stop();
});

const V1 = 'CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);';
const V2 = "INSERT INTO customers VALUES (1, 'Ada');\nCREATE TABLE orders (id bigint PRIMARY KEY);";

const history = (db: string) =>
  server.query<{ version: string | null; script: string; checksum: string; success: boolean }>(
    db,
    'SELECT version, script, checksum, success, type, applied_by, commit_sha, execution_ms, parts_applied FROM schema_history ORDER BY installed_rank',
  );

/** A session that records each message it sends: a round trip each. */
function countingQueries(client: pg.Client) {
  const queries: string[] = [];
  const counting = {
    query: (sql: string, params?: unknown[]) => {
      queries.push(sql);
      return client.query(sql, params);
    },
  };
  return { counting, queries };
}
describe('apply', () => {
  it('applies every migration to a fresh database and records each with its checksum', async () => {
    const db = await server.createDatabase();
    const { dir } = migrationsDir({ 'V1__customers.sql': V1, 'V2__orders.sql': V2 });
    const { result } = await apply(server, db, dir);
    expect(result).toMatchObject({ outcome: 'applied', current: '2' });
    expect(await history(db)).toEqual([
      expect.objectContaining({
        version: '1',
        script: 'V1__customers.sql',
        checksum: checksumOf(V1),
        success: true,
        type: 'versioned',
        applied_by: 'https://github.com/octo-org/octo-app/actions/runs/1',
        commit_sha: 'a'.repeat(40),
        parts_applied: 1,
      }),
      expect.objectContaining({ version: '2', checksum: checksumOf(V2), success: true }),
    ]);
    expect(await server.query(db, 'SELECT name FROM customers')).toEqual([{ name: 'Ada' }]);
  });

  it('creates the history in one round trip, and a user who may not create schemas applies into one that exists', async () => {
    const db = await server.createDatabase();
    const admin = await connect(server, db);
    const { counting, queries } = countingQueries(admin);
    try {
      await createHistory(counting, OPTIONS.history);
      await createHistory(counting, OPTIONS.history);
      expect(queries).toHaveLength(2);
      const user = `deployer_${db}`;
      await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD 'deployer-password'`);
      await admin.query(
        `GRANT USAGE, CREATE ON SCHEMA public TO ${user}; GRANT ALL ON ALL TABLES IN SCHEMA public TO ${user}; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${user}`,
      );
    } finally {
      await admin.end();
    }
    const url = new URL(server.url(db));
    url.username = `deployer_${db}`;
    url.password = 'deployer-password';
    const deployer = new pg.Client({ connectionString: url.href });
    await deployer.connect();
    try {
      // No CREATE on the database: CREATE SCHEMA IF NOT EXISTS would be refused even for public.
      await expect(deployer.query('CREATE SCHEMA IF NOT EXISTS public')).rejects.toThrow(
        /permission denied/,
      );
      const { dir } = migrationsDir({ 'V1__customers.sql': V1 });
      const result = await applyMigrations(await loadMigrations(dir), OPTIONS, {
        ...virtualClock(),
        session: deployer,
      });
      expect(result).toMatchObject({ outcome: 'applied', current: '1' });
    } finally {
      await deployer.end();
    }
    expect((await history(db)).map((h) => h.script)).toEqual(['V1__customers.sql']);
  });

  it('creates the history and reads its rows in one round trip', async () => {
    const db = await server.createDatabase();
    const admin = await connect(server, db);
    const { counting, queries } = countingQueries(admin);
    try {
      expect(await createAndReadHistory(counting, OPTIONS.history)).toEqual([]);
      await recordMigration(admin, OPTIONS.history, {
        version: '1',
        description: 'customers',
        type: 'versioned',
        script: 'V1__customers.sql',
        checksum: 'abc',
        appliedBy: 'me',
        commit: null,
        executionMs: 7,
        success: true,
        partsApplied: 1,
      });
      expect(await createAndReadHistory(counting, OPTIONS.history)).toEqual([
        expect.objectContaining({
          rank: 1,
          version: '1',
          script: 'V1__customers.sql',
          executionMs: 7,
        }),
      ]);
      expect(queries).toHaveLength(2);
    } finally {
      await admin.end();
    }
  });

  it('applies only what is new, and nothing on a second run', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({ 'V1__customers.sql': V1 });
    await apply(server, db, files.dir);
    files.write({ 'V1.10__ten.sql': 'SELECT 10;', 'V1.9__nine.sql': 'SELECT 9;' });
    const { result } = await apply(server, db, files.dir);
    expect(result.applied.map((a) => a.script)).toEqual(['V1.9__nine.sql', 'V1.10__ten.sql']);
    const again = await apply(server, db, files.dir);
    expect(again.result).toEqual({
      outcome: 'up-to-date',
      applied: [],
      current: '1.10',
      deferred: [],
    });
  });

  it('re-runs a repeatable migration when, and only when, it changes', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({
      'V1__customers.sql': V1,
      'R__view.sql': 'CREATE OR REPLACE VIEW names AS SELECT name FROM customers;',
    });
    expect((await apply(server, db, files.dir)).result.applied.map((a) => a.script)).toEqual([
      'V1__customers.sql',
      'R__view.sql',
    ]);
    expect((await apply(server, db, files.dir)).result.outcome).toBe('up-to-date');
    files.write({
      'R__view.sql': 'CREATE OR REPLACE VIEW names AS SELECT name, id FROM customers;',
    });
    expect((await apply(server, db, files.dir)).result.applied.map((a) => a.script)).toEqual([
      'R__view.sql',
    ]);
    expect(
      (await history(db)).filter((r) => r.script === 'R__view.sql').map((r) => r.success),
    ).toEqual([true, true]);
  });

  it('refuses an applied migration whose file changed, naming the file and both checksums, before running anything', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({ 'V1__customers.sql': V1 });
    await apply(server, db, files.dir);
    const edited = `${V1}\nALTER TABLE customers ADD COLUMN email text;`;
    files.write({ 'V1__customers.sql': edited, 'V2__orders.sql': V2 });
    await expect(apply(server, db, files.dir)).rejects.toThrow(
      `Migration 'V1__customers.sql' changed after it was applied: checksum ${checksumOf(edited)} on disk, ${checksumOf(V1)} in the history.`,
    );
    expect(await server.query(db, "SELECT to_regclass('orders') AS t")).toEqual([{ t: null }]);
  });

  it('refuses a new version below the highest applied unless out-of-order is allowed', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({ 'V1__customers.sql': V1, 'V3__three.sql': 'SELECT 3;' });
    await apply(server, db, files.dir);
    files.write({ 'V2__orders.sql': V2 });
    await expect(apply(server, db, files.dir)).rejects.toThrow(
      "Migration 'V2__orders.sql' (version 2) is new but below the highest applied version 3",
    );
    const { result } = await apply(server, db, files.dir, { outOfOrder: true });
    expect(result.applied.map((a) => a.script)).toEqual(['V2__orders.sql']);
  });

  it('adopts an existing database with baseline-version', async () => {
    const db = await server.createDatabase();
    await server.query(db, V1);
    const files = migrationsDir({ 'V1__customers.sql': V1, 'V2__orders.sql': V2 });
    const { result, events } = await apply(server, db, files.dir, { baselineVersion: [1n] });
    expect(events).toContainEqual({ type: 'baselined', version: '1' });
    expect(result.applied.map((a) => a.script)).toEqual(['V2__orders.sql']);
    expect((await history(db)).map((r) => [r.version, r.script])).toEqual([
      ['1', '<< baseline >>'],
      ['2', 'V2__orders.sql'],
    ]);
  });

  it('leaves contract migrations for the contract phase, then applies them below later expand versions', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({
      'V1__customers.sql': `${V1}\nALTER TABLE customers ADD COLUMN legacy text;`,
      'V2__drop_legacy.sql': '-- rds-migrate: contract\nALTER TABLE customers DROP COLUMN legacy;',
      'V3__orders.sql': 'CREATE TABLE orders (id bigint);',
    });
    const expand = await apply(server, db, files.dir, { phase: 'expand' });
    expect(expand.result).toMatchObject({
      outcome: 'applied',
      deferred: [{ script: 'V2__drop_legacy.sql', version: '2' }],
    });
    expect(expand.result.applied.map((a) => a.script)).toEqual([
      'V1__customers.sql',
      'V3__orders.sql',
    ]);
    const contract = await apply(server, db, files.dir, { phase: 'contract' });
    expect(contract.result.applied.map((a) => a.script)).toEqual(['V2__drop_legacy.sql']);
    expect(
      await server.query(
        db,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers' ORDER BY 1",
      ),
    ).toEqual([{ column_name: 'id' }, { column_name: 'name' }]);
  });

  it('applies each migration exactly once when two runners start at once', async () => {
    const db = await server.createDatabase();
    // Whichever runner takes the migration lock first stops in V1 until this gate opens, and it
    // opens when the other runner reports waiting for the lock: the two runs surely overlap.
    const gate = await connect(server, db);
    await gate.query('SELECT pg_advisory_lock(42)');
    const openGate = (event: MigrateEvent) => {
      if (event.type === 'lock-waiting') void gate.end();
    };
    const files = migrationsDir({
      'V1__customers.sql': `${V1}\nSELECT pg_advisory_xact_lock_shared(42);`,
      'V2__orders.sql': V2,
      'V3__counter.sql': 'CREATE TABLE runs (n int); INSERT INTO runs VALUES (1);',
    });
    // Virtual time flies while the waiter polls: a lock-wait that cannot run out here.
    const oneDay = { lockWaitMs: 86_400_000 };
    try {
      const [a, b] = await Promise.all([
        apply(server, db, files.dir, oneDay, { onEvent: openGate }),
        apply(server, db, files.dir, oneDay, { onEvent: openGate }),
      ]);
      const outcomes = [a.result.outcome, b.result.outcome].sort();
      expect(outcomes).toEqual(['applied', 'up-to-date']);
      expect([...a.events, ...b.events].filter((e) => e.type === 'lock-waiting')).toHaveLength(1);
    } finally {
      await gate.end().catch(() => {});
    }
    expect((await history(db)).map((r) => r.version)).toEqual(['1', '2', '3']);
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM runs')).toEqual([{ n: 1 }]);
  });

  it('gives up waiting for the migration lock after lock-wait, naming the holder', async () => {
    const db = await server.createDatabase();
    const files = migrationsDir({ 'V1__customers.sql': V1 });
    const holder = await connect(server, db);
    try {
      const [{ pid }] = (await holder.query('SELECT pg_backend_pid() AS pid')).rows as [
        { pid: number },
      ];
      await holder.query(
        `SELECT pg_advisory_lock(${0x7264736d}, hashtext('"public"."schema_history"'))`,
      );
      const clock = virtualClock();
      await expect(apply(server, db, files.dir, { lockWaitMs: 400 }, clock)).rejects.toThrow(
        `Another migration run holds the lock for "public"."schema_history" (backend pid ${pid}); waited 400ms (lock-wait)`,
      );
      // It polled with backoff and waited exactly lock-wait in all.
      expect(clock.slept).toEqual([100, 200, 100]);
    } finally {
      await holder.end();
    }
    expect((await apply(server, db, files.dir)).result.outcome).toBe('applied');
  });
});
