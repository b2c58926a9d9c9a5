// Statement splitting with PostgreSQL's parser, positions, and transaction modes.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { partsOf, toMigration } from '../../../src/migrate/migration-set.ts';
import { loadParser, splitStatements } from '../../../src/migrate/parser.ts';
import { lexStatements } from '../../../src/migrate/sql-lexer.ts';
import { outsideTransactionReason } from '../../../src/migrate/transaction-mode.ts';

beforeAll(async () => {
  await loadParser();
});

const sql = `-- orders
CREATE TABLE orders (id bigint PRIMARY KEY, note text DEFAULT 'a;b');

CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
  CREATE INDEX CONCURRENTLY orders_note ON orders (note);
ALTER TYPE mood ADD VALUE 'ok'; VACUUM orders;
SELECT 'é'; SELECT 2`;

describe('splitStatements', () => {
  it('splits on real statement boundaries, with line and column of each', () => {
    const statements = splitStatements('V1__x.sql', sql);
    expect(statements.map((s) => [s.type, s.line, s.column])).toEqual([
      ['CreateStmt', 2, 1],
      ['CreateFunctionStmt', 4, 1],
      ['IndexStmt', 5, 3],
      ['AlterEnumStmt', 6, 1],
      ['VacuumStmt', 6, 33],
      ['SelectStmt', 7, 1],
      ['SelectStmt', 7, 13],
    ]);
    expect(statements[0]!.sql).toBe(
      "CREATE TABLE orders (id bigint PRIMARY KEY, note text DEFAULT 'a;b')",
    );
    expect(statements[6]!.sql).toBe('SELECT 2');
  });

  it('reports a syntax error with file, line and column (in characters)', () => {
    expect(() => splitStatements('V2__bad.sql', "SELECT 'é';\n  SELEC 2;")).toThrow(
      /^V2__bad\.sql:2:3: syntax error at or near "SELEC"/,
    );
  });
});

describe('transaction modes', () => {
  const reasons = (text: string) =>
    splitStatements('x.sql', text).map((s) => outsideTransactionReason(s) ?? null);

  it('runs what PostgreSQL forbids in a transaction outside it, the rest inside', () => {
    expect(
      reasons(`CREATE INDEX CONCURRENTLY i ON t (a); CREATE INDEX j ON t (a);
        DROP INDEX CONCURRENTLY i; DROP INDEX j; REINDEX INDEX CONCURRENTLY i; REINDEX INDEX i;
        VACUUM t; ANALYZE t; ALTER TYPE e ADD VALUE 'x'; ALTER TYPE e RENAME VALUE 'x' TO 'y';
        CREATE DATABASE d; ALTER SYSTEM SET work_mem = '8MB'`),
    ).toEqual([
      'CREATE INDEX CONCURRENTLY',
      null,
      'DROP INDEX CONCURRENTLY',
      null,
      'REINDEX CONCURRENTLY',
      null,
      'VACUUM',
      null,
      'ALTER TYPE ... ADD VALUE',
      null,
      'CREATE DATABASE',
      'ALTER SYSTEM',
    ]);
  });

  it('groups transactional runs and isolates the others, in file order', () => {
    const parts = partsOf(
      lexStatements(
        'CREATE TABLE t (a int); INSERT INTO t VALUES (1); CREATE INDEX CONCURRENTLY i ON t (a); ANALYZE t; SELECT 1',
      ),
    );
    expect(parts.map((p) => [p.transactional, p.statements.length])).toEqual([
      [true, 2],
      [false, 1],
      [true, 2],
    ]);
  });

  it('refuses BEGIN/COMMIT in a migration: the runner owns the transaction', () => {
    const file = {
      kind: 'versioned' as const,
      version: [1n],
      description: 'x',
      script: 'V1__x.sql',
      path: '/x',
      checksum: '',
      text: 'CREATE TABLE t (a int);\nCOMMIT;',
    };
    expect(() => toMigration(file)).toThrow(/^V1__x\.sql:2:1: 'COMMIT' controls the transaction/);
  });
});
