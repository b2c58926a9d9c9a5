// dist/rds-migrate/index.js run as the runner runs it, against a real PostgreSQL started by the
// test: apply, plan, lint, two runners at once, SIGKILL mid-migration, and one clear line for each
// bad input. Every run's log is scanned for the database password.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type ActionRun, expectNoSecretsIn } from '../harness/index.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import { useActionSteps } from './action-steps.ts';
import { errors, expectFailure, result } from './step-assertions.ts';
import { migrationsWorkspace } from './workspace.ts';

const KEYS = {
  accessKeyId: 'AKIARDSMIGRATEE2E001',
  secretAccessKey: 'rds-migrate-e2e-aws-secret-key',
};

let server: PostgresServer;
let emulator: Emulator;

beforeAll(async () => {
  server = await startPostgres();
  emulator = await startEmulator();
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/ci' });
});

const steps = useActionSteps('actions/rds-migrate/action.yml', {
  defaults: () => ({ timeoutMs: 60_000 }),
  secrets: (runs) => {
    expect(runs.length).toBeGreaterThan(5);
    return [server.password, KEYS.secretAccessKey];
  },
  close: async () => {
    await emulator.close();
    await server.stop();
  },
});

const awsEnv = () => ({
  AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
  AWS_ENDPOINT_URL: emulator.url,
  AWS_REGION: 'us-east-1',
});

function run(
  cwd: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  return steps.run({ cwd, inputs, env });
}

const V1 = 'CREATE TABLE customers (id bigint PRIMARY KEY, name text);';
const V2 =
  'CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_id ON orders (id);';

describe('rds-migrate bundle', () => {
  it('applies pending migrations, masks the password, and reports the plan, outputs and summary', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({ 'V1__customers.sql': V1, 'V2__orders.sql': V2 });
    const r = await run(cwd, { command: 'apply', 'database-url': server.url(db) });
    expect(r.exitCode).toBe(0);
    expect(r.masks).toContain(server.password);
    expect(r.outputs).toMatchObject({ applied: '2', pending: '0', findings: '0' });
    expect(result(r)).toMatchObject({
      version: 1,
      command: 'apply',
      outcome: 'applied',
      current: '2',
      applied: [{ script: 'V1__customers.sql' }, { script: 'V2__orders.sql' }],
    });
    expect(r.log).toContain('part 2: CREATE INDEX CONCURRENTLY, alone, outside a transaction');
    expect(r.summary).toContain('### Plan');
    expect(r.summary).toContain('`V2__orders.sql`');
    expect(r.outputs.comment).toContain('alone, outside a transaction (CREATE INDEX CONCURRENTLY)');
    expect(
      await server.query(db, 'SELECT version, success FROM rds_migrate_history ORDER BY 1'),
    ).toEqual([
      { version: '1', success: true },
      { version: '2', success: true },
    ]);

    const again = await run(cwd, { command: 'apply', 'database-url': server.url(db) });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({ applied: '0', pending: '0' });
    expect(result(again)).toMatchObject({ outcome: 'up-to-date', current: '2' });
  });

  it('plan and apply agree: a baselined migration never blocks, a pending one does', async () => {
    const db = await server.createDatabase();
    // A database that already has what V1 and V2 make, adopted with baseline-version 2. V2's
    // index, built without CONCURRENTLY on an existing table, is a finding.
    const index = 'CREATE INDEX customers_name ON customers (name);';
    await server.query(db, `${V1}\n${index}`);
    const files = {
      'V1__customers.sql': V1,
      'V2__customers_name.sql': index,
      'V3__orders.sql': V2,
    };
    const inputs = { 'database-url': server.url(db), 'baseline-version': '2' };

    const plan = await run(migrationsWorkspace(files), { command: 'plan', ...inputs });
    expect(plan.exitCode).toBe(0);
    expect(plan.outputs).toMatchObject({ pending: '1', findings: '1' });

    const withPendingIndex = migrationsWorkspace({
      ...files,
      'V4__orders_index.sql': 'CREATE INDEX orders_again ON orders (id);',
    });
    const blocked = await run(withPendingIndex, { command: 'plan', ...inputs });
    expect(blocked.exitCode).toBe(1);
    // Every finding is annotated on its file; the one failing line counts the pending one alone.
    expect(errors(blocked).at(-1)!.message).toMatch(
      /^Lint: 1 finding would lock or break the live database \(first: V4__orders_index\.sql:1 /,
    );

    const apply = await run(migrationsWorkspace(files), { command: 'apply', ...inputs });
    expect(apply.exitCode).toBe(0);
    expect(result(apply)).toMatchObject({
      outcome: 'applied',
      applied: [{ script: 'V3__orders.sql' }],
    });
  });

  it('plans without changing anything', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({ 'V1__customers.sql': V1, 'V2__orders.sql': V2 });
    const r = await run(cwd, { command: 'plan', 'database-url': server.url(db) });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ applied: '0', pending: '2' });
    expect(r.outputs.comment).toContain(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_id ON orders (id)',
    );
    expect(await server.query(db, "SELECT to_regclass('rds_migrate_history') AS t")).toEqual([
      { t: null },
    ]);
    expect(await server.query(db, "SELECT to_regclass('customers') AS t")).toEqual([{ t: null }]);
  });

  it('lints without a database: annotations on the file and line, one failing line', async () => {
    const cwd = migrationsWorkspace({
      'V1__customers.sql': V1,
      'V2__index.sql': 'SELECT 1;\nCREATE INDEX customers_name ON customers (name);',
    });
    const r = await run(cwd, { command: 'lint' });
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        properties: expect.objectContaining({ file: 'migrations/V2__index.sql', line: '2' }),
        message: expect.stringContaining('require-concurrent-index-creation'),
      }),
    );
    expect(r.exitCode).toBe(1);
    const failing = errors(r).filter((e) => e.message.startsWith('Lint:'));
    expect(failing).toHaveLength(1);
    expect(failing[0]!.message).toContain('V2__index.sql:2 require-concurrent-index-creation');
    expect(result(r)).toMatchObject({
      outcome: 'failed',
      findings: [{ rule: 'require-concurrent-index-creation' }],
    });
  });

  it('refuses to apply when a pending migration fails the lint, before changing anything', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({
      'V1__customers.sql': V1,
      'V2__drop.sql': 'ALTER TABLE customers DROP COLUMN name;',
    });
    // Declared live: an empty database would be new, its findings reported and none blocking.
    const r = await run(cwd, {
      command: 'apply',
      'database-url': server.url(db),
      'database-state': 'live',
    });
    expect(r.exitCode).toBe(1);
    expect(errors(r).at(-1)!.message).toMatch(/^Lint: 1 finding .*V2__drop\.sql:1 ban-drop-column/);
    expect(await server.query(db, "SELECT to_regclass('customers') AS t")).toEqual([{ t: null }]);
  });

  it('applies each migration exactly once when two runners start at once', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({
      'V1__customers.sql': `${V1}\nSELECT pg_sleep(0.5);`,
      'V2__orders.sql': V2,
      'V3__runs.sql': 'CREATE TABLE runs (n int);\nINSERT INTO runs VALUES (1);',
    });
    const inputs = { command: 'apply', 'database-url': server.url(db) };
    const [a, b] = await Promise.all([run(cwd, inputs), run(cwd, inputs)]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect([a.outputs.applied, b.outputs.applied].sort()).toEqual(['0', '3']);
    expect(`${a.log}${b.log}`).toContain('Waiting for the migration lock (held by backend pid');
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM runs')).toEqual([{ n: 1 }]);
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM rds_migrate_history')).toEqual([
      { n: 3 },
    ]);
  });

  it('leaves no partial change and no lock when killed mid-migration, and the next run completes', async () => {
    const db = await server.createDatabase();
    await server.query('postgres', `ALTER DATABASE ${db} SET app.slow = 'on'`);
    const cwd = migrationsWorkspace({
      'V1__customers.sql': V1,
      'V2__slow.sql': `CREATE TABLE half (id int);
SELECT pg_sleep(CASE WHEN current_setting('app.slow', true) = 'on' THEN 60 ELSE 0 END);
CREATE TABLE done (id int);`,
    });
    const running = steps.start({
      cwd,
      inputs: { command: 'apply', 'database-url': server.url(db) },
    });
    // Both files go in one message, each in its own transaction: V1 commits before V2 sleeps.
    await running.waitForOutput(
      /Applying 2 migrations in one message, each in its own transaction \(4 statements\): V1__customers\.sql … V2__slow\.sql/,
      30_000,
    );
    await sleeping(db);
    running.kill('SIGKILL');
    const killed = await running.result;
    expect(killed.signal).toBe('SIGKILL');
    await server.query('postgres', `ALTER DATABASE ${db} RESET app.slow`);

    // The backend notices the dead client within a second: rolled back, advisory lock gone.
    await lockFreed(db);
    expect(await server.query(db, "SELECT to_regclass('half') AS t")).toEqual([{ t: null }]);
    expect(
      await server.query(db, 'SELECT version FROM rds_migrate_history ORDER BY installed_rank'),
    ).toEqual([{ version: '1' }]);

    const next = await run(cwd, {
      command: 'apply',
      'database-url': server.url(db),
      'lock-wait': '5s',
    });
    expect(next.exitCode).toBe(0);
    expect(result(next)).toMatchObject({
      outcome: 'applied',
      applied: [{ script: 'V2__slow.sql' }],
    });
    expect(await server.query(db, "SELECT to_regclass('done')::text AS t")).toEqual([
      { t: 'done' },
    ]);
  });

  it('rolls back and frees the lock when the job is cancelled mid-migration', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({
      'V1__slow.sql': 'CREATE TABLE half (id int);\nSELECT pg_sleep(60);',
    });
    const running = steps.start({
      cwd,
      inputs: { command: 'apply', 'database-url': server.url(db) },
    });
    await running.waitForOutput(/part 1: 2 statements in one transaction/, 30_000);
    await sleeping(db);
    const cancelled = await running.cancel();
    expect(cancelled.exitCode).toBe(1);
    expect(errors(cancelled).map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^V1__slow\.sql:2: stopped because the job was cancelled \(SIGINT\); the session was closed, so PostgreSQL rolled back the open transaction/,
      ),
    ]);
    await lockFreed(db);
    expect(await server.query(db, "SELECT to_regclass('half') AS t")).toEqual([{ t: null }]);
  });

  it('fails a migration cleanly: one line with file, line and SQLSTATE, nothing of it applied', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace({
      'V1__customers.sql': V1,
      'V2__bad.sql': 'CREATE TABLE t2 (id bigint);\nINSERT INTO missing VALUES (1);',
    });
    const r = await run(cwd, { command: 'apply', 'database-url': server.url(db) });
    expectFailure(
      r,
      /^V2__bad\.sql:2: relation "missing" does not exist \(SQLSTATE 42P01\); rolled back, nothing of it is applied\.$/,
    );
    expect(result(r)).toMatchObject({
      outcome: 'failed',
      applied: [{ script: 'V1__customers.sql' }],
      failed: { script: 'V2__bad.sql', line: 2, sqlState: '42P01' },
    });
    expect(await server.query(db, "SELECT to_regclass('t2') AS t")).toEqual([{ t: null }]);
  });
});

describe('rds-migrate validate', () => {
  const files = {
    'V1__customers.sql': V1,
    'V2__orders.sql': `${V2}\nALTER TABLE orders ADD COLUMN customer_id bigint;\nALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;`,
    'V3__mood.sql':
      "CREATE TYPE mood AS ENUM ('ok', 'bad');\nCREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    'R__names.sql': 'CREATE OR REPLACE VIEW names AS SELECT name FROM customers;',
  };

  it('applies everything to a throwaway PostgreSQL it starts, and reports the schema', async () => {
    const r = await run(migrationsWorkspace(files), { command: 'validate' });
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(/Validated on postgres \(PostgreSQL\) \d+/);
    const res = result(r);
    expect(res).toMatchObject({ command: 'validate', outcome: 'valid' });
    expect(res.applied).toHaveLength(4);
    expect(res.schema).toMatchObject({
      tables: [
        {
          name: 'public.customers',
          columns: [
            { name: 'id', type: 'bigint', nullable: false },
            { name: 'name', type: 'text', nullable: true },
          ],
        },
        {
          name: 'public.orders',
          constraints: [
            'orders_customer FOREIGN KEY (customer_id) REFERENCES customers(id) NOT VALID',
            'orders_pkey PRIMARY KEY (id)',
          ],
          indexes: [
            'CREATE INDEX orders_id ON public.orders USING btree (id)',
            'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)',
          ],
        },
      ],
      views: ['public.names'],
      types: ["public.mood enum ('ok', 'bad')"],
      functions: ['public.one()'],
    });
    expect(r.summary).toContain('**public.orders**');
  });

  it('validates on a temporary database of a shadow server, and drops it', async () => {
    const before = await server.query('postgres', 'SELECT count(*)::int AS n FROM pg_database');
    const r = await run(migrationsWorkspace(files), {
      command: 'validate',
      'shadow-database-url': server.url('postgres'),
    });
    expect(r.exitCode).toBe(0);
    expect(result(r)).toMatchObject({
      outcome: 'valid',
      validatedOn: expect.stringMatching(
        /^shadow PostgreSQL 18\.\d+, database rds_migrate_validate_/,
      ),
    });
    expect(r.masks).toContain(server.password);
    expect(await server.query('postgres', 'SELECT count(*)::int AS n FROM pg_database')).toEqual(
      before,
    );
  });

  it('fails on the statement that does not apply, in one line', async () => {
    const r = await run(
      migrationsWorkspace({
        'V1__customers.sql': V1,
        'V2__bad.sql': 'ALTER TABLE customer ADD COLUMN x int;',
      }),
      { command: 'validate' },
    );
    expectFailure(r, /^V2__bad\.sql:1: relation "customer" does not exist \(SQLSTATE 42P01\)/);
  });
});

describe('rds-migrate with the connection in Secrets Manager', () => {
  it('reads the RDS secret, masks its password and applies', async () => {
    const db = await server.createDatabase();
    emulator.secretsManager.put('prod/app/db', {
      engine: 'postgres',
      username: server.user,
      password: server.password,
      host: '127.0.0.1',
      port: server.port,
      dbname: 'postgres',
      dbInstanceIdentifier: 'app',
    });
    const cwd = migrationsWorkspace({ 'V1__customers.sql': V1 });
    const r = await run(
      cwd,
      { command: 'apply', 'secret-id': 'prod/app/db', database: db },
      awsEnv(),
    );
    expect(r.exitCode).toBe(0);
    expect(r.masks).toContain(server.password);
    expect(r.log).toContain('Reading the database secret prod/app/db (us-east-1)');
    expect(r.outputs.applied).toBe('1');
    expect(emulator.calls.filter((c) => c.action === 'GetSecretValue').at(-1)?.status).toBe(200);
    expect(await server.query(db, "SELECT to_regclass('customers')::text AS t")).toEqual([
      { t: 'customers' },
    ]);
  });

  it('says which secret is missing, in one line', async () => {
    const r = await run(
      migrationsWorkspace({ 'V1__customers.sql': V1 }),
      { command: 'plan', 'secret-id': 'prod/missing' },
      awsEnv(),
    );
    expectFailure(
      r,
      /^Secrets Manager refused to read secret 'prod\/missing': .*ResourceNotFoundException.*Check secret-id/,
    );
  });

  it('refuses a secret that is not the RDS shape, without printing it', async () => {
    emulator.secretsManager.put('prod/not-rds', { user: 'app', pass: server.password });
    const r = await run(
      migrationsWorkspace({ 'V1__customers.sql': V1 }),
      { command: 'plan', 'secret-id': 'prod/not-rds' },
      awsEnv(),
    );
    expectFailure(r, /^Secret 'prod\/not-rds' has no 'username'/);
  });
});

describe('rds-migrate bad inputs: one clear line each', () => {
  const url = () => server.url('postgres');

  it.each([
    [
      'missing migrations directory',
      {},
      { migrations: 'db/nowhere' },
      /^Migrations directory '.*db\/nowhere' does not exist or is not a directory/,
    ],
    [
      'malformed file name',
      { 'V1-customers.sql': V1 },
      {},
      /^Migration file 'V1-customers\.sql' is not named V<version>__<description>\.sql/,
    ],
    [
      'duplicate versions',
      { 'V1__a.sql': V1, 'V1.0__b.sql': V1 },
      {},
      /^Migrations 'V1\.0__b\.sql' and 'V1__a\.sql' both have version 1/,
    ],
    [
      'syntax error',
      { 'V1__a.sql': 'SELECT 1;\nCREATE TABEL x (id int);' },
      {},
      /^V1__a\.sql:2:8: syntax error at or near "TABEL"/,
    ],
    [
      'unknown command',
      { 'V1__a.sql': V1 },
      { command: 'migrate' },
      /^Input 'command' is 'migrate': use one of lint, plan, apply, validate\.$/,
    ],
    [
      'no database for plan',
      { 'V1__a.sql': V1 },
      { 'database-url': '' },
      /^command: plan needs a database/,
    ],
  ])('%s', async (_name, files, inputs, message) => {
    const r = await run(migrationsWorkspace(files), {
      command: 'plan',
      'database-url': url(),
      ...inputs,
    });
    expectFailure(r, message);
  });

  it('unreachable database', async () => {
    const r = await run(migrationsWorkspace({ 'V1__a.sql': V1 }), {
      command: 'plan',
      'database-url': `postgres://admin:${encodeURIComponent(server.password)}@127.0.0.1:1/postgres`,
    });
    expectFailure(r, /^Cannot reach the database at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it('wrong password', async () => {
    const wrong = `${server.password}-wrong`;
    const r = await run(migrationsWorkspace({ 'V1__a.sql': V1 }), {
      command: 'plan',
      'database-url': `postgres://admin:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}/postgres`,
    });
    expectFailure(
      r,
      /^The database at 127\.0\.0\.1:\d+ refused user 'admin' \(password authentication failed/,
    );
    expectNoSecretsIn(r, [wrong]);
    expect(r.masks).toContain(wrong);
  });

  it('TLS required but refused by the server', async () => {
    const r = await run(migrationsWorkspace({ 'V1__a.sql': V1 }), {
      command: 'plan',
      'database-url': `${url()}?sslmode=require`,
    });
    expectFailure(r, /^The database at 127\.0\.0\.1:\d+ does not accept TLS connections/);
  });

  it('plain connection to a host that is not loopback', async () => {
    const r = await run(migrationsWorkspace({ 'V1__a.sql': V1 }), {
      command: 'plan',
      'database-url': `postgres://admin:${encodeURIComponent(server.password)}@db.example.internal:5432/app?sslmode=disable`,
    });
    expectFailure(
      r,
      /^Input 'database-url' asks for a plain connection \(sslmode=disable\) to db\.example\.internal/,
    );
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Until the migration's session is inside its pg_sleep. */
function sleeping(db: string): Promise<void> {
  return waitFor(async () => {
    const rows = await server.query(
      db,
      // The statement alone, or inside several migrations sent in one message.
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'rds-migrate' AND query LIKE '%SELECT pg_sleep(%' AND pid <> pg_backend_pid()",
    );
    return rows.length === 1;
  });
}

/** Until no session holds the migration lock (an advisory lock). */
function lockFreed(db: string): Promise<void> {
  return waitFor(async () => {
    const locks = await server.query(db, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory'");
    return locks.length === 0;
  });
}
