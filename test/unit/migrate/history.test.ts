// The history row as SQL text (sent with COMMIT in one round trip): every value a literal that
// PostgreSQL reads back as it was, whatever standard_conforming_strings says.
import { describe, expect, it } from '@jest/globals';
import { historyTable, literal, recordSql } from '../../../src/migrate/history.ts';

describe('literal', () => {
  it('quotes text, doubling single quotes', () => {
    expect(literal("it's")).toBe("'it''s'");
  });

  it("writes a backslash as E'...' with the backslash doubled", () => {
    expect(literal('a\\b')).toBe("E'a\\\\b'");
    expect(literal("\\'; DROP TABLE x; --")).toBe("E'\\\\''; DROP TABLE x; --'");
  });

  it('NULL, booleans and numbers as SQL', () => {
    expect(literal(null)).toBe('NULL');
    expect(literal(true)).toBe('true');
    expect(literal(false)).toBe('false');
    expect(literal(42)).toBe('42');
  });
});

describe('recordSql', () => {
  const history = historyTable('"public"', '"rds_migrate_history"');
  const row = {
    version: '1.2',
    description: "orders' notes",
    type: 'versioned' as const,
    script: 'V1.2__orders.sql',
    checksum: 'abc',
    appliedBy: 'ci',
    commit: null,
    executionMs: 12.6,
    success: true,
    partsApplied: 1,
  };

  it('one INSERT with the values in column order, the time rounded', () => {
    expect(recordSql(history, row)).toMatch(
      /^INSERT INTO "public"\."rds_migrate_history"\s+\(version, description, type, script, checksum, applied_by, commit_sha, execution_ms, success, parts_applied\)\s+VALUES \('1\.2', 'orders'' notes', 'versioned', 'V1\.2__orders\.sql', 'abc', 'ci', NULL, 13, true, 1\)$/,
    );
  });

  it("a resumed migration's failed row is deleted first, in the same query", () => {
    const sql = recordSql(history, row, true);
    expect(sql.split(';\n')[0]).toBe(
      `DELETE FROM "public"."rds_migrate_history" WHERE NOT success AND script = 'V1.2__orders.sql' AND checksum = 'abc'`,
    );
    expect(sql.split(';\n')[1]).toBe(recordSql(history, row));
  });
});
