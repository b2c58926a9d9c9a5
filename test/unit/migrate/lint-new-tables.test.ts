// The exemption for a table created in the same migration: which statements earn it (not
// CREATE ... IF NOT EXISTS: that table may exist with rows), every rule that grants it, and
// names compared as PostgreSQL resolves them (schema, quotes, search_path, temporary tables).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parseSearchPath } from '../../../src/migrate/lint/relations.ts';
import { loadParser } from '../../../src/migrate/parser.ts';
import { rulesOf } from './lint-helpers.ts';

beforeAll(async () => {
  await loadParser();
});

/** A statement on table t that breaks each rule when t is an existing table. */
const ON_T: Record<string, string> = {
  'require-concurrent-index-creation': 'CREATE INDEX t_a ON t (a);',
  'adding-field-with-volatile-default':
    'ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();',
  'adding-required-field': 'ALTER TABLE t ADD COLUMN region text NOT NULL;',
  'setting-not-null': 'ALTER TABLE t ALTER COLUMN b SET NOT NULL;',
  'changing-column-type': 'ALTER TABLE t ALTER COLUMN b TYPE varchar(10);',
  'constraint-missing-not-valid': 'ALTER TABLE t ADD CONSTRAINT t_a CHECK (a > 0);',
  'disallowed-unique-constraint': 'ALTER TABLE t ADD CONSTRAINT t_a UNIQUE (a);',
  'ban-drop-column': 'ALTER TABLE t DROP COLUMN b;',
  'ban-drop-not-null': 'ALTER TABLE t ALTER COLUMN b DROP NOT NULL;',
  'renaming-column': 'ALTER TABLE t RENAME COLUMN b TO c;',
  'renaming-table': 'ALTER TABLE t RENAME TO u;',
  'ban-truncate': 'TRUNCATE t;',
  'ban-drop-table': 'DROP TABLE t;',
};

const CREATORS: Record<string, string> = {
  'CREATE TABLE': 'CREATE TABLE t (a bigint, b text);',
  'CREATE UNLOGGED TABLE': 'CREATE UNLOGGED TABLE t (a bigint, b text);',
  'CREATE TABLE ... AS': "CREATE TABLE t AS SELECT 1::bigint AS a, 'x'::text AS b;",
  'CREATE TABLE ... AS ... WITH NO DATA':
    "CREATE TABLE t AS SELECT 1::bigint AS a, 'x'::text AS b WITH NO DATA;",
  'SELECT ... INTO': "SELECT 1::bigint AS a, 'x'::text AS b INTO t;",
};

describe('a table created in the same migration', () => {
  describe.each(Object.entries(ON_T))('%s', (rule, statement) => {
    it('fires on a table the migration did not create', () => {
      expect(rulesOf(statement)).toContain(rule);
    });
    it.each(Object.entries(CREATORS))('is exempt after %s', (_, creator) => {
      expect(rulesOf(`${creator}\n${statement}`)).not.toContain(rule);
    });
    it('is not exempt after CREATE TABLE IF NOT EXISTS: the table may exist with rows', () => {
      expect(rulesOf(`CREATE TABLE IF NOT EXISTS t (a bigint, b text);\n${statement}`)).toContain(
        rule,
      );
      expect(
        rulesOf(`CREATE TABLE IF NOT EXISTS t AS SELECT 1::bigint AS a, 'x' AS b;\n${statement}`),
      ).toContain(rule);
    });
  });

  it.each([
    ['WITH DATA', 'CREATE MATERIALIZED VIEW m AS SELECT 1::bigint AS a;'],
    ['WITH NO DATA', 'CREATE MATERIALIZED VIEW m AS SELECT 1::bigint AS a WITH NO DATA;'],
  ])('exempts an index on a materialized view made %s, not one IF NOT EXISTS', (_, create) => {
    const index = 'CREATE UNIQUE INDEX m_a ON m (a);';
    expect(rulesOf(`${create}\n${index}`)).toEqual([]);
    expect(rulesOf(`${create.replace('VIEW m', 'VIEW IF NOT EXISTS m')}\n${index}`)).toEqual([
      'require-concurrent-index-creation',
    ]);
  });

  it('keeps TRUNCATE ... CASCADE and a statement naming an existing table too', () => {
    const create = 'CREATE TABLE t (a bigint);\n';
    expect(rulesOf(`${create}TRUNCATE t CASCADE;`)).toEqual(['ban-truncate']);
    expect(rulesOf(`${create}TRUNCATE t, orders;`)).toEqual(['ban-truncate']);
    expect(rulesOf(`${create}DROP TABLE t, orders;`)).toEqual(['ban-drop-table']);
  });

  it('exempts an index on a new partition of an existing table', () => {
    expect(
      rulesOf(
        'CREATE TABLE t PARTITION OF events FOR VALUES IN (2026);\nCREATE INDEX t_a ON t (a);',
      ),
    ).toEqual([]);
  });

  it('follows a rename of the new table', () => {
    expect(
      rulesOf('CREATE TABLE t (a bigint);\nALTER TABLE t RENAME TO u;\nCREATE INDEX u_a ON u (a);'),
    ).toEqual([]);
  });
});

describe('table names as PostgreSQL resolves them', () => {
  const index = (on: string) => `CREATE INDEX i ON ${on} (a);`;
  const fires = (text: string) => rulesOf(text).includes('require-concurrent-index-creation');

  it.each([
    ['CREATE TABLE public.t (a bigint);', index('t')],
    ['CREATE TABLE t (a bigint);', index('public.t')],
    ['CREATE TABLE "t" (a bigint);', index('T')],
    ['CREATE TABLE "Orders" (a bigint);', index('public."Orders"')],
    ['CREATE TEMP TABLE t (a bigint);', index('t')],
    ['CREATE TABLE pg_temp.t (a bigint);', index('t')],
  ])('%s then %s: the same table', (create, statement) => {
    expect(fires(`${create}\n${statement}`)).toBe(false);
  });

  it.each([
    ['CREATE TABLE "Orders" (a bigint);', index('Orders')],
    ['CREATE TABLE app.t (a bigint);', index('t')],
    ['CREATE TABLE t (a bigint);', index('app.t')],
    ['CREATE TEMP TABLE t (a bigint);', index('public.t')],
  ])('%s then %s: another table', (create, statement) => {
    expect(fires(`${create}\n${statement}`)).toBe(true);
  });

  it('follows search_path set by the migration, and back to public when reset', () => {
    const create = 'CREATE TABLE t (a bigint);';
    expect(fires(`SET search_path TO app, public;\n${create}\n${index('app.t')}`)).toBe(false);
    expect(fires(`SET search_path TO app, public;\n${create}\n${index('public.t')}`)).toBe(true);
    expect(
      fires(`SET LOCAL search_path = "$user", app;\nCREATE TABLE app.t (a bigint);\n${index('t')}`),
    ).toBe(false);
    expect(fires(`SET search_path TO app;\n${create}\nRESET search_path;\n${index('t')}`)).toBe(
      true,
    );
    expect(
      fires(
        `SET search_path TO app;\n${create}\nSET search_path TO DEFAULT;\n${index('public.t')}`,
      ),
    ).toBe(true);
    expect(
      fires(
        `SELECT pg_catalog.set_config('search_path', '"App", public', false);\n${create}\n${index('"App".t')}`,
      ),
    ).toBe(false);
  });

  it('matches no unqualified name under an empty search_path (as pg_dump sets it)', () => {
    const empty = "SELECT pg_catalog.set_config('search_path', '', false);";
    expect(fires(`${empty}\nCREATE TABLE public.t (a bigint);\n${index('t')}`)).toBe(true);
    expect(fires(`${empty}\nCREATE TABLE public.t (a bigint);\n${index('public.t')}`)).toBe(false);
  });

  it('matches the validated NOT NULL check of the same table, however it is named', () => {
    const check = (table: string) =>
      `ALTER TABLE public.orders ADD CONSTRAINT c CHECK (region IS NOT NULL) NOT VALID;
ALTER TABLE ${table} VALIDATE CONSTRAINT c;
ALTER TABLE "orders" ALTER COLUMN region SET NOT NULL;`;
    expect(rulesOf(check('orders'))).not.toContain('setting-not-null');
    expect(rulesOf(check('customers'))).toContain('setting-not-null');
  });

  it('reads a search_path value: quoted names kept, the others folded to lower case', () => {
    expect(parseSearchPath('"$user", public')).toEqual(['$user', 'public']);
    expect(parseSearchPath(' App ,"My ""S""" ,x')).toEqual(['app', 'My "S"', 'x']);
    expect(parseSearchPath('')).toEqual([]);
  });
});
