/** A name PostgreSQL takes unquoted: up to 63 letters, digits, '_' or '$', not starting with a digit. */
export const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** A schema or table name, double-quoted for SQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
