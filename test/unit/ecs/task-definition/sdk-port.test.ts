// The SDK-backed port (src/aws/ecs-task-definitions.ts) driven through a real ECSClient whose
// request handler is a stub in this process: what goes on the wire, what comes back, and how ECS
// errors become UserErrors.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ECSClient } from '@aws-sdk/client-ecs';
import { clientConfig } from '../../../../src/aws/client-factory.ts';
import { sdkTaskDefinitionPort } from '../../../../src/aws/ecs-task-definitions.ts';
import { UserError } from '../../../../src/lib/errors.ts';
import { loadTaskDefinition } from '../../../../src/ecs/task-definition/load.ts';
import { render } from '../../../../src/ecs/task-definition/render.ts';
import { fixture } from './fake-ecs.ts';

interface Sent {
  target: string;
  text: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

type Reply = { status: number; body: unknown };

function stubbedPort(reply: (sent: Sent) => Reply) {
  const sent: Sent[] = [];
  const options = {
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAUNITTEST', secretAccessKey: 'unit/test/secret' },
    env: {},
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  };
  const requestHandler = {
    async handle(request: { headers: Record<string, string>; body?: unknown }) {
      const bytes = request.body as Uint8Array;
      const text =
        typeof request.body === 'string'
          ? request.body
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      const record = {
        target: request.headers['x-amz-target'] ?? '',
        text,
        body: JSON.parse(text) as Record<string, unknown>,
        headers: request.headers,
      };
      sent.push(record);
      const { status, body } = reply(record);
      return {
        response: {
          statusCode: status,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-requestid': 'req-1',
          },
          body: Buffer.from(JSON.stringify(body)),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  const client = new ECSClient({ ...clientConfig('ECS', options), requestHandler });
  return { port: sdkTaskDefinitionPort(options, client), sent };
}

/** The fixture as ECS sends it: the CLI prints timestamps as ISO strings, the wire has seconds. */
const describeOutput = () => {
  const output = JSON.parse(fixture('describe-task-definition.json')) as {
    taskDefinition: Record<string, unknown>;
    tags: unknown[];
  };
  output.taskDefinition.registeredAt =
    Date.parse(String(output.taskDefinition.registeredAt)) / 1000;
  return output;
};

describe('sdkTaskDefinitionPort', () => {
  it('sends every field of the request, those the SDK does not know included', async () => {
    const input = render(
      loadTaskDefinition(fixture('describe-task-definition.json'), 'td.json'),
      {},
    );
    const { port, sent } = stubbedPort(() => ({ status: 200, body: describeOutput() }));
    const result = await port.register(input);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.target).toBe('AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition');
    expect(sent[0]?.body).toEqual(JSON.parse(JSON.stringify(input)));
    expect(sent[0]?.body).toHaveProperty('futureTopLevelSetting', true);
    expect(result.taskDefinition.taskDefinitionArn).toBe(
      'arn:aws:ecs:eu-west-1:111122223333:task-definition/shop-api:41',
    );
    // The body changed after the SDK serialised it: length and signature must cover what is sent.
    const { headers, text } = sent[0] ?? { headers: {} as Record<string, string>, text: '' };
    expect(headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(text).digest('hex'));
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 .*SignedHeaders=.*content-length/);
  });

  it('returns the latest revision with its tags and the fields the SDK does not know', async () => {
    const { port, sent } = stubbedPort(() => ({ status: 200, body: describeOutput() }));
    const latest = await port.latest('shop-api');
    expect(sent[0]?.body).toEqual({ taskDefinition: 'shop-api', include: ['TAGS'] });
    expect(latest?.tags).toEqual([
      { key: 'team', value: 'checkout' },
      { key: 'cost-center', value: '4711' },
    ]);
    expect(latest?.taskDefinition).toHaveProperty('futureTopLevelSetting', true);
    expect(latest?.taskDefinition.containerDefinitions?.[0]).toHaveProperty(
      'futureContainerSetting',
      { mode: 'strict' },
    );
    expect(latest?.taskDefinition.revision).toBe(41);
  });

  it('answers undefined for a family without an ACTIVE revision', async () => {
    const { port } = stubbedPort(() => ({
      status: 400,
      body: { __type: 'ClientException', message: 'Unable to describe task definition.' },
    }));
    await expect(port.latest('nothing-yet')).resolves.toBeUndefined();
  });

  it("turns ECS's refusal to register into a UserError with AWS's message", async () => {
    const { port } = stubbedPort(() => ({
      status: 400,
      body: {
        __type: 'ClientException',
        message: 'Invalid arn syntax.',
      },
    }));
    const error = await port
      .register({ family: 'a', containerDefinitions: [{ name: 'a', image: 'a' }] })
      .then(
        () => new Error('expected a refusal'),
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      "ECS refused to register task definition family 'a': ClientException (HTTP 400): Invalid arn syntax. [request req-1]. Fix what the message names in the task definition or the inputs.",
    );
  });

  it('turns InvalidParameterException into a UserError too', async () => {
    const { port } = stubbedPort(() => ({
      status: 400,
      body: {
        __type: 'InvalidParameterException',
        message: 'Container.image should not be null or empty.',
      },
    }));
    await expect(
      port.register({ family: 'a', containerDefinitions: [{ name: 'a' }] }),
    ).rejects.toThrow(/^ECS refused to register .*Container\.image should not be null or empty/);
  });

  it("reads the service's current task definition", async () => {
    const { port, sent } = stubbedPort((request) =>
      request.target.endsWith('DescribeServices')
        ? {
            status: 200,
            body: {
              services: [
                {
                  serviceName: 'shop-api',
                  taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/shop-api:41',
                },
              ],
              failures: [],
            },
          }
        : { status: 200, body: describeOutput() },
    );
    const current = await port.serviceTaskDefinition('prod', 'shop-api');
    expect(sent.map((request) => request.body)).toEqual([
      { cluster: 'prod', services: ['shop-api'] },
      {
        taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/shop-api:41',
        include: ['TAGS'],
      },
    ]);
    expect(current.taskDefinition.family).toBe('shop-api');
  });

  it('says so in one line when the service or cluster does not exist', async () => {
    const missing = stubbedPort(() => ({
      status: 200,
      body: {
        services: [],
        failures: [{ arn: 'arn:aws:ecs:eu-west-1:111122223333:service/prod/x', reason: 'MISSING' }],
      },
    }));
    await expect(missing.port.serviceTaskDefinition('prod', 'x')).rejects.toThrow(
      new UserError(
        "ECS found no service 'x' in cluster 'prod' (MISSING): check the cluster and service inputs.",
      ),
    );
    const noCluster = stubbedPort(() => ({
      status: 400,
      body: { __type: 'ClusterNotFoundException', message: 'Cluster not found.' },
    }));
    await expect(noCluster.port.serviceTaskDefinition('nope', 'x')).rejects.toThrow(
      /^ECS refused to describe service 'x' in cluster 'nope': ClusterNotFoundException .*Check the cluster and service inputs and the region\.$/,
    );
  });

  it('leaves errors a person cannot fix as they are', async () => {
    const { port } = stubbedPort(() => ({
      status: 500,
      body: { __type: 'ServerException', message: 'internal' },
    }));
    const error = await port.latest('a').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UserError);
    expect((error as Error).name).toBe('ServerException');
  });
});
