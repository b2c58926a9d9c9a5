// Migrations as the engine runs them: each file parsed into statements, and the statements cut
// into parts — runs of statements that share one transaction, and the statements PostgreSQL only
// runs outside a transaction, each alone.
import { UserError } from '../lib/errors.ts';
import { type MigrationFile, discoverMigrations } from './files.ts';
import { type Statement, loadParser, splitStatements } from './parser.ts';
import { outsideTransactionReason } from './transaction-mode.ts';

export interface Part {
  /** True: the statements run in one transaction. False: one statement, outside any. */
  transactional: boolean;
  statements: Statement[];
  /** Why a non-transactional part runs outside a transaction. */
  reason?: string;
}

export interface Migration extends MigrationFile {
  statements: Statement[];
  parts: Part[];
  /** Expand (compatible with the running version) unless marked `-- rds-migrate: contract`. */
  phase: 'expand' | 'contract';
}

/** A migration marks itself as a contract (destructive) migration with this comment line. */
export const CONTRACT_MARK = /^\s*--\s*rds-migrate:\s*contract\b/im;

export type PhaseInput = 'expand' | 'contract' | 'all';

/** Expand runs before the canary: contract migrations wait for `contract` (or `all`). */
export function inPhase(migration: Pick<Migration, 'phase'>, phase: PhaseInput): boolean {
  return phase !== 'expand' || migration.phase === 'expand';
}

export function partsOf(statements: readonly Statement[]): Part[] {
  const parts: Part[] = [];
  for (const statement of statements) {
    const reason = outsideTransactionReason(statement);
    const last = parts.at(-1);
    if (reason !== undefined) parts.push({ transactional: false, statements: [statement], reason });
    else if (last?.transactional) last.statements.push(statement);
    else parts.push({ transactional: true, statements: [statement] });
  }
  return parts;
}

export function toMigration(file: MigrationFile): Migration {
  const statements = splitStatements(file.script, file.text);
  const control = statements.find((s) => s.type === 'TransactionStmt');
  if (control) {
    throw new UserError(
      `${file.script}:${control.line}:${control.column}: '${control.sql.split(/\s/)[0]}' controls the transaction, which rds-migrate manages (one per migration, concurrent statements outside it): remove it.`,
    );
  }
  return {
    ...file,
    statements,
    parts: partsOf(statements),
    phase: CONTRACT_MARK.test(file.text) ? 'contract' : 'expand',
  };
}

/** Every migration under `directory`, parsed; any naming or syntax error stops here. */
export async function loadMigrations(directory: string): Promise<Migration[]> {
  // The WASM parser compiles while the files are read.
  const [files] = await Promise.all([discoverMigrations(directory), loadParser()]);
  return files.map(toMigration);
}
