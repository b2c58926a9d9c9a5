// The test PostgreSQL server: reachable with its password, refusing a wrong one, databases apart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type PostgresServer, startPostgres } from './server.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.stop();
});

describe('startPostgres', () => {
  it('serves PostgreSQL 18 on a random loopback port with password authentication', async () => {
    const db = await server.createDatabase();
    const [row] = await server.query<{ v: string }>(
      db,
      "SELECT current_setting('server_version_num') AS v",
    );
    expect(Number(row!.v)).toBeGreaterThanOrEqual(180000);
    expect(server.port).toBeGreaterThan(0);
  });

  it('refuses a wrong password', async () => {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.user,
      password: 'not-the-password',
      database: 'postgres',
    });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    await client.end().catch(() => {});
  });
});
