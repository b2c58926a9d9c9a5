import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startEmulator, type Emulator } from './server.ts';

const ACCOUNT = '123456789012';
const USER = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const ROLE = `arn:aws:iam::${ACCOUNT}:role/target`;

let emulator: Emulator;

const client = (requestTimeout?: number) =>
  new STSClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: USER,
    // @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes,
    // unless throwOnRequestTimeout is set.
    ...(requestTimeout === undefined
      ? {}
      : { requestHandler: new NodeHttpHandler({ requestTimeout, throwOnRequestTimeout: true }) }),
  });

const whoAmI = (sts = client()) => sts.send(new GetCallerIdentityCommand({}));

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const e = error as {
      name: string;
      message: string;
      code?: string;
      $metadata?: { httpStatusCode?: number };
    };
    return { name: e.name, message: e.message, code: e.code, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  emulator = await startEmulator({
    sts: {
      credentials: [{ ...USER, arn: `arn:aws:iam::${ACCOUNT}:user/ci` }],
      roles: [{ arn: ROLE, trust: { principals: [`arn:aws:iam::${ACCOUNT}:user/ci`] } }],
    },
  });
});

beforeEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

describe('fault injection', () => {
  it('throttles the given number of calls with Throttling, then recovers', async () => {
    const fault = emulator.faults.inject({ service: 'sts', kind: 'throttle', times: 1 });
    const error = await failure(whoAmI());
    expect(error).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', status: 400 });
    expect(fault.applied).toBe(1);
    expect(fault.active).toBe(false);
    await expect(whoAmI()).resolves.toMatchObject({ Account: ACCOUNT });
    expect(emulator.calls.at(-2)).toMatchObject({
      service: 'sts',
      action: 'GetCallerIdentity',
      status: 400,
      errorCode: 'Throttling',
      fault: 'throttle',
    });
  });

  it('answers server-error with 500 InternalFailure, or 503 ServiceUnavailable', async () => {
    const internal = emulator.faults.inject({ kind: 'server-error' });
    expect(await failure(whoAmI())).toMatchObject({ name: 'InternalFailure', status: 500 });
    expect(await failure(whoAmI())).toMatchObject({ name: 'InternalFailure', status: 500 });
    expect(internal.applied).toBe(2);
    internal.remove();

    emulator.faults.inject({ kind: 'server-error', status: 503, times: 1 });
    expect(await failure(whoAmI())).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
    await expect(whoAmI()).resolves.toBeDefined();
  });

  it('matches on action', async () => {
    emulator.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'throttle' });
    await expect(whoAmI()).resolves.toBeDefined();
    const error = await failure(
      client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'x1' })),
    );
    expect(error.name).toBe('Throttling');
    emulator.faults.inject({ service: 'ecs', kind: 'throttle' });
    emulator.faults.clear();
    await expect(
      client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'x1' })),
    ).resolves.toBeDefined();
  });

  it('delays a call and then handles it normally', async () => {
    emulator.faults.inject({ kind: 'delay', delayMs: 150, times: 1 });
    const started = performance.now();
    await expect(whoAmI()).resolves.toMatchObject({ Account: ACCOUNT });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator.calls.at(-1)).toMatchObject({ status: 200, fault: 'delay' });
  });

  it('hangs a call until the client times out', async () => {
    emulator.faults.inject({ kind: 'hang', times: 1 });
    const error = await failure(whoAmI(client(200)));
    expect(error.name).toBe('TimeoutError');
    expect(emulator.calls.at(-1)).toMatchObject({
      action: 'GetCallerIdentity',
      status: 0,
      fault: 'hang',
    });
    await expect(whoAmI()).resolves.toBeDefined();
  });

  it('resets the connection', async () => {
    emulator.faults.inject({ kind: 'reset', times: 1 });
    const error = await failure(whoAmI());
    // The SDK names ECONNRESET a TimeoutError; under jest's VM realms its retry middleware wraps
    // node's error ("AWS SDK error wrapper for TimeoutError: socket hang up") and drops `code`.
    expect(`${error.name}: ${error.message} ${error.code ?? ''}`).toMatch(/TimeoutError/);
    expect(`${error.message} ${error.code ?? ''}`).toMatch(/socket hang up|ECONNRESET/);
    expect(error.status).toBeUndefined();
    expect(emulator.calls.at(-1)).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('counts every applied fault', () => {
    expect(emulator.faults.applied).toBe(8);
  });

  it('rejects a delay without delayMs', () => {
    expect(() => emulator.faults.inject({ kind: 'delay' })).toThrow('delayMs');
  });
});

describe('close()', () => {
  it('ends hung and keep-alive connections so nothing keeps the process alive', async () => {
    const own = await startEmulator({
      sts: { credentials: [{ ...USER, arn: `arn:aws:iam::${ACCOUNT}:user/ci` }] },
    });
    const sts = new STSClient({
      endpoint: own.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: USER,
    });
    await sts.send(new GetCallerIdentityCommand({}));
    own.faults.inject({ kind: 'hang' });
    const hung = failure(sts.send(new GetCallerIdentityCommand({})));
    while (own.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await own.close();
    expect((await hung).status).toBeUndefined();
  });
});
