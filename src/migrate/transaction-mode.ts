// Which statements PostgreSQL refuses inside a transaction block. They run alone, outside the
// migration's transaction, in file order. ALTER TYPE ... ADD VALUE is allowed in a transaction
// since PostgreSQL 12, but the new value cannot be used until that transaction commits, so it
// runs on its own too: later statements of the same migration can then use it.
import type { Statement } from './parser.ts';
import type { Token } from './sql-lexer.ts';

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

/** What the apply must know of a statement before it is sent, read from its leading tokens. */
export interface StatementMode {
  /** Why it runs outside a transaction (as outsideTransactionReason), or undefined. */
  reason: string | undefined;
  /** A concurrent index statement's table, as text for regclass (as concurrentIndexTable). */
  table: string | undefined;
  /** BEGIN, COMMIT and the like: the runner owns the transaction. */
  controlsTransaction: boolean;
}

const CONTROL = new Set(['BEGIN', 'COMMIT', 'ROLLBACK', 'ABORT', 'END', 'SAVEPOINT', 'RELEASE']);
const ALONE: Record<string, Record<string, string>> = {
  CREATE: {
    DATABASE: 'CREATE DATABASE',
    TABLESPACE: 'CREATE TABLESPACE',
    SUBSCRIPTION: 'CREATE SUBSCRIPTION',
  },
  DROP: {
    DATABASE: 'DROP DATABASE',
    TABLESPACE: 'DROP TABLESPACE',
    SUBSCRIPTION: 'DROP SUBSCRIPTION',
  },
  ALTER: { SYSTEM: 'ALTER SYSTEM' },
};

export function statementMode(head: readonly Token[]): StatementMode {
  const word = (k: number) => {
    const t = head[k];
    return t?.kind === 'word' ? t.text : undefined;
  };
  const mode = (reason?: string, table?: string): StatementMode => ({
    reason,
    table,
    controlsTransaction: false,
  });
  const w0 = word(0);
  const w1 = word(1);
  if (w0 === undefined) return mode();
  if (CONTROL.has(w0) || ((w0 === 'START' || w0 === 'PREPARE') && w1 === 'TRANSACTION')) {
    return { reason: undefined, table: undefined, controlsTransaction: true };
  }
  if (w0 === 'VACUUM') return mode('VACUUM');
  const alone = w1 === undefined ? undefined : ALONE[w0]?.[w1];
  if (alone) return mode(alone);
  if (w0 === 'CREATE') {
    const i = w1 === 'UNIQUE' ? 2 : 1;
    if (word(i) !== 'INDEX' || word(i + 1) !== 'CONCURRENTLY') return mode();
    const on = head.findIndex((t, k) => k > i + 1 && t.kind === 'word' && t.text === 'ON');
    const at = on === -1 ? -1 : word(on + 1) === 'ONLY' ? on + 2 : on + 1;
    return mode('CREATE INDEX CONCURRENTLY', at === -1 ? undefined : nameAt(head, at));
  }
  if (w0 === 'DROP') {
    return mode(
      w1 === 'INDEX' && word(2) === 'CONCURRENTLY' ? 'DROP INDEX CONCURRENTLY' : undefined,
    );
  }
  if (w0 === 'REINDEX') {
    let i = 1;
    let concurrently = false;
    if (head[1]?.kind === 'punct' && head[1].text === '(') {
      const close = head.findIndex((t) => t.kind === 'punct' && t.text === ')');
      concurrently = head
        .slice(2, close)
        .some((t) => t.kind === 'word' && t.text === 'CONCURRENTLY');
      i = close + 1;
    }
    const kind = word(i);
    if (word(i + 1) === 'CONCURRENTLY') {
      concurrently = true;
      i++;
    }
    const table = kind === 'INDEX' || kind === 'TABLE' ? nameAt(head, i + 1) : undefined;
    if (concurrently) return mode('REINDEX CONCURRENTLY', table);
    return mode(
      kind === 'SYSTEM' || kind === 'DATABASE' ? 'REINDEX SYSTEM/DATABASE' : undefined,
      table,
    );
  }
  if (w0 === 'ALTER' && w1 === 'TYPE') {
    const after = nameEnd(head, 2);
    return mode(
      word(after) === 'ADD' && word(after + 1) === 'VALUE' ? 'ALTER TYPE ... ADD VALUE' : undefined,
    );
  }
  return mode();
}

/** The index after the (possibly qualified) name starting at `at`. */
function nameEnd(head: readonly Token[], at: number): number {
  let i = at;
  while (head[i]?.kind === 'word' || head[i]?.kind === 'ident') {
    i++;
    if (head[i]?.kind !== 'punct' || head[i]!.text !== '.') break;
    i++;
  }
  return i;
}

/** The name at `at` as `"schema"."relation"` (its last two parts), or undefined. */
function nameAt(head: readonly Token[], at: number): string | undefined {
  const parts = head
    .slice(at, nameEnd(head, at))
    .flatMap((t) => (t.kind === 'word' ? [t.name] : t.kind === 'ident' ? [t.text] : []));
  if (parts.length === 0) return undefined;
  return parts
    .slice(-2)
    .map((name) => `"${name.replace(/"/g, '""')}"`)
    .join('.');
}
