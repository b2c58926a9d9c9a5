import { describe, expect, it } from '@jest/globals';
import type { AssumeParams, StsPort } from '../../../src/oidc/ports.ts';
import { IdTokenRequestError } from '../../../src/oidc/ports.ts';
import { UserError } from '../../../src/lib/errors.ts';
import { type AssumeEvent, type AssumeRequest, assumeRole } from '../../../src/oidc/assume.ts';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const CLAIMS = {
  sub: 'repo:octo-org/octo-app:environment:staging',
  aud: 'sts.amazonaws.com',
  iss: 'https://token.actions.githubusercontent.com',
  repository: 'octo-org/octo-app',
  ref: 'refs/heads/main',
  environment: 'staging',
  job_workflow_ref: 'octo-org/octo-app/.github/workflows/deploy.yml@refs/heads/main',
};
const token = (n: number) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...CLAIMS, jti: `t${n}` })).toString('base64url')}.sig${n}`;

const awsError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

function credentials(n: number) {
  return {
    accessKeyId: `ASIAKEY${n}`,
    secretAccessKey: `secret-${n}`,
    sessionToken: `session-${n}`,
    expiration: new Date('2026-11-21T13:00:00Z'),
  };
}

function fakeSts(
  script: {
    webIdentity?: (params: AssumeParams & { webIdentityToken: string }, n: number) => void;
    account?: string;
  } = {},
) {
  const calls = { webIdentity: [] as string[], assumeRole: [] as unknown[], identity: 0 };
  const sts: StsPort = {
    async assumeRoleWithWebIdentity(params) {
      calls.webIdentity.push(params.webIdentityToken);
      script.webIdentity?.(params, calls.webIdentity.length);
      return {
        credentials: credentials(1),
        assumedRoleArn: 'arn:aws:sts::111122223333:assumed-role/deploy/s',
      };
    },
    async assumeRole(source, params) {
      calls.assumeRole.push({ source, params });
      return {
        credentials: credentials(2),
        assumedRoleArn: 'arn:aws:sts::444455556666:assumed-role/second/s',
      };
    },
    async getCallerIdentity(creds) {
      calls.identity++;
      const account =
        script.account ?? (creds.accessKeyId === 'ASIAKEY2' ? '444455556666' : '111122223333');
      return { account, arn: `arn:aws:sts::${account}:assumed-role/x/s`, userId: 'AROA:x' };
    },
  };
  return { sts, calls };
}

function request(overrides: Partial<AssumeRequest> = {}): AssumeRequest & { tokens: string[] } {
  const tokens: string[] = [];
  return {
    roleArn: ROLE,
    sessionName: 'GitHubActions-octo-app-1',
    durationSeconds: 3600,
    policies: {},
    allowedAccountIds: [],
    retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 },
    source: {
      kind: 'web-identity',
      audience: 'sts.amazonaws.com',
      fetchIdToken: async () => {
        const t = token(tokens.length + 1);
        tokens.push(t);
        return t;
      },
    },
    tokens,
    ...overrides,
  };
}

function deps(sts: StsPort) {
  const masked: string[] = [];
  const events: AssumeEvent[] = [];
  const slept: number[] = [];
  return {
    masked,
    events,
    slept,
    deps: {
      sts,
      mask: (s: string) => void masked.push(s),
      sleep: async (ms: number) => void slept.push(ms),
      random: () => 0.5,
      signal: new AbortController().signal,
      onEvent: (e: AssumeEvent) => void events.push(e),
    },
  };
}

describe('assumeRole with the OIDC token', () => {
  it('assumes, checks the caller identity and masks every secret', async () => {
    const { sts, calls } = fakeSts();
    const d = deps(sts);
    const req = request();
    const result = await assumeRole(req, d.deps);
    expect(result.accountId).toBe('111122223333');
    expect(result.via).toBe('web-identity');
    expect(calls.identity).toBe(1);
    expect(d.masked).toEqual(
      expect.arrayContaining([req.tokens[0], 'ASIAKEY1', 'secret-1', 'session-1']),
    );
  });

  it('fetches a fresh token for every attempt', async () => {
    const { sts, calls } = fakeSts({
      webIdentity: (_p, n) => {
        if (n < 3) throw awsError('Throttling', 400, 'Rate exceeded');
      },
    });
    const d = deps(sts);
    const req = request();
    await assumeRole(req, d.deps);
    expect(calls.webIdentity).toEqual(req.tokens);
    expect(new Set(calls.webIdentity).size).toBe(3);
    expect(d.slept).toEqual([50, 100]);
    expect(d.events.filter((e) => e.type === 'retrying')).toHaveLength(2);
  });

  it('does not retry AccessDenied, and explains it with the token claims and subject forms', async () => {
    const { sts, calls } = fakeSts({
      webIdentity: () => {
        throw awsError(
          'AccessDenied',
          403,
          'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        );
      },
    });
    const error = await assumeRole(request(), deps(sts).deps).catch((e: unknown) => e);
    expect(calls.webIdentity).toHaveLength(1);
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    expect(e.message).toMatch(
      /^AWS refused to let this job assume arn:aws:iam::111122223333:role\/deploy: AccessDenied \(HTTP 403\)/,
    );
    const details = e.details.join('\n');
    expect(details).toContain('sub: repo:octo-org/octo-app:environment:staging');
    expect(details).toContain(
      'job_workflow_ref: octo-org/octo-app/.github/workflows/deploy.yml@refs/heads/main',
    );
    expect(details).toContain('repo:octo-org/octo-app:environment:staging  (this job');
    expect(details).toContain(
      'repo:octo-org/octo-app:ref:refs/heads/main  (jobs without an environment only)',
    );
    expect(details).toContain('repo:octo-org/octo-app:pull_request');
    expect(details).toContain(
      "token.actions.githubusercontent.com:aud must equal 'sts.amazonaws.com'",
    );
  });

  it('points at the audience when STS says the audience is wrong', async () => {
    const { sts } = fakeSts({
      webIdentity: () => {
        throw awsError('InvalidIdentityTokenException', 400, 'Incorrect token audience');
      },
    });
    await expect(assumeRole(request(), deps(sts).deps)).rejects.toThrow(
      /audience 'sts.amazonaws.com' is not a client ID/,
    );
  });

  it('retries an expired token once with a fresh one, then blames the clock', async () => {
    const { sts, calls } = fakeSts({
      webIdentity: () => {
        throw awsError('ExpiredTokenException', 400, 'Token expired');
      },
    });
    await expect(assumeRole(request(), deps(sts).deps)).rejects.toThrow(
      /even a freshly fetched one.*clock/,
    );
    expect(calls.webIdentity).toHaveLength(2);
    expect(calls.webIdentity[0]).not.toBe(calls.webIdentity[1]);
  });

  it('retries a failing token endpoint, not a refused one', async () => {
    const { sts } = fakeSts();
    let fetches = 0;
    const flaky = request({
      source: {
        kind: 'web-identity',
        audience: 'sts.amazonaws.com',
        fetchIdToken: async () => {
          fetches++;
          if (fetches === 1) throw new IdTokenRequestError('HTTP 503', true);
          return token(9);
        },
      },
    });
    await assumeRole(flaky, deps(sts).deps);
    expect(fetches).toBe(2);

    fetches = 0;
    const refused = request({
      source: {
        kind: 'web-identity',
        audience: 'sts.amazonaws.com',
        fetchIdToken: async () => {
          fetches++;
          throw new IdTokenRequestError('HTTP 401', false);
        },
      },
    });
    await expect(assumeRole(refused, deps(sts).deps)).rejects.toThrow(
      'AssumeRoleWithWebIdentity failed after 1 attempt: HTTP 401',
    );
    expect(fetches).toBe(1);
  });

  it('refuses an account outside allowed-account-ids', async () => {
    const { sts } = fakeSts();
    await expect(
      assumeRole(request({ allowedAccountIds: ['999999999999'] }), deps(sts).deps),
    ).rejects.toThrow(
      'The role is in account 111122223333, which is not in allowed-account-ids (999999999999)',
    );
  });

  it('reports the abort reason and the last error when stopped', async () => {
    const controller = new AbortController();
    const { sts } = fakeSts({
      webIdentity: () => {
        throw awsError('Throttling', 400, 'Rate exceeded');
      },
    });
    const d = deps(sts);
    const run = assumeRole(request(), {
      ...d.deps,
      signal: controller.signal,
      sleep: async () => {
        controller.abort(new Error('the timeout of 2m ran out'));
        throw controller.signal.reason;
      },
    });
    await expect(run).rejects.toThrow(
      'AssumeRoleWithWebIdentity did not finish: the timeout of 2m ran out (attempt 1, last error: Throttling (HTTP 400): Rate exceeded).',
    );
  });
});

describe('assumeRole by role chaining', () => {
  const source = {
    kind: 'role-chaining' as const,
    credentials: { accessKeyId: 'ASIAKEY1', secretAccessKey: 's', sessionToken: 't' },
    externalId: 'ext-123',
  };

  it('calls AssumeRole with the held credentials and the external id', async () => {
    const { sts, calls } = fakeSts();
    const result = await assumeRole(request({ source }), deps(sts).deps);
    expect(calls.webIdentity).toHaveLength(0);
    expect(calls.assumeRole).toEqual([
      expect.objectContaining({
        source: source.credentials,
        params: expect.objectContaining({ externalId: 'ext-123', roleArn: ROLE }),
      }),
    ]);
    expect(result).toMatchObject({ accountId: '444455556666', via: 'role-chaining' });
  });

  it('explains an AccessDenied from the second role', async () => {
    const { sts } = fakeSts();
    sts.assumeRole = async () => {
      throw awsError('AccessDenied', 403, 'User: x is not authorized to perform: sts:AssumeRole');
    };
    await expect(assumeRole(request({ source }), deps(sts).deps)).rejects.toThrow(
      /AWS refused role chaining into .*with this role-external-id/,
    );
  });
});
