// A database URL input (database-url, shadow-database-url) as a connection target: TLS verified
// for anything but loopback, plain connections elsewhere only when explicitly allowed.
import { UserError } from '../../lib/errors.ts';
import { checkHost, checkPostgresName } from './checks.ts';
import { type ConnectionTarget, type TlsPolicy, isLoopback } from '../../migrate/connection.ts';

/** Parameters naming files rds-migrate would not read: the connection would fail at the handshake. */
const FILE_PARAMETERS: Readonly<Record<string, string>> = {
  sslrootcert: "give the CA bundle's path in 'ca-bundle' instead.",
  sslcert: 'client certificates are not supported: authenticate with a password or iam-auth.',
  sslkey: 'client certificates are not supported: authenticate with a password or iam-auth.',
  sslcrl: 'remove it: certificate revocation lists are not read.',
};

/** A percent-encoded part of the URL, decoded; never echoed, as the URL is a secret. */
function decoded(input: string, text: string, part = 'user or database'): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UserError(
      `Input '${input}' has a malformed %-escape in its ${part}: percent-encode it as encodeURIComponent does (% itself is %25).`,
    );
  }
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
  const database = decoded(input, url.pathname.replace(/^\//, ''));
  const user = decoded(input, url.username);
  if (!host || !database || !user) {
    throw new UserError(
      `Input '${input}' needs a host, a user and a database: postgres://user:password@host:5432/database.`,
    );
  }
  checkHost(input, url.hostname);
  checkPostgresName(input, 'user', user);
  checkPostgresName(input, 'database', database);
  const port = url.port ? Number(url.port) : 5432;
  if (port < 1) {
    throw new UserError(`Input '${input}' has port ${port}: use a TCP port from 1 to 65535.`);
  }
  for (const name of url.searchParams.keys()) {
    const instead = FILE_PARAMETERS[name];
    if (instead) {
      throw new UserError(
        `Input '${input}' has ${name}=…, which rds-migrate does not read: ${instead}`,
      );
    }
  }
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
  return { host, port, user, password: decoded(input, url.password, 'password'), database, tls };
}
