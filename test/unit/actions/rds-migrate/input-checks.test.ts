// Every rds-migrate input is checked before the first call: each bad value is refused in one line
// that names the input and echoes at most a shortened value (never a database URL), and the
// documented edge values are accepted.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInputs } from '../../../../src/actions/rds-migrate/inputs.ts';
import { CA_PEM } from './ca-pem.ts';

const workspace = mkdtempSync(join(tmpdir(), 'rds-migrate-ws-'));
mkdirSync(join(workspace, 'migrations'));
mkdirSync(join(workspace, 'db', 'sql'), { recursive: true });
writeFileSync(join(workspace, 'file.sql'), 'SELECT 1;');
const outside = mkdtempSync(join(tmpdir(), 'rds-migrate-outside-'));
symlinkSync(outside, join(workspace, 'escape'));
symlinkSync(join(workspace, 'db', 'sql'), join(workspace, 'inside'));
writeFileSync(join(workspace, 'ca.pem'), CA_PEM);
writeFileSync(join(workspace, 'broken.pem'), CA_PEM.replace('MIIBnDCC', 'MIIBnDXX'));

const URL_OK = 'postgres://app:s3cret@127.0.0.1/shop';
const ENV = { AWS_REGION: 'eu-west-1' };

const parse = (inputs: Record<string, string>, paths?: 'workspace' | 'anywhere') =>
  parseInputs((name) => inputs[name], workspace, ENV, paths);

/** The message a parse throws, after checking it is one line. */
function refusal(inputs: Record<string, string>): string {
  try {
    parse(inputs);
  } catch (error) {
    const { message, name } = error as Error;
    expect(name).toBe('UserError');
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.length).toBeLessThan(500);
    return message;
  }
  throw new Error(`accepted ${JSON.stringify(inputs)}`);
}

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret';
const ECS = { mode: 'ecs-task', command: 'apply', cluster: 'apps', 'task-definition': 'app' };

describe('rds-migrate refuses, in one line naming the input', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    // Control characters, in any input; decoded ones in a database URL's user and database.
    [
      'a line break in host',
      { 'iam-auth': 'true', host: 'db.x\n::error::x', user: 'u', database: 'd' },
      /^Input 'host' has a line break at character 5: give it on one line/,
    ],
    [
      'a tab in user',
      { 'iam-auth': 'true', host: 'db.x', user: 'u\tv', database: 'd' },
      /^Input 'user' has a control character \(U\+0009\)/,
    ],
    [
      'a line break in secret-id',
      { 'secret-id': 'prod/db\nx' },
      /^Input 'secret-id' has a line break/,
    ],
    ['a line break in cluster', { cluster: 'a\r\nb' }, /^Input 'cluster' has a line break/],
    [
      'a NUL in migrations',
      { migrations: 'db\u0000' },
      /^Input 'migrations' has a control character \(U\+0000\)/,
    ],
    [
      'a line break in database-url',
      { 'database-url': 'postgres://a:pw@h/d\nx' },
      /^Input 'database-url' has a line break at character \d+: give it on one line/,
    ],
    [
      '%0A in the database name',
      { 'database-url': 'postgres://a:pw@h/shop%0A::warning::x' },
      /^Input 'database-url' has a database with a control character \('shop\\u000a::warning::x'\)/,
    ],
    [
      '%0D in the user',
      { 'database-url': 'postgres://a%0Db:pw@h/shop' },
      /^Input 'database-url' has a user with a control character/,
    ],
    [
      'a malformed %-escape in the password',
      { 'database-url': 'postgres://a:p%zz@h/shop' },
      /^Input 'database-url' has a malformed %-escape in its password/,
    ],
    // Length.
    [
      'a 100 KB secret-id',
      { 'secret-id': 'x'.repeat(100_000) },
      /^Input 'secret-id' is 100000 characters long; it takes at most \d+: shorten it\.$/,
    ],
    ['a 100 KB phase', { phase: 'y'.repeat(100_000) }, /^Input 'phase' is 100000 characters long/],
    // Secrets Manager.
    [
      'a secret name of 513 characters',
      { 'secret-id': 'a'.repeat(513) },
      /^Input 'secret-id' is 'a+…' \(513 characters\): give a Secrets Manager secret's name/,
    ],
    [
      'a secret name with a space',
      { 'secret-id': 'prod db' },
      /^Input 'secret-id' is 'prod db': give a Secrets Manager/,
    ],
    [
      'an SSM parameter ARN',
      { 'secret-id': 'arn:aws:ssm:eu-west-1:123456789012:parameter/db' },
      /^Input 'secret-id' is 'arn:aws:ssm:.*', an ARN of ssm parameter: give a Secrets Manager/,
    ],
    [
      'a secretsmanager ARN that is no secret',
      { 'secret-id': `${ARN.replace(':secret', ':rotation')}:x` },
      /^Input 'secret-id' is .*: give a Secrets Manager/,
    ],
    [
      'a secret in another region',
      { 'secret-id': `${ARN.replace('eu-west-1', 'us-east-1')}:prod/db-AbCdEf` },
      /^Input 'secret-id' \('arn:.*'\) is in region 'us-east-1', but the run's region is eu-west-1: set aws-region/,
    ],
    // host, user, database.
    [
      'a host with a scheme',
      { 'iam-auth': 'true', host: 'https://db.x', user: 'u', database: 'd' },
      /^Input 'host' has the host 'https:\/\/db\.x', which is not a host name or IP address: give the endpoint alone/,
    ],
    [
      'a host with a space',
      { 'iam-auth': 'true', host: 'db x', user: 'u', database: 'd' },
      /^Input 'host' has the host 'db x'/,
    ],
    [
      'a host with a port',
      { 'iam-auth': 'true', host: 'db.x:5432', user: 'u', database: 'd' },
      /^Input 'host' has the host 'db\.x:5432'/,
    ],
    [
      'a user of 64 bytes',
      { 'iam-auth': 'true', host: 'db.x', user: 'u'.repeat(64), database: 'd' },
      /^Input 'user' has a user of 64 bytes .*: PostgreSQL names are at most 63 bytes/,
    ],
    [
      'a database of 64 bytes',
      { 'secret-id': 'prod/db', database: 'é'.repeat(32) },
      /^Input 'database' has a database of 64 bytes/,
    ],
    [
      'a database URL with a %-encoded host',
      { 'database-url': 'postgres://a:pw@db%20x/shop' },
      /^Input 'database-url' has the host 'db%20x'/,
    ],
    [
      'a database URL with port 0',
      { 'database-url': 'postgres://a:pw@db.x:0/shop' },
      /^Input 'database-url' has port 0: use a TCP port from 1 to 65535\.$/,
    ],
    [
      'a database URL with sslrootcert',
      { 'database-url': 'postgres://a:pw@db.x/shop?sslmode=verify-full&sslrootcert=rds.pem' },
      /^Input 'database-url' has sslrootcert=…, which rds-migrate does not read: give the CA bundle's path in 'ca-bundle' instead\.$/,
    ],
    [
      'a database URL whose database is 64 bytes',
      { 'database-url': `postgres://a:pw@h/${'d'.repeat(64)}` },
      /^Input 'database-url' has a database of 64 bytes/,
    ],
    [
      'a shadow URL with a control character',
      { command: 'validate', 'shadow-database-url': 'postgres://a:pw@h/d%09' },
      /^Input 'shadow-database-url' has a database with a control character/,
    ],
    [
      'port 0',
      { 'iam-auth': 'true', host: 'db.x', user: 'u', database: 'd', port: '0' },
      /^Input 'port' is '0': use a whole number from 1 to 65535\.$/,
    ],
    // migrations.
    [
      'migrations above the workspace',
      { migrations: '../x' },
      /^Input 'migrations' is '\.\.\/x', which leads outside the workspace \(.*\): give a folder of the repository/,
    ],
    [
      'migrations at an absolute path elsewhere',
      { migrations: outside },
      /^Input 'migrations' is '.*', which leads outside the workspace/,
    ],
    [
      'migrations through a symlink to elsewhere',
      { migrations: 'escape' },
      /^Input 'migrations' is 'escape', which leads outside the workspace/,
    ],
    [
      'a missing migrations folder',
      { migrations: 'db/nowhere' },
      /^Migrations directory '.*db\/nowhere' does not exist or is not a directory: set 'migrations'/,
    ],
    [
      'migrations naming a file',
      { migrations: 'file.sql' },
      /^Migrations directory '.*file\.sql' does not exist or is not a directory/,
    ],
    [
      'empty migrations',
      { migrations: '' },
      /^Input 'migrations' is empty: give the folder of the migrations, relative to the workspace \(\. for the workspace itself\)\.$/,
    ],
    // Durations: each has a documented range.
    [
      'lock-timeout 1000000h',
      { 'lock-timeout': '1000000h' },
      /^Input 'lock-timeout' is '1000000h', longer than the 1h it accepts: give 1h or less\.$/,
    ],
    [
      'statement-timeout 1000000h',
      { 'statement-timeout': '1000000h' },
      /^Input 'statement-timeout' is '1000000h', longer than the 24h it accepts/,
    ],
    [
      'lock-wait 25h',
      { 'lock-wait': '25h' },
      /^Input 'lock-wait' is '25h', longer than the 24h it accepts/,
    ],
    [
      'connect-timeout 1000000h',
      { 'connect-timeout': '1000000h' },
      /^Input 'connect-timeout' is '1000000h', longer than the 10m it accepts/,
    ],
    [
      'connect-timeout 99ms',
      { 'connect-timeout': '99ms' },
      /^Input 'connect-timeout' is '99ms', shorter than the 100ms it needs: give 100ms or more\.$/,
    ],
    [
      'a lock-timeout that rounds to 0',
      { 'lock-timeout': '0.0001' },
      /^Input 'lock-timeout' is '0\.0001', shorter than the 1ms it needs: give 0 \(no limit\) or 1ms or more\.$/,
    ],
    [
      'task-timeout 1000000h',
      { 'task-timeout': '1000000h' },
      /^Input 'task-timeout' is '1000000h', longer than the 24h it accepts/,
    ],
    [
      'poll-interval 1000000h',
      { 'poll-interval': '1000000h' },
      /^Input 'poll-interval' is '1000000h', longer than the 10m it accepts/,
    ],
    [
      'poll-interval longer than task-timeout',
      { ...ECS, 'poll-interval': '5m', 'task-timeout': '1m' },
      /^Inputs 'poll-interval' \('5m'\) and 'task-timeout' \('1m'\): .*make poll-interval no longer than task-timeout\.$/,
    ],
    // ca-bundle and postgres-bin, whatever the command.
    [
      'a CA bundle that does not parse',
      { 'ca-bundle': 'broken.pem' },
      /^Input 'ca-bundle' \('broken\.pem'\): certificate 1 of 1 does not parse/,
    ],
    [
      'a CA bundle that is no PEM',
      { 'ca-bundle': 'file.sql' },
      /^Input 'ca-bundle' \('file\.sql'\) holds no PEM certificate: give a PEM bundle/,
    ],
    [
      'postgres-bin that holds no PostgreSQL',
      { 'postgres-bin': '/nowhere' },
      /^Input 'postgres-bin' is '\/nowhere', which holds no initdb and postgres/,
    ],
    // mode: ecs-task, checked in either mode.
    [
      'a service ARN as cluster',
      { cluster: 'arn:aws:ecs:eu-west-1:123456789012:service/apps/web' },
      /^Input 'cluster' is 'arn:aws:ecs:.*', an ARN of ecs service: give an ECS cluster's name/,
    ],
    [
      'a cluster name with a space',
      { ...ECS, cluster: 'my apps' },
      /^Input 'cluster' is 'my apps': give an ECS cluster's name/,
    ],
    [
      'a cluster in another region',
      { ...ECS, cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/apps' },
      /^Input 'cluster' \(.*\) is in region 'us-east-1', but the run's region is eu-west-1/,
    ],
    [
      'a cluster ARN as service',
      { ...ECS, service: 'arn:aws:ecs:eu-west-1:123456789012:cluster/apps' },
      /^Input 'service' is .*, an ARN of ecs cluster: give an ECS service's name/,
    ],
    [
      'a service of another cluster',
      { ...ECS, service: 'arn:aws:ecs:eu-west-1:123456789012:service/other/web' },
      /^Input 'service' \(.*\) is a service of cluster other, but 'cluster' is apps: give the service's own cluster\.$/,
    ],
    [
      'a task definition file',
      { ...ECS, 'task-definition': './task-definition.json' },
      /^Input 'task-definition' is '\.\/task-definition\.json': give a registered task definition as family, family:revision or its ARN/,
    ],
    ['revision 0', { ...ECS, 'task-definition': 'app:0' }, /^Input 'task-definition' is 'app:0'/],
    [
      'a task definition ARN without revision',
      { ...ECS, 'task-definition': 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app' },
      /^Input 'task-definition' is 'arn:.*', an ARN of ecs task-definition: give a registered task definition/,
    ],
    [
      'a container name with a slash',
      { ...ECS, container: 'app/web' },
      /^Input 'container' is 'app\/web': give the name of a container/,
    ],
    [
      'a subnet name',
      { ...ECS, subnets: 'subnet-a, private-a' },
      /^Input 'subnets' holds 'private-a', which is not a subnet- id: list ids like subnet-0a1b2c3d/,
    ],
    [
      'a security group in subnets',
      { ...ECS, subnets: 'sg-0a1b2c3d' },
      /^Input 'subnets' holds 'sg-0a1b2c3d', which is not a subnet- id/,
    ],
    [
      '17 subnets',
      {
        ...ECS,
        subnets: Array.from({ length: 17 }, (_, i) => `subnet-${i.toString(16)}`).join(','),
      },
      /^Input 'subnets' lists 17 ids: ECS takes at most 16\.$/,
    ],
    [
      'a security group name',
      { ...ECS, subnets: 'subnet-a', 'security-groups': 'default' },
      /^Input 'security-groups' holds 'default', which is not a sg- id/,
    ],
    [
      '6 security groups',
      { ...ECS, subnets: 'subnet-a', 'security-groups': 'sg-1,sg-2,sg-3,sg-4,sg-5,sg-6' },
      /^Input 'security-groups' lists 6 ids: ECS takes at most 5\.$/,
    ],
    [
      'a bad assign-public-ip',
      { ...ECS, 'assign-public-ip': 'yes' },
      /^Input 'assign-public-ip' is 'yes': use true or false\.$/,
    ],
    [
      'a cli-path that is a node option',
      { ...ECS, 'cli-path': '--eval=process.exit()' },
      /^Input 'cli-path' is '--eval=process\.exit\(\)': give the path of the rds-migrate command line inside the image/,
    ],
    ['an empty cli-path', { ...ECS, 'cli-path': '' }, /^Input 'cli-path' is '': give the path/],
    [
      'an ECS input with a bad value in runner mode',
      { cluster: 'arn:aws:ecs:eu-west-1:123456789012:service/a/b' },
      /^Input 'cluster' is/,
    ],
    [
      'an empty migrations folder in ecs-task mode',
      { ...ECS, migrations: '' },
      /^Input 'migrations' is empty: give the folder of the migrations inside the image/,
    ],
  ])('%s', (_what, inputs, message) => {
    // A database URL, unless the case connects another way (or runs in a task, which takes none).
    const url =
      inputs['secret-id'] || inputs['iam-auth'] || inputs.mode ? {} : { 'database-url': URL_OK };
    expect(refusal({ ...url, ...inputs })).toMatch(message);
  });

  it('never echoes a database URL or its password', () => {
    for (const url of [
      `postgres://a:s3cret@h/${'d'.repeat(5000)}`,
      'postgres://a:s3cret@h/d\u0007',
      'postgres://a:s3cret@ho%20st/d',
      'postgres://a:s3cret@h/d?sslkey=k.pem',
    ]) {
      const message = refusal({ 'database-url': url });
      expect(message).not.toContain('s3cret');
      expect(message).not.toContain(url);
    }
  });
});

describe('rds-migrate accepts the edge values', () => {
  const task = (inputs: Record<string, string>) => parse({ ...ECS, ...inputs }).ecsTask!;

  it('accepts secret names of 1 and 512 characters and a secret ARN of its region', () => {
    for (const id of ['a', 'a'.repeat(512), 'prod/app_1+=.@-db', `${ARN}:prod/db-AbCdEf`]) {
      const config = parse({ command: 'plan', 'secret-id': id });
      expect(config.connection).toMatchObject({ kind: 'secret', secretId: id });
    }
  });

  it('accepts host names, IPv4 and IPv6, and names of 63 bytes', () => {
    for (const host of ['db.abc123.eu-west-1.rds.amazonaws.com', '10.0.0.5', '::1', 'db_1']) {
      const config = parse({
        command: 'plan',
        'iam-auth': 'true',
        host,
        user: 'u'.repeat(63),
        database: `${'é'.repeat(31)}x`,
        port: '65535',
      });
      expect(config.connection).toMatchObject({ kind: 'iam', host, port: 65535 });
    }
    const url = `postgres://a:pw@[::1]:1/${'d'.repeat(63)}?sslmode=require`;
    expect(parse({ 'database-url': url }).connection).toMatchObject({
      target: { host: '::1', port: 1, database: 'd'.repeat(63) },
    });
  });

  it('accepts every duration at its documented ends', () => {
    const low = parse({
      'database-url': URL_OK,
      'lock-timeout': '0',
      'statement-timeout': '0s',
      'lock-wait': '0',
      'connect-timeout': '100ms',
    });
    expect(low).toMatchObject({
      lockTimeoutMs: 0,
      statementTimeoutMs: 0,
      lockWaitMs: 0,
      connectTimeoutMs: 100,
    });
    const high = parse({
      'database-url': URL_OK,
      'lock-timeout': '1h',
      'statement-timeout': '24h',
      'lock-wait': '1440m',
      'connect-timeout': '10m',
    });
    expect(high).toMatchObject({
      lockTimeoutMs: 3_600_000,
      statementTimeoutMs: 86_400_000,
      lockWaitMs: 86_400_000,
      connectTimeoutMs: 600_000,
    });
    expect(parse({ 'database-url': URL_OK, 'lock-timeout': '1ms' }).lockTimeoutMs).toBe(1);
    expect(task({ 'task-timeout': '24h', 'poll-interval': '10m' })).toMatchObject({
      timeoutMs: 86_400_000,
      pollMs: 600_000,
    });
    expect(task({ 'task-timeout': '1s', 'poll-interval': '100ms' })).toMatchObject({
      timeoutMs: 1000,
      pollMs: 100,
    });
  });

  it('accepts migrations inside the workspace: relative, absolute, through a symlink inside', () => {
    expect(parse({ command: 'lint', migrations: 'db/sql/' }).migrationsDir).toBe(
      join(workspace, 'db/sql'),
    );
    expect(parse({ command: 'lint', migrations: join(workspace, 'db') }).migrationsDir).toBe(
      join(workspace, 'db'),
    );
    expect(parse({ command: 'lint', migrations: 'inside' }).migrationsDir).toBe(
      join(workspace, 'inside'),
    );
    expect(parse({ command: 'lint', migrations: '.' }).migrationsDir).toBe(workspace);
  });

  it('lets the command line name a folder anywhere, which must exist', () => {
    expect(parse({ command: 'lint', migrations: outside }, 'anywhere').migrationsDir).toBe(outside);
    expect(() => parse({ command: 'lint', migrations: '../nowhere' }, 'anywhere')).toThrow(
      /^Migrations directory '.*nowhere' does not exist/,
    );
  });

  it('accepts a CA bundle of certificates that parse', () => {
    expect(parse({ 'database-url': URL_OK, 'ca-bundle': 'ca.pem' }).connection).toMatchObject({
      target: { tls: false },
    });
  });

  it('accepts the ECS names, ARNs and ids ECS takes', () => {
    const spec = task({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/apps',
      'task-definition': 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app-1_x:42',
      service: 'arn:aws:ecs:eu-west-1:123456789012:service/apps/web',
      container: 'a'.repeat(255),
      subnets: Array.from({ length: 16 }, (_, i) => `subnet-${i.toString(16)}`).join('\n'),
      'security-groups': 'sg-0123456789abcdef0,sg-1,sg-2,sg-3,sg-4',
      'assign-public-ip': 'true',
      'cli-path': 'dist/rds-migrate/cli.js',
    });
    expect(spec.network?.subnets).toHaveLength(16);
    expect(spec.network?.securityGroups).toHaveLength(5);
    expect(spec.command.slice(0, 2)).toEqual(['node', 'dist/rds-migrate/cli.js']);
    expect(task({ 'task-definition': 'app:1', service: 'web' }).taskDefinition).toBe('app:1');
    expect(
      task({ service: 'arn:aws:ecs:eu-west-1:123456789012:service/web' }).service,
    ).toBeDefined();
  });

  it("leaves the image's paths to the task: migrations and ca-bundle are not read here", () => {
    const config = parse({ ...ECS, migrations: '/app/db/migrations', 'ca-bundle': '/app/ca.pem' });
    expect(config.migrationsDir).toBe('/app/db/migrations');
    expect(config.ecsTask!.command.join(' ')).toContain('--migrations /app/db/migrations');
  });
});
