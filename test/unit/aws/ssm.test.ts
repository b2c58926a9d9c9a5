// SSM GetParameter without the SDK client: the signed request, the answer, errors in the SDK's
// shape (so read.ts and explain.ts word them as before) and the suite's retry policy, against a
// local HTTP server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, defaultEndpoint } from '../../../src/aws/aws-json-call.ts';
import type { ClientOptions } from '../../../src/aws/client-factory.ts';
import { explainAwsError } from '../../../src/aws/explain.ts';
import { ssmParameterStore } from '../../../src/aws/ssm.ts';
import { readDeployDocument } from '../../../src/deploy-document/read.ts';
import { awsErrorFacts, classifyAwsError } from '../../../src/lib/aws-errors.ts';
import { SUITE_NAME, SUITE_VERSION } from '../../../src/lib/version.ts';
import { computeSignature, parseAuthorization } from '../../emulator/sigv4.ts';

const CREDENTIALS = {
  accessKeyId: 'ASIATESTKEY',
  secretAccessKey: 'test-secret-key',
  sessionToken: 'test-session-token',
};

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: IncomingMessage['headers'];
  body: Buffer;
}
type Answer = { status: number; body: string; headers?: Record<string, string> } | 'hang';

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let answers: Answer[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        rawHeaders: req.rawHeaders,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const answer = answers.shift() ?? { status: 500, body: '{"__type":"NoAnswerScripted"}' };
      if (answer === 'hang') return;
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-RequestId': `req-${seen.length}`,
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
  answers = [];
});

const ok = (value: string) => ({
  status: 200,
  body: JSON.stringify({ Parameter: { Name: '/p', Type: 'String', Value: value, Version: 3 } }),
});
const failure = (status: number, type: string, message?: string) => ({
  status,
  body: JSON.stringify(message === undefined ? { __type: type } : { __type: type, message }),
});

function options(extra: Partial<ClientOptions> = {}) {
  const slept: number[] = [];
  const opts: ClientOptions = {
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    env: { AWS_ENDPOINT_URL_SSM: endpoint, AWS_ENDPOINT_URL: 'http://127.0.0.1:9/unused' },
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    retryHooks: { sleep: async (ms) => void slept.push(ms), random: () => 0.5 },
    action: 'oidc-assume',
    ...extra,
  };
  return { opts, slept };
}

const read = (
  opts: ClientOptions,
  name = '/aws-ship-suite/deploy',
  signal = new AbortController().signal,
) => ssmParameterStore(opts).getParameter(name, signal);

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('ssmParameterStore.getParameter: the request', () => {
  it('POSTs {"Name"} with the AmazonSSM.GetParameter target, SigV4-signed for ssm in the region', async () => {
    answers = [ok('{"version":1}')];
    expect(await read(options().opts)).toBe('{"version":1}');

    expect(seen).toHaveLength(1);
    const [request] = seen as [Seen];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/');
    expect(request.headers['x-amz-target']).toBe('AmazonSSM.GetParameter');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(request.body.toString())).toEqual({ Name: '/aws-ship-suite/deploy' });
    expect(request.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);

    const authorization = parseAuthorization(request.headers.authorization!);
    expect(authorization.scope).toMatchObject({
      accessKeyId: CREDENTIALS.accessKeyId,
      region: 'eu-west-1',
      service: 'ssm',
    });
    expect(authorization.signedHeaders).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'x-amz-security-token']),
    );
    // The signature an independent SigV4 implementation (the emulator's) computes for what arrived.
    const amzDate = request.headers['x-amz-date'] as string;
    expect(
      computeSignature(
        { method: 'POST', rawUrl: request.url, rawHeaders: request.rawHeaders, body: request.body },
        authorization,
        amzDate,
        CREDENTIALS.secretAccessKey,
      ),
    ).toBe(authorization.signature);
  });

  it("carries the suite's user agent and the action's name", async () => {
    answers = [ok('v')];
    await read(options().opts);
    const agent = seen[0]!.headers['user-agent'];
    expect(agent).toContain(`${SUITE_NAME}/${SUITE_VERSION}`);
    expect(agent).toContain(`${SUITE_NAME}-oidc-assume`);
  });

  it('takes a credentials provider, called for the signature', async () => {
    answers = [ok('v')];
    let calls = 0;
    const { opts } = options({
      credentials: async () => {
        calls++;
        return CREDENTIALS;
      },
    });
    expect(await read(opts)).toBe('v');
    expect(calls).toBeGreaterThan(0);
    expect(seen[0]!.headers.authorization).toContain(`Credential=${CREDENTIALS.accessKeyId}/`);
  });

  it('sends to AWS_ENDPOINT_URL when no SSM-specific override is set', async () => {
    answers = [ok('v')];
    const { opts } = options({ env: { AWS_ENDPOINT_URL: endpoint } });
    expect(await read(opts)).toBe('v');
    expect(seen).toHaveLength(1);
  });
});

describe('ssmParameterStore.getParameter: through a proxy', () => {
  it('sends the call through HTTP_PROXY with the agents the SDK clients get', async () => {
    answers = [ok('v')];
    const { opts } = options({
      env: { AWS_ENDPOINT_URL_SSM: 'http://ssm.proxied.invalid:4566', HTTP_PROXY: endpoint },
    });
    expect(await read(opts)).toBe('v');
    // The test server is the proxy: a proxied plain-HTTP request names the whole URL.
    expect(seen.map((r) => r.url)).toEqual(['http://ssm.proxied.invalid:4566/']);
    expect(seen[0]!.headers.host).toBe('ssm.proxied.invalid:4566');
  });

  it('goes direct to the hosts NO_PROXY names', async () => {
    answers = [ok('v')];
    const { opts } = options({
      env: {
        AWS_ENDPOINT_URL_SSM: endpoint,
        HTTP_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '127.0.0.1',
      },
    });
    expect(await read(opts)).toBe('v');
    expect(seen.map((r) => r.url)).toEqual(['/']);
  });
});

describe('defaultEndpoint', () => {
  it("is ssm.<region>.<the partition's DNS suffix>, as the SDK's endpoint rules make it", () => {
    expect(defaultEndpoint('ssm', 'us-east-1')).toBe('https://ssm.us-east-1.amazonaws.com');
    expect(defaultEndpoint('ssm', 'cn-north-1')).toBe('https://ssm.cn-north-1.amazonaws.com.cn');
    expect(defaultEndpoint('ssm', 'us-gov-west-1')).toBe('https://ssm.us-gov-west-1.amazonaws.com');
    expect(defaultEndpoint('ssm', 'eusc-de-east-1')).toBe(
      'https://ssm.eusc-de-east-1.amazonaws.eu',
    );
    // A region launched after the bundled partition data: matched by its partition's pattern.
    expect(defaultEndpoint('ssm', 'eu-north-9')).toBe('https://ssm.eu-north-9.amazonaws.com');
  });
});

describe('ssmParameterStore.getParameter: answers and errors', () => {
  it('fails on an answer without a value', async () => {
    answers = [{ status: 200, body: '{}' }];
    await expect(read(options().opts)).rejects.toThrow(
      'SSM returned no value for /aws-ship-suite/deploy',
    );
  });

  it('throws ParameterNotFound in the SDK shape, not retried, which read.ts words as before', async () => {
    answers = [failure(400, 'ParameterNotFound')];
    const error = await failureOf(read(options().opts));
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(awsErrorFacts(error)).toEqual({
      code: 'ParameterNotFound',
      status: 400,
      requestId: 'req-1',
      message: 'UnknownError',
    });
    expect(seen).toHaveLength(1);

    answers = [failure(400, 'ParameterNotFound')];
    await expect(
      readDeployDocument('arn:aws:iam::111122223333:role/deploy', {
        parameters: ssmParameterStore(options().opts),
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(
      /^no deploy document at \/aws-ship-suite\/deploy: deploy the stack \(infra\/\) or check role-to-assume$/,
    );
  });

  it('reads the code from a namespaced __type, the code field or x-amzn-ErrorType', async () => {
    answers = [
      failure(400, 'com.amazonaws.ssm#ParameterNotFound', 'gone'),
      { status: 400, body: '{"code":"ValidationException","Message":"bad name"}' },
      {
        status: 403,
        body: '',
        headers: { 'x-amzn-ErrorType': 'AccessDeniedException:http://internal.amazon.com/' },
      },
    ];
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const { code, message } = awsErrorFacts(await failureOf(read(options().opts)));
      codes.push(`${code}: ${message}`);
    }
    expect(codes).toEqual([
      'ParameterNotFound: gone',
      'ValidationException: bad name',
      'AccessDeniedException: UnknownError',
    ]);
  });

  it('is explained exactly as the SDK error it replaces', async () => {
    const message =
      'User: arn:aws:sts::111122223333:assumed-role/deploy/s is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-west-1:111122223333:parameter/aws-ship-suite/deploy because no identity-based policy allows the ssm:GetParameter action';
    answers = [failure(400, 'AccessDeniedException', message)];
    const ours = await failureOf(read(options().opts));
    const sdks = Object.assign(new Error(message), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    });
    const how = { action: 'read the deploy document', permission: 'ssm:GetParameter' };
    expect((explainAwsError(ours, how) as Error).message).toBe(
      (explainAwsError(sdks, how) as Error).message,
    );
    expect((explainAwsError(ours, how) as Error).message).toMatch(
      /^The role may not read the deploy document: AccessDeniedException \(HTTP 400\): User: .* \[request req-1\]\. Allow ssm:GetParameter in its policy\.$/,
    );
    expect(seen).toHaveLength(1);
  });
});

describe('ssmParameterStore.getParameter: retries', () => {
  it('retries 5xx and throttling with the jittered delays, then answers', async () => {
    answers = [
      failure(500, 'InternalServerError', 'oops'),
      failure(400, 'ThrottlingException', 'Rate exceeded'),
      ok('v'),
    ];
    const { opts, slept } = options();
    expect(await read(opts)).toBe('v');
    expect(seen).toHaveLength(3);
    // Full jitter at random() = 0.5: half of 100 ms, then half of 200 ms.
    expect(slept).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with the last error, classified as a server error', async () => {
    answers = [
      failure(503, 'ServiceUnavailable', 'busy'),
      failure(503, 'ServiceUnavailable', 'busy'),
      { status: 502, body: '<html><body>Bad Gateway</body></html>' },
    ];
    const { opts, slept } = options();
    const error = await failureOf(read(opts));
    expect(seen).toHaveLength(3);
    expect(slept).toHaveLength(2);
    expect(awsErrorFacts(error)).toMatchObject({
      code: 'Unknown',
      status: 502,
      message: '<html><body>Bad Gateway</body></html>',
    });
    expect(classifyAwsError(error)).toBe('server');
  });

  it('times a silent server out per attempt (the factory handler) and retries it', async () => {
    answers = ['hang', ok('v')];
    const { opts } = options({ requestTimeoutMs: 200 });
    expect(await read(opts)).toBe('v');
    expect(seen).toHaveLength(2);
  });

  it('stops at once when the step is cancelled during a backoff', async () => {
    answers = [failure(500, 'InternalServerError', 'oops'), ok('v')];
    const controller = new AbortController();
    const { opts } = options({
      retryHooks: {
        random: () => 0.5,
        sleep: async (_ms, signal) => {
          controller.abort(new Error('cancelled'));
          signal?.throwIfAborted();
        },
      },
    });
    await expect(read(opts, '/p', controller.signal)).rejects.toThrow('cancelled');
    expect(seen).toHaveLength(1);
  });
});
