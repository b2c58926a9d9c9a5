// Live or new, read from a real PostgreSQL: an empty database, one with a table, one with only a
// history, one with only an extension's objects, and the objects that never count (the history
// table and its sequence, a column's sequence, temporary tables).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decideDatabaseState } from '../../../src/migrate/database-state.ts';
import { createHistory, recordMigration } from '../../../src/migrate/history.ts';
import { inspectDatabase } from '../../../src/migrate/schema.ts';
import { type PostgresServer, startPostgres } from '../../postgres/server.ts';
import { OPTIONS, connect } from './world.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.stop();
});

/** The facts and the auto decision of a database prepared by `setUp`. */
async function judge(setUp: (db: string) => Promise<unknown> = async () => {}) {
  const db = await server.createDatabase();
  await setUp(db);
  const client = await connect(server, db);
  try {
    const facts = await inspectDatabase(client, OPTIONS.history);
    return { db, facts, decision: decideDatabaseState('auto', facts, undefined) };
  } finally {
    await client.end();
  }
}

describe('inspectDatabase', () => {
  it('an empty database: no objects, no history: new', async () => {
    const { facts, decision } = await judge();
    expect(facts).toEqual({ historyRows: 0, objects: [], objectCount: 0 });
    expect(decision.state).toBe('new');
  });

  it('a table of its own, in any schema: live, named', async () => {
    const { facts, decision } = await judge((db) =>
      server.query(
        db,
        'CREATE SCHEMA shop; CREATE TABLE shop.orders (id bigint GENERATED ALWAYS AS IDENTITY, n serial)',
      ),
    );
    // The identity and serial sequences go with their table: one object.
    expect(facts).toEqual({ historyRows: 0, objects: ['shop.orders'], objectCount: 1 });
    expect(decision.state).toBe('live');
  });

  it('a view, or a free-standing sequence, counts too', async () => {
    const { facts } = await judge((db) =>
      server.query(db, 'CREATE VIEW v AS SELECT 1 AS one; CREATE SEQUENCE invoice_numbers'),
    );
    expect(facts).toMatchObject({
      objects: ['public.invoice_numbers', 'public.v'],
      objectCount: 2,
    });
  });

  it('only a history (a baselined database): live; its table and sequence are not objects', async () => {
    const { facts, decision } = await judge(async (db) => {
      const client = await connect(server, db);
      try {
        await createHistory(client, OPTIONS.history);
        await recordMigration(client, OPTIONS.history, {
          version: '3',
          description: '<< baseline >>',
          type: 'baseline',
          script: '<< baseline >>',
          checksum: '',
          appliedBy: 'ci',
          commit: null,
          executionMs: 0,
          success: true,
          partsApplied: 0,
        });
      } finally {
        await client.end();
      }
    });
    expect(facts).toEqual({ historyRows: 1, objects: [], objectCount: 0 });
    expect(decision).toMatchObject({
      state: 'live',
      reason: expect.stringMatching(/history \(1 row\)/),
    });
  });

  it('an empty history table (a first run that failed and rolled back): new', async () => {
    const { facts, decision } = await judge(async (db) => {
      const client = await connect(server, db);
      await createHistory(client, OPTIONS.history).finally(() => client.end());
    });
    expect(facts).toEqual({ historyRows: 0, objects: [], objectCount: 0 });
    expect(decision.state).toBe('new');
  });

  it("only an extension (pg_buffercache's view and functions in public): new", async () => {
    const { db, facts, decision } = await judge((db) =>
      server.query(db, 'CREATE EXTENSION pg_buffercache; CREATE EXTENSION citext'),
    );
    // The extension did put a view in public: it is left out for being the extension's.
    expect(
      await server.query(db, "SELECT to_regclass('public.pg_buffercache')::text AS v"),
    ).toEqual([{ v: 'pg_buffercache' }]);
    expect(facts).toEqual({ historyRows: 0, objects: [], objectCount: 0 });
    expect(decision.state).toBe('new');
  });

  it('an extension and a table of its own: live, the table named alone', async () => {
    const { facts } = await judge((db) =>
      server.query(db, 'CREATE EXTENSION pg_buffercache; CREATE TABLE t (id int)'),
    );
    expect(facts).toMatchObject({ objects: ['public.t'], objectCount: 1 });
  });

  it('names three objects and counts them all', async () => {
    const { facts } = await judge((db) =>
      server.query(
        db,
        'CREATE TABLE a (); CREATE TABLE b (); CREATE TABLE c (); CREATE TABLE d ()',
      ),
    );
    expect(facts).toMatchObject({ objects: ['public.a', 'public.b', 'public.c'], objectCount: 4 });
  });
});
