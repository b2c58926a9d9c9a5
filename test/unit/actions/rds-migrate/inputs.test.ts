// rds-migrate's inputs: defaults, the TLS rules of database-url, and one line for each mistake.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInputs, secretInputs } from '../../../../src/actions/rds-migrate/inputs.ts';
import { CA_PEM } from './ca-pem.ts';

/** A workspace with the default migrations folder. */
const workspace = mkdtempSync(join(tmpdir(), 'rds-migrate-ws-'));
mkdirSync(join(workspace, 'migrations'));

const parse = (inputs: Record<string, string>) =>
  parseInputs((name) => inputs[name], workspace, { AWS_REGION: 'eu-west-1' });

const target = (config: ReturnType<typeof parse>) =>
  config.connection?.kind === 'url' ? config.connection.target : undefined;

describe('parseInputs', () => {
  it('applies the defaults', () => {
    expect(parse({ 'database-url': 'postgres://app:pw@127.0.0.1:5433/shop' })).toEqual({
      command: 'plan',
      migrationsDir: join(workspace, 'migrations'),
      connection: {
        kind: 'url',
        target: {
          host: '127.0.0.1',
          port: 5433,
          user: 'app',
          password: 'pw',
          database: 'shop',
          tls: false,
        },
      },
      phase: 'all',
      history: {
        qualified: '"public"."rds_migrate_history"',
        schema: '"public"',
        table: '"rds_migrate_history"',
      },
      outOfOrder: false,
      baselineVersion: undefined,
      lockTimeoutMs: 5000,
      statementTimeoutMs: 1_800_000,
      lockRetries: 5,
      lockWaitMs: 600_000,
      allowDestructive: false,
      databaseState: 'auto',
      baseRef: undefined,
      connectTimeoutMs: 15_000,
      shadow: undefined,
      postgresBin: undefined,
      ecsTask: undefined,
      region: undefined,
    });
  });

  it('needs no database for lint', () => {
    expect(parse({ command: 'lint' }).connection).toBeUndefined();
  });

  it('verifies TLS for any host but loopback, with the CA bundle when given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    writeFileSync(join(dir, 'ca.pem'), CA_PEM);
    const config = parse({
      'database-url': 'postgresql://app:p%40ss@db.cluster-x.eu-west-1.rds.amazonaws.com/shop',
      'ca-bundle': join(dir, 'ca.pem'),
    });
    expect(target(config)).toMatchObject({
      host: 'db.cluster-x.eu-west-1.rds.amazonaws.com',
      port: 5432,
      password: 'p@ss',
      tls: { ca: expect.stringContaining('BEGIN CERTIFICATE') },
    });
    expect(
      target(parse({ 'database-url': 'postgres://a:b@localhost/x?sslmode=require' }))!.tls,
    ).toEqual({
      ca: undefined,
    });
  });

  it('allows a plain connection elsewhere only when told to', () => {
    const url = 'postgres://a:b@10.0.0.5/x?sslmode=disable';
    expect(() => parse({ 'database-url': url })).toThrow(
      "Input 'database-url' asks for a plain connection (sslmode=disable) to 10.0.0.5",
    );
    expect(target(parse({ 'database-url': url, 'allow-plaintext': 'true' }))!.tls).toBe(false);
  });

  it('reads the connection from a Secrets Manager secret instead', () => {
    const config = parse({ command: 'apply', 'secret-id': 'prod/db', database: 'shop' });
    expect(config.connection).toEqual({
      kind: 'secret',
      secretId: 'prod/db',
      region: 'eu-west-1',
      database: 'shop',
      tls: { ca: undefined, allowPlaintext: false },
    });
  });

  it('connects with an RDS IAM token with iam-auth', () => {
    const config = parse({
      command: 'apply',
      'iam-auth': 'true',
      host: 'db.x',
      user: 'migrator',
      database: 'shop',
    });
    expect(config.connection).toEqual({
      kind: 'iam',
      host: 'db.x',
      port: 5432,
      user: 'migrator',
      database: 'shop',
      region: 'eu-west-1',
      ca: undefined,
    });
  });

  it.each([
    [
      { 'secret-id': 'prod/db' },
      "Inputs 'database-url' and 'secret-id' are all set: keep one way to connect.",
    ],
    [
      { 'iam-auth': 'true', host: 'h', user: 'u' },
      "Inputs 'database-url' and 'iam-auth' are all set",
    ],
    [{ host: 'h' }, "Inputs 'host' and 'user' only apply with iam-auth: true."],
    [{ database: 'shop' }, "Input 'database' only applies with secret-id or iam-auth"],
    [
      { command: 'migrate' },
      "Input 'command' is 'migrate': use one of lint, plan, apply, validate.",
    ],
    [{ phase: 'both' }, "Input 'phase' is 'both': use one of expand, contract, all."],
    [{ 'database-url': 'mysql://a:b@h/d' }, "Input 'database-url' uses mysql://"],
    [{ 'database-url': 'not a url' }, "Input 'database-url' is not a URL"],
    [
      { 'database-url': 'postgres://h/d' },
      "Input 'database-url' needs a host, a user and a database",
    ],
    [{ 'database-url': 'postgres://a:b@h/d?sslmode=allow' }, 'has sslmode=allow'],
    [{ 'history-table': 'drop table;' }, "Input 'history-table' is 'drop table;'"],
    [{ 'baseline-version': 'v1' }, "Input 'baseline-version' is 'v1'"],
    [{ 'lock-timeout': 'soon' }, "Input 'lock-timeout' is 'soon', which is not a duration"],
    [{ 'lock-retries': '50' }, "Input 'lock-retries' is '50': use a whole number from 0 to 20."],
    [
      { command: 'validate', 'postgres-bin': '/nowhere' },
      "Input 'postgres-bin' is '/nowhere', which holds no initdb and postgres",
    ],
    [
      { 'ca-bundle': '/nowhere.pem' },
      "Input 'ca-bundle' names '/nowhere.pem', which cannot be read (ENOENT)",
    ],
  ])('refuses %j', (inputs, message) => {
    expect(() => parse({ 'database-url': 'postgres://a:b@127.0.0.1/d', ...inputs })).toThrow(
      message,
    );
  });
});

it('needs host, user and database with iam-auth', () => {
  expect(() =>
    parseInputs((name) => ({ command: 'plan', 'iam-auth': 'true', host: 'h' })[name], workspace, {
      AWS_REGION: 'eu-west-1',
    }),
  ).toThrow("iam-auth: true needs 'user'");
});

describe('database-state and base-ref', () => {
  const DB = 'postgres://app:pw@127.0.0.1:5433/shop';
  const PULL_REQUEST = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main' };
  const lint = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    parseInputs((name) => ({ command: 'lint', ...inputs })[name], workspace, env);

  it('takes live or new for plan and apply', () => {
    expect(parse({ 'database-url': DB, 'database-state': 'new' }).databaseState).toBe('new');
    expect(
      parse({ command: 'apply', 'database-url': DB, 'database-state': 'live' }).databaseState,
    ).toBe('live');
  });

  it.each([
    [
      { 'database-url': DB, 'database-state': 'empty' },
      "Input 'database-state' is 'empty': use one of auto, live, new.",
    ],
    [
      { command: 'lint', 'database-state': 'new' },
      "Input 'database-state' is 'new', but only plan and apply look at a database: remove it for command: lint.",
    ],
    [{ 'database-url': DB, 'base-ref': 'main' }, "Input 'base-ref' only applies to command: lint"],
  ])('refuses %j', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(message);
  });

  it.each(['main', 'origin/main', 'release/1.2', 'v1.0.0', 'a'.repeat(40), 'refs/heads/main'])(
    'takes the ref %s',
    (ref) => {
      expect(lint({ 'base-ref': ref }).baseRef).toBe(ref);
    },
  );

  it.each([
    '--upload-pack=x',
    '-x',
    'a..b',
    'main@{1}',
    'a b',
    'a:b',
    'a~1',
    'a^',
    'a*',
    'a[b',
    'a\\b',
    '.hidden',
    'a/.b',
    'a.lock',
    'a/',
    'a.',
    'a//b',
    '@',
  ])('refuses the ref %j in one line', (ref) => {
    expect(() => lint({ 'base-ref': ref })).toThrow(
      /^Input 'base-ref' is '.*', which is not a git ref name: give a branch, tag or commit such as main/,
    );
  });

  it("defaults to a pull request's base branch, on pull_request events only", () => {
    expect(lint({}, PULL_REQUEST).baseRef).toBe('main');
    expect(lint({}, { ...PULL_REQUEST, GITHUB_EVENT_NAME: 'pull_request_target' }).baseRef).toBe(
      'main',
    );
    expect(lint({ 'base-ref': 'develop' }, PULL_REQUEST).baseRef).toBe('develop');
    expect(lint({}, { ...PULL_REQUEST, GITHUB_EVENT_NAME: 'push' }).baseRef).toBeUndefined();
    expect(
      parseInputs((name) => ({ 'database-url': DB })[name], workspace, PULL_REQUEST).baseRef,
    ).toBeUndefined();
    expect(() => lint({}, { ...PULL_REQUEST, GITHUB_BASE_REF: '-x' })).toThrow(
      "Input 'base-ref (from GITHUB_BASE_REF)' is '-x', which is not a git ref name",
    );
  });
});

describe('mode: ecs-task', () => {
  const ecs = (inputs: Record<string, string>) =>
    parseInputs(
      (name) => ({ mode: 'ecs-task', command: 'apply', cluster: 'apps', ...inputs })[name],
      workspace,
      { AWS_REGION: 'eu-west-1' },
    );

  it('turns the inputs into the task and the command line it runs', () => {
    const config = ecs({
      'task-definition': 'app:3',
      subnets: 'subnet-a,subnet-b',
      'security-groups': 'sg-1',
      'secret-id': 'prod/db',
      'lock-timeout': '3s',
      'database-state': 'live',
    });
    expect(config.region).toBe('eu-west-1');
    expect(config.databaseState).toBe('live');
    expect(config.ecsTask).toEqual({
      cluster: 'apps',
      taskDefinition: 'app:3',
      service: undefined,
      container: undefined,
      network: {
        subnets: ['subnet-a', 'subnet-b'],
        securityGroups: ['sg-1'],
        assignPublicIp: false,
      },
      command: [
        'node',
        '/opt/rds-migrate/cli.js',
        'apply',
        '--json',
        '--lock-timeout',
        '3s',
        '--database-state',
        'live',
        '--secret-id',
        'prod/db',
      ],
      timeoutMs: 1_800_000,
      pollMs: 5000,
    });
  });

  it.each([
    [
      { 'task-definition': 'app', 'database-url': 'postgres://a:b@h/d' },
      'mode: ecs-task does not take a database URL',
    ],
    [{ cluster: '', 'task-definition': 'app' }, "mode: ecs-task needs 'cluster'."],
    [{}, "mode: ecs-task needs 'task-definition' or 'service'"],
    [{ 'task-definition': 'app', 'lock-timeout': 'soon' }, "Input 'lock-timeout' is 'soon'"],
    [{ 'task-definition': 'app', 'task-timeout': 'x' }, "Input 'task-timeout' is 'x'"],
    [{ 'task-definition': 'app', 'database-state': 'gone' }, "Input 'database-state' is 'gone'"],
    [
      { 'task-definition': 'app', command: 'lint', 'base-ref': 'main' },
      "Input 'base-ref' needs the repository's git history",
    ],
  ])('refuses %j', (inputs, message) => {
    expect(() => ecs(inputs)).toThrow(message);
  });
});

describe('secretInputs', () => {
  it('masks the whole URL and its password, decoded and encoded', () => {
    expect(
      secretInputs((n) => (n === 'database-url' ? 'postgres://a:p%40ss@h/d' : undefined)),
    ).toEqual(['postgres://a:p%40ss@h/d', 'p%40ss', 'p@ss']);
  });

  it('masks the password as written, never as the URL parser re-encodes it', () => {
    const url = 'postgres://app%0A::add-mask::x:pw@h/app';
    expect(secretInputs((n) => (n === 'database-url' ? url : undefined))).toEqual([
      url,
      ':add-mask::x:pw',
    ]);
    expect(secretInputs((n) => (n === 'database-url' ? 'postgres://a@h/d' : undefined))).toEqual([
      'postgres://a@h/d',
    ]);
  });
});
