// Several migrations to one message (BEGIN; file; history row; COMMIT; each): against a real
// PostgreSQL, a migration failing in the middle of a batch is named with its statement, nothing
// after it runs, and what committed before it stays, with its history.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type PostgresServer, startPostgres } from '../../postgres/server.ts';
import { type EngineDeps, applyMigrations } from '../../../src/migrate/apply.ts';
import { loadMigrations } from '../../../src/migrate/migration-set.ts';
import { OPTIONS, connect, migrationsDir, virtualClock } from './world.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.stop();
});

const FILES = {
  'V1__t.sql': 'CREATE TABLE t (id int PRIMARY KEY);',
  'V2__one.sql': 'INSERT INTO t VALUES (1); -- the last statement ends in a comment',
  'V3__broken.sql':
    'INSERT INTO t VALUES (3);\nINSERT INTO nowhere VALUES (1);\nINSERT INTO t VALUES (4);',
  'V4__u.sql': 'CREATE TABLE u (id int);',
  'V5__two.sql': 'INSERT INTO t VALUES (2);',
};

/** The queries a session was sent, through a wrapper around a real client. */
async function countingSession(db: string) {
  const client = await connect(server, db);
  const sent: string[] = [];
  return {
    sent,
    session: {
      query: (sql: string, params?: unknown[]) => {
        sent.push(sql);
        return client.query(sql, params);
      },
    },
    end: () => client.end(),
  };
}

/** Applies `files` to `db` through a counting session: the result and what was sent. */
async function apply(db: string, files: Record<string, string>, refuse?: EngineDeps['refuse']) {
  const counting = await countingSession(db);
  try {
    const migrations = await loadMigrations(migrationsDir(files).dir);
    const result = await applyMigrations(migrations, OPTIONS, {
      ...virtualClock(),
      session: counting.session,
      ...(refuse ? { refuse } : {}),
    });
    return { result, sent: counting.sent };
  } finally {
    await counting.end();
  }
}

describe('migrations batched into one message', () => {
  it('applies a clean history in one message, with each history row and its execution time', async () => {
    const db = await server.createDatabase();
    const files = { ...FILES, 'V3__broken.sql': 'INSERT INTO t VALUES (3);' };
    const { result, sent } = await apply(db, files);
    expect(result).toMatchObject({ outcome: 'applied', current: '5' });
    expect(result.applied.map((a) => a.script)).toEqual(Object.keys(files));
    expect(sent.filter((q) => q.startsWith('BEGIN'))).toHaveLength(1);
    expect(
      await server.query(
        db,
        'SELECT script, success, execution_ms >= 0 AS timed FROM schema_history ORDER BY installed_rank',
      ),
    ).toEqual(Object.keys(files).map((script) => ({ script, success: true, timed: true })));
    expect(await server.query(db, 'SELECT id FROM t ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
  });

  it('names the failing migration and statement of a batch; nothing after it runs', async () => {
    const db = await server.createDatabase();
    const { result, sent } = await apply(db, FILES);
    expect(result).toMatchObject({
      outcome: 'failed',
      applied: [{ script: 'V1__t.sql' }, { script: 'V2__one.sql' }],
      failed: {
        script: 'V3__broken.sql',
        line: 2,
        statement: 'INSERT INTO nowhere VALUES (1)',
        sqlState: '42P01',
        partsCommitted: 0,
      },
      notRun: ['V4__u.sql', 'V5__two.sql'],
    });
    // The batch went out whole; the failing migration was then run alone to find its statement.
    expect(sent.some((q) => q.includes('CREATE TABLE u'))).toBe(true);
    expect(
      await server.query(db, 'SELECT script FROM schema_history ORDER BY installed_rank'),
    ).toEqual([{ script: 'V1__t.sql' }, { script: 'V2__one.sql' }]);
    expect(await server.query(db, 'SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }]);
    expect(await server.query(db, "SELECT to_regclass('u') IS NULL AS absent")).toEqual([
      { absent: true },
    ]);
  });

  it('stops before a migration the parser refused while the apply ran; the batch ends before it', async () => {
    const db = await server.createDatabase();
    const files = { ...FILES, 'V3__broken.sql': 'INSERT INTO t VALUES (3);' };
    const { result, sent } = await apply(db, files, (script) =>
      script === 'V4__u.sql'
        ? {
            line: 1,
            column: 8,
            reason: 'syntax error at or near "TABEL" (PostgreSQL\'s parser): fix the SQL',
          }
        : undefined,
    );
    expect(result).toMatchObject({
      outcome: 'failed',
      applied: [{ script: 'V1__t.sql' }, { script: 'V2__one.sql' }, { script: 'V3__broken.sql' }],
      failed: { script: 'V4__u.sql', line: 1, column: 8, partsCommitted: 0 },
      notRun: ['V5__two.sql'],
    });
    expect(sent.some((q) => q.includes('CREATE TABLE u') || q.includes('VALUES (2)'))).toBe(false);
    expect(await server.query(db, 'SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
  });
});
