// Migrations as the engine runs them: each file cut into statements, and the statements cut into
// parts — runs of statements that share one transaction, and the statements PostgreSQL only runs
// outside a transaction, each alone. The cut comes from a small lexer (sql-lexer.ts), so a run can
// start applying before PostgreSQL's parser is loaded; the parse (syntax errors, and the parse
// trees the linter reads) is a step of its own, `parseMigration`.
import { UserError } from '../lib/errors.ts';
import { type MigrationFile, discoverMigrations } from './files.ts';
import { type Statement, loadParser, splitStatements } from './parser.ts';
import { type LexedStatement, type SqlStatement, lexStatements } from './sql-lexer.ts';
import { statementMode } from './transaction-mode.ts';

export interface Part {
  /** True: the statements run in one transaction. False: one statement, outside any. */
  transactional: boolean;
  statements: SqlStatement[];
  /** Why a non-transactional part runs outside a transaction. */
  reason?: string;
  /** A concurrent index statement's table: its INVALID leftovers are dropped after a failure. */
  table?: string;
}

export interface Migration extends MigrationFile {
  parts: Part[];
  /** Expand (compatible with the running version) unless marked `-- rds-migrate: contract`. */
  phase: 'expand' | 'contract';
}

/** A migration with PostgreSQL's parse of every statement: what the linter reads. */
export interface ParsedMigration extends Migration {
  statements: Statement[];
}

/** A migration marks itself as a contract (destructive) migration with this comment line. */
export const CONTRACT_MARK = /^\s*--\s*rds-migrate:\s*contract\b/im;

export type PhaseInput = 'expand' | 'contract' | 'all';

/** Expand runs before the canary: contract migrations wait for `contract` (or `all`). */
export function inPhase(migration: Pick<Migration, 'phase'>, phase: PhaseInput): boolean {
  return phase !== 'expand' || migration.phase === 'expand';
}

export function partsOf(statements: readonly LexedStatement[]): Part[] {
  const parts: Part[] = [];
  for (const { head, ...statement } of statements) {
    const { reason, table } = statementMode(head);
    const last = parts.at(-1);
    if (reason !== undefined) {
      parts.push({
        transactional: false,
        statements: [statement],
        reason,
        ...(table === undefined ? {} : { table }),
      });
    } else if (last?.transactional) last.statements.push(statement);
    else parts.push({ transactional: true, statements: [statement] });
  }
  return parts;
}

/** The file cut into parts; a statement that controls the transaction is refused here. */
export function toMigration(file: MigrationFile): Migration {
  const statements = lexStatements(file.text);
  const control = statements.find((s) => statementMode(s.head).controlsTransaction);
  if (control) {
    throw new UserError(
      `${file.script}:${control.line}:${control.column}: '${control.sql.split(/\s/)[0]}' controls the transaction, which rds-migrate manages (one per migration, concurrent statements outside it): remove it.`,
    );
  }
  return {
    ...file,
    parts: partsOf(statements),
    phase: CONTRACT_MARK.test(file.text) ? 'contract' : 'expand',
  };
}

/** The migration with PostgreSQL's parse; a syntax error names the file. Call loadParser() first. */
export function parseMigration(migration: Migration): ParsedMigration {
  return { ...migration, statements: splitStatements(migration.script, migration.text) };
}

/** Resolves after one turn of the event loop, so I/O waiting beside a long loop goes on. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every migration under `directory`, cut into parts; any naming error stops here. A file at a
 * time, a turn of the event loop after each, so that a connection opened beside it (run.ts) goes
 * on with its handshake instead of waiting for the whole history to be cut.
 */
export async function readMigrations(directory: string): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of await discoverMigrations(directory)) {
    migrations.push(toMigration(file));
    await nextTurn();
  }
  return migrations;
}

/** Every migration under `directory`, parsed; any naming or syntax error stops here. */
export async function loadMigrations(directory: string): Promise<ParsedMigration[]> {
  // The WASM parser compiles while the files are read.
  const [migrations] = await Promise.all([readMigrations(directory), loadParser()]);
  return migrations.map(parseMigration);
}
