// Adopting an existing history, through the bundle as the runner runs it, against a real
// PostgreSQL: a database with no tables and no history takes a whole history whose migrations
// have blocking findings (reported, none blocking); the same history against a database with a
// table of its own is blocked; `database-state: new` is refused on such a database; and lint in a
// real git repository judges only what the branch added. One line for each bad input.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ActionRun } from '../harness/index.ts';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import { useActionSteps } from './action-steps.ts';
import { errors, expectFailure, expectSuccess, result } from './step-assertions.ts';
import { migrationsWorkspace } from './workspace.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});

const steps = useActionSteps('actions/rds-migrate/action.yml', {
  defaults: () => ({ timeoutMs: 60_000 }),
  secrets: () => [server.password],
  close: () => server.stop(),
});

/** A history as real ones are: the indexes built on tables made earlier, a NOT NULL added later. */
const HISTORY = {
  'V1__customers.sql': 'CREATE TABLE customers (id bigint PRIMARY KEY, email text);',
  'V2__customers_email.sql': 'CREATE INDEX customers_email ON customers (email);',
  'V3__orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);',
  'V4__orders_customer.sql':
    'ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);',
};
const FINDINGS = [
  ['V2__customers_email.sql', 'require-concurrent-index-creation'],
  ['V4__orders_customer.sql', 'constraint-missing-not-valid'],
];

/** Refused after its findings were annotated: exit 1, the refusal the one error without a file, last. */
function expectRefusal(r: ActionRun, message: RegExp): void {
  expect(r.exitCode).toBe(1);
  expect(errors(r).at(-1)?.message).toMatch(message);
  expect(errors(r).filter((e) => e.properties.file === undefined)).toHaveLength(1);
  expect(r.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

const findings = (r: ActionRun) =>
  (result(r).findings as { script: string; rule: string }[]).map((f) => [f.script, f.rule]);
const tables = (db: string) =>
  server.query(
    db,
    "SELECT string_agg(tablename, ',' ORDER BY tablename) AS t FROM pg_tables WHERE schemaname = 'public'",
  );

describe('a database that is not live takes the whole history', () => {
  it('no tables and no history: every migration applied, the findings reported as warnings, none blocking', async () => {
    const db = await server.createDatabase();
    const cwd = migrationsWorkspace(HISTORY);
    const r = await steps.run({
      cwd,
      inputs: { command: 'apply', 'database-url': server.url(db) },
    });
    expectSuccess(r);
    expect(r.log).toContain(
      'Database has no tables and no history: treated as new, findings reported, none blocking.',
    );
    expect(result(r)).toMatchObject({
      outcome: 'applied',
      current: '4',
      database: { state: 'new' },
    });
    expect(findings(r)).toEqual(FINDINGS);
    expect(r.outputs.findings).toBe('2');
    expect(
      r.annotations
        .filter((a) => a.source === 'action')
        .map((a) => [
          a.level,
          a.properties.file,
          a.message.endsWith('(not blocking: the database is new)'),
        ]),
    ).toEqual([
      ['warning', 'migrations/V2__customers_email.sql', true],
      ['warning', 'migrations/V4__orders_customer.sql', true],
    ]);
    expect(r.summary).toContain('Database: **new**: database has no tables and no history');
    expect(await tables(db)).toEqual([{ t: 'customers,orders,rds_migrate_history' }]);

    // Once it holds the history it is live: a new migration's finding blocks.
    const next = migrationsWorkspace({
      ...HISTORY,
      'V5__orders_customer.sql': 'CREATE INDEX orders_customer ON orders (customer_id);',
    });
    const blocked = await steps.run({
      cwd: next,
      inputs: { command: 'plan', 'database-url': server.url(db) },
    });
    expectRefusal(
      blocked,
      /^Lint: 1 finding would lock or break the live database \(first: V5__orders_customer\.sql:1 /,
    );
    expect(blocked.log).toMatch(
      /Database has a migration history \(4 rows\) and 2 tables or views of its own \(public\.customers, public\.orders\): treated as live/,
    );
  });

  it('plan agrees: nothing blocks on a new database, and nothing changes', async () => {
    const db = await server.createDatabase();
    const r = await steps.run({
      cwd: migrationsWorkspace(HISTORY),
      inputs: { command: 'plan', 'database-url': server.url(db) },
    });
    expectSuccess(r);
    expect(result(r)).toMatchObject({ outcome: 'ok', database: { state: 'new' } });
    expect(r.outputs.pending).toBe('4');
    expect(await tables(db)).toEqual([{ t: null }]);
  });

  it('a database with a table of its own is live: the same history is blocked, nothing applied', async () => {
    const db = await server.createDatabase();
    await server.query(db, 'CREATE TABLE legacy (id int)');
    const r = await steps.run({
      cwd: migrationsWorkspace(HISTORY),
      inputs: { command: 'apply', 'database-url': server.url(db) },
    });
    expectRefusal(
      r,
      /^Lint: 2 findings would lock or break the live database \(first: V2__customers_email\.sql:1 require-concurrent-index-creation\)/,
    );
    expect(r.log).toContain(
      'Database has 1 table or view of its own (public.legacy): treated as live, findings of pending migrations block.',
    );
    expect(result(r)).toMatchObject({ outcome: 'failed', database: { state: 'live' } });
    // Live: the findings are errors on their files.
    expect(errors(r).map((e) => e.properties.file)).toEqual([
      'migrations/V2__customers_email.sql',
      'migrations/V4__orders_customer.sql',
      undefined,
    ]);
    expect(await tables(db)).toEqual([{ t: 'legacy' }]);
  });

  it('database-state: new is refused on a database that has tables, in one line, nothing applied', async () => {
    const db = await server.createDatabase();
    await server.query(db, 'CREATE TABLE legacy (id int)');
    const r = await steps.run({
      cwd: migrationsWorkspace(HISTORY),
      inputs: { command: 'apply', 'database-url': server.url(db), 'database-state': 'new' },
    });
    expectRefusal(
      r,
      /^The database is declared new but has 1 table or view of its own \(public\.legacy\): only a database with no tables and no history is new/,
    );
    expect(await tables(db)).toEqual([{ t: 'legacy' }]);
  });

  it('database-state: live blocks on an empty database too', async () => {
    const db = await server.createDatabase();
    const r = await steps.run({
      cwd: migrationsWorkspace(HISTORY),
      inputs: { command: 'apply', 'database-url': server.url(db), 'database-state': 'live' },
    });
    expectRefusal(r, /^Lint: 2 findings would lock or break the live database/);
    expect(r.log).toContain('Database declared live: findings of pending migrations block.');
    expect(await tables(db)).toEqual([{ t: null }]);
  });

  it('an unknown database-state: one line', async () => {
    const r = await steps.run({
      cwd: migrationsWorkspace(HISTORY),
      inputs: {
        command: 'apply',
        'database-url': server.url('postgres'),
        'database-state': 'fresh',
      },
    });
    expectFailure(r, /^Input 'database-state' is 'fresh': use one of auto, live, new\.$/);
  });
});

describe('lint in a pull request judges what the branch added', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd,
      encoding: 'utf8',
    });

  /** A repository whose main holds the history (with its findings); the branch adds one migration. */
  function repository(added: string): string {
    const cwd = migrationsWorkspace(HISTORY);
    git(cwd, 'init', '-q', '-b', 'main');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', 'history');
    git(cwd, 'checkout', '-q', '-b', 'feature');
    execFileSync('sh', ['-c', 'cat > migrations/V5__added.sql'], { cwd, input: added });
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', 'add V5');
    return cwd;
  }

  it('with base-ref: only the new file is judged, and its finding fails the lint', async () => {
    const cwd = repository('CREATE INDEX orders_customer ON orders (customer_id);');
    const r = await steps.run({ cwd, inputs: { command: 'lint', 'base-ref': 'main' } });
    expectRefusal(
      r,
      /^Lint: 1 finding would lock or break the live database \(first: V5__added\.sql:1 /,
    );
    expect(findings(r)).toEqual([['V5__added.sql', 'require-concurrent-index-creation']]);
    expect(r.log).toMatch(
      /Linting the 1 migration added or changed since main \(merge base [0-9a-f]{12}\): V5__added\.sql\./,
    );
    expect(result(r)).toMatchObject({ lintScope: { base: 'main', judged: ['V5__added.sql'] } });
  });

  it("on a pull_request event, the pull request's base by default (as origin/main): a safe addition passes", async () => {
    const cwd = repository('CREATE TABLE notes (id bigint PRIMARY KEY, body text);');
    // A pull request's checkout has the base as a remote-tracking branch only.
    git(cwd, 'update-ref', 'refs/remotes/origin/main', 'main');
    git(cwd, 'branch', '-q', '-D', 'main');
    const r = await steps.run({
      cwd,
      inputs: { command: 'lint' },
      context: { eventName: 'pull_request', baseRef: 'main' },
    });
    expectSuccess(r);
    expect(findings(r)).toEqual([]);
    expect(result(r)).toMatchObject({
      lintScope: { base: 'origin/main', judged: ['V5__added.sql'] },
    });

    // Without a base ref (a push), every file is judged, as before.
    const all = await steps.run({ cwd, inputs: { command: 'lint' } });
    expect(all.exitCode).toBe(1);
    expect(findings(all)).toEqual(FINDINGS);
  });

  it.each([
    [
      'release',
      /^Base ref 'release' is not in this clone \(nor origin\/release\): fetch it, e\.g\. actions\/checkout with fetch-depth: 0/,
    ],
    ['--upload-pack=x', /^Input 'base-ref' is '--upload-pack=x', which is not a git ref name/],
    ['a..b', /^Input 'base-ref' is 'a\.\.b', which is not a git ref name/],
  ])('base-ref %s: one line', async (ref, message) => {
    const cwd = repository('SELECT 1;');
    const r = await steps.run({ cwd, inputs: { command: 'lint', 'base-ref': ref } });
    expectFailure(r, message);
  });
});
