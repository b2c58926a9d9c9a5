// The Parameter Store emulation through the real SDK client: by name and ARN, versions, not found,
// GetParameters' InvalidParameters, the access rule's AccessDeniedException, signing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  GetParameterCommand,
  GetParametersCommand,
  ParameterNotFound,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { type Emulator, startEmulator } from './server.ts';

const KEYS = { accessKeyId: 'AKIAEXAMPLEPARAMS001', secretAccessKey: 'ssm-test-secret-key' };
const SESSION = { accessKeyId: 'ASIAEXAMPLEPARAMS001', secretAccessKey: 'ssm-session-key' };
const NAME = '/aws-ship-suite/app-staging-deploy';
const ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter/aws-ship-suite/app-staging-deploy';
let emulator: Emulator;
let client: SSMClient;
let session: SSMClient;

const ssmClient = (credentials: typeof KEYS) =>
  new SSMClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/ci' });
  emulator.sts.addCredentials({
    ...SESSION,
    arn: 'arn:aws:sts::123456789012:assumed-role/app-staging-deploy/run-1',
  });
  client = ssmClient(KEYS);
  session = ssmClient(SESSION);
});
afterAll(async () => {
  client.destroy();
  session.destroy();
  await emulator.close();
});
beforeEach(() => emulator.ssm.setAccess(undefined));

describe('SSM Parameter Store', () => {
  it('returns a String parameter by name and by ARN, with its version', async () => {
    expect(emulator.ssm.put(NAME, '{"version":1}')).toBe(ARN);
    const byName = await client.send(new GetParameterCommand({ Name: NAME }));
    expect(byName.Parameter).toMatchObject({
      Name: NAME,
      Type: 'String',
      Value: '{"version":1}',
      Version: 1,
      ARN,
      DataType: 'text',
    });
    expect(byName.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    emulator.ssm.put(NAME, '{"version":2}');
    const byArn = await client.send(new GetParameterCommand({ Name: ARN }));
    expect(byArn.Parameter).toMatchObject({ Value: '{"version":2}', Version: 2 });
  });

  it('answers ParameterNotFound for an unknown name', async () => {
    await expect(
      client.send(new GetParameterCommand({ Name: '/aws-ship-suite/nope' })),
    ).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it('lists unknown names of GetParameters as InvalidParameters', async () => {
    emulator.ssm.put('/a', 'x');
    const out = await client.send(new GetParametersCommand({ Names: ['/a', '/missing'] }));
    expect(out.Parameters?.map((p) => p.Value)).toEqual(['x']);
    expect(out.InvalidParameters).toEqual(['/missing']);
    await expect(client.send(new GetParametersCommand({ Names: [] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers AccessDeniedException when the access rule does not allow the caller, before not-found', async () => {
    emulator.ssm.put(NAME, '{}');
    const seen: string[] = [];
    emulator.ssm.setAccess((principal, action, resource) => {
      seen.push(`${principal} ${action} ${resource}`);
      return principal === 'arn:aws:iam::123456789012:role/app-staging-deploy' && resource === ARN;
    });
    await expect(session.send(new GetParameterCommand({ Name: NAME }))).resolves.toMatchObject({
      Parameter: { Value: '{}' },
    });
    expect(seen).toEqual([
      `arn:aws:iam::123456789012:role/app-staging-deploy ssm:GetParameter ${ARN}`,
    ]);
    const denied = client.send(new GetParameterCommand({ Name: NAME }));
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ssm:GetParameter on resource: ${ARN} because no identity-based policy allows the ssm:GetParameter action`,
    });
    await expect(
      session.send(new GetParameterCommand({ Name: '/aws-ship-suite/other' })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses requests signed with unknown keys', async () => {
    const stranger = ssmClient({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' });
    await expect(stranger.send(new GetParameterCommand({ Name: NAME }))).rejects.toMatchObject({
      name: expect.stringMatching(/UnrecognizedClient|InvalidClientTokenId/),
    });
    stranger.destroy();
  });
});
