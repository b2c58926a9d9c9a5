// A throwaway PostgreSQL for `validate`: a fresh cluster in a temporary directory, reachable only
// through a Unix socket in that directory (no TCP port, trust authentication), removed on stop.
// It uses PostgreSQL binaries already on the machine (GitHub's Ubuntu runners ship them under
// /usr/lib/postgresql/<version>/bin) or the directory given. PostgreSQL refuses to run as root:
// as root the cluster runs as the `postgres` system user.
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type pg from 'pg';
import { UserError } from '../lib/errors.ts';
import type { DatabaseSession } from './session.ts';

// node:child_process (and the wrappers it brings) loads only when validate runs, not at every start.
const childProcess = () => process.getBuiltinModule('node:child_process');

export interface ThrowawayPostgres {
  readonly version: string;
  /** A session on its `postgres` database. */
  connect(): Promise<DatabaseSession>;
  stop(): Promise<void>;
}

/** True when `dir` holds initdb and postgres. */
export function holdsPostgresBinaries(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
}

/**
 * The directory holding initdb and postgres: `preferred` when given, else the first on the search
 * path (PATH), else the newest Debian/Ubuntu one.
 */
export function findPostgresBin(
  preferred: string | undefined,
  searchPath: string | undefined,
): string {
  if (preferred) return preferred;
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (dir && holdsPostgresBinaries(dir)) return dir;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && holdsPostgresBinaries(join(root, v, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  throw new UserError(
    "command: validate found no PostgreSQL binaries (initdb, postgres) on PATH or under /usr/lib/postgresql: install PostgreSQL, set 'postgres-bin', or give a 'shadow-database-url'.",
  );
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(
      childProcess().execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim(),
    );
    const gid = Number(
      childProcess().execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim(),
    );
    return { uid, gid };
  } catch {
    throw new UserError(
      "command: validate runs as root, and PostgreSQL refuses to: create a 'postgres' user, run as another user, or give a 'shadow-database-url'.",
    );
  }
}

export async function startThrowawayPostgres(
  binDir: string,
  options: { startTimeoutMs?: number } = {},
): Promise<ThrowawayPostgres> {
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'rds-migrate-validate-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const version = childProcess()
    .execFileSync(join(binDir, 'postgres'), ['--version'], {
      encoding: 'utf8',
    })
    .trim();
  try {
    childProcess().execFileSync(
      join(binDir, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      { stdio: 'pipe', ...(owner ?? {}) },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new UserError(`initdb failed for the throwaway PostgreSQL: ${stderr.split('\n')[0]}`);
  }
  const child: ChildProcess = childProcess().spawn(
    join(binDir, 'postgres'),
    ['-D', data, '-k', dir, '-c', 'listen_addresses=', '-c', 'fsync=off', '-c', 'port=5432'],
    { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const { default: pg } = await import('pg');
  const config: pg.ClientConfig = { host: dir, port: 5432, user: 'postgres', database: 'postgres' };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    const client = new pg.Client(config);
    try {
      await client.connect();
      await client.end();
      const connect = async () => {
        const session = new pg.Client(config);
        session.on('error', () => {});
        await session.connect();
        return session;
      };
      return { version, connect, stop };
    } catch {
      await client.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new UserError(
          `The throwaway PostgreSQL did not start: ${log.trim().split('\n').at(-1) ?? 'no output'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
