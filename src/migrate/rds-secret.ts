// The JSON that RDS (and Secrets Manager's RDS templates) keep in a database secret.
import { UserError } from '../lib/errors.ts';

export interface RdsSecret {
  username: string;
  password: string;
  host: string | undefined;
  port: number | undefined;
  dbname: string | undefined;
}

/** Parses the secret's text; the message names the secret and the missing field, never a value. */
export function parseRdsSecret(secretId: string, text: string): RdsSecret {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(
      `Secret '${secretId}' is not JSON: rds-migrate expects the RDS secret shape {"username", "password", "host", "port", "dbname"}.`,
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`Secret '${secretId}' is not a JSON object of the RDS secret shape.`);
  }
  const v = value as Record<string, unknown>;
  for (const field of ['username', 'password'] as const) {
    if (typeof v[field] !== 'string' || v[field] === '') {
      throw new UserError(
        `Secret '${secretId}' has no '${field}': rds-migrate expects the RDS secret shape {"username", "password", "host", "port", "dbname"}.`,
      );
    }
  }
  const port = v.port === undefined ? undefined : Number(v.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new UserError(`Secret '${secretId}' has a 'port' that is not a TCP port.`);
  }
  const text_ = (field: string) =>
    typeof v[field] === 'string' && v[field] ? (v[field] as string) : undefined;
  return {
    username: v.username as string,
    password: v.password as string,
    host: text_('host'),
    port,
    dbname: text_('dbname'),
  };
}
