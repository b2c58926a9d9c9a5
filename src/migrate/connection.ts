// From a way to connect (a URL, an RDS IAM token, a Secrets Manager secret) to a checked `pg`
// connection: TLS verified for anything but loopback, and every connection failure as one line
// that never carries the password.
// pg (about 20 ms of CPU to load) is imported by connect(): lint, which connects nowhere, skips it.
import type pg from 'pg';
import { UserError } from '../lib/errors.ts';
import { defaultTrust } from './default-trust.ts';
import type { RunEvent } from './events.ts';
import { type RdsSecret, parseRdsSecret } from './rds-secret.ts';

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

/** How to reach the database to migrate. */
export type ConnectionSpec =
  | { kind: 'url'; target: ConnectionTarget }
  | {
      kind: 'iam';
      host: string;
      port: number;
      user: string;
      database: string;
      region: string;
      ca: string | undefined;
    }
  | {
      kind: 'secret';
      secretId: string;
      region: string;
      /** Overrides the secret's dbname. */
      database: string | undefined;
      tls: TlsPolicy;
    };

export interface TargetPorts {
  /** The secret's string from Secrets Manager. */
  readSecret(secretId: string, region: string): Promise<string>;
  /** An RDS IAM authentication token for the user at host:port. */
  rdsAuthToken(endpoint: {
    host: string;
    port: number;
    user: string;
    region: string;
  }): Promise<string>;
  /** Keeps a secret out of the log. */
  mask(secret: string): void;
  onEvent(event: RunEvent): void;
}

/** The host, credentials and TLS of the connection; every secret met on the way is masked. */
export async function resolveTarget(
  spec: ConnectionSpec,
  ports: TargetPorts,
): Promise<ConnectionTarget> {
  if (spec.kind === 'url') return spec.target;
  if (spec.kind === 'iam') {
    const token = await ports.rdsAuthToken(spec);
    ports.mask(token);
    // RDS accepts IAM tokens over TLS only.
    return {
      host: spec.host,
      port: spec.port,
      user: spec.user,
      password: token,
      database: spec.database,
      tls: { ca: spec.ca },
    };
  }
  ports.onEvent({ type: 'reading-secret', secretId: spec.secretId, region: spec.region });
  const text = await ports.readSecret(spec.secretId, spec.region);
  ports.mask(text);
  const secret = parseRdsSecret(spec.secretId, text);
  ports.mask(secret.password);
  return targetFromSecret(spec.secretId, secret, spec.database, spec.tls);
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
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
  options: { applicationName: string; connectTimeoutMs: number; signal?: AbortSignal | undefined },
): Promise<pg.Client> {
  const { default: pg } = await import('pg');
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
  // Giving up closes the socket: the connect never settles, and nothing holds the process.
  const giveUp = () => void client.end().catch(() => {});
  options.signal?.addEventListener('abort', giveUp, { once: true });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw explainConnectError(error, target);
  } finally {
    options.signal?.removeEventListener('abort', giveUp);
  }
  return client;
}
