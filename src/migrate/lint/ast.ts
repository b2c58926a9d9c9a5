// Small readers of libpg-query parse trees.
import type { Statement } from '../parser.ts';

export type Fields = Record<string, unknown>;

/** The fields of a wrapped node `{ Type: fields }` when it is of `type`. */
export function unwrap(node: unknown, type: string): Fields | undefined {
  const value = (node as Record<string, unknown> | null | undefined)?.[type];
  return value && typeof value === 'object' ? (value as Fields) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function relationName(relation: unknown): string | undefined {
  const r = relation as { relname?: string; schemaname?: string } | undefined;
  if (!r?.relname) return undefined;
  return r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname;
}

export interface AlterCommand {
  subtype: string;
  name: string | undefined;
  def: unknown;
}

export function alterCommands(statement: Statement): AlterCommand[] {
  if (statement.type !== 'AlterTableStmt') return [];
  return list(statement.node.cmds).flatMap((cmd) => {
    const c = unwrap(cmd, 'AlterTableCmd');
    return c
      ? [{ subtype: String(c.subtype), name: c.name as string | undefined, def: c.def }]
      : [];
  });
}

/** The last part of a type name: int4, varchar, serial, timestamp. */
export function typeName(columnDef: Fields): string {
  const names = list((columnDef.typeName as Fields | undefined)?.names);
  return String(unwrap(names.at(-1), 'String')?.sval ?? '');
}

export function constraints(columnDef: Fields): Fields[] {
  return list(columnDef.constraints).flatMap((c) => {
    const constraint = unwrap(c, 'Constraint');
    return constraint ? [constraint] : [];
  });
}

/** Every function name called anywhere inside `node`. */
export function calledFunctions(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) calledFunctions(item, into);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'FuncCall') {
        const name = list((value as Fields).funcname).at(-1);
        into.push(String(unwrap(name, 'String')?.sval ?? '').toLowerCase());
      }
      calledFunctions(value, into);
    }
  }
  return into;
}
