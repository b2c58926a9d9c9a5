// dist/rds-migrate/index.js against a PostgreSQL that serves TLS with a certificate from a test
// CA: verified against ca-bundle it connects; without the CA the certificate is refused.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type ActionRun, expectNoSecretsIn } from '../harness/index.ts';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure } from './step-assertions.ts';
import { migrationsWorkspace } from './workspace.ts';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ tls: true });
});

const steps = useActionSteps('actions/rds-migrate/action.yml', {
  // The migration records whether its own session is encrypted.
  defaults: () => ({
    cwd: migrationsWorkspace(
      {
        'V1__t.sql': 'CREATE TABLE t AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();',
      },
      { 'ca.pem': server.caPem! },
    ),
    timeoutMs: 60_000,
  }),
  secrets: () => [server.password],
  close: () => server.stop(),
});

const run = (inputs: Record<string, string>): Promise<ActionRun> => steps.run({ inputs });

describe('rds-migrate over TLS', () => {
  it('verifies the server certificate against ca-bundle and applies', async () => {
    const db = await server.createDatabase();
    const r = await run({
      command: 'apply',
      'database-url': `${server.url(db)}?sslmode=verify-full`,
      'ca-bundle': 'ca.pem',
    });
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(/Connecting to admin@127\.0\.0\.1:\d+\/\w+ \(TLS, verified\)/);
    expect(r.outputs.applied).toBe('1');
    expect(await server.query(db, 'SELECT ssl FROM t')).toEqual([{ ssl: true }]);
  });

  it('connects with an RDS IAM token as the password, over TLS, never printing the token', async () => {
    const r = await steps.run({
      inputs: {
        command: 'plan',
        'iam-auth': 'true',
        host: '127.0.0.1',
        port: String(server.port),
        user: 'admin',
        database: 'postgres',
        'ca-bundle': 'ca.pem',
        'aws-region': 'eu-west-1',
      },
      env: {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'rds-migrate-iam-test-secret-key',
      },
    });
    // The test server knows admin's password, not IAM: it refuses the token, over TLS.
    expect(r.log).toMatch(/Connecting to admin@127\.0\.0\.1:\d+\/postgres \(TLS, verified\)/);
    expectFailure(
      r,
      /^The database at 127\.0\.0\.1:\d+ refused user 'admin' \(password authentication failed/,
    );
    const token = r.masks.find((m) => m.includes('X-Amz-Signature'));
    expect(token).toMatch(/^127\.0\.0\.1:\d+\/\?Action=connect&DBUser=admin&/);
    expectNoSecretsIn(r, [token!, 'rds-migrate-iam-test-secret-key']);
  });

  it('refuses a certificate it cannot verify, in one line', async () => {
    const r = await run({
      command: 'plan',
      'database-url': `${server.url('postgres')}?sslmode=require`,
    });
    expectFailure(
      r,
      /^The TLS certificate of 127\.0\.0\.1:\d+ could not be verified \(.+\): it is signed neither by an Amazon RDS CA nor by a public root; pass the CA that signed it in ca-bundle\.$/,
    );
  });
});
