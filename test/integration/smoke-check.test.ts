// The smoke check's node:http client (src/net/smoke-check.ts) against a local stub listener.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpSmokeCheck } from '../../src/net/smoke-check.ts';
import { type StubServer, startStubServer } from './stub-server.ts';

let server: StubServer;

beforeAll(async () => {
  server = await startStubServer((request, res) => {
    res.statusCode = request.url.startsWith('/health') ? 200 : 503;
    res.end('ok');
  });
});

afterAll(() => server.close());

const check = (path: string, expectStatus = 200) =>
  httpSmokeCheck(
    { url: new URL(path, server.url), expectStatus },
    'ecs-canary-deploy',
  )(new AbortController().signal);

describe('httpSmokeCheck', () => {
  it('passes on the expected status and names the suite in its user agent', async () => {
    const result = await check('/health?probe=1');
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/health answered 200 in \d+ ms \(expected 200\)$/,
    );
    expect(server.requests.at(-1)?.headers['user-agent']).toMatch(
      /^aws-ship-suite\/\S+ ecs-canary-deploy$/,
    );
  });

  it('fails on another status', async () => {
    expect(await check('/other')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/answered 503 .*\(expected 200\)$/),
    });
    expect((await check('/health', 204)).ok).toBe(false);
  });

  it('fails, without throwing, when nothing listens', async () => {
    const closed = await startStubServer(() => undefined);
    await closed.close();
    const result = await httpSmokeCheck(
      { url: new URL('/health', closed.url), expectStatus: 200 },
      'ecs-canary-deploy',
    )(new AbortController().signal);
    expect(result).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/failed: .*ECONNREFUSED/),
    });
  });
});
