// Shared set-up of the engine tests: a migrations directory, a database, and the engine's options.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type ApplyOptions, type EngineDeps, applyMigrations } from '../../../src/migrate/apply.ts';
import type { MigrateEvent } from '../../../src/migrate/events.ts';
import { historyTable } from '../../../src/migrate/history.ts';
import { loadMigrations } from '../../../src/migrate/migration-set.ts';
import type { PostgresServer } from '../../postgres/server.ts';

export function migrationsDir(files: Record<string, string>): {
  dir: string;
  write: (files: Record<string, string>) => void;
  remove: (name: string) => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  const write = (more: Record<string, string>) => {
    for (const [name, text] of Object.entries(more)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  };
  write(files);
  return { dir, write, remove: (name) => rmSync(join(dir, name)) };
}

export const OPTIONS: ApplyOptions = {
  history: historyTable('"public"', '"schema_history"'),
  outOfOrder: false,
  baselineVersion: undefined,
  phase: 'all',
  lockWaitMs: 10_000,
  lockTimeoutMs: 2_000,
  statementTimeoutMs: 60_000,
  lockRetries: 3,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 100,
  appliedBy: 'https://github.com/octo-org/octo-app/actions/runs/1',
  commit: 'a'.repeat(40),
};

export async function connect(server: PostgresServer, database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: server.url(database) });
  await client.connect();
  return client;
}

/**
 * Virtual time: a sleep moves the clock on at once, after letting other work run, so a test never
 * waits on the wall clock; `slept` is what the engine asked to wait.
 */
export function virtualClock() {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    async sleep(ms: number, signal?: AbortSignal) {
      signal?.throwIfAborted();
      slept.push(ms);
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * Loads `dir` and applies it on a fresh connection, on virtual time unless `deps` say otherwise;
 * returns the result and the events.
 */
export async function apply(
  server: PostgresServer,
  database: string,
  dir: string,
  options: Partial<ApplyOptions> = {},
  deps: Partial<EngineDeps> = {},
) {
  const events: MigrateEvent[] = [];
  const client = await connect(server, database);
  try {
    const result = await applyMigrations(
      await loadMigrations(dir),
      { ...OPTIONS, ...options },
      {
        ...virtualClock(),
        ...deps,
        session: client,
        onEvent: (event) => {
          events.push(event);
          deps.onEvent?.(event);
        },
      },
    );
    return { result, events };
  } finally {
    await client.end();
  }
}
