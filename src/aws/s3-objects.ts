// The spa-deploy engine's bucket port on S3: listings, heads carrying the suite's content hash in
// user metadata (`x-amz-meta-sha256`, because an ETag is no content hash for multipart objects),
// uploads of build files (multipart above MULTIPART_THRESHOLD, the parts sent as the SDK's
// lib-storage sends them), server-side copies and batched deletes.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { UserError } from '../lib/errors.ts';
import { awsErrorFacts } from '../lib/aws-errors.ts';
import type {
  BucketPort,
  HeadObject,
  ListedObject,
  ObjectHeaders,
  UploadRequest,
} from '../spa/ports.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { endpointOverride } from './endpoint.ts';
import { explainAwsError, sendOptions } from './explain.ts';

/** Files from this size up go in parts; 8 MiB parts (S3's minimum is 5 MiB). */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;
const HASH_METADATA = 'sha256';

export function s3BucketPort(
  bucket: string,
  buildDirectory: string,
  options: ClientOptions,
): BucketPort {
  const client = new S3Client({
    ...clientConfig('S3', options),
    // Endpoints such as the emulator or MinIO address buckets by path.
    forcePathStyle: endpointOverride('S3', options.env ?? process.env) !== undefined,
    // Checksums only where S3 requires one (DeleteObjects): ETags and the suite's hash check the rest.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const explain = (error: unknown, action: string, permission: string) =>
    explainAwsError(error, {
      action: `${action} in bucket ${bucket}`,
      permission,
      service: 'S3',
      userFixable: new Set([
        'NoSuchBucket',
        'InvalidBucketName',
        'PermanentRedirect',
        'AuthorizationHeaderMalformed',
      ]),
      hint: 'Check the bucket name and its region.',
    });

  const call = async <T>(
    action: string,
    permission: string,
    send: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw explain(error, action, permission);
    }
  };

  const buffers = new BufferPool();
  return {
    async check(signal) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), sendOptions(signal));
      } catch (error) {
        const { code, status } = awsErrorFacts(error);
        if (code === 'NotFound' || code === 'NoSuchBucket' || status === 404) {
          throw new UserError(
            `Bucket ${bucket} does not exist: check the bucket name (and that it is in this account).`,
            { cause: error },
          );
        }
        if (code === 'Forbidden' || status === 403) {
          throw new UserError(
            `The role may not use bucket ${bucket} (HTTP 403): allow s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on it in its policy.`,
            { cause: error },
          );
        }
        throw explain(error, 'check the bucket', 's3:ListBucket');
      }
    },

    async list(prefix, signal) {
      const objects = new Map<string, ListedObject>();
      let token: string | undefined;
      do {
        const page = await call('list objects', 's3:ListBucket', () =>
          client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              ...(token ? { ContinuationToken: token } : {}),
            }),
            sendOptions(signal),
          ),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined) objects.set(o.Key, { size: o.Size ?? 0, etag: o.ETag ?? '' });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return objects;
    },

    async head(key, signal): Promise<HeadObject | undefined> {
      try {
        const out = await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: key }),
          sendOptions(signal),
        );
        const sha256 = out.Metadata?.[HASH_METADATA];
        return {
          size: out.ContentLength ?? 0,
          etag: out.ETag ?? '',
          contentType: out.ContentType ?? '',
          cacheControl: out.CacheControl ?? '',
          ...(out.ContentEncoding ? { contentEncoding: out.ContentEncoding } : {}),
          ...(sha256 ? { sha256 } : {}),
        };
      } catch (error) {
        if (awsErrorFacts(error).status === 404) return undefined;
        throw explain(error, `read ${key}`, 's3:GetObject');
      }
    },

    async getBytes(key, signal) {
      try {
        const out = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key }),
          sendOptions(signal),
        );
        const bytes = await out.Body?.transformToByteArray();
        return bytes === undefined ? undefined : Buffer.from(bytes);
      } catch (error) {
        const { code, status } = awsErrorFacts(error);
        if (code === 'NoSuchKey' || status === 404) return undefined;
        throw explain(error, `read ${key}`, 's3:GetObject');
      }
    },

    async putBytes(key, body, headers, signal) {
      await call(`write ${key}`, 's3:PutObject', () =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: headers.contentType,
            CacheControl: headers.cacheControl,
          }),
          sendOptions(signal),
        ),
      );
    },

    async upload(request: UploadRequest, signal) {
      const path = join(buildDirectory, request.source);
      if (request.size < MULTIPART_THRESHOLD) {
        const buffer = buffers.take(request.size);
        try {
          const body = await readRange(path, 0, request.size, buffer);
          const out = await call(`upload ${request.key}`, 's3:PutObject', () =>
            client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: request.key,
                Body: body,
                ...putHeaders(request),
              }),
              sendOptions(signal),
            ),
          );
          return out.ETag ?? '';
        } finally {
          buffers.give(buffer);
        }
      }
      const buffer = buffers.take(PART_SIZE);
      try {
        return await multipartUpload(client, bucket, path, request, buffer, signal, call);
      } finally {
        buffers.give(buffer);
      }
    },

    async copy(from, to, headers, signal) {
      const out = await call(`copy ${from} to ${to}`, 's3:GetObject and s3:PutObject', () =>
        client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: to,
            CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
            MetadataDirective: 'REPLACE',
            ...putHeaders(headers),
          }),
          sendOptions(signal),
        ),
      );
      return out.CopyObjectResult?.ETag ?? '';
    },

    async delete(keys, signal) {
      if (keys.length === 0) return;
      const out = await call('delete objects', 's3:DeleteObject', () =>
        client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
          sendOptions(signal),
        ),
      );
      const failed = out.Errors?.[0];
      if (failed !== undefined) {
        throw new UserError(
          `S3 did not delete ${out.Errors?.length} objects, ${failed.Key} among them (${failed.Code}: ${failed.Message}): allow s3:DeleteObject on bucket ${bucket}.`,
        );
      }
    },
  };
}

function putHeaders(headers: ObjectHeaders & { sha256: string }) {
  return {
    ContentType: headers.contentType,
    CacheControl: headers.cacheControl,
    ...(headers.contentEncoding === undefined ? {} : { ContentEncoding: headers.contentEncoding }),
    Metadata: { [HASH_METADATA]: headers.sha256 },
  };
}

type Call = <T>(action: string, permission: string, send: () => Promise<T>) => Promise<T>;

async function multipartUpload(
  client: S3Client,
  bucket: string,
  path: string,
  request: UploadRequest,
  buffer: Buffer,
  signal: AbortSignal,
  call: Call,
): Promise<string> {
  const headers = putHeaders(request);
  const created = await call(`upload ${request.key}`, 's3:PutObject', () =>
    client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: request.key, ...headers }),
      sendOptions(signal),
    ),
  );
  const uploadId = created.UploadId ?? '';
  try {
    const parts: { PartNumber: number; ETag: string }[] = [];
    for (let offset = 0, number = 1; offset < request.size; offset += PART_SIZE, number += 1) {
      const body = await readRange(
        path,
        offset,
        Math.min(PART_SIZE, request.size - offset),
        buffer,
      );
      const out = await call(`upload ${request.key}`, 's3:PutObject', () =>
        client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: request.key,
            UploadId: uploadId,
            PartNumber: number,
            Body: body,
          }),
          sendOptions(signal),
        ),
      );
      parts.push({ PartNumber: number, ETag: out.ETag ?? '' });
    }
    const done = await call(`upload ${request.key}`, 's3:PutObject', () =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: request.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        sendOptions(signal),
      ),
    );
    return done.ETag ?? '';
  } catch (error) {
    // Parts of an abandoned upload are billed until aborted.
    await client
      .send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: request.key, UploadId: uploadId }),
        sendOptions(AbortSignal.timeout(10_000)),
      )
      .catch(() => undefined);
    throw error;
  }
}

/**
 * Upload bodies are read into buffers kept for the next upload: a build of thousands of files
 * otherwise leaves as many dead buffers as the GC lets pile up (bench/README.md, spa-deploy).
 */
class BufferPool {
  readonly #free: Buffer[] = [];

  take(size: number): Buffer {
    const index = this.#free.findIndex((b) => b.length >= size);
    if (index !== -1) return this.#free.splice(index, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.max(64 * 1024, Math.ceil(size / 65536) * 65536));
  }

  give(buffer: Buffer): void {
    this.#free.push(buffer);
  }
}

/** The bytes at `offset`, in `buffer` (a view of its first `length` bytes). */
async function readRange(
  path: string,
  offset: number,
  length: number,
  into: Buffer,
): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = into.subarray(0, length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await file.read(buffer, read, length - read, offset + read);
      if (bytesRead === 0)
        throw new Error(
          `${path} changed while it was uploaded: it is shorter than when it was hashed`,
        );
      read += bytesRead;
    }
    return buffer;
  } finally {
    await file.close();
  }
}
