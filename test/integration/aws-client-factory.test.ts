// The client factory (src/aws/client-factory.ts) driving a real @aws-sdk/client-sts client against
// the AWS emulator: endpoint overrides, the suite's retry strategy, per-attempt timeouts, the user
// agent, and the classification of the errors the SDK really throws. Backoff sleeps are injected
// through retryHooks.sleep, so nothing waits on the wall clock beyond per-attempt timeouts, and no
// assertion reads the clock: a timeout is told by the error it raises, and one that never fires
// runs into the test timeout.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  type GetCallerIdentityCommandOutput,
  STSClient,
} from '@aws-sdk/client-sts';
import { type ClientOptions, clientConfig } from '../../src/aws/client-factory.ts';
import { classifyAwsError, describeAwsError } from '../../src/lib/aws-errors.ts';
import { resolveRegion } from '../../src/aws/region.ts';
import type { RetryPolicy } from '../../src/lib/retry.ts';
import { type CallRecord, type Emulator, startEmulator } from '../emulator/server.ts';
import {
  callerIdentityXml,
  closedPort,
  type StubServer,
  startStubServer,
  stsErrorXml,
  unresponsiveListener,
} from './stub-server.ts';

const ACCOUNT = '111122223333';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/ci`;
const USER = {
  accessKeyId: 'AKIAINTEGRATIONTEST1',
  secretAccessKey: 'integration/test/secret/key/0123456789ab',
};
const TRUSTING_ROLE = `arn:aws:iam::${ACCOUNT}:role/trusts-ci`;
const DENYING_ROLE = `arn:aws:iam::${ACCOUNT}:role/trusts-nobody-here`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

let emulator: Emulator;
const clients: STSClient[] = [];
const stubs: StubServer[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    sts: {
      roles: [
        { arn: TRUSTING_ROLE, trust: { principals: [USER_ARN] } },
        { arn: DENYING_ROLE, trust: { principals: [`arn:aws:iam::444455556666:root`] } },
      ],
    },
  });
  emulator.sts.addCredentials({ ...USER, arn: USER_ARN });
});

afterEach(async () => {
  emulator.faults.clear();
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

afterAll(async () => {
  await emulator.close();
});

/** What the injected sleep saw: the backoff delays the strategy chose, none of them waited. */
interface Sleeps {
  readonly delays: number[];
  sleep(ms: number): Promise<void>;
}

function recordSleeps(): Sleeps {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
    },
  };
}

const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 300 };

/** An STS client from the factory, pointed at the emulator unless `env` says otherwise. */
function sts(options: Partial<ClientOptions> & { sleeps?: Sleeps } = {}): {
  client: STSClient;
  sleeps: Sleeps;
} {
  const { sleeps = recordSleeps(), ...rest } = options;
  const client = new STSClient(
    clientConfig('STS', {
      region: 'us-east-1',
      credentials: USER,
      env: { AWS_ENDPOINT_URL: emulator.url },
      retry: POLICY,
      ...rest,
      retryHooks: { sleep: sleeps.sleep, ...rest.retryHooks },
    }),
  );
  clients.push(client);
  return { client, sleeps };
}

async function stub(handler: Parameters<typeof startStubServer>[0]): Promise<StubServer> {
  const server = await startStubServer(handler);
  stubs.push(server);
  return server;
}

const whoAmI = (client: STSClient) => client.send(new GetCallerIdentityCommand({}));

/** The calls the emulator logged while `run` ran. */
async function callsDuring<T>(
  run: () => Promise<T>,
): Promise<{ calls: CallRecord[]; result: PromiseSettledResult<T> }> {
  const before = emulator.calls.length;
  const [result] = await Promise.allSettled([run()]);
  return { calls: emulator.calls.slice(before), result: result! };
}

/** Resolves once `condition` holds, looking again on every turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

function rejection<T>(result: PromiseSettledResult<T>): unknown {
  if (result.status === 'fulfilled') throw new Error('expected the call to fail');
  return result.reason;
}

function value<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** The URL the SDK would send to, read off the built request; nothing is sent. */
async function resolvedUrl(client: STSClient): Promise<string> {
  let url = '';
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { protocol: string; hostname: string; port?: number };
      url = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
      throw new Error('request captured, not sent');
    },
    { step: 'build', name: 'captureResolvedUrl' },
  );
  await expect(whoAmI(client)).rejects.toThrow('request captured, not sent');
  return url;
}

/** Runs `fn` with the given process.env variables removed, restoring them afterwards. */
async function withoutProcessEnv<T>(names: string[], fn: () => Promise<T>): Promise<T> {
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  try {
    return await fn();
  } finally {
    for (const [name, old] of saved) if (old !== undefined) process.env[name] = old;
  }
}

const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_STS',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
];

describe('endpoint overrides', () => {
  it('routes to AWS_ENDPOINT_URL from the env option', async () => {
    const { client } = sts({ env: { AWS_ENDPOINT_URL: emulator.url } });
    const { calls, result } = await callsDuring(() => whoAmI(client));
    expect(value(result)).toMatchObject({ Account: ACCOUNT, Arn: USER_ARN });
    expect(calls).toEqual([
      expect.objectContaining({ service: 'sts', action: 'GetCallerIdentity', status: 200 }),
    ]);
  });

  it('lets AWS_ENDPOINT_URL_STS win over a bogus AWS_ENDPOINT_URL', async () => {
    const bogus = `http://127.0.0.1:${await closedPort()}`;
    const { client, sleeps } = sts({
      env: { AWS_ENDPOINT_URL: bogus, AWS_ENDPOINT_URL_STS: emulator.url },
    });
    const { calls, result } = await callsDuring(() => whoAmI(client));
    expect(value(result)).toMatchObject({ Arn: USER_ARN });
    expect(calls).toHaveLength(1);
    expect(sleeps.delays).toEqual([]);
    expect(await resolvedUrl(client)).toBe(emulator.url);
  });

  it('ignores both when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true, without calling AWS', async () => {
    const env = {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_ENDPOINT_URL_STS: emulator.url,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    };
    const config = clientConfig('STS', { region: 'eu-west-1', credentials: USER, env });
    expect(config).not.toHaveProperty('endpoint');

    // The SDK then resolves AWS's own regional endpoint (read off the built request, not sent).
    const url = await withoutProcessEnv(ENDPOINT_VARIABLES, () => {
      const client = new STSClient(config);
      clients.push(client);
      return resolvedUrl(client);
    });
    expect(url).toBe('https://sts.eu-west-1.amazonaws.com');
  });
});

describe('retries', () => {
  it('retries throttling twice, then succeeds, with full-jitter backoff', async () => {
    emulator.faults.inject({
      service: 'sts',
      action: 'GetCallerIdentity',
      kind: 'throttle',
      times: 2,
    });
    // Delays of up to an hour: had any of them really been waited, the test would time out.
    const policy = { maxAttempts: 5, baseDelayMs: 3_600_000, maxDelayMs: 5_400_000 };
    const { client, sleeps } = sts({ retry: policy });
    const { calls, result } = await callsDuring(() => whoAmI(client));

    const output: GetCallerIdentityCommandOutput = value(result);
    expect(output.Arn).toBe(USER_ARN);
    expect(output.$metadata.attempts).toBe(3);
    expect(calls.map((c) => [c.status, c.errorCode])).toEqual([
      [400, 'Throttling'],
      [400, 'Throttling'],
      [200, undefined],
    ]);
    // Full jitter: retry n waits a uniform whole number of ms in [0, min(max, base * 2^(n-1))).
    expect(sleeps.delays).toHaveLength(2);
    const [first, second] = sleeps.delays as [number, number];
    expect(Number.isInteger(first) && first >= 0 && first < 3_600_000).toBe(true);
    expect(Number.isInteger(second) && second >= 0 && second < 5_400_000).toBe(true);
  });

  it('draws each delay uniformly below the capped exponential ceiling', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'throttle', times: 3 });
    const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 };
    const high = sts({ retry: policy, retryHooks: { random: () => 0.999_999 } });
    await expect(whoAmI(high.client)).resolves.toMatchObject({ Arn: USER_ARN });
    expect(high.sleeps.delays).toEqual([99, 199, 299]);

    emulator.faults.inject({ service: 'sts', kind: 'throttle', times: 3 });
    const low = sts({ retry: policy, retryHooks: { random: () => 0 } });
    await expect(whoAmI(low.client)).resolves.toMatchObject({ Arn: USER_ARN });
    expect(low.sleeps.delays).toEqual([0, 0, 0]);
  });

  it.each([
    [500, 'InternalFailure'],
    [503, 'ServiceUnavailable'],
  ] as const)('retries a %i %s, then succeeds', async (status, code) => {
    emulator.faults.inject({ service: 'sts', kind: 'server-error', status, times: 1 });
    const { client, sleeps } = sts();
    const { calls, result } = await callsDuring(() => whoAmI(client));
    expect(value(result).$metadata.attempts).toBe(2);
    expect(calls.map((c) => [c.status, c.errorCode])).toEqual([
      [status, code],
      [200, undefined],
    ]);
    expect(sleeps.delays).toHaveLength(1);
  });

  it('retries a reset connection, then succeeds', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'reset', times: 1 });
    const { client, sleeps } = sts();
    const { calls, result } = await callsDuring(() => whoAmI(client));
    expect(value(result).Arn).toBe(USER_ARN);
    expect(calls.map((c) => [c.status, c.fault])).toEqual([
      [0, 'reset'],
      [200, undefined],
    ]);
    expect(sleeps.delays).toHaveLength(1);
  });

  it.each([
    [
      'AssumeRole the role trust denies',
      'AccessDenied',
      403,
      (sleeps: Sleeps) =>
        sts({ sleeps }).client.send(
          new AssumeRoleCommand({ RoleArn: DENYING_ROLE, RoleSessionName: 'integration' }),
        ),
    ],
    [
      'an unknown access key',
      'InvalidClientTokenId',
      403,
      (sleeps: Sleeps) =>
        whoAmI(
          sts({
            sleeps,
            credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) },
          }).client,
        ),
    ],
    [
      'a wrong secret key',
      'SignatureDoesNotMatch',
      403,
      (sleeps: Sleeps) =>
        whoAmI(sts({ sleeps, credentials: { ...USER, secretAccessKey: 'y'.repeat(40) } }).client),
    ],
    [
      'a session name that fails validation',
      'ValidationError',
      400,
      (sleeps: Sleeps) =>
        sts({ sleeps }).client.send(
          new AssumeRoleCommand({ RoleArn: TRUSTING_ROLE, RoleSessionName: 'x' }),
        ),
    ],
  ] as const)('does not retry %s (%s)', async (_what, code, status, call) => {
    const sleeps = recordSleeps();
    const before = emulator.calls.length;
    const result = await Promise.allSettled([call(sleeps)]);
    const error = rejection(result[0]!) as { name: string; $metadata: { httpStatusCode: number } };
    expect(error.name).toBe(code);
    expect(error.$metadata.httpStatusCode).toBe(status);
    const calls = emulator.calls.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status, errorCode: code });
    expect(sleeps.delays).toEqual([]);
  });

  it('does not sleep before failing on a non-retryable error', async () => {
    const { client, sleeps } = sts();
    const { calls, result } = await callsDuring(() =>
      client.send(new AssumeRoleCommand({ RoleArn: DENYING_ROLE, RoleSessionName: 'no-sleep' })),
    );
    expect((rejection(result) as Error).name).toBe('AccessDenied');
    expect(calls).toHaveLength(1);
    expect(sleeps.delays).toEqual([]);
  });

  it('stops an endless throttle at retry.maxAttempts calls', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'throttle' });
    const retries: number[] = [];
    const { client, sleeps } = sts({
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 },
      retryHooks: { onRetry: ({ attempt }) => retries.push(attempt) },
    });
    const { calls, result } = await callsDuring(() => whoAmI(client));
    const error = rejection(result) as { name: string; $metadata: { attempts?: number } };
    expect(error.name).toBe('Throttling');
    expect(error.$metadata.attempts).toBe(5);
    expect(calls).toHaveLength(5);
    expect(calls.every((c) => c.errorCode === 'Throttling')).toBe(true);
    expect(retries).toEqual([1, 2, 3, 4]);
    expect(sleeps.delays).toHaveLength(4);
  });

  it('makes exactly one attempt with maxAttempts 1', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'server-error' });
    const { client, sleeps } = sts({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    const { calls, result } = await callsDuring(() => whoAmI(client));
    expect((rejection(result) as Error).name).toBe('InternalFailure');
    expect(calls).toHaveLength(1);
    expect(sleeps.delays).toEqual([]);
  });
});

describe('timeouts', () => {
  it('times out a hung attempt after requestTimeoutMs and retries it', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'hang', times: 1 });
    const errors: unknown[] = [];
    const { client, sleeps } = sts({
      requestTimeoutMs: 300,
      retryHooks: { onRetry: ({ error }) => errors.push(error) },
    });
    const { calls, result } = await callsDuring(() => whoAmI(client));
    expect(value(result).Arn).toBe(USER_ARN);
    expect(calls.map((c) => [c.status, c.fault])).toEqual([
      [0, 'hang'],
      [200, undefined],
    ]);
    expect(sleeps.delays).toHaveLength(1);
    // What ended the hung attempt was the request timeout, at the configured 300 ms.
    expect(errors.map((e) => describeAwsError(e))).toEqual([
      'TimeoutError: a request has exceeded the configured 300 ms requestTimeout.',
    ]);
  });

  it('fails a call whose every attempt hangs, each ended by requestTimeoutMs, with a TimeoutError', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'hang' });
    const errors: unknown[] = [];
    const { client, sleeps } = sts({
      requestTimeoutMs: 300,
      retry: { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 100 },
      retryHooks: { onRetry: ({ error }) => errors.push(error) },
    });
    const { calls, result } = await callsDuring(() => whoAmI(client));
    const error = rejection(result);
    expect((error as Error).name).toBe('TimeoutError');
    expect(classifyAwsError(error)).toBe('timeout');
    expect(describeAwsError(error)).toBe(
      'TimeoutError: a request has exceeded the configured 300 ms requestTimeout.',
    );
    expect(calls.map((c) => c.fault)).toEqual(['hang', 'hang']);
    expect(sleeps.delays).toHaveLength(1);
    expect(errors.map((e) => classifyAwsError(e))).toEqual(['timeout']);
  });

  it('lets a response slower than usual but within requestTimeoutMs succeed', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'delay', delayMs: 150, times: 1 });
    const { client, sleeps } = sts({ requestTimeoutMs: 600 });
    const { calls, result } = await callsDuring(() => whoAmI(client));
    // The emulator held the answer back for 150 ms (the delay fault), then answered: one attempt.
    expect(value(result).$metadata.attempts).toBe(1);
    expect(calls).toEqual([expect.objectContaining({ status: 200, fault: 'delay' })]);
    expect(sleeps.delays).toEqual([]);
  });

  it('fails fast on a refused connection, retried per policy as a network error', async () => {
    const port = await closedPort();
    const errors: unknown[] = [];
    const { client, sleeps } = sts({
      env: { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` },
      connectTimeoutMs: 300,
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 100 },
      retryHooks: { onRetry: ({ error }) => errors.push(error) },
    });
    // Refused at once, not left to connectTimeoutMs: node's ECONNREFUSED, not a TimeoutError.
    await expect(whoAmI(client)).rejects.toThrow(/ECONNREFUSED/);
    expect(sleeps.delays).toHaveLength(2);
    // What the strategy saw is node's own error, classified by its code.
    expect(errors.map((e) => classifyAwsError(e))).toEqual(['network', 'network']);
  });

  it('bounds an attempt whose connection is never completed by connectTimeoutMs, and retries it', async () => {
    const listener = await unresponsiveListener();
    try {
      const errors: unknown[] = [];
      const { client, sleeps } = sts({
        env: { AWS_ENDPOINT_URL: listener.url },
        connectTimeoutMs: 200,
        requestTimeoutMs: 5_000,
        retry: { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 100 },
        retryHooks: { onRetry: ({ error }) => errors.push(error) },
      });
      const [result] = await Promise.allSettled([whoAmI(client)]);
      const error = rejection(result!);
      expect((error as Error).name).toBe('TimeoutError');
      expect(describeAwsError(error)).toMatch(/did not establish a connection .* 200 ms/);
      expect(classifyAwsError(error)).toBe('timeout');
      expect(errors.map((e) => classifyAwsError(e))).toEqual(['timeout']);
      expect(sleeps.delays).toHaveLength(1);
      // Both attempts ended by the 200 ms connect timeout, neither by the 5 s request timeout.
      expect(describeAwsError(errors[0])).toMatch(/did not establish a connection .* 200 ms/);
    } finally {
      await listener.close();
    }
  });

  it('times out an attempt whose response body stalls after the headers (requestTimeoutMs covers the whole response)', async () => {
    const body = callerIdentityXml(USER_ARN, ACCOUNT, 'stalled-request');
    let abandoned = 0;
    const server = await stub((_request, res) => {
      res.writeHead(200, {
        'content-type': 'text/xml',
        'content-length': String(Buffer.byteLength(body)),
      });
      res.write(body.slice(0, 40)); // and never the rest
      // The client hanging up on a response it never got whole.
      res.on('close', () => {
        if (!res.writableFinished) abandoned++;
      });
    });
    const { client } = sts({
      env: { AWS_ENDPOINT_URL: server.url },
      requestTimeoutMs: 300,
      retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const [result] = await Promise.allSettled([whoAmI(client)]);
    const error = rejection(result!);
    expect((error as Error).name).toBe('TimeoutError');
    expect(classifyAwsError(error)).toBe('timeout');
    expect(server.requests).toHaveLength(2);
    // The stub never ended a response: each attempt was ended by the client, at its timeout.
    await until(() => abandoned === 2);
  });
});

describe('user agent and region', () => {
  /** Answers every call with an STS AccessDenied, recording what was sent. */
  const denyAll = () =>
    stub((_request, res) => {
      const xml = stsErrorXml('AccessDenied', 'stub denies everything', 'stub-request-1');
      res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-RequestId': 'stub-request-1' });
      res.end(xml);
    });

  it('names the suite and its package.json version in both user-agent headers', async () => {
    const server = await denyAll();
    const { client, sleeps } = sts({ env: { AWS_ENDPOINT_URL: server.url } });
    await expect(whoAmI(client)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(server.requests).toHaveLength(1); // AccessDenied is not retried
    expect(sleeps.delays).toEqual([]);
    const headers = server.requests[0]!.headers;
    const userAgent = String(headers['user-agent']);
    const amzUserAgent = String(headers['x-amz-user-agent']);
    expect(userAgent.split(' ')).toContain(`aws-ship-suite/${VERSION}`);
    expect(amzUserAgent.split(' ')).toContain(`aws-ship-suite/${VERSION}`);
    expect(userAgent).not.toMatch(/aws-ship-suite-/);
  });

  it('adds aws-ship-suite-<action> when the action is given', async () => {
    const server = await denyAll();
    const { client } = sts({ env: { AWS_ENDPOINT_URL: server.url }, action: 'oidc-assume' });
    await expect(whoAmI(client)).rejects.toMatchObject({ name: 'AccessDenied' });
    const headers = server.requests[0]!.headers;
    for (const header of [headers['user-agent'], headers['x-amz-user-agent']]) {
      const tokens = String(header).split(' ');
      expect(tokens).toContain(`aws-ship-suite/${VERSION}`);
      expect(tokens).toContain('aws-ship-suite-oidc-assume');
    }
  });

  it('signs for the region resolved from the input or the environment', async () => {
    const server = await denyAll();
    const scopes: string[] = [];
    for (const [input, env] of [
      ['ap-southeast-2', { AWS_REGION: 'eu-west-1' }],
      [undefined, { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' }],
      ['', { AWS_DEFAULT_REGION: 'us-west-2' }],
    ] as const) {
      const region = resolveRegion(input, env);
      const { client } = sts({ region, env: { ...env, AWS_ENDPOINT_URL: server.url } });
      await expect(whoAmI(client)).rejects.toMatchObject({ name: 'AccessDenied' });
      const authorization = String(server.requests.at(-1)!.headers.authorization);
      scopes.push(/Credential=[^/]+\/\d{8}\/([^/]+)\/sts\/aws4_request/.exec(authorization)![1]!);
    }
    expect(scopes).toEqual(['ap-southeast-2', 'eu-central-1', 'us-west-2']);
  });
});

describe('error classification of the errors the SDK throws', () => {
  const once = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

  async function failureOf(call: (client: STSClient) => Promise<unknown>): Promise<unknown> {
    const { client } = sts({ retry: once });
    const [result] = await Promise.allSettled([call(client)]);
    return rejection(result!);
  }

  it('describes a throttle on one line and classifies it as throttled', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'throttle', times: 1 });
    const error = await failureOf(whoAmI);
    const line = describeAwsError(error);
    expect(line).toMatch(/^Throttling \(HTTP 400\): Rate exceeded \[request [0-9a-f-]{36}\]$/);
    expect(line.slice(-37, -1)).toMatch(UUID);
    expect(classifyAwsError(error)).toBe('throttled');
  });

  it.each([
    [500, 'InternalFailure'],
    [503, 'ServiceUnavailable'],
  ] as const)('describes a %i on one line and classifies it as server', async (status, code) => {
    emulator.faults.inject({ service: 'sts', kind: 'server-error', status, times: 1 });
    const error = await failureOf(whoAmI);
    const line = describeAwsError(error);
    expect(line).toMatch(
      new RegExp(`^${code} \\(HTTP ${status}\\)(: [^\\n]+)? \\[request [0-9a-f-]{36}\\]$`),
    );
    expect(classifyAwsError(error)).toBe('server');
  });

  it('describes an AccessDenied on one line and classifies it as client', async () => {
    const error = await failureOf((client) =>
      client.send(new AssumeRoleCommand({ RoleArn: DENYING_ROLE, RoleSessionName: 'denied' })),
    );
    const line = describeAwsError(error);
    expect(line).toMatch(
      new RegExp(
        `^AccessDenied \\(HTTP 403\\): User: ${USER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${DENYING_ROLE} \\[request [0-9a-f-]{36}\\]$`,
      ),
    );
    expect(classifyAwsError(error)).toBe('client');
  });

  it('classifies the error of an exhausted reset as network', async () => {
    emulator.faults.inject({ service: 'sts', kind: 'reset', times: 1 });
    const error = await failureOf(whoAmI);
    expect(classifyAwsError(error)).toBe('network');
    expect(describeAwsError(error)).not.toMatch(/\n/);
  });
});
