// What the linter learns from a migration's statements as it reads them in order: the tables it
// creates (new, so nobody else uses or fills them yet), the NOT NULL checks it validates, the
// timeouts and search_path it sets.
import type { Statement } from '../parser.ts';
import { alterCommands, list, unwrap } from './ast.ts';
import {
  DEFAULT_SEARCH_PATH,
  createdKey,
  creationSchema,
  knownKey,
  searchPathSet,
  tableKey,
} from './relations.ts';

/** What a rule knows about the migration so far. */
export interface LintContext {
  /**
   * Whether `relation` (a RangeVar) names a table created earlier in the same migration by a
   * statement that fails when the table exists: CREATE TABLE, CREATE TABLE ... AS, SELECT ... INTO,
   * CREATE MATERIALIZED VIEW, without IF NOT EXISTS (or a rename of such a table).
   */
  isNew(relation: unknown): boolean;
  /** Whether `column` of `relation` has a validated CHECK (column IS NOT NULL) earlier. */
  hasValidatedNotNull(relation: unknown, column: string): boolean;
  /** Whether the runner sets a lock timeout (lock-timeout input above 0). */
  runnerLockTimeout: boolean;
  runnerStatementTimeout: boolean;
  /** SET lock_timeout / statement_timeout seen so far in the migration, with their values. */
  setTimeouts: ReadonlyMap<string, string>;
  /** The migration runs in several parts, so a failure can leave its first parts committed. */
  multiPart: boolean;
}

export interface TrackedContext extends LintContext {
  /** Learns from a statement once the rules have judged it. */
  track(statement: Statement): void;
}

/** The table a statement creates, when it fails on an existing one (no IF NOT EXISTS). */
function createdRelation(statement: Statement): unknown {
  const { node } = statement;
  switch (statement.type) {
    case 'CreateStmt':
      return node.if_not_exists === true ? undefined : node.relation;
    case 'CreateTableAsStmt':
      return node.if_not_exists === true ? undefined : unwrapInto(node.into);
    case 'SelectStmt':
      return unwrapInto(node.intoClause);
    default:
      return undefined;
  }
}

/** The table of an INTO clause (not wrapped in its node type in the parse tree). */
function unwrapInto(into: unknown): unknown {
  return (into as { rel?: unknown } | undefined)?.rel;
}

function settingValue(statement: Statement): string | undefined {
  const arg = unwrap(list(statement.node.args)[0], 'A_Const');
  if (!arg) return undefined;
  const sval = (arg.sval as { sval?: string } | undefined)?.sval;
  if (sval !== undefined) return sval;
  return String((arg.ival as { ival?: number } | undefined)?.ival ?? 0);
}

/** The column of a CHECK (column IS NOT NULL) constraint, if that is what it is. */
function notNullCheckColumn(constraint: Record<string, unknown>): string | undefined {
  const test = unwrap(constraint.raw_expr, 'NullTest');
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = list(unwrap(test.arg, 'ColumnRef')?.fields);
  return fields.length === 1 ? (unwrap(fields[0], 'String')?.sval as string) : undefined;
}

export function trackedContext(
  settings: Pick<LintContext, 'runnerLockTimeout' | 'runnerStatementTimeout' | 'multiPart'>,
): TrackedContext {
  /** Where an unqualified name is, by the search_path the migration has set so far. */
  let schema = creationSchema(DEFAULT_SEARCH_PATH);
  const created = new Set<string>();
  const validatedNotNull = new Set<string>();
  /** Unvalidated NOT NULL checks: table key and constraint name → the column. */
  const notNullChecks = new Map<string, string>();
  const setTimeouts = new Map<string, string>();
  /** The key of the table a name resolves to: one the migration created, else where it looks first. */
  const tableOf = (relation: unknown) =>
    knownKey(relation, schema, created) ?? createdKey(relation, schema);
  const pair = tableKey;
  let last: { relation: unknown; isNew: boolean } = { relation: undefined, isNew: false };

  return {
    ...settings,
    setTimeouts,
    isNew(relation) {
      // Every rule asks about the same statement's table: answer once per statement.
      if (relation !== last.relation) {
        last = { relation, isNew: knownKey(relation, schema, created) !== undefined };
      }
      return last.isNew;
    },
    hasValidatedNotNull(relation, column) {
      const table = tableOf(relation);
      return table !== undefined && validatedNotNull.has(pair(table, column));
    },
    track(statement) {
      last = { relation: undefined, isNew: false };
      const made = createdKey(createdRelation(statement), schema);
      if (made) created.add(made);
      const searchPath = searchPathSet(statement);
      if (searchPath) schema = creationSchema(searchPath);
      const { node } = statement;
      if (statement.type === 'RenameStmt' && node.renameType === 'OBJECT_TABLE') {
        const old = knownKey(node.relation, schema, created);
        if (old) created.add(pair(old.slice(0, old.indexOf('\u0000')), String(node.newname)));
      }
      if (statement.type === 'VariableSetStmt') {
        const name = String(node.name ?? '');
        if (name === 'lock_timeout' || name === 'statement_timeout') {
          if (node.kind === 'VAR_SET_VALUE') setTimeouts.set(name, settingValue(statement) ?? '');
          else setTimeouts.delete(name);
        }
      }
      const table = tableOf(node.relation);
      if (table === undefined) return;
      for (const command of alterCommands(statement)) {
        if (command.subtype === 'AT_AddConstraint') {
          const constraint = unwrap(command.def, 'Constraint');
          const column = constraint && notNullCheckColumn(constraint);
          if (constraint?.contype === 'CONSTR_CHECK' && column) {
            if (constraint.skip_validation === true) {
              notNullChecks.set(pair(table, String(constraint.conname ?? '')), column);
            } else validatedNotNull.add(pair(table, column));
          }
        }
        if (command.subtype === 'AT_ValidateConstraint' && command.name) {
          const column = notNullChecks.get(pair(table, command.name));
          if (column) validatedNotNull.add(pair(table, column));
        }
      }
    },
  };
}
