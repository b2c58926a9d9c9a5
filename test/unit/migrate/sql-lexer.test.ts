// The lexer that cuts migrations for the apply must agree with PostgreSQL's parser: the same
// statements, at the same lines and columns, the same transaction modes, the same concurrent
// index tables; on tricky text and on every statement of every fixture history.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { concurrentIndexTable } from '../../../src/migrate/invalid-indexes.ts';
import { partsOf, toMigration } from '../../../src/migrate/migration-set.ts';
import { loadParser, parseStatements } from '../../../src/migrate/parser.ts';
import { lexStatements } from '../../../src/migrate/sql-lexer.ts';
import { outsideTransactionReason, statementMode } from '../../../src/migrate/transaction-mode.ts';

beforeAll(async () => {
  await loadParser();
});

/** What the apply needs of each statement, by the lexer and by the parser. */
const byLexer = (text: string) =>
  lexStatements(text).map(({ head, ...s }) => {
    const { reason, table, controlsTransaction } = statementMode(head);
    return { ...s, reason, table: reason ? table : undefined, control: controlsTransaction };
  });
const byParser = (text: string) =>
  parseStatements(text).map((s) => {
    const reason = outsideTransactionReason(s);
    return {
      sql: s.sql,
      line: s.line,
      column: s.column,
      reason,
      table: reason ? concurrentIndexTable(s) : undefined,
      control: s.type === 'TransactionStmt',
    };
  });

const fixtures = join(import.meta.dirname, '../../fixtures/migration-histories');
const files = readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.sql'))
  .sort();

describe('lexStatements agrees with PostgreSQL parser', () => {
  it('finds the fixture histories', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files)('%s', (file) => {
    const text = readFileSync(join(fixtures, file), 'utf8');
    expect(byLexer(text)).toEqual(byParser(text));
  });

  it.each([
    [
      'comments and strings',
      "-- a; b\nSELECT 'x;y', /* c; /* nested; */ d; */ 1;\n  SELECT 2 -- end",
    ],
    ['E strings', "SELECT E'it\\'s; here', 'plain\\'; SELECT 3;"],
    ['quoted identifiers', 'CREATE TABLE "a;""b" (id int); SELECT 1'],
    [
      'dollar quotes',
      'DO $x$ BEGIN PERFORM 1; $$ nested; $$ END $x$; SELECT $$;$$; SELECT a$b FROM t',
    ],
    ['parameters are not dollar quotes', 'PREPARE p AS SELECT $1; EXECUTE p(1)'],
    [
      'SQL-standard function bodies',
      `CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; END;
       CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END; SELECT 2`,
    ],
    ['empty statements', ';; SELECT 1;;\n;'],
    ['unicode columns', "SELECT 'é'; SELECT 'ü', 2; SELECT 3"],
    [
      'concurrent statements',
      `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY "My Schema".t USING btree (a);
       CREATE INDEX CONCURRENTLY ON Public.T (a); create index concurrently j on t(a); CREATE INDEX k ON t (a);
       DROP INDEX CONCURRENTLY IF EXISTS i; DROP INDEX j; REINDEX (VERBOSE, CONCURRENTLY) TABLE s.t;
       REINDEX INDEX CONCURRENTLY i; REINDEX TABLE t; REINDEX SCHEMA CONCURRENTLY s; REINDEX SYSTEM;
       VACUUM (ANALYZE) t; ANALYZE t; ALTER TYPE s."e" ADD VALUE IF NOT EXISTS 'x' BEFORE 'y';
       ALTER TYPE e RENAME VALUE 'x' TO 'y'; ALTER TYPE c ADD ATTRIBUTE value int;
       CREATE DATABASE d; DROP DATABASE IF EXISTS d; ALTER SYSTEM SET work_mem = '8MB';
       CREATE TABLESPACE ts LOCATION '/x'; DROP TABLESPACE ts;
       DROP SUBSCRIPTION IF EXISTS s`,
    ],
    [
      'transaction control',
      "BEGIN; START TRANSACTION; COMMIT; ROLLBACK; END; SAVEPOINT a; RELEASE a; ABORT; PREPARE TRANSACTION 'x'; PREPARE q AS SELECT 1",
    ],
  ])('%s', (_name, text) => {
    expect(byLexer(text)).toEqual(byParser(text));
  });
});

describe('toMigration', () => {
  it('cuts a file into parts without the parser, refusing transaction control', () => {
    const file = {
      kind: 'versioned' as const,
      version: [1n],
      description: 'x',
      script: 'V1__x.sql',
      path: '/x',
      checksum: '',
      text: 'CREATE TABLE t (a int);\n  CREATE INDEX CONCURRENTLY i ON t (a);\nSELECT 1',
    };
    expect(toMigration(file).parts).toEqual(partsOf(lexStatements(file.text)));
    expect(toMigration(file).parts.map((p) => [p.transactional, p.reason, p.table])).toEqual([
      [true, undefined, undefined],
      [false, 'CREATE INDEX CONCURRENTLY', '"t"'],
      [true, undefined, undefined],
    ]);
    expect(() => toMigration({ ...file, text: 'SELECT 1;\n  begin;' })).toThrow(
      /^V1__x\.sql:2:3: 'begin' controls the transaction/,
    );
  });
});
