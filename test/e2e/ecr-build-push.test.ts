// dist/ecr-build-push/index.js run as the runner runs it, against the emulator's ECR and the real
// docker-registry behind it, with real buildah builds (vfs storage of this file's own). Every
// run's log is scanned for every secret: ECR tokens, the registry password, AWS keys, build
// secrets.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { type ActionRun, startForwardProxy } from '../harness/index.ts';
import { type StepOptions, useActionSteps } from './action-steps.ts';
import { buildBaseImage } from './buildah-base-image.ts';
import { errors, expectFailure, result } from './step-assertions.ts';
import { workspace as workspaceWith } from './workspace.ts';

const SHA = 'a3f1c9e07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f';
const KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAECRE2ETESTKEY001',
  AWS_SECRET_ACCESS_KEY: 'ecr-e2e-secret-key-000000000000000000000',
};
const BUILD_SECRET = 'npm-token-7f3a9c2e51b84d06';
const BASE_IMAGE = 'localhost/e2e-base:1';

let emulator: Emulator;
let root: string;
let storageConf: string;

beforeAll(async () => {
  emulator = await startEmulator({ ecr: { registry: true } });
  emulator.sts.addCredentials({
    accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
    secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY,
    arn: 'arn:aws:iam::123456789012:user/ci',
  });
  root = await mkdtemp(join(tmpdir(), 'ecr-e2e-'));
  storageConf = join(root, 'storage.conf');
  await writeFile(
    storageConf,
    `[storage]\ndriver = "vfs"\ngraphroot = "${root}/storage"\nrunroot = "${root}/run"\n`,
  );
  buildBaseImage(storageConf, BASE_IMAGE);
});

const steps = useActionSteps('actions/ecr-build-push/action.yml', {
  defaults: () => ({
    inputs: { 'aws-region': 'us-east-1', builder: 'buildah' },
    env: {
      ...KEYS,
      AWS_ENDPOINT_URL: emulator.url,
      CONTAINERS_STORAGE_CONF: storageConf,
      BUILDAH_ISOLATION: 'chroot',
    },
    timeoutMs: 60_000,
  }),
  secrets: () => {
    expect(emulator.ecr.issuedTokens.length).toBeGreaterThan(0);
    return [
      emulator.ecr.password,
      ...emulator.ecr.issuedTokens,
      KEYS.AWS_SECRET_ACCESS_KEY,
      BUILD_SECRET,
    ];
  },
  close: async () => {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  },
});

/** A workspace with a FROM scratch image whose content is `content`. */
function workspace(content: string, containerfile = 'FROM scratch\nCOPY app.txt /app.txt\n') {
  return workspaceWith({ 'app.txt': content, Containerfile: containerfile }, root);
}

function run(
  inputs: Record<string, string>,
  options: Pick<StepOptions, 'cwd' | 'env'> = {},
): Promise<ActionRun> {
  return steps.run({
    ...options,
    inputs: { 'request-timeout': '5s', ...inputs },
    cwd: options.cwd ?? workspace('default'),
  });
}

const host = () => new URL(emulator.url).host;

describe('ecr-build-push bundle', () => {
  it('builds with buildah, pushes by digest, tags with the commit SHA, and cleans up its login', async () => {
    emulator.ecr.createRepository('shop/web');
    const cwd = workspace('version 1');
    const uploadedBefore = emulator.registry!.uploadedBytes;
    const r = await run({ repository: 'shop/web', tags: '{sha}\nmain-{run-number}' }, { cwd });
    expect(r.exitCode).toBe(0);
    const digest = r.outputs.digest!;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(r.outputs.image).toBe(`${host()}/shop/web@${digest}`);
    expect(r.outputs.tags).toBe(`${SHA}\nmain-42`);
    expect(r.outputs.registry).toBe(host());
    expect(result(r)).toMatchObject({ outcome: 'pushed', uploadedBlobs: 2, reusedBlobs: 0 });
    expect(emulator.registry!.uploadedBytes).toBeGreaterThan(uploadedBefore);
    const image = emulator.ecr.repository('shop/web')!.images.get(digest)!;
    expect([...image.tags].sort()).toEqual([SHA, 'main-42']);
    expect(r.summary).toContain(`\`${host()}/shop/web@${digest}\``);
    expect(r.summary).toMatch(
      /\| Cache \| 0 of 2 blobs already in the registry; uploaded [\d.]+ (B|KiB) \|/,
    );

    // The login: masked, in the job's own 0600 file, never in ~/.docker, removed by the post step.
    expect(r.masks).toEqual(expect.arrayContaining([emulator.ecr.password]));
    const authDirectory = r.exportedEnv.DOCKER_CONFIG!;
    expect(authDirectory.startsWith(r.runnerTemp)).toBe(true);
    expect(r.exportedEnv.REGISTRY_AUTH_FILE).toBe(join(authDirectory, 'config.json'));
    expect(existsSync(join(r.home, '.docker'))).toBe(false);
    expect(r.post?.outcome).toBe('success');
    expect(existsSync(authDirectory)).toBe(false);
    expect(r.log).toMatch(/buildah build --layers/);
  });

  it('rebuilds an unchanged context from the cache and uploads no layer; the same tags are a no-op', async () => {
    emulator.ecr.createRepository('shop/cached', { immutable: true });
    const cwd = workspace('cache me');
    const first = await run({ repository: 'shop/cached' }, { cwd });
    expect(first.exitCode).toBe(0);
    const uploadedBefore = emulator.registry!.uploadedBytes;
    const putsBefore = emulator.registry!.calls.filter((c) => c.action === 'PutManifest').length;

    const again = await run({ repository: 'shop/cached' }, { cwd });
    expect(again.exitCode).toBe(0);
    expect(again.outputs.digest).toBe(first.outputs.digest);
    expect(emulator.registry!.uploadedBytes).toBe(uploadedBefore);
    expect(emulator.registry!.calls.filter((c) => c.action === 'PutManifest').length).toBe(
      putsBefore,
    );
    expect(result(again)).toMatchObject({
      uploadedBytes: 0,
      uploadedBlobs: 0,
      unchangedTags: [SHA],
    });
    expect(again.log).toMatch(/Using cache/);
    expect(again.log).toContain(`Tag ${SHA} already names this image: nothing to do`);
  });

  it('on a fresh runner, reuses the steps another job built from the registry cache', async () => {
    const cwd = workspace(
      'fresh',
      `FROM ${BASE_IMAGE}\nRUN sleep 3; echo dependencies > /deps\nCOPY app.txt /app.txt\n`,
    );
    const first = await run({ repository: 'shop/fresh', 'create-repository': 'true' }, { cwd });
    expect(first.exitCode).toBe(0);
    expect(first.log).toContain('Created repository shop/fresh-cache for the build cache.');
    expect(emulator.ecr.repository('shop/fresh-cache')).toMatchObject({
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
    });
    expect(emulator.ecr.repository('shop/fresh-cache')!.images.size).toBeGreaterThan(0);

    // Another runner: empty buildah storage but for the (same) base image.
    const fresh = join(root, 'fresh-runner');
    const conf = `${fresh}.conf`;
    await writeFile(
      conf,
      `[storage]\ndriver = "vfs"\ngraphroot = "${fresh}/root"\nrunroot = "${fresh}/run"\n`,
    );
    buildBaseImage(conf, BASE_IMAGE);
    const again = await run(
      { repository: 'shop/fresh' },
      { cwd, env: { CONTAINERS_STORAGE_CONF: conf } },
    );
    expect(again.exitCode).toBe(0);
    expect(again.log).toMatch(
      /RUN sleep 3; echo dependencies > \/deps\n--> Cache pulled from remote \S+\/shop\/fresh-cache:\w+\n--> Using cache/,
    );
    expect(again.outputs.digest).toBe(first.outputs.digest);
    expect(result(again)).toMatchObject({ uploadedBytes: 0 });
    expect(again.durationMs).toBeLessThan(first.durationMs);
  });

  it('without a cache repository, warns once and builds on', async () => {
    emulator.ecr.createRepository('shop/uncached');
    const r = await run({ repository: 'shop/uncached' }, { cwd: workspace('uncached') });
    expect(r.exitCode).toBe(0);
    expect(r.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      'No registry cache: repository shop/uncached-cache does not exist, so a fresh runner rebuilds every step. Create it (or set create-repository: true), or set cache: false.',
    ]);
    expect(r.groups.find((g) => g.startsWith('buildah build'))).not.toContain('--cache-to');
  });

  it('fails clearly when an immutable tag would move, naming both digests', async () => {
    emulator.ecr.createRepository('shop/locked', { immutable: true });
    const first = await run(
      { repository: 'shop/locked', tags: 'release-1' },
      { cwd: workspace('one') },
    );
    expect(first.exitCode).toBe(0);
    const second = await run(
      { repository: 'shop/locked', tags: 'release-1' },
      { cwd: workspace('two') },
    );
    expectFailure(
      second,
      new RegExp(
        `^Tag 'release-1' already exists in the immutable repository shop/locked on ${first.outputs.digest}, but this build is sha256:[a-f0-9]{64}: tags of an immutable repository never move`,
      ),
    );
    expect(second.log).toContain(
      `release-1: in the registry ${first.outputs.digest}, built sha256:`,
    );
    expect(result(second)).toMatchObject({ outcome: 'failed' });
    const locked = emulator.ecr.repository('shop/locked')!;
    expect(locked.images.size).toBe(1);
  });

  it('retries registry 5xx answers and dropped connections', async () => {
    emulator.ecr.createRepository('shop/flaky');
    emulator.faults.inject({
      service: 'registry',
      action: 'StartUpload',
      kind: 'server-error',
      status: 503,
      times: 1,
    });
    emulator.faults.inject({ service: 'registry', action: 'PutUpload', kind: 'reset', times: 1 });
    emulator.faults.inject({
      service: 'ecr',
      action: 'BatchGetImage',
      kind: 'server-error',
      times: 1,
    });
    const r = await run({ repository: 'shop/flaky' }, { cwd: workspace('flaky') });
    emulator.faults.clear();
    expect(r.exitCode).toBe(0);
    expect(r.log).toMatch(
      /Registry: upload blob sha256:\w+ \(start\) attempt 1 failed: upload blob sha256:\w+ \(start\): the registry answered HTTP 503; retrying/,
    );
    expect(r.log).toMatch(/Registry: upload blob sha256:\w+ attempt 1 failed: fetch failed/);
    expect(r.log).toMatch(/ECR call attempt 1 failed: InternalFailure \(HTTP 500\)/);
    expect(
      emulator.ecr.repository('shop/flaky')!.images.get(r.outputs.digest!)?.tags.has(SHA),
    ).toBe(true);
  });

  it('creates a missing repository when asked, with scan on push, immutable tags and a lifecycle policy', async () => {
    const r = await run(
      { repository: 'shop/new', 'create-repository': 'true', 'untagged-expiry-days': '3' },
      { cwd: workspace('new') },
    );
    expect(r.exitCode).toBe(0);
    const created = emulator.ecr.repository('shop/new')!;
    expect(created).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      scanOnPush: true,
      encryption: { encryptionType: 'AES256' },
    });
    expect(JSON.parse(created.lifecyclePolicyText!).rules[0].selection.countNumber).toBe(3);
    expect(r.summary).toContain('created (immutable tags, scan on push, lifecycle policy)');
  });

  it('gives build secrets to RUN steps as files, masked, never on a command line or in a layer', async () => {
    emulator.ecr.createRepository('shop/secret');
    const r = await run(
      {
        repository: 'shop/secret',
        secrets: `npmrc=${BUILD_SECRET}`,
        'build-args': 'VERSION=1.2.3',
      },
      {
        cwd: workspace(
          'secret',
          [
            `FROM ${BASE_IMAGE}`,
            'ARG VERSION',
            'COPY app.txt /app.txt',
            // The step can read the secret: it records only its length in the image.
            'RUN --mount=type=secret,id=npmrc read v < /run/secrets/npmrc; echo "${#v}" > /secret-length',
            'LABEL app.version=$VERSION',
            '',
          ].join('\n'),
        ),
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.masks).toContain(BUILD_SECRET);
    expect(r.groups.find((g) => g.startsWith('buildah build'))).toMatch(
      /--build-arg VERSION=1\.2\.3 --secret id=npmrc,src=\S+\/secrets\/npmrc /,
    );
    const token = Buffer.from(`AWS:${emulator.ecr.password}`).toString('base64');
    const get = (path: string) =>
      fetch(`${emulator.url}/v2/shop/secret/${path}`, {
        headers: {
          authorization: `Basic ${token}`,
          accept: 'application/vnd.oci.image.manifest.v1+json',
        },
      });
    const manifest = (await (await get(`manifests/${r.outputs.digest}`)).json()) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    const layers: string[] = [];
    for (const blob of manifest.layers) {
      layers.push(
        gunzipSync(Buffer.from(await (await get(`blobs/${blob.digest}`)).arrayBuffer())).toString(
          'latin1',
        ),
      );
    }
    const config = await (await get(`blobs/${manifest.config.digest}`)).text();
    expect(config).toContain('"app.version":"1.2.3"');
    expect(layers.join('')).toMatch(new RegExp(`secret-length\\0[^]*\\b${BUILD_SECRET.length}\\n`));
    for (const text of [config, ...layers]) expect(text).not.toContain(BUILD_SECRET);
  });
});

describe('ecr-build-push stops', () => {
  const slow = () => workspace('slow', `FROM ${BASE_IMAGE}\nRUN sleep 20\nCOPY app.txt /app.txt\n`);

  it('at its timeout, in one line, and the post step still removes the credentials', async () => {
    emulator.ecr.createRepository('shop/slow');
    const r = await run(
      { repository: 'shop/slow', timeout: '2s', 'request-timeout': '1s' },
      { cwd: slow() },
    );
    expectFailure(r, /^Stopped: the timeout of 2s ran out\.$/);
    expect(r.durationMs).toBeLessThan(15_000);
    expect(r.post?.outcome).toBe('success');
    expect(existsSync(r.exportedEnv.DOCKER_CONFIG!)).toBe(false);
  });

  it('when the job is cancelled, and the post step still removes the credentials', async () => {
    emulator.ecr.createRepository('shop/cancelled');
    const running = steps.start({ inputs: { repository: 'shop/cancelled' }, cwd: slow() });
    await running.waitForOutput(/RUN sleep 20/, 30_000);
    const r = await running.cancel({ sigintTimeoutMs: 5_000, sigtermTimeoutMs: 2_000 });
    expect(r.exitCode).toBe(1);
    expect(errors(r).map((e) => e.message)).toEqual(['Stopped: the job was cancelled (SIGINT).']);
    expect(r.post?.outcome).toBe('success');
    expect(existsSync(r.exportedEnv.DOCKER_CONFIG!)).toBe(false);
  });
});

describe('ecr-build-push scan', () => {
  it('waits for the scan, outputs counts per severity and writes the findings for quality-gate', async () => {
    emulator.ecr.createRepository('shop/scanned', { scanOnPush: true });
    emulator.ecr.setScanBehaviour('shop/scanned', {
      pendingCalls: 2,
      findings: [
        {
          name: 'CVE-2026-1000',
          severity: 'MEDIUM',
          packageName: 'zlib',
          packageVersion: '1.2.13',
        },
        { name: 'CVE-2026-1001', severity: 'LOW' },
      ],
    });
    const r = await run(
      { repository: 'shop/scanned', 'fail-on-severity': 'high', 'scan-poll-interval': '100ms' },
      { cwd: workspace('scanned') },
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs['scan-status']).toBe('COMPLETE');
    expect(JSON.parse(r.outputs['severity-counts']!)).toEqual({
      CRITICAL: 0,
      HIGH: 0,
      MEDIUM: 1,
      LOW: 1,
      INFORMATIONAL: 0,
      UNDEFINED: 0,
    });
    const file = JSON.parse(await readFile(r.outputs['findings-file']!, 'utf8'));
    expect(file).toMatchObject({
      version: 1,
      image: r.outputs.image,
      digest: r.outputs.digest,
      scanType: 'BASIC',
      findings: [
        { id: 'CVE-2026-1000', severity: 'MEDIUM', package: 'zlib', version: '1.2.13' },
        { id: 'CVE-2026-1001', severity: 'LOW' },
      ],
    });
    expect(r.log.match(/Waiting for ECR's scan of sha256:\w+ \(IN_PROGRESS/g)).toHaveLength(2);
    expect(r.summary).toContain('### Scan (basic, COMPLETE)');
  });

  it('fails on findings at or above fail-on-severity and lists them, after pushing the image', async () => {
    emulator.ecr.createRepository('shop/vulnerable', { scanOnPush: true });
    emulator.ecr.setScanBehaviour('shop/vulnerable', {
      type: 'ENHANCED',
      findings: [
        {
          name: 'CVE-2026-2000',
          severity: 'CRITICAL',
          packageName: 'openssl',
          packageVersion: '3.0.1',
        },
        { name: 'CVE-2026-2001', severity: 'HIGH', packageName: 'curl', packageVersion: '8.0.0' },
        { name: 'CVE-2026-2002', severity: 'LOW' },
      ],
    });
    const r = await run(
      { repository: 'shop/vulnerable', 'fail-on-severity': 'HIGH', 'scan-poll-interval': '100ms' },
      { cwd: workspace('vulnerable') },
    );
    expectFailure(
      r,
      /^The scan of shop\/vulnerable@sha256:[a-f0-9]{64} found 2 findings at or above HIGH \(fail-on-severity\): CVE-2026-2000, CVE-2026-2001\. Fix or upgrade the packages, or raise fail-on-severity\.$/,
    );
    expect(r.log).toContain('  CVE-2026-2000 (CRITICAL) in openssl 3.0.1');
    expect(r.log).toContain('  CVE-2026-2001 (HIGH) in curl 8.0.0');
    expect(r.log).not.toContain('  CVE-2026-2002 (LOW)');
    expect(r.outputs.image).toMatch(/@sha256:/);
    expect(result(r)).toMatchObject({
      outcome: 'failed',
      image: r.outputs.image,
      digest: r.outputs.digest,
    });
    expect(r.outputs['scan-status']).toBe('ACTIVE');
    expect(JSON.parse(r.outputs['severity-counts']!)).toMatchObject({
      CRITICAL: 1,
      HIGH: 1,
      LOW: 1,
    });
  });

  it('stops waiting at scan-timeout with one clear line', async () => {
    emulator.ecr.createRepository('shop/slow-scan', { scanOnPush: true });
    emulator.ecr.setScanBehaviour('shop/slow-scan', { never: true });
    const r = await run(
      {
        repository: 'shop/slow-scan',
        'wait-for-scan': 'true',
        'scan-timeout': '1s',
        'scan-poll-interval': '200ms',
      },
      { cwd: workspace('slow') },
    );
    expectFailure(
      r,
      /^ECR's scan of shop\/slow-scan@sha256:[a-f0-9]{64} did not finish within 1s \(last status IN_PROGRESS\): raise scan-timeout, or set wait-for-scan: false\.$/,
    );
  });
});

describe('ecr-build-push promote', () => {
  let built: ActionRun;

  beforeAll(async () => {
    emulator.ecr.createRepository('staging/api');
    built = await run({ repository: 'staging/api', tags: 'staging' }, { cwd: workspace('api v7') });
    expect(built.exitCode).toBe(0);
  });

  it('copies an image by digest to another account without a rebuild, and the digest matches', async () => {
    emulator.ecr.createRepository('prod/api', { immutable: true, registryId: '210987654321' });
    const r = await run({
      mode: 'promote',
      'source-image': built.outputs.image!,
      repository: 'prod/api',
      'registry-id': '210987654321',
      tags: 'prod-{short-sha}',
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.digest).toBe(built.outputs.digest);
    expect(r.outputs.image).toBe(`${host()}/prod/api@${built.outputs.digest}`);
    expect(result(r)).toMatchObject({
      outcome: 'promoted',
      copied: true,
      source: built.outputs.image,
      tags: ['prod-a3f1c9e'],
      uploadedBlobs: 2,
    });
    expect(r.log).not.toMatch(/buildah/);
    const image = emulator.ecr.repository('prod/api')!.images.get(built.outputs.digest!)!;
    expect([...image.tags]).toEqual(['prod-a3f1c9e']);
    // The bytes in the target are the source's: fetched back and hashed.
    const token = Buffer.from(`AWS:${emulator.ecr.password}`).toString('base64');
    const manifest = await fetch(`${emulator.url}/v2/prod/api/manifests/prod-a3f1c9e`, {
      headers: {
        authorization: `Basic ${token}`,
        accept: 'application/vnd.oci.image.manifest.v1+json',
      },
    });
    expect(
      `sha256:${createHash('sha256')
        .update(Buffer.from(await manifest.arrayBuffer()))
        .digest('hex')}`,
    ).toBe(built.outputs.digest);

    // Promoting again is a no-op.
    const again = await run({
      mode: 'promote',
      'source-image': built.outputs.image!,
      repository: 'prod/api',
      'registry-id': '210987654321',
      tags: 'prod-{short-sha}',
    });
    expect(again.exitCode).toBe(0);
    expect(result(again)).toMatchObject({ uploadedBlobs: 0, unchangedTags: ['prod-a3f1c9e'] });
  });

  it('copies through HTTPS_PROXY / HTTP_PROXY: the ECR API and the registry both take it', async () => {
    const proxy = await startForwardProxy();
    try {
      emulator.ecr.createRepository('proxied/api', { registryId: '210987654321' });
      const r = await run(
        {
          mode: 'promote',
          'source-image': built.outputs.image!,
          repository: 'proxied/api',
          'registry-id': '210987654321',
          tags: 'via-proxy',
        },
        { env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } },
      );
      expect(r.exitCode).toBe(0);
      expect(result(r)).toMatchObject({ outcome: 'promoted', copied: true });
      // The SDK's ECR calls as absolute-form requests, the registry client's through a tunnel.
      expect(proxy.seen).toContain(`POST http://${host()}/`);
      expect(proxy.seen).toContain(`CONNECT ${host()}`);
    } finally {
      await proxy.close();
    }
  });

  it('adds tags to an image in its own repository without copying anything', async () => {
    const uploadedBefore = emulator.registry!.uploadedBytes;
    const r = await run({
      mode: 'promote',
      'source-image': `staging/api@${built.outputs.digest}`,
      repository: 'staging/api',
      tags: 'approved\nrelease-candidate',
    });
    expect(r.exitCode).toBe(0);
    expect(result(r)).toMatchObject({ outcome: 'promoted', copied: false, uploadedBlobs: 0 });
    expect(emulator.registry!.uploadedBytes).toBe(uploadedBefore);
    expect(
      [...emulator.ecr.repository('staging/api')!.images.get(built.outputs.digest!)!.tags].sort(),
    ).toEqual(['approved', 'release-candidate', 'staging']);
  });

  it('reads a source in another region with its own ECR login', async () => {
    emulator.ecr.createRepository('dr/api');
    const logins = () => emulator.calls.filter((c) => c.action === 'GetAuthorizationToken').length;
    const before = logins();
    const r = await run({
      mode: 'promote',
      'source-image': `staging/api@${built.outputs.digest}`,
      'source-region': 'eu-west-1',
      repository: 'dr/api',
      tags: 'dr',
    });
    expect(r.exitCode).toBe(0);
    expect(logins() - before).toBe(2);
    expect(r.outputs.digest).toBe(built.outputs.digest);
    expect(result(r)).toMatchObject({ copied: true, tags: ['dr'] });
  });

  it('refuses a source by tag, and names a digest the source does not have', async () => {
    const byTag = await run({
      mode: 'promote',
      'source-image': 'staging/api:staging',
      repository: 'staging/api',
    });
    expectFailure(
      byTag,
      /^Input 'source-image' is 'staging\/api:staging': use \[registry\/\]repository@sha256:<64 hex digits>, e\.g\. the 'image' output of the build step; promotion goes by digest, never by tag\.$/,
    );
    const missing = `sha256:${'0'.repeat(64)}`;
    const absent = await run({
      mode: 'promote',
      'source-image': `staging/api@${missing}`,
      repository: 'staging/api',
    });
    expectFailure(
      absent,
      new RegExp(`^Image staging/api@${missing} is not in registry ${host()}: check source-image`),
    );
  });
});

describe('ecr-build-push refuses, in one line and before any build or push', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a missing Dockerfile',
      { file: 'nope/Dockerfile' },
      /^Input 'file' is 'nope\/Dockerfile', but there is no such file: fix the path \(relative to the workspace\)\.$/,
    ],
    [
      'a tag outside the registry grammar',
      { tags: 'release/1' },
      /^Input 'tags' has 'release\/1', which is not a valid image tag: use up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'\.$/,
    ],
    [
      'an unknown severity',
      { 'fail-on-severity': 'severe' },
      /^Input 'fail-on-severity' is 'severe': use critical, high, medium, low, informational or undefined\.$/,
    ],
    [
      'an unknown builder',
      { builder: 'kaniko' },
      /^Input 'builder' is 'kaniko': use docker \(buildx\) or buildah\.$/,
    ],
    [
      'a missing repository without create-repository',
      { repository: 'shop/absent' },
      /^ECR repository 'shop\/absent' does not exist: create it \(infrastructure code\), or set create-repository: true to have this step create it\.$/,
    ],
  ])('%s', async (_, inputs, message) => {
    const callsBefore = emulator.registry!.calls.length;
    const r = await run({ repository: 'shop/web', ...inputs });
    expectFailure(r, message);
    expect(result(r)).toMatchObject({ outcome: 'failed' });
    expect(emulator.registry!.calls.length).toBe(callsBefore);
    expect(r.log).not.toMatch(/buildah build/);
  });
});
