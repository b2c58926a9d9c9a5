// The task-definition engine's port (src/ecs/task-definition/ports.ts) over the SDK client.
//
// The SDK serialises and parses by its own model: a field newer than the bundled SDK would be
// dropped from RegisterTaskDefinition without a word, and left out of what DescribeTaskDefinition
// returns. So requests carry every field of the input (the SDK's serialisation for the fields it
// knows, the input's own JSON for the rest), and results keep every field of the response body.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { TaskDefinitionPort } from '../ecs/task-definition/ports.ts';
import { UserError } from '../lib/errors.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { awsErrorFacts } from '../lib/aws-errors.ts';
import { explainAwsError } from './explain.ts';

/** `client` is for tests that drive the SDK against a stub handler; it defaults to the factory's. */
export function sdkTaskDefinitionPort(
  options: ClientOptions,
  client: ECSClient = new ECSClient(clientConfig('ECS', options)),
): TaskDefinitionPort {
  async function describe(taskDefinition: string, signal: AbortSignal | undefined) {
    const command = new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] });
    const raw = keepResponseBody(command);
    const out = await client.send(command, signal ? { abortSignal: signal } : {});
    const body = raw();
    if (!out.taskDefinition)
      throw new Error(`DescribeTaskDefinition ${taskDefinition} returned no task definition`);
    return {
      taskDefinition: withUnknownFields(out.taskDefinition, body?.taskDefinition) as TaskDefinition,
      tags: out.tags ?? [],
    };
  }

  return {
    async latest(family, signal) {
      try {
        return await describe(family, signal);
      } catch (error) {
        const { code, message } = awsErrorFacts(error);
        // What ECS answers for a family without an ACTIVE revision.
        if (code === 'ClientException' && /unable to describe task definition/i.test(message)) {
          return undefined;
        }
        throw explainAwsError(error, {
          action: `describe task definition family '${family}'`,
          permission: 'ecs:DescribeTaskDefinition',
          ...ECS_ERRORS,
        });
      }
    },

    async register(input, signal) {
      const command = new RegisterTaskDefinitionCommand(input);
      sendUnknownFields(command, input);
      const raw = keepResponseBody(command);
      try {
        const out = await client.send(command, signal ? { abortSignal: signal } : {});
        if (!out.taskDefinition?.taskDefinitionArn) {
          throw new Error('RegisterTaskDefinition returned no task definition ARN');
        }
        return {
          taskDefinition: withUnknownFields(
            out.taskDefinition,
            raw()?.taskDefinition,
          ) as TaskDefinition,
          tags: out.tags ?? [],
        };
      } catch (error) {
        throw explainAwsError(error, {
          action: `register task definition family '${input.family}'`,
          permission:
            'ecs:RegisterTaskDefinition (and ecs:TagResource for tags, iam:PassRole for its roles)',
          ...ECS_ERRORS,
        });
      }
    },

    async serviceTaskDefinition(cluster, service, signal) {
      let arn: string | undefined;
      try {
        const out = await client.send(
          new DescribeServicesCommand({ cluster, services: [service] }),
          signal ? { abortSignal: signal } : {},
        );
        const failure = out.failures?.[0];
        if (failure) {
          throw new UserError(
            `ECS found no service '${service}' in cluster '${cluster}' (${failure.reason ?? 'failure'}${failure.detail ? `: ${failure.detail}` : ''}): check the cluster and service inputs.`,
          );
        }
        arn = out.services?.[0]?.taskDefinition;
      } catch (error) {
        throw explainAwsError(error, {
          action: `describe service '${service}' in cluster '${cluster}'`,
          permission: 'ecs:DescribeServices',
          ...ECS_ERRORS,
        });
      }
      if (!arn) {
        throw new UserError(
          `Service '${service}' in cluster '${cluster}' names no task definition (its deployments are driven by task sets): give a task-definition file instead.`,
        );
      }
      try {
        return await describe(arn, signal);
      } catch (error) {
        throw explainAwsError(error, {
          action: `describe task definition ${arn}`,
          permission: 'ecs:DescribeTaskDefinition',
          ...ECS_ERRORS,
        });
      }
    },
  };
}

type JsonObject = Record<string, unknown>;

interface Middleware {
  (
    next: (args: { request: unknown }) => Promise<{ response: unknown }>,
  ): (args: { request: unknown }) => Promise<{ response: unknown }>;
}

interface CommandWithStack {
  middlewareStack: {
    add(middleware: Middleware, options: { step: string; priority: string; name: string }): void;
  };
}

/**
 * Before signing, adds to the JSON body every field of the input that the SDK's serialiser left
 * out. Known fields keep the SDK's serialisation.
 */
function sendUnknownFields(command: object, input: object): void {
  (command as CommandWithStack).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown; headers?: Record<string, string> };
      const text = bodyText(request.body);
      if (text !== undefined) {
        const merged = JSON.stringify(withUnknownFields(JSON.parse(text) as unknown, input));
        request.body = merged;
        if (request.headers) {
          for (const name of Object.keys(request.headers)) {
            if (name.toLowerCase() === 'content-length') delete request.headers[name];
          }
        }
      }
      return next(args);
    },
    // Early in the build step: before content-length is computed and long before signing.
    { step: 'build', priority: 'high', name: 'suiteSendUnknownFields' },
  );
}

/** Reads the raw response body of each attempt before the SDK parses it; returns a getter. */
function keepResponseBody(command: object): () => JsonObject | undefined {
  let body: JsonObject | undefined;
  (command as CommandWithStack).middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      body = undefined;
      if (response.statusCode !== undefined && response.statusCode < 300 && response.body) {
        const bytes = await readAll(response.body);
        // The SDK's parser takes a byte array as readily as a stream.
        response.body = bytes;
        try {
          const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
          if (isObject(parsed)) body = parsed;
        } catch {
          // Left for the SDK's parser to report.
        }
      }
      return result;
    },
    // Low in the deserialize step: inside the SDK's parser, so it sees the raw response first.
    { step: 'deserialize', priority: 'low', name: 'suiteKeepResponseBody' },
  );
  return () => body;
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  // A view on the same bytes: Buffer.from(body) would call the SDK body's string adapter.
  if (body instanceof Uint8Array) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }
  return undefined;
}

async function readAll(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * `known` with every field of `raw` it lacks, at any depth (lists item by item). Where both have
 * a field, `known`'s value stays: the SDK's serialisation, or its parsed types (dates).
 */
export function withUnknownFields(known: unknown, raw: unknown): unknown {
  if (Array.isArray(known) && Array.isArray(raw)) {
    return known.map((item: unknown, index) =>
      index < raw.length ? withUnknownFields(item, raw[index]) : item,
    );
  }
  if (isObject(known) && isObject(raw)) {
    const entries = Object.entries(raw)
      .filter(([, value]) => value !== undefined)
      .map(
        ([key, value]) =>
          [key, known[key] === undefined ? value : withUnknownFields(known[key], value)] as const,
      );
    return Object.fromEntries([...Object.entries(known), ...entries]);
  }
  return known;
}

function isObject(value: unknown): value is JsonObject {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

const ECS_ERRORS = {
  service: 'ECS',
  userFixable: new Set([
    'ClientException',
    'InvalidParameterException',
    'ClusterNotFoundException',
    'ServiceNotFoundException',
  ]),
  hint: {
    ClientException: 'Fix what the message names in the task definition or the inputs.',
    InvalidParameterException: 'Fix what the message names in the task definition or the inputs.',
    ClusterNotFoundException: 'Check the cluster and service inputs and the region.',
    ServiceNotFoundException: 'Check the cluster and service inputs and the region.',
  },
};
