// dist/rds-migrate/cli.js, the command line, copied away from the repository (so it cannot lean
// on node_modules) and run as a terminal or another CI would run it, against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import { WorkflowCommandProcessor } from '../harness/workflow-commands.ts';
import { migrationsWorkspace } from './workspace.ts';

const root = new URL('../..', import.meta.url).pathname;
let server: PostgresServer;
let cli: string;
const outputs: string[] = [];

beforeAll(async () => {
  server = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'rds-migrate-cli-'));
  cpSync(join(root, 'dist/rds-migrate'), dir, { recursive: true });
  cli = join(dir, 'cli.js');
});

afterAll(async () => {
  try {
    for (const text of outputs) expect(text).not.toContain(server.password);
  } finally {
    await server.stop();
  }
});

/** Runs a copy of the command line, and keeps what it printed for the password scan. */
function runScript(script: string, cwd: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  outputs.push(r.stdout, r.stderr);
  return r;
}

const cliRun = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  runScript(cli, cwd, args, env);

describe('rds-migrate command line', () => {
  it('applies with DATABASE_URL from the environment and prints the result as JSON', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({ 'V1__t.sql': 'CREATE TABLE t (id bigint);' });
    const r = cliRun(cwd, ['apply', '--json', '--summary', 'summary.md'], {
      DATABASE_URL: server.url(db),
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      command: 'apply',
      outcome: 'applied',
      applied: [{ script: 'V1__t.sql' }],
    });
    expect(r.stderr).toContain('Applied V1__t.sql');
    expect(readFileSync(join(cwd, 'summary.md'), 'utf8')).toContain('### Apply');
    const [row] = await server.query<{ applied_by: string }>(
      db,
      'SELECT applied_by FROM rds_migrate_history',
    );
    expect(row!.applied_by).toMatch(/^.+@.+$/);
  });

  it('against a live database a finding blocks the apply, and a file the parser refuses stops it', async () => {
    const db = await server.createDatabase();
    await server.query(db, 'CREATE TABLE orders (id bigint PRIMARY KEY, note text)');
    const unsafe = migrationsWorkspace({ 'V1__i.sql': 'CREATE INDEX i ON orders (note);' });
    const blocked = cliRun(unsafe, ['apply'], { DATABASE_URL: server.url(db) });
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toContain(
      'migrations/V1__i.sql:1:1: error: require-concurrent-index-creation',
    );
    const broken = migrationsWorkspace({
      'V1__c.sql': 'ALTER TABLE orders ADD COLUMN c text;',
      'V2__b.sql': 'CREATE TABEL b (id bigint);',
    });
    const refused = cliRun(broken, ['apply'], { DATABASE_URL: server.url(db) });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/V2__b\.sql:1:8: syntax error at or near "TABEL"/);
    const indexes = await server.query(db, "SELECT 1 FROM pg_indexes WHERE indexname = 'i'");
    const columns = await server.query(
      db,
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'c'",
    );
    expect([indexes, columns]).toEqual([[], []]);
  });

  it('lints with findings as file:line:col lines and exit code 1', () => {
    const cwd = migrationsWorkspace({ 'V1__i.sql': 'SELECT 1;\nCREATE INDEX i ON orders (x);' });
    const r = cliRun(cwd, ['lint']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'migrations/V1__i.sql:2:1: error: require-concurrent-index-creation: index on orders.',
    );
    expect(r.stderr).toMatch(/^error: Lint: 1 finding/m);
  });

  it('refuses a database URL on the command line', () => {
    const r = cliRun(migrationsWorkspace({}), ['plan', '--database-url', server.url('postgres')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('database URLs come from DATABASE_URL');
  });

  it('shows the plan in text, and says when apply has nothing to do', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({
      'V1__t.sql': 'CREATE TABLE t (id bigint);',
      'V2__i.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (id);',
    });
    const env = { DATABASE_URL: server.url(db) };
    const plan = cliRun(cwd, ['plan'], env);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('Plan: 2 pending migrations after no version yet:');
    expect(plan.stdout).toMatch(/^ {2}V1__t\.sql \(expand, new\): 1 part$/m);
    expect(plan.stdout).toMatch(/^ {2}V2__i\.sql .*one outside a transaction$/m);

    expect(cliRun(cwd, ['apply'], env).stdout).toContain(
      'Applied 2; the database is at version 2.',
    );
    const again = cliRun(cwd, ['apply'], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(
      'Nothing to apply: the database is at version 2, with no pending migration.',
    );
  });

  it('exits 2 on an unknown command, as on any usage error', () => {
    const r = cliRun(migrationsWorkspace({}), ['migrate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^error: unknown command 'migrate': use one of lint, plan, apply, validate$/m,
    );
  });

  it('inside a workflow step, echoes what was typed without it acting as a workflow command', () => {
    const r = cliRun(migrationsWorkspace({}), ['lint', '--bogus\n::error::forged'], {
      GITHUB_ACTIONS: 'true',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('::error::forged');
    const processor = new WorkflowCommandProcessor();
    for (const line of r.stderr.split(/\r\n|\r|\n/)) processor.processLine(line);
    expect(processor.annotations).toEqual([]);
  });

  it('validates on a shadow server given in SHADOW_DATABASE_URL', () => {
    const cwd = migrationsWorkspace({ 'V1__t.sql': 'CREATE TABLE t (id bigint);' });
    const r = cliRun(cwd, ['validate', '--json'], { SHADOW_DATABASE_URL: server.url('postgres') });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      outcome: 'valid',
      schema: { tables: [{ name: 'public.t' }] },
    });
  });
});

describe('rds-migrate as one file', () => {
  let single: string;
  let cache: string;

  beforeAll(() => {
    // The file alone, in a directory with nothing beside it.
    const dir = mkdtempSync(join(tmpdir(), 'rds-migrate-one-file-'));
    single = join(dir, 'rds-migrate.mjs');
    cpSync(join(root, 'dist/rds-migrate/rds-migrate.mjs'), single);
    cache = mkdtempSync(join(tmpdir(), 'rds-migrate-cache-'));
  });

  const oneFile = (cwd: string, args: string[], env: Record<string, string> = {}) =>
    runScript(single, cwd, args, { RDS_MIGRATE_CACHE: cache, ...env });

  it('unpacks itself once and applies, with the exit codes and output of the command line', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({ 'V1__t.sql': 'CREATE TABLE t (id bigint);' });
    const first = oneFile(cwd, ['apply', '--json'], { DATABASE_URL: server.url(db) });
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ outcome: 'applied' });
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^rds-migrate-[0-9a-f]{16}$/)]);
    expect(readdirSync(join(cache, readdirSync(cache)[0]!))).toContain('libpg-query.wasm');

    const bad = migrationsWorkspace({ 'V1__i.sql': 'CREATE INDEX i ON orders (x);' });
    const lint = oneFile(bad, ['lint']);
    expect(lint.status).toBe(1);
    expect(lint.stderr).toContain(
      'migrations/V1__i.sql:1:1: error: require-concurrent-index-creation',
    );
    expect(readdirSync(cache)).toHaveLength(1);
  });
});
