import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CredentialStore } from './credentials.ts';
import { startEmulator, type Emulator } from './server.ts';
import { authenticate, type SignableRequest } from './sigv4.ts';

const ACCOUNT = '123456789012';
const USER = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const ROLE = `arn:aws:iam::${ACCOUNT}:role/short`;

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('SigV4 verification against the AWS SigV4 test suite', () => {
  // aws-sig-v4-test-suite: get-vanilla and get-vanilla-query-order-key-case
  const store = new CredentialStore();
  store.add({
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    arn: `arn:aws:iam::${ACCOUNT}:user/example`,
  });
  const at = new Date('2015-08-30T12:36:00Z');
  const request = (rawUrl: string, signature: string): SignableRequest => ({
    method: 'GET',
    rawUrl,
    body: Buffer.alloc(0),
    rawHeaders: [
      'Host',
      'example.amazonaws.com',
      'X-Amz-Date',
      '20150830T123600Z',
      'Authorization',
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    ],
  });

  it('accepts the published signatures', () => {
    const vanilla = request(
      '/',
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(authenticate(vanilla, store, at).arn).toBe(`arn:aws:iam::${ACCOUNT}:user/example`);
    const query = request(
      '/?Param2=value2&Param1=value1',
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
    expect(authenticate(query, store, at).account).toBe(ACCOUNT);
  });

  it('rejects a changed request and an old timestamp', () => {
    const changed = request(
      '/?Param2=value3',
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(() => authenticate(changed, store, at)).toThrow(
      expect.objectContaining({ code: 'SignatureDoesNotMatch', status: 403 }),
    );
    const vanilla = request(
      '/',
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(() => authenticate(vanilla, store, new Date('2015-08-30T12:42:00Z'))).toThrow(
      'Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)',
    );
  });
});

describe('SigV4 verification through @aws-sdk/client-sts', () => {
  let emulator: Emulator;
  let offsetMs = 0;

  const client = (credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }) => new STSClient({ endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, credentials });

  beforeAll(async () => {
    emulator = await startEmulator({
      clock: () => new Date(Date.now() + offsetMs),
      sts: {
        credentials: [{ ...USER, arn: `arn:aws:iam::${ACCOUNT}:user/ci` }],
        roles: [{ arn: ROLE, trust: { principals: [`arn:aws:iam::${ACCOUNT}:user/ci`] } }],
      },
    });
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('accepts a request signed with seeded credentials', async () => {
    const me = await client(USER).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/ci`);
    expect(me.Account).toBe(ACCOUNT);
    expect(me.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });

  it('rejects an access key it never issued with InvalidClientTokenId', async () => {
    const error = await failure(
      client({ ...USER, accessKeyId: 'AKIAUNKNOWNKEY000000' }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(error).toEqual({
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
      status: 403,
    });
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    const error = await failure(
      client({ ...USER, secretAccessKey: USER.secretAccessKey.replace('w', 'W') }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect([error.name, error.status]).toEqual(['SignatureDoesNotMatch', 403]);
  });

  it('rejects a signature tampered with after signing', async () => {
    const tampering = client(USER);
    tampering.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        const authorization = request.headers['authorization'] ?? '';
        request.headers['authorization'] = authorization.replace(
          /Signature=(.)/,
          (_m, c: string) => (c === '0' ? 'Signature=1' : 'Signature=0'),
        );
        return next(args);
      },
      { step: 'deserialize', name: 'tamperSignature' },
    );
    const error = await failure(tampering.send(new GetCallerIdentityCommand({})));
    expect(error).toEqual({
      name: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      status: 403,
    });
  });

  it('requires the session token of temporary credentials', async () => {
    const assumed = await client(USER).send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'tmp' }),
    );
    const temporary = {
      accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
    };
    for (const sessionToken of [undefined, 'not-the-token']) {
      const error = await failure(
        client({ ...temporary, ...(sessionToken === undefined ? {} : { sessionToken }) }).send(
          new GetCallerIdentityCommand({}),
        ),
      );
      expect([error.name, error.status]).toEqual(['InvalidClientTokenId', 403]);
    }
  });

  it('rejects expired credentials with ExpiredToken', async () => {
    emulator.sts.addCredentials({
      accessKeyId: 'ASIAEXPIREDEXAMPLE01',
      secretAccessKey: USER.secretAccessKey,
      sessionToken: 'expired-session-token',
      expiration: new Date(Date.now() - 1000),
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/short/old`,
    });
    const error = await failure(
      client({
        accessKeyId: 'ASIAEXPIREDEXAMPLE01',
        secretAccessKey: USER.secretAccessKey,
        sessionToken: 'expired-session-token',
      }).send(new GetCallerIdentityCommand({})),
    );
    expect(error).toEqual({
      name: 'ExpiredToken',
      message: 'The security token included in the request is expired',
      status: 400,
    });
  });

  it('expires issued credentials after DurationSeconds on the emulator clock', async () => {
    const assumed = await client(USER).send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'brief', DurationSeconds: 900 }),
    );
    const temporary = {
      accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
      sessionToken: assumed.Credentials?.SessionToken ?? '',
    };
    await client(temporary).send(new GetCallerIdentityCommand({}));
    offsetMs = 901_000;
    try {
      const error = await failure(client(temporary).send(new GetCallerIdentityCommand({})));
      expect([error.name, error.status]).toEqual(['ExpiredToken', 400]);
      const skewed = await failure(client(USER).send(new GetCallerIdentityCommand({})));
      expect([skewed.name, skewed.status]).toEqual(['SignatureDoesNotMatch', 403]);
      expect(skewed.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    } finally {
      offsetMs = 0;
    }
  });

  it('answers an unsigned signed-only action with MissingAuthenticationToken', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(403);
    const requestId = response.headers.get('x-amzn-requestid');
    expect(await response.text()).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
        '<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>' +
        `</Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`,
    );
  });
});
