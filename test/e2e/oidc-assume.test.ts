// dist/oidc-assume/index.js run as the runner runs it, against the AWS emulator and a local
// GitHub OIDC issuer. Every run's log is scanned for every secret seen so far.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { stat, readFile } from 'node:fs/promises';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import {
  type ActionRun,
  type ForwardProxy,
  type OidcIssuer,
  startForwardProxy,
  startOidcIssuer,
} from '../harness/index.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, result } from './step-assertions.ts';

const DEPLOY_ROLE = 'arn:aws:iam::111122223333:role/deploy';
const PROD_ROLE = 'arn:aws:iam::444455556666:role/prod-deployer';
const SUBJECT = 'repo:octo-org/octo-app:environment:staging';

let issuer: OidcIssuer;
let emulator: Emulator;

beforeAll(async () => {
  issuer = await startOidcIssuer({ context: { environment: 'staging' } });
  emulator = await startEmulator({
    sts: {
      oidcProviders: [
        { url: issuer.url, clientIds: ['sts.amazonaws.com'], accountId: '111122223333' },
      ],
      roles: [
        {
          arn: DEPLOY_ROLE,
          maxSessionDuration: 7200,
          trust: {
            webIdentity: { issuer: issuer.url, audience: 'sts.amazonaws.com', subject: SUBJECT },
          },
        },
        { arn: PROD_ROLE, trust: { principals: [DEPLOY_ROLE], externalId: 'release-2026' } },
      ],
    },
  });
});

afterEach(() => {
  issuer.setContext({ environment: 'staging' });
  issuer.setTtlSeconds(300);
  issuer.setBehaviour({ tokenEndpoint: 'ok', discovery: 'ok', jwks: 'ok' });
  emulator.faults.clear();
  emulator.sts.clearKeyCache();
});

const steps = useActionSteps('actions/oidc-assume/action.yml', {
  defaults: () => ({
    inputs: { 'aws-region': 'eu-west-1' },
    env: { AWS_ENDPOINT_URL: emulator.url },
  }),
  // The secret scan, over every run of this file: tokens, the runner's request token and every
  // credential any run received.
  secrets: (runs) => {
    const secrets = [
      issuer.requestToken,
      ...issuer.issued.map((t) => t.token),
      ...runs.flatMap((run) => [
        run.exportedEnv.AWS_SECRET_ACCESS_KEY ?? '',
        run.exportedEnv.AWS_SESSION_TOKEN ?? '',
        run.exportedEnv.AWS_ACCESS_KEY_ID ?? '',
        run.outputs['aws-secret-access-key'] ?? '',
        run.outputs['aws-session-token'] ?? '',
      ]),
    ];
    expect(secrets.filter(Boolean).length).toBeGreaterThan(runs.length);
    return secrets;
  },
  close: async () => {
    await emulator.close();
    await issuer.close();
  },
});

interface RunOptions {
  env?: Record<string, string>;
  post?: boolean;
  /** Run as a job without `permissions: id-token: write`. */
  withoutOidc?: boolean;
}

/**
 * With LOAD_HOOK_LOG=<file> in the test's environment, every step logs what it loads from
 * dist/oidc-assume/ (bench/load-hook.mjs; the figures in bench/README.md).
 */
const LOAD_HOOK = process.env['LOAD_HOOK_LOG']
  ? {
      NODE_OPTIONS: `--import=${new URL('../../bench/load-hook.mjs', import.meta.url).pathname}`,
      LOAD_HOOK_LOG: process.env['LOAD_HOOK_LOG'],
    }
  : {};

function run(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  return steps.run({
    ...(options.withoutOidc ? {} : { oidc: issuer }),
    inputs,
    ...(options.post === undefined ? {} : { post: options.post }),
    env: { ...LOAD_HOOK, ...options.env },
  });
}

const callsTo = (action: string) => emulator.calls.filter((c) => c.action === action).length;

describe('oidc-assume bundle', () => {
  it('assumes the role, exports credentials for later steps, and clears them in the post step', async () => {
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['aws-account-id']).toBe('111122223333');
    expect(r.outputs['authenticated-arn']).toMatch(
      /^arn:aws:sts::111122223333:assumed-role\/deploy\/GitHubActions-octo-app-/,
    );
    expect(new Date(r.outputs['aws-expiration']!).getTime()).toBeGreaterThan(Date.now());
    expect(r.outputs['aws-secret-access-key']).toBeUndefined();
    expect(result(r)).toMatchObject({
      version: 1,
      outcome: 'assumed',
      via: 'web-identity',
      accountId: '111122223333',
    });

    const env = r.exportedEnv;
    expect(env.AWS_REGION).toBe('eu-west-1');
    expect(env.AWS_DEFAULT_REGION).toBe('eu-west-1');
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    for (const secret of [
      env.AWS_ACCESS_KEY_ID,
      env.AWS_SECRET_ACCESS_KEY,
      env.AWS_SESSION_TOKEN,
      issuer.issued.at(-1)!.token,
    ]) {
      expect(r.masks).toContain(secret);
    }

    const assumed = emulator.sts.assumed.at(-1)!;
    expect(assumed.action).toBe('AssumeRoleWithWebIdentity');
    expect(assumed.roleSessionName).toBe(
      `GitHubActions-octo-app-${r.env.GITHUB_RUN_ID}-${r.env.GITHUB_RUN_ATTEMPT}`,
    );
    expect(assumed.claims?.sub).toBe(SUBJECT);
    expect(r.summary).toContain('`arn:aws:iam::111122223333:role/deploy`');

    expect(r.post?.exitCode).toBe(0);
    expect(r.post?.exportedEnv).toMatchObject({
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
    });
  });

  it('sets the credentials as outputs when asked, and passes duration and session policies to STS', async () => {
    const r = await run({
      'role-to-assume': DEPLOY_ROLE,
      'output-credentials': 'true',
      'role-duration-seconds': '7200',
      'role-session-name': 'release-42',
      'inline-session-policy':
        '{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }] }',
      'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['aws-access-key-id']).toBe(r.exportedEnv.AWS_ACCESS_KEY_ID);
    expect(r.outputs['aws-secret-access-key']).toBe(r.exportedEnv.AWS_SECRET_ACCESS_KEY);
    expect(r.outputs['aws-session-token']).toBe(r.exportedEnv.AWS_SESSION_TOKEN);
    expect(emulator.sts.assumed.at(-1)).toMatchObject({
      roleSessionName: 'release-42',
      durationSeconds: 7200,
      policy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
  });

  it('masks the account id when asked, before the first line that names it', async () => {
    const r = await run({ 'role-to-assume': DEPLOY_ROLE, 'mask-aws-account-id': 'true' });
    expect(r.exitCode).toBe(0);
    expect(r.masks).toContain('111122223333');
    const firstMention = r.log
      .split('\n')
      .findIndex((line) => line.includes('111122223333') && !line.startsWith('::add-mask::'));
    const maskLine = r.log.split('\n').indexOf('::add-mask::111122223333');
    expect(maskLine).toBeGreaterThanOrEqual(0);
    expect(maskLine).toBeLessThan(firstMention);
  });

  it('chains into a second role with the first credentials and the external id', async () => {
    const first = await run({ 'role-to-assume': DEPLOY_ROLE }, { post: false });
    const second = await run(
      {
        'role-to-assume': PROD_ROLE,
        'role-chaining': 'true',
        'role-external-id': 'release-2026',
        'allowed-account-ids': '444455556666',
      },
      { env: first.exportedEnv, withoutOidc: true },
    );
    expect(second.exitCode).toBe(0);
    expect(second.outputs['aws-account-id']).toBe('444455556666');
    expect(result(second)).toMatchObject({ via: 'role-chaining' });
    expect(emulator.sts.assumed.at(-1)).toMatchObject({
      action: 'AssumeRole',
      roleArn: PROD_ROLE,
      externalId: 'release-2026',
      callerArn: first.outputs['authenticated-arn'],
    });
    expect(second.exportedEnv.AWS_ACCESS_KEY_ID).not.toBe(first.exportedEnv.AWS_ACCESS_KEY_ID);

    const wrongId = await run(
      { 'role-to-assume': PROD_ROLE, 'role-chaining': 'true', 'role-external-id': 'guess' },
      { env: first.exportedEnv, withoutOidc: true },
    );
    expectFailure(
      wrongId,
      /^AWS refused role chaining into arn:aws:iam::444455556666:role\/prod-deployer: AccessDenied \(HTTP 403\)/,
    );
  });

  it('explains a wrong audience: no retry, the claims printed beside the subject forms', async () => {
    const before = callsTo('AssumeRoleWithWebIdentity');
    const r = await run({ 'role-to-assume': DEPLOY_ROLE, audience: 'api://wrong' });
    expectFailure(
      r,
      /AWS refused to let this job assume .*InvalidIdentityToken.*audience 'api:\/\/wrong' is not a client ID/,
    );
    expect(callsTo('AssumeRoleWithWebIdentity') - before).toBe(1);
    expect(r.log).toContain('aud: api://wrong');
    expect(r.log).toContain(`sub: ${SUBJECT}`);
    expect(result(r)).toMatchObject({ version: 1, outcome: 'failed' });
  });

  it('explains a subject the trust policy does not accept', async () => {
    issuer.setContext({ environment: 'dev' });
    const before = callsTo('AssumeRoleWithWebIdentity');
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expectFailure(
      r,
      /^AWS refused to let this job assume arn:aws:iam::111122223333:role\/deploy: AccessDenied \(HTTP 403\).*trust policy/,
    );
    expect(callsTo('AssumeRoleWithWebIdentity') - before).toBe(1);
    for (const line of [
      'sub: repo:octo-org/octo-app:environment:dev',
      'ref: refs/heads/main',
      'environment: dev',
      'job_workflow_ref: octo-org/octo-app/.github/workflows/',
      'repo:octo-org/octo-app:environment:dev  (this job',
      'repo:octo-org/octo-app:ref:refs/heads/main  (jobs without an environment only)',
      'repo:octo-org/octo-app:pull_request  (pull_request events)',
    ]) {
      expect(r.log).toContain(line);
    }
  });

  it('retries an expired token once with a fresh one, then blames the clock', async () => {
    issuer.setTtlSeconds(-120);
    const before = issuer.issued.length;
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expectFailure(
      r,
      /OIDC token expired, even a freshly fetched one: ExpiredTokenException.*clock/,
    );
    expect(issuer.issued.length - before).toBe(2);
  });

  it('rides out a throttling storm with a fresh token per attempt', async () => {
    emulator.faults.inject({
      service: 'sts',
      action: 'AssumeRoleWithWebIdentity',
      kind: 'throttle',
      times: 3,
    });
    const before = issuer.issued.length;
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expect(r.exitCode).toBe(0);
    const tokens = issuer.issued.slice(before).map((t) => t.token);
    expect(tokens).toHaveLength(4);
    expect(new Set(tokens).size).toBe(4);
    expect(
      r.log.match(
        /AssumeRoleWithWebIdentity attempt \d failed: Throttling \(HTTP 400\): Rate exceeded \[request [\w-]+\]; retrying in/g,
      ),
    ).toHaveLength(3);
  });

  it('gives up on an endless storm after retry-max-attempts, naming the last error', async () => {
    emulator.faults.inject({
      service: 'sts',
      action: 'AssumeRoleWithWebIdentity',
      kind: 'throttle',
    });
    const r = await run({ 'role-to-assume': DEPLOY_ROLE, 'retry-max-attempts': '3' });
    expectFailure(
      r,
      /^STS AssumeRoleWithWebIdentity failed after 3 attempts: Throttling \(HTTP 400\): Rate exceeded/,
    );
  });

  it('retries 5xx and dropped connections', async () => {
    emulator.faults.inject({
      service: 'sts',
      action: 'AssumeRoleWithWebIdentity',
      kind: 'server-error',
      times: 1,
    });
    emulator.faults.inject({
      service: 'sts',
      action: 'GetCallerIdentity',
      kind: 'reset',
      times: 1,
    });
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(
      /AssumeRoleWithWebIdentity attempt 1 failed: InternalFailure \(HTTP 500\)/,
    );
    expect(r.log).toMatch(/GetCallerIdentity attempt 1 failed: /);
  });

  it('retries when STS cannot reach the identity provider', async () => {
    issuer.setBehaviour({ discovery: { mode: 'error-500', times: 1 } });
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(/attempt 1 failed: IDPCommunicationError/);
  });

  it('never hangs on a hung STS: per-attempt timeouts, then the overall timeout', async () => {
    emulator.faults.inject({ service: 'sts', action: 'AssumeRoleWithWebIdentity', kind: 'hang' });
    const started = Date.now();
    const r = await run({
      'role-to-assume': DEPLOY_ROLE,
      'request-timeout': '500ms',
      timeout: '3s',
    });
    expect(Date.now() - started).toBeLessThan(8000);
    expectFailure(
      r,
      /^AssumeRoleWithWebIdentity did not finish: the timeout of 3s ran out \(attempt \d+, last error: TimeoutError/,
    );
    expect(r.log).toMatch(/attempt 1 failed: TimeoutError/);
  });

  it('retries a failing token endpoint', async () => {
    issuer.setBehaviour({ tokenEndpoint: { mode: 'error-500', times: 1 } });
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(/attempt 1 failed: GitHub's OIDC token endpoint answered HTTP 500/);
  });

  it('rolls nothing forward when cancelled: SIGTERM ends a waiting step with one clear line', async () => {
    emulator.faults.inject({ service: 'sts', action: 'AssumeRoleWithWebIdentity', kind: 'hang' });
    const running = steps.start({
      oidc: issuer,
      inputs: { 'role-to-assume': DEPLOY_ROLE, 'request-timeout': '30s', timeout: '60s' },
    });
    await running.waitForOutput(/Assuming arn:aws:iam::111122223333:role\/deploy/, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    running.kill('SIGTERM');
    const r = await running.result;
    expectFailure(r, /did not finish: the job was cancelled \(SIGTERM\)/);
    expect(r.exportedEnv.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it('writes a named profile to job-scoped 0600 files, two roles side by side, and removes it after', async () => {
    const first = await run(
      { 'role-to-assume': DEPLOY_ROLE, 'aws-profile': 'staging' },
      { post: false },
    );
    expect(first.exitCode).toBe(0);
    const credentialsFile = first.exportedEnv.AWS_SHARED_CREDENTIALS_FILE!;
    expect(credentialsFile.startsWith(first.runnerTemp)).toBe(true);
    expect(first.exportedEnv.AWS_CONFIG_FILE!.startsWith(first.runnerTemp)).toBe(true);
    expect(first.exportedEnv.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect((await stat(credentialsFile)).mode & 0o777).toBe(0o600);

    const second = await run(
      { 'role-to-assume': DEPLOY_ROLE, 'aws-profile': 'tools', 'role-session-name': 'tools' },
      {
        env: {
          AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
          AWS_CONFIG_FILE: first.exportedEnv.AWS_CONFIG_FILE!,
        },
      },
    );
    expect(second.exitCode).toBe(0);
    // The second step's post already ran: only the first profile is left.
    const text = await readFile(credentialsFile, 'utf8');
    expect(text).toContain('[staging]');
    expect(text).not.toContain('[tools]');
    expect(second.post?.log).toContain("Removed profile 'tools'");
  });
});

describe('oidc-assume behind a proxy', () => {
  let proxy: ForwardProxy;
  beforeAll(async () => {
    proxy = await startForwardProxy();
  });
  afterAll(() => proxy.close());

  it('sends the token request and every STS call through HTTPS_PROXY / HTTP_PROXY', async () => {
    const r = await run(
      { 'role-to-assume': DEPLOY_ROLE },
      { env: { HTTP_PROXY: proxy.url, https_proxy: proxy.url } },
    );
    expect(r.exitCode).toBe(0);
    const through = proxy.seen.join('\n');
    expect(through).toContain(new URL(emulator.url).host); // STS
    expect(through).toContain(new URL(issuer.requestUrl).host); // the OIDC token request
  });

  it('goes direct to the hosts NO_PROXY names', async () => {
    const before = proxy.seen.length;
    const r = await run(
      { 'role-to-assume': DEPLOY_ROLE },
      { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1,localhost' } },
    );
    expect(r.exitCode).toBe(0);
    expect(proxy.seen.length).toBe(before);
  });
});

describe('oidc-assume refuses bad input before any AWS call', () => {
  const cases: [string, Record<string, string>, RegExp, RunOptions?][] = [
    ['a missing role', { 'role-to-assume': '' }, /^Input 'role-to-assume' is required/],
    [
      'a malformed role ARN',
      { 'role-to-assume': 'arn:aws:iam::1234:role/deploy' },
      /which is not an IAM role ARN/,
    ],
    [
      'a role name instead of an ARN',
      { 'role-to-assume': 'deploy' },
      /which is not an IAM role ARN/,
    ],
    [
      'a duration below 900',
      { 'role-duration-seconds': '600' },
      /'role-duration-seconds' is '600': use a whole number from 900 to 43200/,
    ],
    ['a duration above 43200', { 'role-duration-seconds': '86400' }, /from 900 to 43200/],
    ['a missing region', { 'aws-region': '' }, /^No AWS region: set the 'aws-region' input/],
    ['a malformed region', { 'aws-region': 'europe' }, /'europe' is not an AWS region name/],
    ['an empty audience', { audience: '' }, /^Input 'audience' is empty/],
    [
      'an account id that is not 12 digits',
      { 'allowed-account-ids': '1111-2222-3333' },
      /'1111-2222-3333', which is not a 12-digit AWS account id/,
    ],
    [
      'a role outside allowed-account-ids',
      { 'allowed-account-ids': '999988887777' },
      /names account 111122223333, which is not in allowed-account-ids/,
    ],
    [
      'a session name STS rejects',
      { 'role-session-name': 'deploy to prod!' },
      /'role-session-name' is 'deploy to prod!': STS accepts 2 to 64 characters/,
    ],
    [
      'a session name too long',
      { 'role-session-name': 's'.repeat(65) },
      /STS accepts 2 to 64 characters/,
    ],
    ['a bad boolean', { 'role-chaining': 'yes' }, /'role-chaining' is 'yes': use true or false/],
    [
      'a bad deploy-document',
      { 'deploy-document': 'on' },
      /'deploy-document' is 'on': use true or false/,
    ],
    [
      'role chaining with no credentials',
      { 'role-chaining': 'true' },
      /role-chaining: true needs AWS credentials in the environment/,
    ],
    [
      'invalid session policy JSON',
      { 'inline-session-policy': '{"Version":' },
      /'inline-session-policy' is not valid JSON/,
    ],
    [
      'a bad timeout',
      { timeout: 'ten seconds' },
      /'timeout' is 'ten seconds', which is not a duration/,
    ],
    [
      'no id-token permission',
      {},
      /add 'permissions: id-token: write' to the job/,
      { withoutOidc: true },
    ],
  ];

  it.each(cases)('%s', async (_label, inputs, message, options = {}) => {
    const before = emulator.calls.length;
    const tokensBefore = issuer.issued.length;
    const r = await run({ 'role-to-assume': DEPLOY_ROLE, ...inputs }, options);
    expectFailure(r, message);
    expect(emulator.calls.length).toBe(before);
    expect(issuer.issued.length).toBe(tokensBefore);
    expect(r.exportedEnv).toEqual({});
    expect(r.post?.exitCode).toBe(0);
    expect(r.post?.log).toContain('Nothing to clean up');
  });
});

describe('oidc-assume deploy-document', () => {
  const NAME = '/aws-ship-suite/deploy';
  const DOCUMENT = {
    version: 1,
    deployRoleArn: DEPLOY_ROLE,
    ecr: { repositoryName: 'octo-app' },
    ecs: { cluster: 'octo-staging', service: 'octo-staging-api' },
    alarms: { canary: ['octo-5xx'] },
    site: { bucket: 'octo-site', distributionId: 'E2EXAMPLE' },
    queue: { url: 'https://sqs.example/q' },
  };
  afterEach(() => {
    emulator.ssm.delete(NAME);
    emulator.ssm.setAccess(undefined);
  });

  it('reads /aws-ship-suite/<role name> with the assumed role and sets it as the output, as read', async () => {
    const json = JSON.stringify(DOCUMENT);
    emulator.ssm.put(NAME, json);
    const r = await run({ 'role-to-assume': DEPLOY_ROLE, 'deploy-document': 'true' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['deploy-document']).toBe(json);
    expect(JSON.parse(r.outputs['deploy-document']!).queue).toEqual({
      url: 'https://sqs.example/q',
    });
    expect(result(r)).toMatchObject({ outcome: 'assumed', deployDocument: NAME });
    expect(r.summary).toContain(`\`${NAME}\` (version 1)`);
    expect(r.exportedEnv.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    expect(emulator.calls.filter((c) => c.service === 'ssm').at(-1)).toMatchObject({
      action: 'GetParameter',
      status: 200,
    });
  });

  it('reads nothing by default', async () => {
    emulator.ssm.put(NAME, JSON.stringify(DOCUMENT));
    const before = emulator.calls.filter((c) => c.service === 'ssm').length;
    const r = await run({ 'role-to-assume': DEPLOY_ROLE });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['deploy-document']).toBeUndefined();
    expect(result(r)).toMatchObject({ deployDocument: null });
    expect(emulator.calls.filter((c) => c.service === 'ssm').length).toBe(before);
  });

  it.each([
    [
      'no document',
      () => undefined,
      /^no deploy document at \/aws-ship-suite\/deploy: deploy the stack \(infra\/\) or check role-to-assume$/,
    ],
    [
      'a role that may not read it',
      () => emulator.ssm.setAccess(() => false),
      /^arn:aws:iam::111122223333:role\/deploy may not read its deploy document at \/aws-ship-suite\/deploy \(AccessDeniedException/,
    ],
    [
      'a version 2 document',
      () => emulator.ssm.put(NAME, JSON.stringify({ ...DOCUMENT, version: 2 })),
      /has version 2; this aws-ship-suite reads version 1/,
    ],
    [
      'a document without a service',
      () => emulator.ssm.put(NAME, JSON.stringify({ ...DOCUMENT, ecs: { cluster: 'c' } })),
      /has no ecs.service \(it must be a service name\)/,
    ],
  ])('fails on %s in one line, delivering no credentials', async (_name, arrange, message) => {
    arrange();
    const r = await run({ 'role-to-assume': DEPLOY_ROLE, 'deploy-document': 'true' });
    expectFailure(r, message);
    expect(r.exportedEnv).toEqual({});
    expect(r.outputs['deploy-document']).toBeUndefined();
    expect(r.post?.log).toContain('Nothing to clean up');
  });
});
