// Reads the code, HTTP status and request id off whatever an AWS call threw, and turns it into
// the one line a person reads.

export interface AwsErrorFacts {
  code: string;
  status: number | undefined;
  requestId: string | undefined;
  message: string;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

const TRANSIENT_CODES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // STS could not reach the identity provider to fetch its keys: "often transient", per the API docs.
  'IDPCommunicationError',
]);

/** The SDK names modeled errors `<Code>Exception`; compare on the wire code. */
function wireCode(name: string): string {
  return name.replace(
    /^(IDPCommunicationError|InvalidIdentityToken|IDPRejectedClaim)Exception$/,
    '$1',
  );
}

export function awsErrorFacts(error: unknown): AwsErrorFacts {
  const e = (error ?? {}) as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
    $response?: { statusCode?: number };
  };
  // Service errors carry their code as the name; Node's network errors as `code` (ETIMEDOUT …).
  const name = e.name && e.name !== 'Error' ? e.name : undefined;
  const code = wireCode(e.Code ?? name ?? e.code ?? 'Error');
  return {
    code,
    status: e.$metadata?.httpStatusCode ?? e.$response?.statusCode,
    requestId: e.$metadata?.requestId,
    message: (e.message ?? String(error))
      .replace(/^(?:[A-Z]+: )?@smithy\/[\w-]+ - \[ERROR\] /, '')
      .replace(/\s*\n\s*/g, ' ')
      .trim(),
  };
}

export type ErrorKind = 'throttled' | 'server' | 'network' | 'timeout' | 'client';

export function classifyAwsError(error: unknown): ErrorKind {
  const { code, status } = awsErrorFacts(error);
  const errno = (error as { code?: string; cause?: { code?: string } } | undefined)?.cause?.code;
  if (THROTTLING_CODES.has(code) || status === 429) return 'throttled';
  if (code === 'TimeoutError' || code === 'RequestTimeout' || code === 'RequestTimeoutException')
    return 'timeout';
  if (NETWORK_CODES.has(code) || (errno !== undefined && NETWORK_CODES.has(errno)))
    return 'network';
  if (TRANSIENT_CODES.has(code) || (status !== undefined && status >= 500)) return 'server';
  // Some wrappers keep only the message of a socket error (the SDK's, under a VM realm).
  if (
    status === undefined &&
    error instanceof Error &&
    /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(
      error.message,
    )
  )
    return 'network';
  return 'client';
}

/** Only errors that can succeed on a retry: never access, validation or not-found errors. */
export function isRetryableAwsError(error: unknown): boolean {
  return classifyAwsError(error) !== 'client';
}

/** e.g. `AccessDenied (HTTP 403): Not authorized to perform … [request 1f2e…]` */
export function describeAwsError(error: unknown): string {
  const facts = awsErrorFacts(error);
  const status = facts.status === undefined ? '' : ` (HTTP ${facts.status})`;
  const message = facts.message && facts.message !== facts.code ? `: ${facts.message}` : '';
  const request = facts.requestId ? ` [request ${facts.requestId}]` : '';
  return `${facts.code}${status}${message}${request}`;
}
