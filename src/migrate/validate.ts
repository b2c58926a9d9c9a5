// `validate`: every migration applied to a throwaway database — a fresh cluster started for the
// purpose, or a temporary database created on a shadow server and dropped afterwards — and the
// schema they produce described. Nothing touches the real database.
import { randomBytes } from 'node:crypto';
import { UserError } from '../lib/errors.ts';
import { type ApplyOptions, type ApplyResult, type EngineDeps, applyMigrations } from './apply.ts';
import type { Migration } from './migration-set.ts';
import { type SchemaSummary, describeSchema } from './schema.ts';
import type { DatabaseSession } from './session.ts';
import type { ThrowawayPostgres } from './throwaway-postgres.ts';

export type ValidateServer =
  | { kind: 'embedded'; start: () => Promise<ThrowawayPostgres> }
  | {
      kind: 'shadow';
      database: string;
      connect: (database: string) => Promise<DatabaseSession>;
    };

export interface Validation {
  server: string;
  result: ApplyResult;
  schema: SchemaSummary | undefined;
}

type Options = Omit<ApplyOptions, 'phase' | 'outOfOrder' | 'baselineVersion'>;

async function applyAndDescribe(
  client: DatabaseSession,
  migrations: readonly Migration[],
  options: Options,
  deps: Omit<EngineDeps, 'session'>,
): Promise<Omit<Validation, 'server'>> {
  const result = await applyMigrations(
    migrations,
    { ...options, phase: 'all', outOfOrder: false, baselineVersion: undefined },
    { ...deps, session: client },
  );
  const schema =
    result.outcome === 'failed'
      ? undefined
      : await describeSchema(client, options.history.qualified);
  return { result, schema };
}

export async function validateMigrations(
  migrations: readonly Migration[],
  server: ValidateServer,
  options: Options,
  deps: Omit<EngineDeps, 'session'>,
): Promise<Validation> {
  if (server.kind === 'embedded') {
    const postgres = await server.start();
    try {
      const client = await postgres.connect();
      try {
        return {
          server: postgres.version,
          ...(await applyAndDescribe(client, migrations, options, deps)),
        };
      } finally {
        await client.end().catch(() => {});
      }
    } finally {
      await postgres.stop();
    }
  }
  const name = `rds_migrate_validate_${randomBytes(6).toString('hex')}`;
  const admin = await server.connect(server.database);
  try {
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } catch (error) {
      throw new UserError(
        `Cannot create a temporary database on the shadow server (${(error as Error).message}): give shadow-database-url a user with CREATEDB.`,
        { cause: error },
      );
    }
    try {
      const client = await server.connect(name);
      let validation: Omit<Validation, 'server'>;
      let version: string;
      try {
        version = String((await client.query('SHOW server_version')).rows[0]?.server_version ?? '');
        validation = await applyAndDescribe(client, migrations, options, deps);
      } finally {
        await client.end().catch(() => {});
      }
      return { server: `shadow PostgreSQL ${version}, database ${name}`, ...validation };
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    }
  } finally {
    await admin.end().catch(() => {});
  }
}
