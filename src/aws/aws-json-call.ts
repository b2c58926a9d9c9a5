// One AWS JSON 1.1 operation without its SDK client: a SigV4-signed POST with
// `X-Amz-Target: <Prefix>.<Operation>`, sent by the factory's HTTP handler (timeouts, proxy) under
// the suite's retry policy, its errors shaped like the SDK's (name = the error code, $fault,
// $metadata.httpStatusCode and requestId) so awsErrorFacts, explain.ts and the retry
// classification read them the same. For a client of which a run needs one call (SSM's
// GetParameter): the SDK client carries every operation's schema (199,573 B for SSM).
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpResponse } from '@smithy/types';
import { PARTITIONS } from '../lib/partitions.ts';
import { DEFAULT_RETRY_POLICY, retry } from '../lib/retry.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';

export interface AwsJsonOperation {
  /** The SDK service id: names the endpoint override (AWS_ENDPOINT_URL_<ID>). */
  readonly serviceId: string;
  /** The SigV4 signing name and endpoint prefix, e.g. `ssm`. */
  readonly signingName: string;
  /** e.g. `AmazonSSM.GetParameter`. */
  readonly target: string;
}

/** A service's error answer, in the SDK's shape. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string };

  constructor(code: string, message: string, status: number, requestId: string | undefined) {
    super(message);
    this.name = code;
    this.$fault = status < 500 ? 'client' : 'server';
    this.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
  }
}

/** Calls the operation (retried as the SDK clients are) and returns its JSON output. */
export async function callAwsJson(
  operation: AwsJsonOperation,
  input: Record<string, unknown>,
  options: ClientOptions,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const config = clientConfig(operation.serviceId, options);
  const url = new URL(config.endpoint ?? defaultEndpoint(operation.signingName, options.region));
  const credentials = options.credentials;
  if (!credentials) throw new Error(`${operation.target} needs credentials to sign the request`);
  const signer = new SignatureV4({
    service: operation.signingName,
    region: options.region,
    credentials,
    sha256: Sha256,
    // The SDK sends no payload-hash header to JSON services; SigV4 hashes the body either way.
    applyChecksum: false,
  });
  const body = JSON.stringify(input);
  const handler = config.requestHandler;
  try {
    return await retry(
      options.retry ?? DEFAULT_RETRY_POLICY,
      async () => {
        // Signed afresh for each attempt: the signature carries the time.
        const request = await signer.sign(
          new HttpRequest({
            method: 'POST',
            protocol: url.protocol,
            hostname: url.hostname,
            ...(url.port ? { port: Number(url.port) } : {}),
            path: url.pathname,
            headers: {
              host: url.host,
              'content-type': 'application/x-amz-json-1.1',
              'content-length': String(Buffer.byteLength(body)),
              'x-amz-target': operation.target,
              'user-agent': userAgent(config.customUserAgent),
              'x-amz-user-agent': userAgent(config.customUserAgent),
            },
            body,
          }),
        );
        const { response } = await handler.handle(request as HttpRequest, { abortSignal: signal });
        return parseResponse(response, await readBody(response));
      },
      { ...options.retryHooks, signal },
    );
  } finally {
    handler.destroy();
  }
}

/** `https://<prefix>.<region>.<the partition's DNS suffix>`, as the SDK's endpoint rules make it. */
export function defaultEndpoint(prefix: string, region: string): string {
  const partition =
    PARTITIONS.find((p) => p.regions.includes(region)) ??
    PARTITIONS.find((p) => new RegExp(p.regionRegex).test(region));
  return `https://${prefix}.${region}.${DNS_SUFFIX[partition?.id ?? 'aws'] ?? 'amazonaws.com'}`;
}

// The partitions' dnsSuffix in @aws-sdk/core's partitions.js (src/lib/partitions.ts keeps the rest).
const DNS_SUFFIX: Readonly<Record<string, string>> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-eusc': 'amazonaws.eu',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
  'aws-iso-e': 'cloud.adc-e.uk',
  'aws-iso-f': 'csp.hci.ic.gov',
  'aws-us-gov': 'amazonaws.com',
};

function userAgent(custom: readonly (readonly [string, string?])[]): string {
  const own = custom.map(([name, version]) => (version ? `${name}/${version}` : name));
  return [...own, 'lang/js', `md/nodejs#${process.versions.node}`].join(' ');
}

async function readBody(response: HttpResponse): Promise<string> {
  const stream = response.body as AsyncIterable<Uint8Array> | undefined;
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function header(response: HttpResponse, name: string): string | undefined {
  const key = Object.keys(response.headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : response.headers[key];
}

function parseResponse(response: HttpResponse, text: string): Record<string, unknown> {
  const status = response.statusCode;
  const requestId = header(response, 'x-amzn-requestid');
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    data = undefined;
  }
  const object =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  if (status >= 200 && status < 300) {
    if (object) return object;
    throw new AwsServiceError(
      'SerializationException',
      `the answer is not a JSON object: ${snippet(text)}`,
      status,
      requestId,
    );
  }
  // The code as the SDK's AWS JSON protocols read it: `__type`, then `code`, then the
  // x-amzn-ErrorType header, with any namespace (`com.amazon…#`) or `:suffix` cut off.
  const raw = object?.__type ?? object?.code ?? header(response, 'x-amzn-errortype');
  const code = typeof raw === 'string' && raw !== '' ? errorCode(raw) : 'Unknown';
  const message = object
    ? String(object.message ?? object.Message ?? 'UnknownError')
    : snippet(text) || 'UnknownError';
  throw new AwsServiceError(code, message, status, requestId);
}

function errorCode(raw: string): string {
  const value = raw.split(',')[0]!.split(':')[0]!;
  return value.includes('#') ? value.split('#')[1]! : value;
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
