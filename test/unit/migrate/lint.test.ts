// Every lint rule with a statement that breaks it and the safe pattern that passes; phases,
// allow-destructive and inline waivers.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { checksumOf } from '../../../src/migrate/files.ts';
import { type LintOptions, blocking, lintMigration } from '../../../src/migrate/lint/lint.ts';
import { RULES } from '../../../src/migrate/lint/rules.ts';
import { type Migration, toMigration } from '../../../src/migrate/migration-set.ts';
import { loadParser } from '../../../src/migrate/parser.ts';

beforeAll(async () => {
  await loadParser();
});

const OPTIONS: LintOptions = {
  allowDestructive: false,
  lockTimeoutMs: 5000,
  statementTimeoutMs: 60_000,
};

function migration(text: string, script = 'V1__x.sql'): Migration {
  return toMigration({
    kind: 'versioned',
    version: [1n],
    description: 'x',
    script,
    path: script,
    text,
    checksum: checksumOf(text),
  });
}

const rulesOf = (text: string, options: Partial<LintOptions> = {}) =>
  lintMigration(migration(text), { ...OPTIONS, ...options }).map((f) => f.rule);

const CASES: Record<string, { failing: string; passing: string; options?: Partial<LintOptions> }> =
  {
    'require-concurrent-index-creation': {
      failing: 'CREATE INDEX orders_note ON orders (note);',
      passing:
        'CREATE INDEX CONCURRENTLY orders_note ON orders (note);\nCREATE TABLE fresh (id bigint);\nCREATE INDEX fresh_id ON fresh (id);',
    },
    'require-concurrent-index-deletion': {
      failing: 'DROP INDEX orders_note;',
      passing: 'DROP INDEX CONCURRENTLY orders_note;',
    },
    'adding-field-with-volatile-default': {
      failing: 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();',
      passing: "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';",
    },
    'adding-required-field': {
      failing: 'ALTER TABLE orders ADD COLUMN region text NOT NULL;',
      passing: "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';",
    },
    'setting-not-null': {
      failing: 'ALTER TABLE orders ALTER COLUMN region SET NOT NULL;',
      passing: `ALTER TABLE orders ADD CONSTRAINT orders_region_nn CHECK (region IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_region_nn;
ALTER TABLE orders ALTER COLUMN region SET NOT NULL;`,
    },
    'changing-column-type': {
      failing: 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);',
      passing: 'ALTER TABLE orders ADD COLUMN total_exact numeric(12, 2);',
    },
    'constraint-missing-not-valid': {
      failing:
        'ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);',
      passing:
        'ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer;',
    },
    'disallowed-unique-constraint': {
      failing: 'ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE (ref);',
      passing:
        'CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (ref);\nALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE USING INDEX orders_ref_idx;',
    },
    'require-lock-timeout': {
      failing: 'SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN note text;',
      passing: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
      options: { lockTimeoutMs: 0 },
    },
    'require-statement-timeout': {
      failing: 'ALTER TABLE orders ADD COLUMN note text;',
      passing: "SET statement_timeout = '5min';\nALTER TABLE orders ADD COLUMN note text;",
      options: { statementTimeoutMs: 0 },
    },
    'ban-drop-table': { failing: 'DROP TABLE orders;', passing: 'DROP VIEW order_totals;' },
    'ban-drop-column': {
      failing: 'ALTER TABLE orders DROP COLUMN note;',
      passing: 'ALTER TABLE orders ADD COLUMN note2 text;',
    },
    'renaming-table': {
      failing: 'ALTER TABLE orders RENAME TO purchases;',
      passing: 'CREATE VIEW purchases AS SELECT * FROM orders;',
    },
    'renaming-column': {
      failing: 'ALTER TABLE orders RENAME COLUMN note TO remark;',
      passing: 'ALTER TABLE orders ADD COLUMN remark text;',
    },
    'ban-drop-not-null': {
      failing: 'ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;',
      passing: "ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';",
    },
    'ban-truncate': {
      failing: 'TRUNCATE orders CASCADE;',
      passing: "DELETE FROM orders WHERE created_at < now() - interval '1 year';",
    },
    'ban-drop-database': { failing: 'DROP DATABASE shop;', passing: 'SELECT 1;' },
    'prefer-robust-stmts': {
      failing: 'CREATE TABLE items (id bigint);\nCREATE INDEX CONCURRENTLY items_id ON items (id);',
      passing:
        'CREATE TABLE items (id bigint);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS items_id ON items (id);',
    },
    'prefer-bigint-over-int': {
      failing: 'CREATE TABLE items (id int PRIMARY KEY);',
      passing: 'CREATE TABLE items (id bigint PRIMARY KEY);',
    },
    'prefer-identity': {
      failing: 'CREATE TABLE items (id bigserial PRIMARY KEY);',
      passing: 'CREATE TABLE items (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);',
    },
    'prefer-text-field': {
      failing: 'CREATE TABLE items (id bigint, name varchar(40));',
      passing: 'CREATE TABLE items (id bigint, name text CHECK (char_length(name) <= 40));',
    },
    'prefer-timestamptz': {
      failing: 'CREATE TABLE items (id bigint, created_at timestamp);',
      passing: 'CREATE TABLE items (id bigint, created_at timestamptz);',
    },
  };

describe('lint rules', () => {
  it('has a failing and a passing example for every rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  describe.each(Object.entries(CASES))('%s', (rule, { failing, passing, options }) => {
    it('flags the failing example', () => {
      expect(rulesOf(failing, options)).toContain(rule);
    });
    it('passes the safe pattern', () => {
      expect(rulesOf(passing, options)).not.toContain(rule);
    });
  });

  it('reports rule, file:line, why and the safe pattern', () => {
    const [finding] = lintMigration(
      migration('SELECT 1;\n\nCREATE INDEX orders_note ON orders (note);', 'V7__index.sql'),
      OPTIONS,
    );
    expect(finding).toEqual({
      rule: 'require-concurrent-index-creation',
      severity: 'error',
      script: 'V7__index.sql',
      line: 3,
      column: 1,
      detail: 'index on orders',
      why: expect.stringContaining('blocks every write'),
      fix: expect.stringContaining('CREATE INDEX CONCURRENTLY'),
    });
  });
});

describe('phases and waivers', () => {
  const drop = 'ALTER TABLE orders DROP COLUMN note;';

  it('fails a destructive statement in an expand migration', () => {
    const findings = lintMigration(migration(drop), OPTIONS);
    expect(blocking(findings).map((f) => f.rule)).toEqual(['ban-drop-column']);
    expect(findings[0]!.why).toContain('This is an expand migration');
  });

  it('lets it through in a contract migration, or with allow-destructive, as a warning', () => {
    const contract = lintMigration(migration(`-- rds-migrate: contract\n${drop}`), OPTIONS);
    expect(contract.map((f) => [f.rule, f.severity])).toEqual([['ban-drop-column', 'warning']]);
    expect(
      blocking(lintMigration(migration(drop), { ...OPTIONS, allowDestructive: true })),
    ).toEqual([]);
  });

  it('honours an inline waiver with a reason, for the next statement only', () => {
    const findings = lintMigration(
      migration(
        `-- rds-migrate: allow ban-drop-column because nothing reads note since v41\n${drop}\n${drop.replace('note', 'memo')}`,
      ),
      OPTIONS,
    );
    expect(findings.map((f) => [f.line, f.waived ?? null])).toEqual([
      [2, 'nothing reads note since v41'],
      [3, null],
    ]);
    expect(blocking(findings).map((f) => f.line)).toEqual([3]);
  });

  it('refuses a waiver without a reason or naming no rule that exists', () => {
    const findings = lintMigration(
      migration(
        `-- rds-migrate: allow ban-drop-column\n${drop}\nSELECT 1; -- rds-migrate: allow no-such-rule because x`,
      ),
      OPTIONS,
    );
    expect(blocking(findings).map((f) => [f.rule, f.line])).toEqual([
      ['waiver-without-reason', 1],
      ['ban-drop-column', 2],
      ['unknown-rule-in-waiver', 3],
    ]);
  });
});
