import { describe, expect, it } from '@jest/globals';
import {
  classifyAwsError,
  describeAwsError,
  isRetryableAwsError,
} from '../../../src/lib/aws-errors.ts';

const sdkError = (name: string, status?: number, message = name) =>
  Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status, requestId: 'req-1' },
  });

describe('AWS error classification', () => {
  it.each([
    ['Throttling', 400, 'throttled'],
    ['ThrottlingException', 400, 'throttled'],
    ['TooManyRequestsException', 429, 'throttled'],
    ['InternalFailure', 500, 'server'],
    ['ServiceUnavailable', 503, 'server'],
    ['IDPCommunicationErrorException', 400, 'server'],
    ['TimeoutError', undefined, 'timeout'],
    ['AccessDenied', 403, 'client'],
    ['InvalidIdentityTokenException', 400, 'client'],
    ['ValidationError', 400, 'client'],
    ['ExpiredTokenException', 400, 'client'],
    ['ResourceNotFoundException', 400, 'client'],
  ] as const)('%s (HTTP %s) is %s', (name, status, kind) => {
    expect(classifyAwsError(sdkError(name, status))).toBe(kind);
    expect(isRetryableAwsError(sdkError(name, status))).toBe(kind !== 'client');
  });

  it('treats socket errors as network errors', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyAwsError(reset)).toBe('network');
    expect(classifyAwsError(new Error('socket hang up'))).toBe('network');
  });

  it('names a timed-out request by its error name, without the handler prefix', () => {
    const timeout = Object.assign(
      new Error(
        'ETIMEDOUT: @smithy/node-http-handler - [ERROR] a request has exceeded the configured 500 ms requestTimeout.',
      ),
      { name: 'TimeoutError', code: 'ETIMEDOUT' },
    );
    expect(classifyAwsError(timeout)).toBe('timeout');
    expect(describeAwsError(timeout)).toBe(
      'TimeoutError: a request has exceeded the configured 500 ms requestTimeout.',
    );
  });

  it('describes an error on one line with code, status and request id', () => {
    expect(describeAwsError(sdkError('AccessDenied', 403, 'Not authorized\nto perform'))).toBe(
      'AccessDenied (HTTP 403): Not authorized to perform [request req-1]',
    );
    expect(
      describeAwsError(sdkError('InvalidIdentityTokenException', 400, 'Incorrect token audience')),
    ).toBe('InvalidIdentityToken (HTTP 400): Incorrect token audience [request req-1]');
  });
});
