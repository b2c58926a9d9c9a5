// The RDS secret shape, and what a wrong one says (never its values).
import { describe, expect, it } from '@jest/globals';
import { targetFromSecret } from '../../../src/migrate/connection.ts';
import { parseRdsSecret } from '../../../src/migrate/rds-secret.ts';

describe('parseRdsSecret', () => {
  it('reads username, password, host, port and dbname', () => {
    const secret = parseRdsSecret(
      's',
      JSON.stringify({
        engine: 'postgres',
        username: 'app',
        password: 'pw',
        host: 'db.x.eu-west-1.rds.amazonaws.com',
        port: '5433',
        dbname: 'shop',
      }),
    );
    expect(secret).toEqual({
      username: 'app',
      password: 'pw',
      host: 'db.x.eu-west-1.rds.amazonaws.com',
      port: 5433,
      dbname: 'shop',
    });
    expect(targetFromSecret('s', secret, undefined, { ca: 'PEM', allowPlaintext: false })).toEqual({
      host: 'db.x.eu-west-1.rds.amazonaws.com',
      port: 5433,
      user: 'app',
      password: 'pw',
      database: 'shop',
      tls: { ca: 'PEM' },
    });
  });

  it.each([
    ['not json', "Secret 's' is not JSON"],
    ['[1]', "Secret 's' is not a JSON object"],
    ['{"username":"app"}', "Secret 's' has no 'password'"],
    [
      '{"username":"app","password":"hunter22","port":"x"}',
      "Secret 's' has a 'port' that is not a TCP port.",
    ],
  ])('refuses %s', (text, message) => {
    expect(() => parseRdsSecret('s', text)).toThrow(message);
    try {
      parseRdsSecret('s', text);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter22');
    }
  });

  it('needs a host to connect to', () => {
    const secret = parseRdsSecret('s', '{"username":"app","password":"pw"}');
    expect(() =>
      targetFromSecret('s', secret, 'db', { ca: undefined, allowPlaintext: false }),
    ).toThrow("Secret 's' has no 'host'");
  });
});
