// Statements inside DO blocks are linted like the migration's own, at their line in the file;
// function bodies are not (the migration does not run them); what cannot be read is a notice.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { blocking } from '../../../src/migrate/lint/lint.ts';
import { loadParser, parsePlpgsql } from '../../../src/migrate/parser.ts';
import { lint, rulesOf } from './lint-helpers.ts';

beforeAll(async () => {
  await loadParser();
});

const at = (text: string) => lint(text).map((f) => [f.rule, f.line, f.column]);

describe('statements inside a DO block', () => {
  const unique = 'ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE (ref);';

  it('fails a UNIQUE constraint inside a DO block as it fails outside one', () => {
    expect(rulesOf(unique)).toEqual(['disallowed-unique-constraint']);
    expect(
      at(`SELECT 1;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_ref') THEN
    ${unique}
  END IF;
END
$$;`),
    ).toEqual([['disallowed-unique-constraint', 5, 5]]);
  });

  it('reads every branch: ELSIF, ELSE, loops, nested blocks, exception handlers, nested DO', () => {
    const findings = lint(`DO $body$
DECLARE n int;
BEGIN
  SELECT count(*) INTO n FROM orders;   CREATE INDEX a ON orders (a);
  IF n > 1 THEN DROP INDEX b;
  ELSIF n > 0 THEN ALTER TABLE orders ALTER COLUMN c TYPE bigint;
  ELSE ALTER TABLE orders ADD COLUMN d text NOT NULL;
  END IF;
  FOR i IN 1..2 LOOP
    WHILE n > 0 LOOP ALTER TABLE orders ADD CONSTRAINT e CHECK (e > 0); END LOOP;
  END LOOP;
  BEGIN
    ALTER TABLE orders
      ALTER COLUMN f SET NOT NULL;
  EXCEPTION WHEN others THEN
    ALTER TABLE orders DROP COLUMN g;
  END;
  DO $inner$ BEGIN ALTER TABLE orders RENAME COLUMN h TO i; END $inner$;
END
$body$;`);
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['require-concurrent-index-creation', 4, 41],
      ['require-concurrent-index-deletion', 5, 17],
      ['changing-column-type', 6, 20],
      ['adding-required-field', 7, 8],
      ['constraint-missing-not-valid', 10, 22],
      ['setting-not-null', 13, 5],
      ['ban-drop-column', 16, 5],
      ['renaming-column', 18, 20],
    ]);
    expect(findings[0]!.detail).toBe('index on orders (in the DO block at line 1)');
    expect(findings.at(-1)!.detail).toBe('h to i (in the DO block at line 18)');
  });

  it('tells a concurrent fix to leave the block: PostgreSQL runs none inside one', () => {
    const [inside] = lint('DO $$ BEGIN CREATE INDEX a ON orders (a); END $$;');
    const [outside] = lint('CREATE INDEX a ON orders (a);');
    expect(inside!.fix).toContain('out of the DO block');
    expect(outside!.fix).not.toContain('DO block');
  });

  it('places a statement of a single-quoted body, and of a body opened mid-line', () => {
    expect(at("SELECT 1; DO 'BEGIN DROP INDEX a; END';")).toEqual([
      ['require-concurrent-index-deletion', 1, 21],
    ]);
    expect(at('DO LANGUAGE plpgsql $x$ BEGIN\n\tDROP INDEX a; END $x$;')).toEqual([
      ['require-concurrent-index-deletion', 2, 2],
    ]);
  });

  it('counts a table the block creates as new, inside and after it', () => {
    const text = `DO $$ BEGIN
  IF to_regclass('t') IS NULL THEN
    CREATE TABLE t (a bigint);
    CREATE INDEX t_a ON t (a);
  END IF;
END $$;
ALTER TABLE t ADD CONSTRAINT t_a_unique UNIQUE (a);`;
    expect(rulesOf(text)).toEqual([]);
  });

  it('takes the timeouts a block sets', () => {
    expect(
      rulesOf('DO $$ BEGIN SET lock_timeout = 0; END $$;\nALTER TABLE orders ADD COLUMN n text;'),
    ).toContain('require-lock-timeout');
  });

  it('applies a waiver before the block to its statements, and one inside to the next', () => {
    const findings = lint(`-- rds-migrate: allow ban-drop-column because the app never read it
DO $$ BEGIN
  ALTER TABLE orders DROP COLUMN a;
END $$;
DO $$ BEGIN
  -- rds-migrate: allow ban-drop-column because nothing reads b
  ALTER TABLE orders DROP COLUMN b;
  ALTER TABLE orders DROP COLUMN c;
END $$;`);
    expect(findings.map((f) => [f.line, f.waived ?? null])).toEqual([
      [3, 'the app never read it'],
      [7, 'nothing reads b'],
      [8, null],
    ]);
  });

  it('does not lint a function body: the migration only creates the function', () => {
    expect(
      rulesOf(`CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
BEGIN ALTER TABLE orders DROP COLUMN a; END $$;`),
    ).toEqual([]);
  });
});

describe('what a DO block hides from the linter', () => {
  const notices = (text: string) => {
    const findings = lint(text);
    expect(blocking(findings)).toEqual([]);
    return findings.map((f) => [f.rule, f.severity, f.line, f.detail]);
  };

  it('tells, once per block and without blocking, the statements built at run time', () => {
    expect(
      notices(`DO $$
DECLARE r record;
BEGIN
  EXECUTE format('CREATE INDEX %I ON orders (a)', 'orders_a');
  FOR r IN EXECUTE 'SELECT 1' LOOP END LOOP;
  EXECUTE 'DROP ' || 'INDEX x';
END $$;`),
    ).toEqual([
      [
        'do-block-not-checked',
        'notice',
        4,
        '2 statements built at run time (EXECUTE) at lines 4, 6 of the DO block at line 1',
      ],
    ]);
  });

  it('lints an EXECUTE of one string constant like a static statement', () => {
    expect(at("DO $$ BEGIN EXECUTE 'CREATE INDEX orders_a ON orders (a)'; END $$;")).toEqual([
      ['require-concurrent-index-creation', 1, 22],
    ]);
    expect(
      rulesOf('DO $$ BEGIN EXECUTE $q$ALTER TABLE orders ADD CONSTRAINT u UNIQUE (a)$q$; END $$;'),
    ).toEqual(['disallowed-unique-constraint']);
    expect(rulesOf("DO $$ BEGIN EXECUTE 'SELECT ''it''''s'''; END $$;")).toEqual([]);
  });

  it('tells a block in another language, or one PL/pgSQL refuses', () => {
    expect(notices('DO LANGUAGE plperl $$ 1; $$;')).toEqual([
      ['do-block-not-checked', 'notice', 1, 'DO block in LANGUAGE plperl'],
    ]);
    expect(notices('SELECT 1;\nDO $$ BEGIN RETURN QUERY SELECT 1; END $$;')).toEqual([
      [
        'do-block-not-checked',
        'notice',
        2,
        "DO block refused by PL/pgSQL's parser: cannot use RETURN QUERY in a non-SETOF function",
      ],
    ]);
  });

  it('lets a waiver name the notice', () => {
    const [finding] = lint(
      "-- rds-migrate: allow do-block-not-checked because reviewed by hand\nDO $$ BEGIN EXECUTE 'SELECT ' || 1; END $$;",
    );
    expect(finding!.waived).toBe('reviewed by hand');
  });
});

describe('parsePlpgsql', () => {
  it('returns the PL/pgSQL tree of a DO block', () => {
    const [fn] = parsePlpgsql('DO $$ BEGIN PERFORM 1; END $$');
    expect(Object.keys(fn!)).toEqual(['PLpgSQL_function']);
  });
});
