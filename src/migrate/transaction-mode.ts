// Which statements PostgreSQL refuses inside a transaction block. They run alone, outside the
// migration's transaction, in file order. ALTER TYPE ... ADD VALUE is allowed in a transaction
// since PostgreSQL 12, but the new value cannot be used until that transaction commits, so it
// runs on its own too: later statements of the same migration can then use it.
import type { Statement } from './parser.ts';

function hasOption(node: Record<string, unknown>, field: string, name: string): boolean {
  const options = node[field];
  return (
    Array.isArray(options) &&
    options.some((o) => (o as { DefElem?: { defname?: string } }).DefElem?.defname === name)
  );
}

/** Why the statement must run outside a transaction, or undefined when it can run inside one. */
export function outsideTransactionReason(statement: Statement): string | undefined {
  const { type, node } = statement;
  switch (type) {
    case 'IndexStmt':
      return node.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return node.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt':
      if (hasOption(node, 'params', 'concurrently')) return 'REINDEX CONCURRENTLY';
      return node.kind === 'REINDEX_OBJECT_SYSTEM' || node.kind === 'REINDEX_OBJECT_DATABASE'
        ? 'REINDEX SYSTEM/DATABASE'
        : undefined;
    case 'VacuumStmt':
      return node.is_vacuumcmd ? 'VACUUM' : undefined;
    case 'AlterEnumStmt':
      return node.oldVal === undefined ? 'ALTER TYPE ... ADD VALUE' : undefined;
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'CreateSubscriptionStmt':
      return 'CREATE SUBSCRIPTION';
    case 'DropSubscriptionStmt':
      return 'DROP SUBSCRIPTION';
    default:
      return undefined;
  }
}
