import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type Credentials,
} from '@aws-sdk/client-sts';
import { createServer } from 'node:http';
import { startEmulator, type Emulator } from './server.ts';
import { newRsaKey, startTestingIssuer, type TestingIssuer } from './testing-issuer.ts';

const ACCOUNT = '123456789012';
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/gha-deploy`;
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/ci/app-deployer`;
const LOCKED_ROLE = `arn:aws:iam::${ACCOUNT}:role/locked`;
const WORKFLOW_REF = 'acme/ship/.github/workflows/deploy.yml@refs/heads/main';

let issuer: TestingIssuer;
let emulator: Emulator;
let deadIssuerUrl: string;

interface SdkFailure {
  readonly name: string;
  readonly message: string;
  readonly status: number | undefined;
}

async function failure(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

type Keys = Pick<Credentials, 'AccessKeyId' | 'SecretAccessKey'> & {
  SessionToken?: string | undefined;
};

const client = (keys?: Keys) =>
  new STSClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    ...(keys === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: keys.AccessKeyId ?? '',
            secretAccessKey: keys.SecretAccessKey ?? '',
            ...(keys.SessionToken === undefined ? {} : { sessionToken: keys.SessionToken }),
          },
        }),
  });

const nowSeconds = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: 'sts.amazonaws.com',
    sub: 'repo:acme/app:environment:staging',
    job_workflow_ref: WORKFLOW_REF,
    iat: nowSeconds(),
    nbf: nowSeconds(),
    exp: nowSeconds() + 300,
    ...overrides,
  };
}

const webIdentity = (
  token: string,
  extra: Partial<{ RoleArn: string; RoleSessionName: string; DurationSeconds: number }> = {},
) =>
  client().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: DEPLOY_ROLE,
      RoleSessionName: 'gha-run-42',
      WebIdentityToken: token,
      ...extra,
    }),
  );

beforeAll(async () => {
  issuer = await startTestingIssuer();
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  const address = dead.address();
  deadIssuerUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  await new Promise<void>((resolve) => dead.close(() => resolve()));

  emulator = await startEmulator({
    sts: {
      idpTimeoutMs: 1000,
      oidcProviders: [
        { url: issuer.url, clientIds: ['sts.amazonaws.com', 'other-audience'], accountId: ACCOUNT },
        { url: deadIssuerUrl, clientIds: ['sts.amazonaws.com'], accountId: ACCOUNT },
      ],
      roles: [
        {
          arn: DEPLOY_ROLE,
          maxSessionDuration: 7200,
          trust: {
            webIdentity: {
              issuer: issuer.url,
              audience: 'sts.amazonaws.com',
              subject: ['repo:acme/app:environment:*'],
              jobWorkflowRef: 'acme/ship/.github/workflows/deploy.yml@*',
            },
          },
        },
        { arn: APP_ROLE, trust: { principals: [DEPLOY_ROLE], externalId: 'ship-42' } },
        { arn: LOCKED_ROLE, trust: {} },
      ],
    },
  });
});

afterAll(async () => {
  await emulator.close();
  await issuer.close();
});

describe('AssumeRoleWithWebIdentity through @aws-sdk/client-sts', () => {
  it('exchanges a valid token for credentials, which then sign GetCallerIdentity and chain into AssumeRole', async () => {
    const token = issuer.token(claims());
    const assumed = await webIdentity(token, { DurationSeconds: 900 });

    expect(assumed.$metadata.httpStatusCode).toBe(200);
    expect(assumed.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const credentials = assumed.Credentials;
    expect(credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials?.SecretAccessKey).toHaveLength(40);
    expect(credentials?.SessionToken?.length).toBeGreaterThan(100);
    expect(credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 890_000);
    expect(credentials?.Expiration?.getTime()).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(assumed.SubjectFromWebIdentityToken).toBe('repo:acme/app:environment:staging');
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/gha-run-42`,
    );
    expect(assumed.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:gha-run-42$/);
    expect(assumed.Provider).toBe(
      `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.url.replace('http://', '')}`,
    );
    expect(assumed.Audience).toBe('sts.amazonaws.com');

    const record = emulator.sts.assumed.at(-1);
    expect(record).toMatchObject({
      action: 'AssumeRoleWithWebIdentity',
      roleArn: DEPLOY_ROLE,
      roleSessionName: 'gha-run-42',
      durationSeconds: 900,
      accessKeyId: credentials?.AccessKeyId,
    });
    expect(record?.claims?.['job_workflow_ref']).toBe(WORKFLOW_REF);

    const me = await client(credentials).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/gha-run-42`,
      UserId: assumed.AssumedRoleUser?.AssumedRoleId,
    });

    const chained = await client(credentials).send(
      new AssumeRoleCommand({
        RoleArn: APP_ROLE,
        RoleSessionName: 'deploy-app',
        ExternalId: 'ship-42',
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        Policy:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}',
      }),
    );
    expect(chained.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/app-deployer/deploy-app`,
    );
    expect(emulator.sts.assumed.at(-1)).toMatchObject({
      action: 'AssumeRole',
      callerArn: me.Arn,
      externalId: 'ship-42',
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    const chainedMe = await client(chained.Credentials).send(new GetCallerIdentityCommand({}));
    expect(chainedMe.Arn).toBe(chained.AssumedRoleUser?.Arn);

    const log = JSON.stringify(emulator.calls);
    for (const secret of [token, credentials?.SecretAccessKey, credentials?.SessionToken]) {
      expect(log).not.toContain(secret);
    }
    expect(emulator.calls.slice(-4).map((c) => [c.service, c.action, c.status])).toEqual([
      ['sts', 'AssumeRoleWithWebIdentity', 200],
      ['sts', 'GetCallerIdentity', 200],
      ['sts', 'AssumeRole', 200],
      ['sts', 'GetCallerIdentity', 200],
    ]);
  });

  it.each([
    ['an audience the provider does not list', { aud: 'someone-else' }, 'Incorrect token audience'],
    ['no audience at all', { aud: undefined }, 'Incorrect token audience'],
  ])('rejects %s with InvalidIdentityToken', async (_case, overrides, message) => {
    const error = await failure(webIdentity(issuer.token(claims(overrides))));
    expect(error).toEqual({ name: 'InvalidIdentityTokenException', message, status: 400 });
  });

  it.each([
    ['an audience the role does not trust', { aud: 'other-audience' }],
    ['a subject outside the trust pattern', { sub: 'repo:acme/app:pull_request' }],
    ['a subject from another repository', { sub: 'repo:evil/app:environment:staging' }],
    [
      'another workflow',
      { job_workflow_ref: 'acme/app/.github/workflows/mine.yml@refs/heads/main' },
    ],
  ])('denies %s with AccessDenied', async (_case, overrides) => {
    const error = await failure(webIdentity(issuer.token(claims(overrides))));
    expect(error).toEqual({
      name: 'AccessDenied',
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      status: 403,
    });
  });

  it('denies a role that does not exist or has no web-identity trust', async () => {
    for (const RoleArn of [`arn:aws:iam::${ACCOUNT}:role/nope`, APP_ROLE]) {
      const error = await failure(webIdentity(issuer.token(claims()), { RoleArn }));
      expect([error.name, error.status]).toEqual(['AccessDenied', 403]);
    }
  });

  it('rejects an expired token with ExpiredTokenException', async () => {
    const exp = nowSeconds() - 10;
    const error = await failure(webIdentity(issuer.token(claims({ iat: exp - 300, exp }))));
    expect(error.name).toBe('ExpiredTokenException');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(
      new RegExp(
        `^Token expired: current date/time \\d+ must be before the expiration date/time ${exp}$`,
      ),
    );
  });

  it('rejects a token from an issuer with no registered provider', async () => {
    const token = issuer.token(claims({ iss: 'https://token.example.invalid' }));
    const error = await failure(webIdentity(token));
    expect(error).toEqual({
      name: 'InvalidIdentityTokenException',
      message: 'No OpenIDConnect provider found in your account for https://token.example.invalid',
      status: 400,
    });
  });

  it('rejects a token signed by another key, a tampered payload and a malformed token', async () => {
    const forged = issuer.token(claims(), { privateKey: newRsaKey() });
    const [header, , signature] = issuer.token(claims()).split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims(), iss: issuer.url, sub: 'repo:acme/app:environment:prod' })).toString('base64url')}.${signature}`;
    for (const token of [forged, tampered, 'not-a-jwt', 'a.b.c']) {
      const error = await failure(webIdentity(token));
      expect([error.name, error.status]).toEqual(['InvalidIdentityTokenException', 400]);
    }
  });

  it('rejects a token whose kid the issuer does not publish', async () => {
    const error = await failure(webIdentity(issuer.token(claims(), { kid: 'rotated-away' })));
    expect(error.name).toBe('InvalidIdentityTokenException');
    expect(error.message).toMatch(
      /^Couldn't retrieve verification key from your identity provider/,
    );
  });

  it('reports IDPCommunicationError when the issuer is unreachable or failing', async () => {
    const unreachable = await failure(webIdentity(issuer.token(claims({ iss: deadIssuerUrl }))));
    expect([unreachable.name, unreachable.status]).toEqual(['IDPCommunicationErrorException', 400]);

    emulator.sts.clearKeyCache();
    issuer.failWith(503);
    try {
      const failing = await failure(webIdentity(issuer.token(claims())));
      expect([failing.name, failing.status]).toEqual(['IDPCommunicationErrorException', 400]);
    } finally {
      issuer.failWith(undefined);
    }
  });

  it('caches the issuer keys between calls', async () => {
    await webIdentity(issuer.token(claims()));
    const before = issuer.requests;
    await webIdentity(issuer.token(claims()));
    expect(issuer.requests).toBe(before);
  });

  it('validates DurationSeconds against 900 and the role maximum', async () => {
    const token = issuer.token(claims());
    expect(await failure(webIdentity(token, { DurationSeconds: 899 }))).toEqual({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      status: 400,
    });
    expect(await failure(webIdentity(token, { DurationSeconds: 7201 }))).toEqual({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      status: 400,
    });
    const longest = await webIdentity(token, { DurationSeconds: 7200 });
    expect(longest.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 7_190_000);
  });

  it('validates RoleSessionName pattern and length', async () => {
    const token = issuer.token(claims());
    expect(await failure(webIdentity(token, { RoleSessionName: 'has space' }))).toEqual({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      status: 400,
    });
    const tooLong = 'x'.repeat(65);
    expect((await failure(webIdentity(token, { RoleSessionName: tooLong }))).message).toBe(
      `1 validation error detected: Value '${tooLong}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
    expect((await failure(webIdentity(token, { RoleSessionName: 'x' }))).message).toMatch(
      /^1 validation error detected: .* Member must have length greater than or equal to 2$/,
    );
    expect(
      (await failure(webIdentity(token, { RoleSessionName: '!', DurationSeconds: 60 }))).message,
    ).toMatch(/^3 validation errors detected: /);
  });
});

describe('requests the emulator does not serve', () => {
  it('answers them in the caller protocol and logs them as unknown', async () => {
    const json = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'X-Amz-Target': 'DynamoDB_20120810.ListTables',
        'Content-Type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(json.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(emulator.calls.at(-1)).toMatchObject({
      service: 'unknown',
      errorCode: 'UnknownOperationException',
    });

    const query = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetFederationToken&Version=2011-06-15',
    });
    expect(query.status).toBe(400);
    expect(await query.text()).toContain('<Code>InvalidAction</Code>');
  });
});

describe('AssumeRole through @aws-sdk/client-sts', () => {
  async function deploySession(): Promise<Credentials> {
    const assumed = await webIdentity(issuer.token(claims()));
    if (assumed.Credentials === undefined) throw new Error('no credentials');
    return assumed.Credentials;
  }

  it('denies a caller the role does not trust', async () => {
    const credentials = await deploySession();
    const error = await failure(
      client(credentials).send(
        new AssumeRoleCommand({ RoleArn: LOCKED_ROLE, RoleSessionName: 's1' }),
      ),
    );
    expect(error).toEqual({
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/gha-run-42 is not authorized to perform: sts:AssumeRole on resource: ${LOCKED_ROLE}`,
      status: 403,
    });
  });

  it('denies a missing or wrong ExternalId', async () => {
    const credentials = await deploySession();
    for (const ExternalId of [undefined, 'ship-43']) {
      const error = await failure(
        client(credentials).send(
          new AssumeRoleCommand({ RoleArn: APP_ROLE, RoleSessionName: 's1', ExternalId }),
        ),
      );
      expect([error.name, error.status]).toEqual(['AccessDenied', 403]);
    }
  });

  it('limits chained sessions to one hour and rejects malformed session policies', async () => {
    const credentials = await deploySession();
    const chained = (extra: object) =>
      client(credentials).send(
        new AssumeRoleCommand({
          RoleArn: APP_ROLE,
          RoleSessionName: 's1',
          ExternalId: 'ship-42',
          ...extra,
        }),
      );
    expect(await failure(chained({ DurationSeconds: 3601 }))).toEqual({
      name: 'ValidationError',
      message:
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      status: 400,
    });
    const malformed = await failure(chained({ Policy: '{not json' }));
    expect([malformed.name, malformed.status]).toEqual(['MalformedPolicyDocumentException', 400]);
  });

  it('lets seeded user credentials assume a role that trusts the account root', async () => {
    emulator.sts.addRole({
      arn: `arn:aws:iam::${ACCOUNT}:role/any-in-account`,
      trust: { principals: [`arn:aws:iam::${ACCOUNT}:root`] },
    });
    emulator.sts.addCredentials({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
    });
    const stsAsUser = client({
      AccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    const assumed = await stsAsUser.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/any-in-account`,
        RoleSessionName: 'ci',
        DurationSeconds: 3600,
      }),
    );
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/any-in-account/ci`,
    );
  });
});

describe('AssumeRole with identity rules loaded (an account-trusting role needs the caller’s own grant)', () => {
  it('refuses a caller whose policy does not allow sts:AssumeRole on a role trusting its account, and lets one whose policy does', async () => {
    const local = await startEmulator();
    try {
      const bootstrap = `arn:aws:iam::${ACCOUNT}:role/cdk-deploy`;
      const named = `arn:aws:iam::${ACCOUNT}:role/names-reader`;
      local.sts.addRole({
        arn: bootstrap,
        trust: { principals: [`arn:aws:iam::${ACCOUNT}:root`] },
      });
      local.sts.addRole({
        arn: named,
        trust: { principals: [`arn:aws:iam::${ACCOUNT}:role/reader`] },
      });
      local.sts.addAccess(
        (principal, action, resource) =>
          principal === `arn:aws:iam::${ACCOUNT}:role/deployer` &&
          action === 'sts:AssumeRole' &&
          resource === bootstrap,
      );
      const keys = (role: string, n: number) => {
        const accessKeyId = `ASIAEXAMPLE00000000${n}`;
        local.sts.addCredentials({
          accessKeyId,
          secretAccessKey: `secret-${n}`,
          sessionToken: `token-${n}`,
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/s`,
        });
        return new STSClient({
          endpoint: local.url,
          region: 'us-east-1',
          maxAttempts: 1,
          credentials: { accessKeyId, secretAccessKey: `secret-${n}`, sessionToken: `token-${n}` },
        });
      };
      const assume = (client: STSClient, RoleArn: string) =>
        client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'cdk' }));
      const reader = keys('reader', 1);
      const deployer = keys('deployer', 2);
      await expect(assume(reader, bootstrap)).rejects.toMatchObject({
        name: 'AccessDenied',
        message: expect.stringContaining(
          `is not authorized to perform: sts:AssumeRole on resource: ${bootstrap}`,
        ),
      });
      expect((await assume(deployer, bootstrap)).AssumedRoleUser?.Arn).toBe(
        `arn:aws:sts::${ACCOUNT}:assumed-role/cdk-deploy/cdk`,
      );
      // A trust policy naming the caller needs no grant of its own (same account).
      expect((await assume(reader, named)).AssumedRoleUser?.Arn).toBe(
        `arn:aws:sts::${ACCOUNT}:assumed-role/names-reader/cdk`,
      );
      reader.destroy();
      deployer.destroy();
    } finally {
      await local.close();
    }
  });
});
