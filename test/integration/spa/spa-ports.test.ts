// The S3 and CloudFront ports (src/aws/s3-objects.ts, src/aws/cloudfront.ts) with real SDK clients
// against the emulator, driving the deploy engine: multipart uploads and their ETags, the suite's
// content hash in user metadata, S3's and CloudFront's error shapes, and retries of SlowDown/5xx.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudFrontPort } from '../../../src/aws/cloudfront.ts';
import type { ClientOptions } from '../../../src/aws/client-factory.ts';
import { s3BucketPort } from '../../../src/aws/s3-objects.ts';
import { buildDirectory, deploySpa, type DeployOptions } from '../../../src/spa/index.ts';
import type { SpaPorts } from '../../../src/spa/ports.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

const ACCOUNT = '111122223333';
const KEYS = {
  accessKeyId: 'AKIASPAPORTSTEST0001',
  secretAccessKey: 'spa/ports/secret/key/0123456789abcdef0',
};
let emulator: Emulator;
let options: ClientOptions;

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.sts.addCredentials({ ...KEYS, arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  options = {
    region: 'eu-west-1',
    credentials: async () =>
      ({ ...KEYS, sessionToken: undefined, expiration: new Date(Date.now() + 3_600_000) }) as never,
    env: { AWS_ENDPOINT_URL: emulator.url },
    retryHooks: { sleep: async () => {} },
  };
});
afterAll(() => emulator.close());

function build(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spa-ports-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function ports(bucket: string, distribution: string, dir: string): SpaPorts {
  const signal = new AbortController().signal;
  return {
    source: buildDirectory(dir, dir, signal),
    bucket: s3BucketPort(bucket, dir, options),
    cdn: cloudFrontPort(distribution, options),
    clock: { now: () => Date.now() },
    sleep: async () => {},
    signal,
  };
}

const deployOptions = (releaseId: string): DeployOptions => ({
  prefix: '',
  rules: [],
  keepReleases: 3,
  waitForInvalidation: false,
  invalidateEverything: false,
  dryRun: false,
  releaseId,
  concurrency: 4,
});

describe('spa-deploy ports on the emulator', () => {
  it('uploads in parts above the threshold, and knows the object again by its own hash', async () => {
    emulator.s3.createBucket('big-site');
    const distribution = emulator.cloudfront.createDistribution('big-site');
    const big = Buffer.alloc(9 * 1024 * 1024, 7);
    const dir = build({ 'index.html': '<p>hi</p>', 'assets/data.1a2b3c4d.wasm': big });
    const first = await deploySpa(deployOptions('r1'), ports('big-site', distribution.id, dir));
    expect(first).toMatchObject({
      outcome: 'deployed',
      uploaded: { count: 2, bytes: big.length + 9 },
    });
    const object = emulator.s3.bucket('big-site')!.objects.get('assets/data.1a2b3c4d.wasm')!;
    expect(object.etag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(object).toMatchObject({
      contentType: 'application/wasm',
      cacheControl: 'public, max-age=31536000, immutable',
    });
    expect(object.body.equals(big)).toBe(true);
    expect(emulator.calls.filter((c) => c.action === 'UploadPart')).toHaveLength(2);
    expect(emulator.s3.bucket('big-site')!.objects.get('index.html')).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'no-cache',
    });
    expect(distribution.invalidations.map((i) => i.paths)).toEqual([['/', '/index.html']]);

    const puts = () =>
      emulator.calls.filter((c) => ['PutObject', 'UploadPart', 'CopyObject'].includes(c.action))
        .length;
    const before = puts();
    // The history gone: the hash in the objects' metadata still says nothing changed.
    emulator.s3.bucket('big-site')!.objects.delete('.spa-deploy/releases.json');
    const again = await deploySpa(deployOptions('r2'), ports('big-site', distribution.id, dir));
    expect(again.uploaded.count).toBe(0);
    expect(puts() - before).toBe(2); // the release's manifest and the history index, nothing else
    expect(emulator.calls.some((c) => c.action === 'HeadObject' && c.status === 200)).toBe(true);
  }, 30_000);

  it('survives SlowDown and 5xx from S3 and throttling from CloudFront', async () => {
    emulator.s3.createBucket('flaky-site');
    const distribution = emulator.cloudfront.createDistribution('flaky-site');
    const dir = build({ 'index.html': 'x', 'a.1a2b3c4d.js': 'y' });
    emulator.faults.inject({ service: 's3', action: 'PutObject', kind: 'throttle', times: 2 });
    emulator.faults.inject({
      service: 's3',
      action: 'CopyObject',
      kind: 'server-error',
      status: 503,
      times: 1,
    });
    emulator.faults.inject({
      service: 'cloudfront',
      action: 'CreateInvalidation',
      kind: 'throttle',
      times: 1,
    });
    const result = await deploySpa(deployOptions('r1'), ports('flaky-site', distribution.id, dir));
    expect(result.outcome).toBe('deployed');
    const faulted = emulator.calls.filter(
      (c) => c.fault !== undefined && ['s3', 'cloudfront'].includes(c.service),
    );
    expect(faulted.map((c) => `${c.action} ${c.status} ${c.errorCode}`).sort()).toEqual([
      'CopyObject 503 ServiceUnavailable',
      'CreateInvalidation 400 Throttling',
      'PutObject 503 SlowDown',
      'PutObject 503 SlowDown',
    ]);
    expect(emulator.s3.bucket('flaky-site')!.objects.get('index.html')?.body.toString()).toBe('x');
  }, 30_000);

  it('says in one line that a bucket or distribution does not exist, or is not allowed', async () => {
    const dir = build({ 'index.html': 'x' });
    emulator.s3.createBucket('real-site');
    const distribution = emulator.cloudfront.createDistribution('real-site');
    await expect(
      deploySpa(deployOptions('r1'), ports('no-such-site', distribution.id, dir)),
    ).rejects.toThrow(
      'Bucket no-such-site does not exist: check the bucket name (and that it is in this account).',
    );
    await expect(
      deploySpa(deployOptions('r1'), ports('real-site', 'E0000000000000', dir)),
    ).rejects.toThrow(/^Distribution E0000000000000 does not exist: set distribution-id/);
    emulator.s3.createBucket('locked-site', (_principal, action) => action !== 'PutObject');
    const locked = emulator.cloudfront.createDistribution('locked-site');
    await expect(
      deploySpa(deployOptions('r1'), ports('locked-site', locked.id, dir)),
    ).rejects.toThrow(
      /^The role may not upload .* in bucket locked-site: AccessDenied \(HTTP 403\): Access Denied .*Allow s3:PutObject/,
    );
    expect(emulator.s3.bucket('real-site')!.objects.size).toBe(0);
  }, 30_000);

  it('answers S3 errors in S3 shapes', async () => {
    emulator.s3.createBucket('shapes');
    const before = emulator.calls.length;
    const port = s3BucketPort('shapes', '/', options);
    expect(await port.getBytes('missing.txt', new AbortController().signal)).toBeUndefined();
    expect(await port.head('missing.txt', new AbortController().signal)).toBeUndefined();
    const missing = emulator.calls
      .slice(before)
      .filter((c) => c.service === 's3' && c.errorCode === 'NoSuchKey');
    expect(missing.map((c) => `${c.action} ${c.status}`)).toEqual([
      'GetObject 404',
      'HeadObject 404',
    ]);
  });
});
