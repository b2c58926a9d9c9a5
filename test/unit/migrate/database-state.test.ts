// Live or new: what the user declares against what the database holds.
import { describe, expect, it } from '@jest/globals';
import { type DatabaseFacts, decideDatabaseState } from '../../../src/migrate/database-state.ts';
import { parseVersion } from '../../../src/migrate/version.ts';

const EMPTY: DatabaseFacts = { historyRows: 0, objects: [], objectCount: 0 };
const WITH_TABLES: DatabaseFacts = {
  historyRows: 0,
  objects: ['public.customers', 'public.orders', 'shop.items'],
  objectCount: 5,
};
const WITH_HISTORY: DatabaseFacts = { historyRows: 1, objects: [], objectCount: 0 };

describe('auto', () => {
  it('no tables and no history: new, findings reported, none blocking', () => {
    expect(decideDatabaseState('auto', EMPTY, undefined)).toEqual({
      state: 'new',
      reason:
        'database has no tables and no history: treated as new, findings reported, none blocking',
    });
  });

  it('tables of its own: live, naming a few and counting all', () => {
    expect(decideDatabaseState('auto', WITH_TABLES, undefined)).toEqual({
      state: 'live',
      reason:
        'database has 5 tables or views of its own (public.customers, public.orders, shop.items, …): treated as live, findings of pending migrations block',
    });
  });

  it('a history, even with no table: live', () => {
    expect(decideDatabaseState('auto', WITH_HISTORY, undefined)).toMatchObject({
      state: 'live',
      reason: expect.stringMatching(/^database has a migration history \(1 row\): treated as live/),
    });
  });

  it('a baseline version adopts an existing schema: live', () => {
    expect(decideDatabaseState('auto', EMPTY, parseVersion('3'))).toEqual({
      state: 'live',
      reason:
        'baseline version 3 adopts an existing schema: treated as live, findings of pending migrations block',
    });
  });
});

describe('declared', () => {
  it('live: live whatever it holds', () => {
    expect(decideDatabaseState('live', EMPTY, undefined).state).toBe('live');
  });

  it('new: taken when the database bears it out', () => {
    expect(decideDatabaseState('new', EMPTY, undefined)).toMatchObject({
      state: 'new',
      reason: expect.stringMatching(
        /^database declared new, and it has no tables and no history: findings reported, none blocking$/,
      ),
    });
  });

  it('new: refused on a database with tables or history, so it never skips the lint of real data', () => {
    expect(() => decideDatabaseState('new', WITH_TABLES, undefined)).toThrow(
      /^The database is declared new but has 5 tables or views of its own \(public\.customers, .*\): only a database with no tables and no history is new/,
    );
    expect(() => decideDatabaseState('new', { ...WITH_TABLES, historyRows: 2 }, undefined)).toThrow(
      /but has a migration history \(2 rows\) and 5 tables/,
    );
    expect(() => decideDatabaseState('new', WITH_HISTORY, undefined)).toThrow(/declared new/);
  });

  it('new with a baseline version: contradictory, refused', () => {
    expect(() => decideDatabaseState('new', EMPTY, parseVersion('2'))).toThrow(
      'The database is declared new but a baseline version (2) says it already holds a schema: drop one of the two.',
    );
  });
});
