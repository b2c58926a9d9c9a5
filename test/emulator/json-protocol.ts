import { ServiceError } from './errors.ts';
import type { EmulatorResponse, Protocol } from './service.ts';

export type JsonObject = { readonly [key: string]: unknown };

export interface JsonProtocolOptions {
  /** The part of `X-Amz-Target` before the dot, e.g. AmazonEC2ContainerServiceV20141113. */
  readonly targetPrefix: string;
  readonly jsonVersion?: '1.0' | '1.1';
  readonly throttlingCode?: string;
}

/** awsJson1_0 / awsJson1_1: POST /, `X-Amz-Target: Prefix.Action`, JSON in and out. */
export function jsonProtocol(options: JsonProtocolOptions): Protocol<JsonObject> {
  const contentType = `application/x-amz-json-${options.jsonVersion ?? '1.1'}`;
  const respond = (
    status: number,
    body: unknown,
    requestId: string,
    extra = {},
  ): EmulatorResponse => ({
    status,
    headers: { 'x-amzn-RequestId': requestId, 'Content-Type': contentType, ...extra },
    body: JSON.stringify(body, timestampsAsEpochSeconds),
  });
  return {
    name: 'json',
    targetPrefix: options.targetPrefix,
    throttlingCode: options.throttlingCode ?? 'ThrottlingException',
    parse(request, actions) {
      const target = String(request.headers['x-amz-target'] ?? '');
      const dot = target.indexOf('.');
      const action = dot === -1 ? '' : target.slice(dot + 1);
      if (target.slice(0, dot) !== options.targetPrefix || !actions.has(action)) {
        throw new ServiceError('UnknownOperationException', 400, '');
      }
      const text = request.body.toString('utf8').trim();
      let input: unknown;
      try {
        input = text === '' ? {} : JSON.parse(text);
      } catch {
        throw new ServiceError('SerializationException', 400, 'Malformed JSON in request body');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new ServiceError('SerializationException', 400, 'Request body must be a JSON object');
      }
      return { action, input: input as JsonObject };
    },
    success(_action, output, requestId) {
      return respond(200, output ?? {}, requestId);
    },
    failure(error, requestId) {
      return respond(error.status, { __type: error.code, message: error.message }, requestId, {
        'x-amzn-ErrorType': error.code,
      });
    },
  };
}

/** AWS JSON protocols carry timestamps as epoch seconds. */
function timestampsAsEpochSeconds(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
}
