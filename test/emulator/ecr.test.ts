import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { startEmulator, type Emulator } from './server.ts';
import { sha256Digest } from './ecr/registry-client.ts';

const KEYS = {
  accessKeyId: 'AKIAECRTESTKEY000001',
  secretAccessKey: 'ecr-test-secret-key-00000000000000000000',
};

let emulator: Emulator;
let ecr: ECRClient;
let auth: string;

async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the call to fail');
}

/** Pushes a one-layer image over /v2 the way a client does; returns its manifest and digest. */
async function pushImage(
  repository: string,
  reference: string,
  content: string,
): Promise<{ manifest: string; digest: string; status: number }> {
  const blobs = [
    Buffer.from(`{"architecture":"amd64","os":"linux","n":"${content}"}`),
    Buffer.from(content),
  ];
  for (const blob of blobs) {
    const start = await fetch(`${emulator.url}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: auth },
    });
    await start.arrayBuffer();
    if (start.status !== 202) return { manifest: '', digest: '', status: start.status };
    const location = new URL(start.headers.get('location')!, emulator.url);
    location.searchParams.set('digest', sha256Digest(blob));
    const put = await fetch(location, {
      method: 'PUT',
      headers: { authorization: auth },
      body: blob,
    });
    await put.arrayBuffer();
    expect(put.status).toBe(201);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256Digest(blobs[0]!),
      size: blobs[0]!.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256Digest(blobs[1]!),
        size: blobs[1]!.length,
      },
    ],
  });
  const put = await fetch(`${emulator.url}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  await put.arrayBuffer();
  return { manifest, digest: sha256Digest(manifest), status: put.status };
}

beforeAll(async () => {
  emulator = await startEmulator({ ecr: { registry: true } });
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/builder' });
  ecr = new ECRClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: KEYS,
  });
  const token = await ecr.send(new GetAuthorizationTokenCommand({}));
  auth = `Basic ${token.authorizationData![0]!.authorizationToken!}`;
});

afterAll(async () => {
  await emulator.close();
});

describe('ECR authorization', () => {
  it('hands out a token for user AWS whose password the real registry accepts', async () => {
    const out = await ecr.send(
      new GetAuthorizationTokenCommand({ registryIds: ['123456789012', '210987654321'] }),
    );
    expect(out.authorizationData).toHaveLength(2);
    const data = out.authorizationData![0]!;
    expect(data.proxyEndpoint).toBe(emulator.url);
    expect(data.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    const [user, password] = Buffer.from(data.authorizationToken!, 'base64').toString().split(':');
    expect(user).toBe('AWS');
    expect(password).toBe(emulator.ecr.password);
    expect((await fetch(`${emulator.url}/v2/`, { headers: { authorization: auth } })).status).toBe(
      200,
    );
    const anonymous = await fetch(`${emulator.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
  });
});

describe('ECR repositories', () => {
  it('creates a repository with its settings, describes it, and refuses a second one', async () => {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team/web',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr' },
      }),
    );
    expect(created.repository).toMatchObject({
      repositoryName: 'team/web',
      repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web',
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr' },
    });
    const described = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: ['team/web'] }),
    );
    expect(described.repositories?.[0]?.repositoryArn).toBe(
      'arn:aws:ecr:us-east-1:123456789012:repository/team/web',
    );
    expect(
      await failure(ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }))),
    ).toMatchObject({
      name: 'RepositoryAlreadyExistsException',
    });
    await ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: 'team/web',
        lifecyclePolicyText: '{"rules":[{"rulePriority":1}]}',
      }),
    );
    const policy = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'team/web' }));
    expect(policy.lifecyclePolicyText).toBe('{"rules":[{"rulePriority":1}]}');
  });

  it('names a missing repository with its real error code, on the API and the registry', async () => {
    expect(
      await failure(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] }))),
    ).toEqual({
      name: 'RepositoryNotFoundException',
      message:
        "The repository with name 'nope' does not exist in the registry with id '123456789012'",
    });
    expect(
      await failure(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad_Name' }))),
    ).toMatchObject({
      name: 'InvalidParameterException',
    });
    const pushed = await pushImage('nope', 'v1', 'x');
    expect(pushed.status).toBe(404);
  });
});

describe('ECR images over the real registry', () => {
  it('records pushed manifests as images, serves them back, and retags with PutImage', async () => {
    emulator.ecr.createRepository('app');
    const pushed = await pushImage('app', 'v1', 'first');
    expect(pushed.status).toBe(201);
    const images = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(images.imageDetails?.[0]).toMatchObject({
      imageDigest: pushed.digest,
      imageTags: ['v1'],
    });
    const got = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'app',
        imageIds: [{ imageDigest: pushed.digest }, { imageTag: 'nope' }],
      }),
    );
    expect(got.images?.[0]?.imageManifest).toBe(pushed.manifest);
    expect(got.failures?.[0]).toMatchObject({
      imageId: { imageTag: 'nope' },
      failureCode: 'ImageNotFound',
    });

    await ecr.send(
      new PutImageCommand({
        repositoryName: 'app',
        imageManifest: pushed.manifest,
        imageTag: 'stable',
        imageDigest: pushed.digest,
      }),
    );
    const retagged = await fetch(`${emulator.url}/v2/app/manifests/stable`, {
      headers: { authorization: auth, accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(sha256Digest(await retagged.text())).toBe(pushed.digest);
    expect(
      await failure(
        ecr.send(
          new PutImageCommand({
            repositoryName: 'app',
            imageManifest: pushed.manifest,
            imageTag: 'stable',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ImageAlreadyExistsException',
    });
    expect(
      await failure(
        ecr.send(
          new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'gone' }] }),
        ),
      ),
    ).toMatchObject({
      name: 'ImageNotFoundException',
    });
  });

  it('keeps tags of an immutable repository where they are', async () => {
    emulator.ecr.createRepository('locked', { immutable: true });
    const first = await pushImage('locked', 'v1', 'one');
    expect(first.status).toBe(201);
    const second = await pushImage('locked', 'v1', 'two');
    expect(second.status).toBe(400);
    const error = await failure(
      ecr.send(
        new PutImageCommand({
          repositoryName: 'locked',
          imageManifest: second.manifest,
          imageTag: 'v1',
        }),
      ),
    );
    expect(error).toEqual({
      name: 'ImageTagAlreadyExistsException',
      message:
        "The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.",
    });
    const images = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'locked', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(images.imageDetails?.[0]?.imageDigest).toBe(first.digest);
  });

  it('refuses a manifest whose layers were never uploaded', async () => {
    emulator.ecr.createRepository('empty');
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Digest('nothing'),
        size: 7,
      },
      layers: [],
    });
    expect(
      await failure(
        ecr.send(
          new PutImageCommand({ repositoryName: 'empty', imageManifest: manifest, imageTag: 'x' }),
        ),
      ),
    ).toMatchObject({
      name: 'LayersNotFoundException',
    });
  });

  it('counts uploaded bytes and lets tests fail registry calls', async () => {
    emulator.ecr.createRepository('faulty');
    const before = emulator.registry!.uploadedBytes;
    emulator.faults.inject({
      service: 'registry',
      action: 'StartUpload',
      kind: 'server-error',
      status: 503,
      times: 1,
    });
    expect((await pushImage('faulty', 'v1', 'abc')).status).toBe(503);
    expect((await pushImage('faulty', 'v1', 'abc')).status).toBe(201);
    expect(emulator.registry!.uploadedBytes - before).toBeGreaterThan(3);
    expect(
      emulator.registry!.calls.some((c) => c.fault === 'server-error' && c.status === 503),
    ).toBe(true);
  });
});

describe('ECR scans', () => {
  it('scans on push as scripted: in progress, then complete with findings and counts', async () => {
    emulator.ecr.createRepository('scanned', { scanOnPush: true });
    emulator.ecr.setScanBehaviour('scanned', {
      pendingCalls: 1,
      findings: [
        {
          name: 'CVE-2026-0001',
          severity: 'CRITICAL',
          packageName: 'openssl',
          packageVersion: '3.0.1',
        },
        { name: 'CVE-2026-0002', severity: 'LOW' },
      ],
    });
    const { digest } = await pushImage('scanned', 'v1', 'scan-me');
    const ask = () =>
      ecr.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: 'scanned',
          imageId: { imageDigest: digest },
        }),
      );
    expect((await ask()).imageScanStatus?.status).toBe('IN_PROGRESS');
    const done = await ask();
    expect(done.imageScanStatus?.status).toBe('COMPLETE');
    expect(done.imageScanFindings?.findingSeverityCounts).toEqual({ CRITICAL: 1, LOW: 1 });
    expect(done.imageScanFindings?.findings?.[0]).toMatchObject({
      name: 'CVE-2026-0001',
      severity: 'CRITICAL',
      attributes: [
        { key: 'package_name', value: 'openssl' },
        { key: 'package_version', value: '3.0.1' },
      ],
    });
  });

  it('reports enhanced findings with status ACTIVE, and no scan where none ran', async () => {
    emulator.ecr.createRepository('inspected');
    emulator.ecr.setScanBehaviour('inspected', {
      type: 'ENHANCED',
      findings: [{ name: 'CVE-2026-0003', severity: 'HIGH' }],
    });
    const { digest } = await pushImage('inspected', 'v1', 'inspect-me');
    const out = await ecr.send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'inspected',
        imageId: { imageDigest: digest },
      }),
    );
    expect(out.imageScanStatus?.status).toBe('ACTIVE');
    expect(out.imageScanFindings?.enhancedFindings?.[0]).toMatchObject({
      title: 'CVE-2026-0003',
      severity: 'HIGH',
    });

    const plain = await pushImage('app', 'v9', 'unscanned');
    expect(
      await failure(
        ecr.send(
          new DescribeImageScanFindingsCommand({
            repositoryName: 'app',
            imageId: { imageDigest: plain.digest },
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ScanNotFoundException',
    });
  });
});
