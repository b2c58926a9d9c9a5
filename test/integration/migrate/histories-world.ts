// Real migration histories (test/fixtures/migration-histories/) and the plain-PostgreSQL tools
// that judge rds-migrate on them: psql applies the same files, pg_dump compares the schemas.
// psql and pg_dump come from the Debian `postgresql` package (./dev setup). pg_dump refuses a
// server newer than itself, so the comparison runs on that package's own server, not on the
// embedded PostgreSQL 18.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PostgresServer } from '../../postgres/server.ts';

const run = promisify(execFile);

export const HISTORIES_ROOT = new URL('../../fixtures/migration-histories/', import.meta.url)
  .pathname;

export interface History {
  name: string;
  /** The migrations directory, named the way rds-migrate reads it. */
  dir: string;
  /** What the project's own tool sets up before its migrations run (see the fixture's README). */
  setup: (server: PostgresServer, database: string) => Promise<void>;
}

const nothing = async () => {};

export const HISTORIES: readonly History[] = (
  [
    { name: 'harbor', setup: nothing },
    { name: 'temporal', setup: nothing },
    {
      name: 'supabase-storage',
      // Supabase's migrator connects with search_path storage,public; the migrations grant to the
      // role `postgres`, which every Supabase database has (the test server's superuser is `admin`).
      setup: async (server, database) => {
        await server.query(
          'postgres',
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'postgres') THEN CREATE ROLE postgres NOLOGIN; END IF; END $$",
        );
        await server.query(
          'postgres',
          `ALTER DATABASE ${database} SET search_path = storage, public`,
        );
      },
    },
  ] satisfies Omit<History, 'dir'>[]
).map((h) => ({ ...h, dir: join(HISTORIES_ROOT, h.name, 'migrations') }));

/**
 * The newest /usr/lib/postgresql/<major>/bin that has the server and the client tools (Debian's
 * and Ubuntu's layout).
 */
export function debianPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((major) =>
          ['postgres', 'initdb', 'psql', 'pg_dump'].every((tool) =>
            existsSync(join(root, major, 'bin', tool)),
          ),
        )
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(
      `No PostgreSQL server with psql and pg_dump under ${root}: run ./dev setup (it installs the Debian package postgresql).`,
    );
  }
  return join(root, majors[0]!, 'bin');
}

function clientEnv(server: PostgresServer): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, PGPASSWORD: server.password, PGCONNECT_TIMEOUT: '10' };
}

function connection(server: PostgresServer, database: string): string[] {
  return ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', database];
}

/** psql's arguments that apply `file`: in one transaction (`-1`) or, with `single` false, not. */
export function psqlArgs(
  server: PostgresServer,
  database: string,
  file: string,
  single: boolean,
): string[] {
  return [
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    ...(single ? ['-1'] : []),
    ...connection(server, database),
    '-f',
    file,
  ];
}

/**
 * Applies `file` with psql in one transaction; when PostgreSQL refuses a statement there (CREATE
 * INDEX CONCURRENTLY and the like, rolled back with the rest), applies it again without one.
 * Returns whether it ran in a transaction.
 */
export async function psqlApply(
  bin: string,
  server: PostgresServer,
  database: string,
  file: string,
): Promise<boolean> {
  const env = clientEnv(server);
  try {
    await run(join(bin, 'psql'), psqlArgs(server, database, file, true), { env });
    return true;
  } catch (error) {
    if (!/cannot run inside a transaction block/.test(String((error as Error).message))) {
      throw error;
    }
  }
  await run(join(bin, 'psql'), psqlArgs(server, database, file, false), { env });
  return false;
}

/**
 * `pg_dump --schema-only`, without rds-migrate's history table and with what differs between
 * two dumps of the same schema taken apart: the version header comments and the random key of
 * psql's `\restrict`/`\unrestrict` lines (pg_dump since 17.6, 16.10, 15.14).
 */
export async function schemaDump(
  bin: string,
  server: PostgresServer,
  database: string,
  historyTable: string,
): Promise<string> {
  const { stdout } = await run(
    join(bin, 'pg_dump'),
    [
      '--schema-only',
      `--exclude-table=${historyTable}`,
      `--exclude-table=${historyTable}_installed_rank_seq`,
      ...connection(server, database),
    ],
    { env: clientEnv(server), maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .replace(/^-- Dumped (from database|by pg_dump) version .*$/gm, '-- Dumped $1 version')
    .replace(/^\\(restrict|unrestrict) \S+$/gm, '\\$1 <key>');
}
