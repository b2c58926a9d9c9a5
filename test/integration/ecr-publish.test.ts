// The publish engine and the registry client against the emulator's ECR and the real
// docker-registry behind it, with a hand-made OCI layout (no builder needed).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkEcrPort } from '../../src/aws/ecr.ts';
import { decodeAuthorization } from '../../src/ecr/authorization.ts';
import { sha256Digest } from '../../src/ecr/digest.ts';
import { blobPath, readLayout } from '../../src/ecr/oci-layout.ts';
import { publish } from '../../src/ecr/publish.ts';
import { RegistryClient } from '../../src/ecr/registry-client.ts';
import { ensureRepository } from '../../src/ecr/repository.ts';
import { UserError } from '../../src/lib/errors.ts';
import { startEmulator, type Emulator } from '../emulator/server.ts';

const KEYS = {
  accessKeyId: 'AKIAPUBLISHTEST00001',
  secretAccessKey: 'publish-test-secret-key-0000000000000000',
};
const noSleep = async () => {};

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ ecr: { registry: true } });
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/builder' });
});

afterAll(async () => {
  await emulator.close();
});

async function layoutOf(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'layout-'));
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (data: Buffer) => {
    await writeFile(blobPath(dir, sha256Digest(data)), data);
    return { digest: sha256Digest(data), size: data.length };
  };
  const config = await put(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', content })),
  );
  const layer = await put(Buffer.from(`layer:${content}`.repeat(100)));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    }),
  );
  const top = await put(manifest);
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...top }],
    }),
  );
  return dir;
}

function ports(retries: { what: string; reason: string }[] = []) {
  const ecr = sdkEcrPort({
    region: 'us-east-1',
    credentials: KEYS,
    env: { AWS_ENDPOINT_URL: emulator.url },
  });
  return {
    ecr,
    async registry() {
      const [auth] = await ecr.getAuthorization([]);
      return new RegistryClient({
        login: decodeAuthorization(auth!.token, auth!.proxyEndpoint),
        retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 },
        requestTimeoutMs: 2000,
        sleep: noSleep,
        onRetry: (info) => retries.push(info),
      });
    },
  };
}

async function publishTo(
  name: string,
  layoutDir: string,
  tags: string[],
  retries: { what: string; reason: string }[] = [],
) {
  const p = ports(retries);
  const { repository } = await ensureRepository(p.ecr, {
    name,
    registryId: undefined,
    create: false,
    kmsKey: undefined,
    untaggedExpiryDays: 14,
  });
  return publish(
    {
      repository,
      tags,
      layout: await readLayout(layoutDir),
      readBlob: (digest) => readFile(blobPath(layoutDir, digest)),
    },
    { ecr: p.ecr, registry: await p.registry() },
  );
}

describe('publish', () => {
  it('pushes by digest, tags through ECR, and uploads nothing the second time', async () => {
    emulator.ecr.createRepository('web');
    const dir = await layoutOf('one');
    const first = await publishTo('web', dir, ['abc', 'latest']);
    expect(first.digest).toBe((await readLayout(dir)).top.digest);
    expect(first.image).toBe(`${new URL(emulator.url).host}/web@${first.digest}`);
    expect(first.uploadedBlobs).toBe(2);
    expect(first.uploadedBytes).toBeGreaterThan(900);
    const image = emulator.ecr.repository('web')!.images.get(first.digest)!;
    expect([...image.tags].sort()).toEqual(['abc', 'latest']);

    const uploadedBefore = emulator.registry!.uploadedBytes;
    const again = await publishTo('web', dir, ['abc', 'latest']);
    expect(again).toMatchObject({
      digest: first.digest,
      uploadedBytes: 0,
      uploadedBlobs: 0,
      unchangedTags: ['abc', 'latest'],
    });
    expect(emulator.registry!.uploadedBytes).toBe(uploadedBefore);

    const moved = await publishTo('web', await layoutOf('two'), ['latest', 'def']);
    expect(moved.uploadedBlobs).toBe(2);
    expect([...emulator.ecr.repository('web')!.images.get(moved.digest)!.tags].sort()).toEqual([
      'def',
      'latest',
    ]);
  });

  it('refuses to move a tag of an immutable repository, naming both digests, before pushing', async () => {
    emulator.ecr.createRepository('locked', { immutable: true });
    const first = await publishTo('locked', await layoutOf('v1'), ['release']);
    const callsBefore = emulator.registry!.calls.length;
    const other = await layoutOf('v2');
    const otherDigest = (await readLayout(other)).top.digest;
    const error = await publishTo('locked', other, ['release']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `Tag 'release' already exists in the immutable repository locked on ${first.digest}, but this build is ${otherDigest}: tags of an immutable repository never move; use a new tag (the default {sha} is unique per commit).`,
    );
    expect(emulator.registry!.calls.length).toBe(callsBefore);
  });

  it('retries registry 5xx answers, dropped connections and requests that hang', async () => {
    emulator.ecr.createRepository('flaky');
    emulator.faults.inject({
      service: 'registry',
      action: 'HeadBlob',
      kind: 'server-error',
      status: 503,
      times: 1,
    });
    emulator.faults.inject({ service: 'registry', action: 'PutUpload', kind: 'reset', times: 1 });
    emulator.faults.inject({
      service: 'registry',
      action: 'PutManifest',
      kind: 'server-error',
      times: 1,
    });
    // A request that never gets an answer is cut off by the per-attempt time limit and retried.
    emulator.faults.inject({ service: 'registry', action: 'HeadBlob', kind: 'hang', times: 1 });
    const retries: { what: string; reason: string }[] = [];
    const result = await publishTo('flaky', await layoutOf('flaky'), ['x'], retries);
    expect(emulator.ecr.repository('flaky')!.images.get(result.digest)?.tags.has('x')).toBe(true);
    expect(retries.map((r) => r.what.replace(/ sha256:\w+/, ''))).toEqual([
      'check blob',
      'check blob',
      'upload blob',
      'push manifest',
    ]);
    expect(retries[1]!.reason).toMatch(/timeout|aborted/i);
  });

  it('names a missing repository in one line, and creates it with ECR best practices when asked', async () => {
    const p = ports();
    await expect(
      ensureRepository(p.ecr, {
        name: 'missing',
        registryId: undefined,
        create: false,
        kmsKey: undefined,
        untaggedExpiryDays: 14,
      }),
    ).rejects.toThrow(
      "ECR repository 'missing' does not exist: create it (infrastructure code), or set create-repository: true to have this step create it.",
    );
    const created = await ensureRepository(p.ecr, {
      name: 'fresh',
      registryId: undefined,
      create: true,
      kmsKey: 'alias/images',
      untaggedExpiryDays: 7,
    });
    expect(created).toMatchObject({
      created: true,
      repository: { name: 'fresh', immutable: true, scanOnPush: true },
    });
    const stored = emulator.ecr.repository('fresh')!;
    expect(stored.encryption).toEqual({ encryptionType: 'KMS', kmsKey: 'alias/images' });
    expect(JSON.parse(stored.lifecyclePolicyText!).rules[0].selection).toEqual({
      tagStatus: 'untagged',
      countType: 'sinceImagePushed',
      countUnit: 'days',
      countNumber: 7,
    });
  });
});
