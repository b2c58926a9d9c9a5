// A database URL input (database-url, shadow-database-url) as a connection target: TLS verified
// for anything but loopback, plain connections elsewhere only when explicitly allowed.
import { UserError } from '../../lib/errors.ts';
import { type ConnectionTarget, type TlsPolicy, isLoopback } from '../../migrate/connection.ts';

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
