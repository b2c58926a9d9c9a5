// The lint rules: what locks a live table for long or breaks the version still running during a
// canary. Ids follow squawk's where squawk has the rule, so teams can map their knowledge.
import type { Statement } from '../parser.ts';
import {
  type Fields,
  alterCommands,
  calledFunctions,
  constraints,
  list,
  relationName,
  typeName,
  unwrap,
} from './ast.ts';
import type { LintContext } from './tracking.ts';

/** notice: told, never blocking (what the linter could not check). */
export type Severity = 'error' | 'warning' | 'notice';

export interface Rule {
  id: string;
  severity: Severity;
  /** Destructive or backward-incompatible: belongs in a contract migration. */
  destructive: boolean;
  why: string;
  fix: string;
  /** The fix needs a concurrent statement, which PostgreSQL does not run inside a DO block. */
  concurrentFix?: boolean;
  /** Returns a detail for each violation in the statement (an empty list when none). */
  check(statement: Statement, context: LintContext): string[];
}

const VOLATILE_FUNCTIONS = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
]);

const SERIAL_TYPES = new Set([
  'serial',
  'serial2',
  'serial4',
  'serial8',
  'smallserial',
  'bigserial',
]);

/** A relation named as a list of names (DROP TABLE's objects): [[catalog.]schema.]name. */
function namedRelation(object: unknown): Fields {
  const names = list(unwrap(object, 'List')?.items).map((n) => unwrap(n, 'String')?.sval);
  return { relname: names.at(-1), schemaname: names.at(-2) };
}

/** The statement works on a table that may hold rows others use: not one new in the migration. */
function isExisting(statement: Statement, context: LintContext): boolean {
  return (
    relationName(statement.node.relation) !== undefined && !context.isNew(statement.node.relation)
  );
}

function addedColumns(statement: Statement): Fields[] {
  return alterCommands(statement)
    .filter((c) => c.subtype === 'AT_AddColumn')
    .flatMap((c) => {
      const column = unwrap(c.def, 'ColumnDef');
      return column ? [column] : [];
    });
}

function addedConstraints(statement: Statement): Fields[] {
  return alterCommands(statement)
    .filter((c) => c.subtype === 'AT_AddConstraint')
    .flatMap((c) => {
      const constraint = unwrap(c.def, 'Constraint');
      return constraint ? [constraint] : [];
    });
}

function timeoutIsOff(value: string | undefined): boolean {
  return value !== undefined && /^'?0(ms|s|min)?'?$/.test(value.trim());
}

/** Column types of CREATE TABLE and ADD COLUMN, for the prefer-* rules. */
function columnDefs(statement: Statement): Fields[] {
  if (statement.type === 'CreateStmt') {
    return list(statement.node.tableElts).flatMap((e) => {
      const column = unwrap(e, 'ColumnDef');
      return column ? [column] : [];
    });
  }
  return addedColumns(statement);
}

const LOCKING_STATEMENTS = new Set(['AlterTableStmt', 'IndexStmt', 'RenameStmt', 'DropStmt']);

export const RULES: readonly Rule[] = [
  {
    id: 'require-concurrent-index-creation',
    severity: 'error',
    destructive: false,
    concurrentFix: true,
    why: 'CREATE INDEX without CONCURRENTLY blocks every write to the table until the index is built.',
    fix: 'Use CREATE INDEX CONCURRENTLY (rds-migrate runs it outside the transaction and drops a failed INVALID index).',
    check: (s, ctx) =>
      s.type === 'IndexStmt' && !s.node.concurrent && isExisting(s, ctx)
        ? [`index on ${relationName(s.node.relation)}`]
        : [],
  },
  {
    id: 'require-concurrent-index-deletion',
    severity: 'error',
    destructive: false,
    concurrentFix: true,
    why: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.',
    fix: 'Use DROP INDEX CONCURRENTLY.',
    check: (s) =>
      s.type === 'DropStmt' && s.node.removeType === 'OBJECT_INDEX' && !s.node.concurrent
        ? ['DROP INDEX']
        : [],
  },
  {
    id: 'adding-field-with-volatile-default',
    severity: 'error',
    destructive: false,
    why: 'A column added with a volatile default (random(), gen_random_uuid(), clock_timestamp(), a serial) rewrites the whole table under an ACCESS EXCLUSIVE lock.',
    fix: 'Add the column without a default (or with a constant one), set the default in a second statement, and backfill in batches.',
    check: (s, ctx) =>
      isExisting(s, ctx)
        ? addedColumns(s).flatMap((column) => {
            const serial = SERIAL_TYPES.has(typeName(column));
            const volatile = constraints(column)
              .filter((c) => c.contype === 'CONSTR_DEFAULT')
              .flatMap((c) => calledFunctions(c.raw_expr))
              .filter((f) => VOLATILE_FUNCTIONS.has(f));
            return serial || volatile.length > 0
              ? [
                  `column ${String(column.colname)} (${serial ? typeName(column) : `${volatile[0]}()`})`,
                ]
              : [];
          })
        : [],
  },
  {
    id: 'adding-required-field',
    severity: 'error',
    destructive: false,
    why: 'ADD COLUMN ... NOT NULL without a default fails on a table with rows, and old app versions that do not write the column break.',
    fix: 'Give the column a constant DEFAULT, or add it nullable, backfill, then enforce NOT NULL through a validated CHECK.',
    check: (s, ctx) =>
      isExisting(s, ctx)
        ? addedColumns(s)
            .filter((column) => {
              const kinds = constraints(column).map((c) => c.contype);
              return (
                (kinds.includes('CONSTR_NOTNULL') || kinds.includes('CONSTR_PRIMARY')) &&
                !kinds.includes('CONSTR_DEFAULT') &&
                !kinds.includes('CONSTR_IDENTITY') &&
                !kinds.includes('CONSTR_GENERATED')
              );
            })
            .map((column) => `column ${String(column.colname)}`)
        : [],
  },
  {
    id: 'setting-not-null',
    severity: 'error',
    destructive: false,
    why: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.',
    fix: 'First ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT c (in this migration), then SET NOT NULL: PostgreSQL 12+ skips the scan.',
    check: (s, ctx) => {
      if (!isExisting(s, ctx)) return [];
      return alterCommands(s)
        .filter((c) => c.subtype === 'AT_SetNotNull')
        .filter((c) => !ctx.hasValidatedNotNull(s.node.relation, String(c.name)))
        .map((c) => `column ${c.name}`);
    },
  },
  {
    id: 'changing-column-type',
    severity: 'error',
    destructive: false,
    why: 'Changing a column type usually rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, and old app versions may break on the new type.',
    fix: 'Add a new column of the new type, write both, backfill in batches, switch reads, then drop the old column in a contract migration.',
    check: (s, ctx) =>
      isExisting(s, ctx)
        ? alterCommands(s)
            .filter((c) => c.subtype === 'AT_AlterColumnType')
            .map((c) => `column ${c.name}`)
        : [],
  },
  {
    id: 'constraint-missing-not-valid',
    severity: 'error',
    destructive: false,
    why: 'Adding a FOREIGN KEY or CHECK constraint without NOT VALID scans the table while blocking writes (and, for a foreign key, the referenced table too).',
    fix: 'ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later statement or migration: validation takes a lock that lets writes through.',
    check: (s, ctx) =>
      isExisting(s, ctx)
        ? addedConstraints(s)
            .filter(
              (c) =>
                (c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') &&
                c.skip_validation !== true,
            )
            .map((c) =>
              `${c.contype === 'CONSTR_FOREIGN' ? 'foreign key' : 'check'} ${String(c.conname ?? '')}`.trim(),
            )
        : [],
  },
  {
    id: 'disallowed-unique-constraint',
    severity: 'error',
    destructive: false,
    concurrentFix: true,
    why: 'ADD UNIQUE or PRIMARY KEY builds its index while blocking reads and writes.',
    fix: 'CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX (or PRIMARY KEY USING INDEX).',
    check: (s, ctx) =>
      isExisting(s, ctx)
        ? addedConstraints(s)
            .filter(
              (c) =>
                (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && !c.indexname,
            )
            .map((c) =>
              `${c.contype === 'CONSTR_UNIQUE' ? 'unique' : 'primary key'} ${String(c.conname ?? '')}`.trim(),
            )
        : [],
  },
  {
    id: 'require-lock-timeout',
    severity: 'error',
    destructive: false,
    why: 'Without a lock timeout, a statement queued behind a long transaction blocks every query on the table behind it.',
    fix: "Keep the runner's lock-timeout (default 5s) above 0, or SET lock_timeout in the migration before the statement.",
    check: (s, ctx) => {
      if (!LOCKING_STATEMENTS.has(s.type)) return [];
      const set = ctx.setTimeouts.get('lock_timeout');
      const off = set === undefined ? !ctx.runnerLockTimeout : timeoutIsOff(set);
      return off ? ['no lock timeout'] : [];
    },
  },
  {
    id: 'require-statement-timeout',
    severity: 'warning',
    destructive: false,
    why: 'Without a statement timeout, a runaway statement holds its locks for as long as it runs.',
    fix: "Keep the runner's statement-timeout above 0, or SET statement_timeout in the migration.",
    check: (s, ctx) => {
      if (!LOCKING_STATEMENTS.has(s.type)) return [];
      const set = ctx.setTimeouts.get('statement_timeout');
      const off = set === undefined ? !ctx.runnerStatementTimeout : timeoutIsOff(set);
      return off ? ['no statement timeout'] : [];
    },
  },
  {
    id: 'ban-drop-table',
    severity: 'error',
    destructive: true,
    why: 'Dropping a table breaks the app version still running that reads it, and loses its data.',
    fix: 'Stop using the table in the app first; drop it in a contract migration after production is fully promoted.',
    check: (s, ctx) =>
      s.type === 'DropStmt' &&
      s.node.removeType === 'OBJECT_TABLE' &&
      !list(s.node.objects).every((o) => ctx.isNew(namedRelation(o)))
        ? ['DROP TABLE']
        : [],
  },
  {
    id: 'ban-drop-column',
    severity: 'error',
    destructive: true,
    why: 'Dropping a column breaks the app version still running that reads or writes it.',
    fix: 'Stop using the column in the app first; drop it in a contract migration after production is fully promoted.',
    check: (s, ctx) =>
      alterCommands(s)
        .filter((c) => c.subtype === 'AT_DropColumn' && isExisting(s, ctx))
        .map((c) => `column ${c.name}`),
  },
  {
    id: 'renaming-table',
    severity: 'error',
    destructive: true,
    why: 'Renaming a table breaks every app version that uses the old name.',
    fix: 'Create the new table (or a view with the new name), migrate readers and writers, and drop the old one in a contract migration.',
    check: (s, ctx) =>
      s.type === 'RenameStmt' && s.node.renameType === 'OBJECT_TABLE' && isExisting(s, ctx)
        ? [`${relationName(s.node.relation)} to ${String(s.node.newname)}`]
        : [],
  },
  {
    id: 'renaming-column',
    severity: 'error',
    destructive: true,
    why: 'Renaming a column breaks every app version that uses the old name.',
    fix: 'Add the new column, write both, backfill, switch reads, and drop the old column in a contract migration.',
    check: (s, ctx) =>
      s.type === 'RenameStmt' && s.node.renameType === 'OBJECT_COLUMN' && isExisting(s, ctx)
        ? [`${String(s.node.subname)} to ${String(s.node.newname)}`]
        : [],
  },
  {
    id: 'ban-drop-not-null',
    severity: 'error',
    destructive: true,
    why: 'Dropping NOT NULL lets the new version write NULLs that the old version, still running, does not expect.',
    fix: 'Drop NOT NULL in a contract migration, once no running version relies on it.',
    check: (s, ctx) =>
      alterCommands(s)
        .filter((c) => c.subtype === 'AT_DropNotNull' && isExisting(s, ctx))
        .map((c) => `column ${c.name}`),
  },
  {
    id: 'ban-truncate',
    severity: 'error',
    destructive: true,
    why: 'TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock (and CASCADE empties referencing tables too).',
    fix: 'Delete in batches, or truncate in a contract migration with a waiver that says why.',
    check: (s, ctx) => {
      if (s.type !== 'TruncateStmt') return [];
      if (s.node.behavior === 'DROP_CASCADE') return ['TRUNCATE ... CASCADE'];
      const relations = list(s.node.relations).map((r) => unwrap(r, 'RangeVar'));
      return relations.every((r) => ctx.isNew(r)) ? [] : ['TRUNCATE'];
    },
  },
  {
    id: 'ban-drop-database',
    severity: 'error',
    destructive: true,
    why: 'Dropping a database destroys it.',
    fix: 'Do it by hand, not in a migration.',
    check: (s) => (s.type === 'DropdbStmt' ? ['DROP DATABASE'] : []),
  },
  {
    id: 'prefer-robust-stmts',
    severity: 'warning',
    destructive: false,
    why: 'A concurrent index statement runs outside the transaction: if a later part fails, the run resumes after it, but an operator re-running it by hand (or after editing) hits "already exists".',
    fix: 'Write CREATE INDEX CONCURRENTLY IF NOT EXISTS and DROP INDEX CONCURRENTLY IF EXISTS.',
    check: (s, ctx) => {
      if (!ctx.multiPart) return [];
      if (s.type === 'IndexStmt' && s.node.concurrent && !s.node.if_not_exists) {
        return [`index ${String(s.node.idxname ?? 'without a name')}`];
      }
      if (s.type === 'DropStmt' && s.node.concurrent && !s.node.missing_ok) {
        return ['DROP INDEX CONCURRENTLY'];
      }
      return [];
    },
  },
  {
    id: 'prefer-bigint-over-int',
    severity: 'warning',
    destructive: false,
    why: 'A 32-bit integer key runs out at 2.1 billion, and widening it later rewrites the table.',
    fix: 'Use bigint (or bigint GENERATED ... AS IDENTITY).',
    check: (s) =>
      columnDefs(s)
        .filter((c) =>
          ['int4', 'int2', 'serial', 'serial4', 'smallserial', 'serial2'].includes(typeName(c)),
        )
        .map((c) => `column ${String(c.colname)} (${typeName(c)})`),
  },
  {
    id: 'prefer-identity',
    severity: 'warning',
    destructive: false,
    why: 'serial columns have sequence ownership and permission quirks that identity columns fix.',
    fix: 'Use bigint GENERATED BY DEFAULT AS IDENTITY.',
    check: (s) =>
      columnDefs(s)
        .filter((c) => SERIAL_TYPES.has(typeName(c)))
        .map((c) => `column ${String(c.colname)} (${typeName(c)})`),
  },
  {
    id: 'prefer-text-field',
    severity: 'warning',
    destructive: false,
    why: 'Raising a varchar(n) limit later can need an ACCESS EXCLUSIVE lock; the limit is better a CHECK.',
    fix: 'Use text with a CHECK (char_length(col) <= n) constraint.',
    check: (s) =>
      columnDefs(s)
        .filter((c) => typeName(c) === 'varchar' && list((c.typeName as Fields).typmods).length > 0)
        .map((c) => `column ${String(c.colname)}`),
  },
  {
    id: 'prefer-timestamptz',
    severity: 'warning',
    destructive: false,
    why: 'timestamp without time zone loses the offset; comparisons across time zones go wrong.',
    fix: 'Use timestamptz.',
    check: (s) =>
      columnDefs(s)
        .filter((c) => typeName(c) === 'timestamp')
        .map((c) => `column ${String(c.colname)}`),
  },
];

/** Told when a DO block's statements could not all be linted; never blocking. */
export const DO_BLOCK_NOT_CHECKED = {
  id: 'do-block-not-checked',
  severity: 'notice',
  why: 'The linter reads the statements a DO block runs, but not one built at run time (EXECUTE) or in a language other than PL/pgSQL.',
  fix: 'Review that statement by hand, or write it as a static statement (outside the block where it can be) so the linter checks it.',
} as const;

export const RULE_IDS: ReadonlySet<string> = new Set([
  ...RULES.map((r) => r.id),
  DO_BLOCK_NOT_CHECKED.id,
]);
