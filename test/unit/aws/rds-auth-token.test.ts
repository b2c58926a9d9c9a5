// The RDS IAM auth token: a presigned rds-db connect request for the host, port and user.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { rdsAuthToken } from '../../../src/aws/rds-auth-token.ts';

const saved = { ...process.env };
beforeEach(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});
afterEach(() => {
  process.env = { ...saved };
});

describe('rdsAuthToken', () => {
  it('presigns rds-db:connect for the host, port and user with the job credentials', async () => {
    const token = await rdsAuthToken({
      host: 'db.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      user: 'migrator',
      region: 'eu-west-1',
    });
    expect(token.startsWith('db.cluster-abc.eu-west-1.rds.amazonaws.com:5432/?')).toBe(true);
    const query = new URLSearchParams(token.slice(token.indexOf('?') + 1));
    expect(query.get('Action')).toBe('connect');
    expect(query.get('DBUser')).toBe('migrator');
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Credential')).toMatch(
      /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/,
    );
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});
