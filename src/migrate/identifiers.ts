import { UserError } from '../lib/errors.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** A schema or table name from an input, checked and double-quoted for SQL. */
export function quoteIdentifier(input: string, name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new UserError(
      `Input '${input}' is '${name}': use a PostgreSQL identifier of up to 63 letters, digits, '_' or '$', not starting with a digit.`,
    );
  }
  return `"${name}"`;
}
