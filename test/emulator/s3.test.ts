// The emulator's S3 and CloudFront with the real SDK clients: the error shapes the SDK parses,
// multipart rules, copies with and without new metadata, paginated listings, signatures, and an
// invalidation that completes after its delay on the emulator's clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type Emulator, startEmulator } from './server.ts';

const KEYS = {
  accessKeyId: 'AKIAS3EMULATORTEST01',
  secretAccessKey: 's3/emulator/test/secret/0123456789abcdef',
};
/** The emulator's clock runs ahead of the wall clock by this much (within SigV4's 5 minutes). */
let ahead = 0;
let emulator: Emulator;
let s3: S3Client;
let cloudfront: CloudFrontClient;

beforeAll(async () => {
  emulator = await startEmulator({ clock: () => new Date(Date.now() + ahead) });
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/ci' });
  const config = {
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: KEYS,
    maxAttempts: 1,
  };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  cloudfront = new CloudFrontClient(config);
  emulator.s3.createBucket('site');
});
afterAll(async () => {
  s3.destroy();
  cloudfront.destroy();
  await emulator.close();
});

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata: { httpStatusCode: number } };
    return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
  throw new Error('expected a rejection');
};

describe('S3', () => {
  it('stores objects with their headers and metadata, and answers with MD5 ETags', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'site',
        Key: 'a b/ü.txt',
        Body: 'hello',
        ContentType: 'text/plain',
        CacheControl: 'no-cache',
        Metadata: { sha256: 'abc' },
      }),
    );
    expect(put.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'a b/ü.txt' }));
    expect(head).toMatchObject({
      ContentLength: 5,
      ContentType: 'text/plain',
      CacheControl: 'no-cache',
      Metadata: { sha256: 'abc' },
    });
    const get = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'a b/ü.txt' }));
    expect(await get.Body?.transformToString()).toBe('hello');
  });

  it('copies an object keeping its metadata, or replacing it', async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'site',
        Key: 'kept.txt',
        CopySource: 'site/a%20b/%C3%BC.txt',
      }),
    );
    expect(emulator.s3.bucket('site')!.objects.get('kept.txt')).toMatchObject({
      contentType: 'text/plain',
      metadata: { sha256: 'abc' },
    });
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'site',
        Key: 'replaced.txt',
        CopySource: 'site/kept.txt',
        MetadataDirective: 'REPLACE',
        ContentType: 'text/html',
        Metadata: { sha256: 'def' },
      }),
    );
    expect(emulator.s3.bucket('site')!.objects.get('replaced.txt')).toMatchObject({
      contentType: 'text/html',
      metadata: { sha256: 'def' },
    });
    expect(
      await rejection(
        s3.send(new CopyObjectCommand({ Bucket: 'site', Key: 'x', CopySource: 'site/nothing' })),
      ),
    ).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
    });
  });

  it('pages listings and deletes in batches', async () => {
    for (const key of ['p/1', 'p/2', 'p/3'])
      await s3.send(new PutObjectCommand({ Bucket: 'site', Key: key, Body: key }));
    const first = await s3.send(
      new ListObjectsV2Command({ Bucket: 'site', Prefix: 'p/', MaxKeys: 2 }),
    );
    expect(first.Contents?.map((o) => o.Key)).toEqual(['p/1', 'p/2']);
    expect(first.IsTruncated).toBe(true);
    const second = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'site',
        Prefix: 'p/',
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.Contents?.map((o) => o.Key)).toEqual(['p/3']);
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'site',
        Delete: { Objects: [{ Key: 'p/1' }, { Key: 'p/3' }], Quiet: true },
      }),
    );
    expect(
      [...emulator.s3.bucket('site')!.objects.keys()].filter((k) => k.startsWith('p/')),
    ).toEqual(['p/2']);
  });

  it('completes multipart uploads with S3 ETags and refuses what S3 refuses', async () => {
    const part = Buffer.alloc(5 * 1024 * 1024, 1);
    const upload = async (key: string, parts: Buffer[]) => {
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: 'site',
          Key: key,
          ContentType: 'application/wasm',
        }),
      );
      const etags: string[] = [];
      for (const [i, body] of parts.entries()) {
        etags.push(
          (
            await s3.send(
              new UploadPartCommand({
                Bucket: 'site',
                Key: key,
                UploadId,
                PartNumber: i + 1,
                Body: body,
              }),
            )
          ).ETag!,
        );
      }
      return { UploadId, etags };
    };
    const ok = await upload('big.wasm', [part, Buffer.from('tail')]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'site',
        Key: 'big.wasm',
        UploadId: ok.UploadId,
        MultipartUpload: { Parts: ok.etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(emulator.s3.bucket('site')!.objects.get('big.wasm')).toMatchObject({
      contentType: 'application/wasm',
    });

    const small = await upload('small.bin', [Buffer.from('a'), Buffer.from('b')]);
    const parts = small.etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 }));
    expect(
      await rejection(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'site',
            Key: 'small.bin',
            UploadId: small.UploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      ),
    ).toMatchObject({ name: 'EntityTooSmall', status: 400 });
    expect(
      await rejection(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'site',
            Key: 'small.bin',
            UploadId: small.UploadId,
            MultipartUpload: { Parts: [{ ETag: '"0"', PartNumber: 1 }] },
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidPart', status: 400 });
    expect(
      await rejection(
        s3.send(
          new UploadPartCommand({
            Bucket: 'site',
            Key: 'small.bin',
            UploadId: 'nope',
            PartNumber: 1,
            Body: 'x',
          }),
        ),
      ),
    ).toMatchObject({ name: 'NoSuchUpload', status: 404 });
  });

  it('answers in S3 error shapes: missing buckets and keys, access denied, bad signatures', async () => {
    expect(await rejection(s3.send(new ListObjectsV2Command({ Bucket: 'nowhere' })))).toMatchObject(
      {
        name: 'NoSuchBucket',
        status: 404,
        message: 'The specified bucket does not exist',
      },
    );
    expect(
      await rejection(s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'missing' }))),
    ).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(
      await rejection(s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'missing' }))),
    ).toMatchObject({ name: 'NotFound', status: 404 });
    emulator.s3.createBucket(
      'read-only',
      (_who, action) => action === 'GetObject' || action === 'ListObjectsV2',
    );
    expect(
      await rejection(s3.send(new PutObjectCommand({ Bucket: 'read-only', Key: 'k', Body: 'x' }))),
    ).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    const forged = new S3Client({
      endpoint: emulator.url,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { ...KEYS, secretAccessKey: 'wrong' },
    });
    expect(
      await rejection(forged.send(new GetObjectCommand({ Bucket: 'site', Key: 'kept.txt' }))),
    ).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    forged.destroy();
  });
});

describe('CloudFront', () => {
  it("answers the bucket checks cdk's asset publishing makes: location, encryption, expected owner", async () => {
    emulator.s3.createBucket('cdk-assets', undefined, { account: '123456789012' });
    const location = await s3.send(
      new GetBucketLocationCommand({ Bucket: 'cdk-assets', ExpectedBucketOwner: '123456789012' }),
    );
    // us-east-1 is the empty constraint.
    expect(location.LocationConstraint).toBeUndefined();
    expect(
      await rejection(
        s3.send(
          new GetBucketLocationCommand({
            Bucket: 'cdk-assets',
            ExpectedBucketOwner: '999999999999',
          }),
        ),
      ),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(
      await rejection(s3.send(new GetBucketLocationCommand({ Bucket: 'no-such-bucket' }))),
    ).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'cdk-assets' }));
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
  });

  it('completes an invalidation after its delay, and keeps CallerReference idempotent', async () => {
    const distribution = emulator.cloudfront.createDistribution('site');
    emulator.cloudfront.completionMs = 60_000;
    const batch = {
      CallerReference: 'deploy-1',
      Paths: { Quantity: 2, Items: ['/index.html', '/'] },
    };
    const created = await cloudfront.send(
      new CreateInvalidationCommand({ DistributionId: distribution.id, InvalidationBatch: batch }),
    );
    expect(created.Invalidation).toMatchObject({ Status: 'InProgress', InvalidationBatch: batch });
    expect(created.Location).toContain(created.Invalidation!.Id!);
    const again = await cloudfront.send(
      new CreateInvalidationCommand({ DistributionId: distribution.id, InvalidationBatch: batch }),
    );
    expect(again.Invalidation?.Id).toBe(created.Invalidation?.Id);
    expect(
      await rejection(
        cloudfront.send(
          new CreateInvalidationCommand({
            DistributionId: distribution.id,
            InvalidationBatch: { ...batch, Paths: { Quantity: 1, Items: ['/x'] } },
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidationBatchAlreadyExists', status: 409 });

    const get = () =>
      cloudfront.send(
        new GetInvalidationCommand({
          DistributionId: distribution.id,
          Id: created.Invalidation!.Id!,
        }),
      );
    expect((await get()).Invalidation?.Status).toBe('InProgress');
    ahead += 60_000;
    expect((await get()).Invalidation?.Status).toBe('Completed');
    const list = await cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: distribution.id }),
    );
    expect(list.InvalidationList).toMatchObject({
      Quantity: 1,
      Items: [{ Id: created.Invalidation!.Id, Status: 'Completed' }],
    });
  });

  it('answers NoSuchDistribution and NoSuchInvalidation in CloudFront shapes', async () => {
    expect(
      await rejection(
        cloudfront.send(new ListInvalidationsCommand({ DistributionId: 'E000000000000' })),
      ),
    ).toMatchObject({
      name: 'NoSuchDistribution',
      status: 404,
    });
    const distribution = emulator.cloudfront.createDistribution('site');
    expect(
      await rejection(
        cloudfront.send(
          new GetInvalidationCommand({ DistributionId: distribution.id, Id: 'INOPE' }),
        ),
      ),
    ).toMatchObject({
      name: 'NoSuchInvalidation',
      status: 404,
    });
  });
});
