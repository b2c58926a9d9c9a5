// From a database URL to a checked `pg` connection: TLS verified for anything but loopback,
// plain connections elsewhere only when explicitly allowed, and every connection failure as one
// line that never carries the password.
import pg from 'pg';
import { UserError } from '../lib/errors.ts';
import { defaultTrust } from './default-trust.ts';
import type { RdsSecret } from './rds-secret.ts';

export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Verify the server's certificate (against `ca` when given, else the RDS CAs and the system roots). */
  tls: { ca: string | undefined } | false;
}

export interface TlsPolicy {
  /** PEM bundle to verify the server against (the RDS CA bundle). */
  ca: string | undefined;
  allowPlaintext: boolean;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Parses `postgres://user:password@host:port/database?sslmode=...` from the named input. */
export function parseDatabaseUrl(input: string, text: string, policy: TlsPolicy): ConnectionTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(
      `Input '${input}' is not a URL: use postgres://user:password@host:5432/database.`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UserError(
      `Input '${input}' uses ${url.protocol.replace(/:$/, '')}://: use postgres://user:password@host:5432/database.`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(url.username);
  if (!host || !database || !user) {
    throw new UserError(
      `Input '${input}' needs a host, a user and a database: postgres://user:password@host:5432/database.`,
    );
  }
  const port = url.port ? Number(url.port) : 5432;
  const sslmode = url.searchParams.get('sslmode') ?? undefined;
  const known = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];
  if (sslmode !== undefined && !known.includes(sslmode)) {
    throw new UserError(
      `Input '${input}' has sslmode=${sslmode}: use one of ${known.join(', ')} (or leave it out).`,
    );
  }
  let tls: ConnectionTarget['tls'];
  if (sslmode === 'disable' || (sslmode === undefined && isLoopback(host))) {
    if (!isLoopback(host) && !policy.allowPlaintext) {
      throw new UserError(
        `Input '${input}' asks for a plain connection (sslmode=disable) to ${host}, which is not loopback: remove sslmode=disable, or set allow-plaintext: true if the network path is trusted.`,
      );
    }
    tls = false;
  } else {
    // prefer, require and verify-* all verify here: a certificate nobody checks protects nothing.
    tls = { ca: policy.ca };
  }
  return { host, port, user, password: decodeURIComponent(url.password), database, tls };
}

/** The target an RDS secret describes; `database` overrides the secret's dbname. */
export function targetFromSecret(
  secretId: string,
  secret: RdsSecret,
  database: string | undefined,
  policy: TlsPolicy,
): ConnectionTarget {
  if (!secret.host) {
    throw new UserError(
      `Secret '${secretId}' has no 'host': use the secret RDS manages for the instance, or add host and port to it.`,
    );
  }
  return {
    host: secret.host,
    port: secret.port ?? 5432,
    user: secret.username,
    password: secret.password,
    database: database ?? secret.dbname ?? 'postgres',
    tls: isLoopback(secret.host) ? false : { ca: policy.ca },
  };
}

export function describeTarget(target: ConnectionTarget): string {
  return `${target.user}@${target.host}:${target.port}/${target.database}${target.tls ? ' (TLS, verified)' : ' (plain, loopback)'}`;
}

function explainConnectError(error: unknown, target: ConnectionTarget): UserError {
  const where = `${target.host}:${target.port}`;
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  const line = (text: string) =>
    new UserError(text.split(target.password).join('***'), { cause: error });
  if (code === '28P01' || code === '28000') {
    return line(
      `The database at ${where} refused user '${target.user}' (${message}): check the user and password in the connection input.`,
    );
  }
  if (code === '3D000') {
    return line(
      `Database '${target.database}' does not exist on ${where}: check the database name.`,
    );
  }
  if (/does not support SSL/i.test(message)) {
    return line(
      `The database at ${where} does not accept TLS connections, and rds-migrate requires TLS for it: enable SSL on the server, or connect to loopback.`,
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'EAI_AGAIN' ||
    /timeout/i.test(message)
  ) {
    return line(
      `Cannot reach the database at ${where} (${code ?? message}): check the host and port, and that this runner can reach it (security groups, VPC; or use mode: ecs-task).`,
    );
  }
  if (/certificate|self[- ]signed|CERT_|UNABLE_TO/i.test(`${code ?? ''} ${message}`)) {
    return line(
      `The TLS certificate of ${where} could not be verified (${code ?? message}): it is signed neither by an Amazon RDS CA nor by a public root; pass the CA that signed it in ca-bundle.`,
    );
  }
  return line(`Cannot connect to the database at ${where}: ${message}`);
}

export async function connect(
  target: ConnectionTarget,
  options: { applicationName: string; connectTimeoutMs: number },
): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs,
    ssl: target.tls
      ? {
          rejectUnauthorized: true,
          servername: target.host,
          ca: target.tls.ca ?? (await defaultTrust()),
        }
      : false,
  });
  // A dropped connection surfaces as the failure of the running query; this keeps it from
  // also crashing the process as an unhandled 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw explainConnectError(error, target);
  }
  return client;
}
