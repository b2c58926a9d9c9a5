// The Secrets Manager emulation through the real SDK client: by name and ARN, not found, signed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type Emulator, startEmulator } from './server.ts';

const KEYS = { accessKeyId: 'AKIAEXAMPLESECRETS01', secretAccessKey: 'secrets-test-secret-key' };
let emulator: Emulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/ci' });
  client = new SecretsManagerClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: KEYS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});

describe('Secrets Manager', () => {
  it('returns the current value by name and by ARN', async () => {
    const arn = emulator.secretsManager.put('prod/db', { username: 'app', password: 'pw' });
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-.{6}$/);
    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
    expect(JSON.parse(byName.SecretString!)).toEqual({ username: 'app', password: 'pw' });
    expect(byName).toMatchObject({ ARN: arn, Name: 'prod/db', VersionStages: ['AWSCURRENT'] });
    emulator.secretsManager.put('prod/db', 'rotated');
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    expect(byArn.SecretString).toBe('rotated');
    expect(byArn.VersionId).not.toBe(byName.VersionId);
  });

  it('answers ResourceNotFoundException for an unknown secret', async () => {
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: 'nope' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses unsigned or wrongly signed requests', async () => {
    const stranger = new SecretsManagerClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(
      stranger.send(new GetSecretValueCommand({ SecretId: 'prod/db' })),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/UnrecognizedClient|InvalidClientTokenId/),
    });
    stranger.destroy();
  });
});
