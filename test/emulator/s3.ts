// Amazon S3 (REST-XML, path-style addressing, SigV4 with S3's own rules): the object operations a
// static-site deploy uses. Buckets and objects live in memory; ETags are MD5 hex for single-part
// objects and `<md5 of the part MD5s>-<parts>` for multipart ones, as S3 computes them; user
// metadata (`x-amz-meta-*`) is kept and returned. Errors have S3's shapes: an XML `<Error>` body
// (none for HEAD), `NoSuchBucket`, `NoSuchKey`, `AccessDenied`, `NoSuchUpload`, `InvalidPart`,
// `EntityTooSmall`, and `SlowDown` (503) for the throttle fault.
import { createHash, randomUUID } from 'node:crypto';
import type { Identity } from './credentials.ts';
import { ServiceError } from './errors.ts';
import type {
  ActionCall,
  EmulatorRequest,
  EmulatorResponse,
  Protocol,
  Service,
} from './service.ts';
import { escapeXml } from './xml.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** S3's smallest part but the last (5 MiB). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface S3Object {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
  readonly cacheControl: string | undefined;
  readonly contentEncoding: string | undefined;
  /** User metadata, names lower-case without `x-amz-meta-`. */
  readonly metadata: Readonly<Record<string, string>>;
}

interface Upload {
  readonly key: string;
  readonly headers: ObjectHeaders;
  readonly parts: Map<number, { body: Buffer; etag: string }>;
}

type ObjectHeaders = Pick<
  S3Object,
  'contentType' | 'cacheControl' | 'contentEncoding' | 'metadata'
>;

export type S3Action =
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'GetBucketEncryption'
  | 'ListObjectsV2'
  | 'HeadObject'
  | 'GetObject'
  | 'PutObject'
  | 'CopyObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload';

/** Who may do what in a bucket; everyone signed with known keys when absent. */
export type BucketPolicy = (
  principalArn: string,
  action: S3Action,
  key: string | undefined,
) => boolean;

export interface S3Bucket {
  readonly name: string;
  readonly objects: Map<string, S3Object>;
  readonly uploads: Map<string, Upload>;
  policy: BucketPolicy | undefined;
  /** The owner's account: a request whose ExpectedBucketOwner differs is AccessDenied. */
  readonly account?: string;
}

export interface S3Input {
  readonly bucket: string;
  /** Decoded; undefined for bucket operations. */
  readonly key: string | undefined;
  readonly query: URLSearchParams;
  readonly headers: EmulatorRequest['headers'];
  readonly body: Buffer;
}

export interface S3Output {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly xml?: string;
  readonly binary?: Buffer;
}

export interface S3Dependencies {
  readonly clock: () => Date;
  readonly region?: string;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const header = (headers: S3Input['headers'], name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

export class S3 implements Service<S3Input> {
  readonly name = 's3';
  readonly signingName = 's3';
  readonly signingRules = { s3: true };
  readonly protocol: Protocol<S3Input> = s3Protocol();
  readonly actions: ReadonlySet<string> = new Set<S3Action>([
    'HeadBucket',
    'GetBucketLocation',
    'GetBucketEncryption',
    'ListObjectsV2',
    'HeadObject',
    'GetObject',
    'PutObject',
    'CopyObject',
    'DeleteObject',
    'DeleteObjects',
    'CreateMultipartUpload',
    'UploadPart',
    'CompleteMultipartUpload',
    'AbortMultipartUpload',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set();
  readonly #buckets = new Map<string, S3Bucket>();
  readonly #clock: () => Date;
  readonly #region: string;
  /** Called before each write is applied, with the bytes it carries (tests pause or count here). */
  onWrite: ((action: S3Action, key: string, bytes: number) => void | Promise<void>) | undefined;

  constructor(dependencies: S3Dependencies) {
    this.#clock = dependencies.clock;
    this.#region = dependencies.region ?? 'us-east-1';
  }

  createBucket(name: string, policy?: BucketPolicy, options: { account?: string } = {}): S3Bucket {
    const bucket: S3Bucket = {
      name,
      objects: new Map(),
      uploads: new Map(),
      policy,
      ...(options.account === undefined ? {} : { account: options.account }),
    };
    this.#buckets.set(name, bucket);
    return bucket;
  }

  bucket(name: string): S3Bucket | undefined {
    return this.#buckets.get(name);
  }

  async handle(call: ActionCall<S3Input>): Promise<S3Output> {
    const action = call.action as S3Action;
    const { input } = call;
    const bucket = this.#buckets.get(input.bucket);
    if (bucket === undefined) {
      throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist', {
        BucketName: input.bucket,
      });
    }
    authorize(bucket, call.caller, action, input.key);
    const expectedOwner = header(input.headers, 'x-amz-expected-bucket-owner');
    if (
      expectedOwner !== undefined &&
      bucket.account !== undefined &&
      expectedOwner !== bucket.account
    )
      throw s3Error('AccessDenied', 403, 'Access Denied');
    const key = input.key ?? '';
    switch (action) {
      case 'HeadBucket':
        return { headers: { 'x-amz-bucket-region': this.#region } };
      // us-east-1 is the empty constraint (API_GetBucketLocation).
      case 'GetBucketLocation':
        return {
          xml:
            this.#region === 'us-east-1'
              ? `<LocationConstraint xmlns="${NS}"/>`
              : `<LocationConstraint xmlns="${NS}">${this.#region}</LocationConstraint>`,
        };
      // Every bucket is encrypted with SSE-S3 by default since January 2023.
      case 'GetBucketEncryption':
        return {
          xml: `<ServerSideEncryptionConfiguration xmlns="${NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
        };
      case 'ListObjectsV2':
        return { xml: listObjects(bucket, input.query) };
      case 'HeadObject':
      case 'GetObject': {
        const object = found(bucket, key);
        return {
          headers: objectHeaders(object),
          ...(action === 'GetObject' ? { binary: object.body } : {}),
        };
      }
      case 'PutObject': {
        const declared = header(input.headers, 'content-md5');
        if (
          declared !== undefined &&
          declared !== createHash('md5').update(input.body).digest('base64')
        ) {
          throw s3Error(
            'BadDigest',
            400,
            'The Content-MD5 you specified did not match what we received.',
          );
        }
        await this.onWrite?.(action, key, input.body.length);
        const object = this.#object(input.body, md5(input.body), headersOf(input.headers));
        bucket.objects.set(key, object);
        return { headers: { ETag: object.etag } };
      }
      case 'CopyObject': {
        const source = copySource(input.headers);
        const from = this.#buckets.get(source.bucket);
        if (from === undefined)
          throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist');
        authorize(from, call.caller, 'GetObject', source.key);
        const original = found(from, source.key);
        const replace = header(input.headers, 'x-amz-metadata-directive') === 'REPLACE';
        await this.onWrite?.(action, key, 0);
        const object = this.#object(
          original.body,
          md5(original.body),
          replace ? headersOf(input.headers) : original,
        );
        bucket.objects.set(key, object);
        return {
          xml: `<CopyObjectResult xmlns="${NS}"><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${escapeXml(object.etag)}</ETag></CopyObjectResult>`,
        };
      }
      case 'DeleteObject':
        await this.onWrite?.(action, key, 0);
        bucket.objects.delete(key);
        return { status: 204 };
      case 'DeleteObjects': {
        if (header(input.headers, 'content-md5') === undefined && !hasChecksum(input.headers)) {
          throw s3Error(
            'InvalidRequest',
            400,
            'Missing required header for this request: Content-MD5 or x-amz-checksum-*',
          );
        }
        const keys = [...input.body.toString('utf8').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) =>
          unescapeXml(m[1] ?? ''),
        );
        if (keys.length > 1000)
          throw s3Error(
            'MalformedXML',
            400,
            'The XML you provided was not well-formed or did not validate against our published schema',
          );
        const quiet = /<Quiet>true<\/Quiet>/.test(input.body.toString('utf8'));
        const deleted: string[] = [];
        const errors: string[] = [];
        for (const k of keys) {
          if (
            bucket.policy !== undefined &&
            call.caller !== undefined &&
            !bucket.policy(call.caller.principalArn, 'DeleteObject', k)
          ) {
            errors.push(
              `<Error><Key>${escapeXml(k)}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`,
            );
            continue;
          }
          await this.onWrite?.('DeleteObject', k, 0);
          bucket.objects.delete(k);
          if (!quiet) deleted.push(`<Deleted><Key>${escapeXml(k)}</Key></Deleted>`);
        }
        return {
          xml: `<DeleteResult xmlns="${NS}">${deleted.join('')}${errors.join('')}</DeleteResult>`,
        };
      }
      case 'CreateMultipartUpload': {
        const uploadId = randomUUID().replaceAll('-', '');
        bucket.uploads.set(uploadId, { key, headers: headersOf(input.headers), parts: new Map() });
        return {
          xml: `<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${escapeXml(bucket.name)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
        };
      }
      case 'UploadPart': {
        const upload = uploadOf(bucket, input.query, key);
        const number = Number(input.query.get('partNumber'));
        if (!Number.isInteger(number) || number < 1 || number > 10_000) {
          throw s3Error(
            'InvalidArgument',
            400,
            'Part number must be an integer between 1 and 10000, inclusive',
          );
        }
        const etag = `"${md5(input.body)}"`;
        await this.onWrite?.(action, key, input.body.length);
        upload.parts.set(number, { body: input.body, etag });
        return { headers: { ETag: etag } };
      }
      case 'CompleteMultipartUpload': {
        const upload = uploadOf(bucket, input.query, key);
        const listed = [...input.body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(
          (m) => ({
            number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1] ?? '')?.[1]),
            etag: unescapeXml(/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1] ?? '')?.[1] ?? ''),
          }),
        );
        if (listed.length === 0)
          throw s3Error(
            'MalformedXML',
            400,
            'The XML you provided was not well-formed or did not validate against our published schema',
          );
        const bodies: Buffer[] = [];
        let previous = 0;
        for (const [i, part] of listed.entries()) {
          if (part.number <= previous)
            throw s3Error(
              'InvalidPartOrder',
              400,
              'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
            );
          previous = part.number;
          const stored = upload.parts.get(part.number);
          if (
            stored === undefined ||
            stored.etag.replaceAll('"', '') !== part.etag.replaceAll('"', '')
          ) {
            throw s3Error(
              'InvalidPart',
              400,
              "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
            );
          }
          if (i < listed.length - 1 && stored.body.length < MIN_PART_BYTES) {
            throw s3Error(
              'EntityTooSmall',
              400,
              'Your proposed upload is smaller than the minimum allowed object size.',
            );
          }
          bodies.push(stored.body);
        }
        const digests = Buffer.concat(
          listed.map((p) => Buffer.from(p.etag.replaceAll('"', ''), 'hex')),
        );
        await this.onWrite?.(action, key, 0);
        const object = this.#object(
          Buffer.concat(bodies),
          `${md5(digests)}-${listed.length}`,
          upload.headers,
        );
        bucket.objects.set(key, object);
        bucket.uploads.delete(input.query.get('uploadId') ?? '');
        return {
          xml: `<CompleteMultipartUploadResult xmlns="${NS}"><Location>/${escapeXml(bucket.name)}/${escapeXml(key)}</Location><Bucket>${escapeXml(bucket.name)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(object.etag)}</ETag></CompleteMultipartUploadResult>`,
        };
      }
      case 'AbortMultipartUpload':
        uploadOf(bucket, input.query, key);
        bucket.uploads.delete(input.query.get('uploadId') ?? '');
        return { status: 204 };
    }
  }

  #object(body: Buffer, hex: string, headers: ObjectHeaders): S3Object {
    return { body, etag: `"${hex}"`, lastModified: this.#clock(), ...headers };
  }
}

function authorize(
  bucket: S3Bucket,
  caller: Identity | undefined,
  action: S3Action,
  key: string | undefined,
): void {
  if (bucket.policy === undefined || caller === undefined) return;
  if (!bucket.policy(caller.principalArn, action, key))
    throw s3Error('AccessDenied', 403, 'Access Denied');
}

function found(bucket: S3Bucket, key: string): S3Object {
  const object = bucket.objects.get(key);
  if (object === undefined)
    throw s3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
  return object;
}

function uploadOf(bucket: S3Bucket, query: URLSearchParams, key: string): Upload {
  const upload = bucket.uploads.get(query.get('uploadId') ?? '');
  if (upload === undefined || upload.key !== key) {
    throw s3Error(
      'NoSuchUpload',
      404,
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      {
        UploadId: query.get('uploadId') ?? '',
      },
    );
  }
  return upload;
}

function headersOf(headers: S3Input['headers']): ObjectHeaders {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined)
      metadata[name.slice(11)] = String(value);
  }
  return {
    contentType: header(headers, 'content-type') ?? 'binary/octet-stream',
    cacheControl: header(headers, 'cache-control'),
    contentEncoding: header(headers, 'content-encoding'),
    metadata,
  };
}

function objectHeaders(object: S3Object): Record<string, string> {
  return {
    'Content-Type': object.contentType,
    'Content-Length': String(object.body.length),
    ETag: object.etag,
    'Last-Modified': object.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
    ...(object.cacheControl === undefined ? {} : { 'Cache-Control': object.cacheControl }),
    ...(object.contentEncoding === undefined ? {} : { 'Content-Encoding': object.contentEncoding }),
    ...Object.fromEntries(Object.entries(object.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
  };
}

const hasChecksum = (headers: S3Input['headers']) =>
  Object.keys(headers).some((h) => h.startsWith('x-amz-checksum-'));

function copySource(headers: S3Input['headers']): { bucket: string; key: string } {
  const raw = header(headers, 'x-amz-copy-source') ?? '';
  const decoded = decodeURIComponent(raw.split('?')[0] ?? '').replace(/^\//, '');
  const slash = decoded.indexOf('/');
  if (slash <= 0)
    throw s3Error(
      'InvalidArgument',
      400,
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

function listObjects(bucket: S3Bucket, query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? '';
  const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000) || 1000, 1000);
  const after = query.get('continuation-token') ?? query.get('start-after') ?? '';
  const url = query.get('encoding-type') === 'url';
  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  const page = keys.slice(0, maxKeys);
  const truncated = keys.length > page.length;
  const name = (k: string) => escapeXml(url ? encodeURIComponent(k).replaceAll('%2F', '/') : k);
  const contents = page
    .map((k) => {
      const o = bucket.objects.get(k)!;
      return `<Contents><Key>${name(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  return [
    `<ListBucketResult xmlns="${NS}"><Name>${escapeXml(bucket.name)}</Name><Prefix>${name(prefix)}</Prefix>`,
    `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
    url ? '<EncodingType>url</EncodingType>' : '',
    contents,
    truncated ? `<NextContinuationToken>${escapeXml(page.at(-1)!)}</NextContinuationToken>` : '',
    '</ListBucketResult>',
  ].join('');
}

class S3Error extends ServiceError {
  readonly fields: Record<string, string>;
  constructor(code: string, status: number, message: string, fields: Record<string, string>) {
    super(code, status, message);
    this.fields = fields;
  }
}

function s3Error(
  code: string,
  status: number,
  message: string,
  fields: Record<string, string> = {},
): S3Error {
  return new S3Error(code, status, message, fields);
}

function unescapeXml(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

/** Path-style REST: `/<bucket>` and `/<bucket>/<key>`; the operation from the method, query and headers. */
function s3Protocol(): Protocol<S3Input> {
  return {
    name: 'rest-xml',
    throttlingCode: 'SlowDown',
    throttlingStatus: 503,
    parse(request) {
      const q = request.rawUrl.indexOf('?');
      const path = q === -1 ? request.rawUrl : request.rawUrl.slice(0, q);
      const query = new URLSearchParams(q === -1 ? '' : request.rawUrl.slice(q + 1));
      const slash = path.indexOf('/', 1);
      const bucket = decodeURIComponent(slash === -1 ? path.slice(1) : path.slice(1, slash));
      const rawKey = slash === -1 ? '' : path.slice(slash + 1);
      const key = rawKey === '' ? undefined : decodeURIComponent(rawKey);
      const input: S3Input = { bucket, key, query, headers: request.headers, body: request.body };
      return { action: actionOf(request.method, key, query, request.headers), input };
    },
    success(_action, output, requestId) {
      const out = output as S3Output;
      const body =
        out.xml === undefined ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n${out.xml}`;
      return {
        status: out.status ?? 200,
        headers: {
          'x-amz-request-id': requestId,
          'x-amz-id-2': Buffer.from(requestId).toString('base64'),
          ...(out.xml === undefined ? {} : { 'Content-Type': 'application/xml' }),
          ...out.headers,
        },
        body,
        ...(out.binary === undefined ? {} : { binary: out.binary }),
      };
    },
    failure(error, requestId, request): EmulatorResponse {
      const fields = error instanceof S3Error ? error.fields : {};
      const extra = Object.entries(fields)
        .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
        .join('');
      const headers = {
        'x-amz-request-id': requestId,
        'x-amz-id-2': Buffer.from(requestId).toString('base64'),
        'Content-Type': 'application/xml',
      };
      // HEAD responses carry no body: the SDK reads the status (404 NotFound, 403 Forbidden).
      if (request?.method === 'HEAD') return { status: error.status, headers, body: '' };
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>${Buffer.from(requestId).toString('base64')}</HostId></Error>`;
      return { status: error.status, headers, body };
    },
  };
}

function actionOf(
  method: string,
  key: string | undefined,
  query: URLSearchParams,
  headers: S3Input['headers'],
): S3Action {
  if (key === undefined) {
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'GET' && query.get('list-type') === '2') return 'ListObjectsV2';
    if (method === 'GET' && query.has('location')) return 'GetBucketLocation';
    if (method === 'GET' && query.has('encryption')) return 'GetBucketEncryption';
    if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
  } else {
    if (method === 'HEAD') return 'HeadObject';
    if (method === 'GET') return 'GetObject';
    if (method === 'PUT' && query.has('uploadId')) return 'UploadPart';
    if (method === 'PUT')
      return headers['x-amz-copy-source'] === undefined ? 'PutObject' : 'CopyObject';
    if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
    if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
    if (method === 'DELETE') return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  }
  throw new ServiceError(
    'NotImplemented',
    501,
    'A header or query you provided implies functionality that is not implemented.',
  );
}
