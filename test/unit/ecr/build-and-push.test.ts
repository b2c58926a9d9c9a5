// The ecr-build-push engine with fake ports: ECR per region and registries per host in memory, a
// builder that writes an OCI layout, a clock that only sleeps move. The job directory is real.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryLogin } from '../../../src/ecr/authorization.ts';
import {
  type BuildAndPushEvent,
  type BuildAndPushOptions,
  type BuildAndPushPorts,
  type BuildOptions,
  buildAndPush,
} from '../../../src/ecr/build-and-push.ts';
import type { Command } from '../../../src/ecr/builder.ts';
import { sha256Digest } from '../../../src/ecr/digest.ts';
import { blobPath } from '../../../src/ecr/oci-layout.ts';
import type {
  EcrPort,
  RegistryPort,
  RemoteManifest,
  RepositoryFacts,
  ScanFindingsPage,
} from '../../../src/ecr/ports.ts';
import { UserError } from '../../../src/lib/errors.ts';

const ACCOUNT = '123456789012';
const hostIn = (region: string) => `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com`;
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** An image's bytes: config and layer blobs, the manifest naming them, and its digest. */
function image(content: string) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', content }));
  const layer = Buffer.from(`layer:${content}`);
  const descriptor = (mediaType: string, data: Buffer) => ({
    mediaType,
    digest: sha256Digest(data),
    size: data.length,
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer)],
    }),
  );
  return { blobs: [config, layer], manifest, digest: sha256Digest(manifest) };
}

/** What a builder leaves: an OCI layout of `image(content)`. */
async function writeLayout(dir: string, content: string): Promise<void> {
  const { blobs, manifest } = image(content);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const data of [...blobs, manifest]) await writeFile(blobPath(dir, sha256Digest(data)), data);
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: MANIFEST_TYPE, digest: sha256Digest(manifest), size: manifest.length },
      ],
    }),
  );
}

class FakeRegistry implements RegistryPort {
  readonly host: string;
  readonly log: string[];
  uploadedBytes = 0;
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, RemoteManifest>();

  constructor(host: string, log: string[]) {
    this.host = host;
    this.log = log;
  }

  seed(repository: string, content: string): string {
    const { blobs, manifest, digest } = image(content);
    for (const data of blobs) this.blobs.set(`${repository}@${sha256Digest(data)}`, data);
    this.manifests.set(`${repository}@${digest}`, {
      body: manifest,
      mediaType: MANIFEST_TYPE,
      digest,
    });
    return digest;
  }

  async blobExists(repository: string, digest: string) {
    return this.blobs.has(`${repository}@${digest}`);
  }
  async uploadBlob(repository: string, digest: string, data: Buffer) {
    this.log.push(`${this.host}: upload ${repository}`);
    this.blobs.set(`${repository}@${digest}`, data);
    this.uploadedBytes += data.length;
  }
  async getBlob(repository: string, digest: string) {
    return this.blobs.get(`${repository}@${digest}`)!;
  }
  async putManifest(repository: string, reference: string, body: Buffer, mediaType: string) {
    this.log.push(`${this.host}: manifest ${repository}`);
    this.manifests.set(`${repository}@${reference}`, { body, mediaType, digest: reference });
  }
  async getManifest(repository: string, reference: string) {
    return this.manifests.get(`${repository}@${reference}`);
  }
}

/** ECR of one region: its repositories, their tags, one login, scripted scan answers. */
function fakeEcr(region: string, log: string[]) {
  const repositories = new Map<string, RepositoryFacts>();
  const tags = new Map<string, string>();
  const scans: (ScanFindingsPage | 'no-scan')[] = [];
  const password = `password-${region}`;
  const token = Buffer.from(`AWS:${password}`).toString('base64');
  const ecr: EcrPort = {
    async getAuthorization() {
      log.push(`${region}: GetAuthorizationToken`);
      return [{ token, proxyEndpoint: `https://${hostIn(region)}`, expiresAt: undefined }];
    },
    async describeRepository(name) {
      log.push(`${region}: DescribeRepositories ${name}`);
      return repositories.get(name);
    },
    async createRepository(repository) {
      log.push(`${region}: CreateRepository ${repository.name}`);
      const facts = {
        name: repository.name,
        registryId: ACCOUNT,
        uri: `${hostIn(region)}/${repository.name}`,
        immutable: repository.immutable,
        scanOnPush: repository.scanOnPush,
      };
      repositories.set(repository.name, facts);
      return facts;
    },
    async tagDigests(name, _registryId, wanted) {
      return wanted.flatMap((tag) => {
        const digest = tags.get(`${name}:${tag}`);
        return digest ? [{ tag, digest }] : [];
      });
    },
    async putTag({ name, tag, digest }) {
      log.push(`${region}: PutImage ${name}:${tag}`);
      if (tags.get(`${name}:${tag}`) === digest) return 'exists';
      tags.set(`${name}:${tag}`, digest);
      return 'tagged';
    },
    async scanFindings() {
      log.push(`${region}: DescribeImageScanFindings`);
      return scans.length > 1 ? scans.shift()! : (scans[0] ?? 'no-scan');
    },
  };
  const add = (name: string, settings: Partial<RepositoryFacts> = {}) =>
    repositories.set(name, {
      name,
      registryId: ACCOUNT,
      uri: `${hostIn(region)}/${name}`,
      immutable: true,
      scanOnPush: false,
      ...settings,
    });
  return { ecr, add, tags, scans, password, token, repositories };
}

/** Every port faked; `log` records the calls to the world in order. */
function world() {
  const log: string[] = [];
  const regions = new Map<string, ReturnType<typeof fakeEcr>>();
  const registries = new Map<string, FakeRegistry>();
  const region = (name: string) => {
    if (!regions.has(name)) regions.set(name, fakeEcr(name, log));
    return regions.get(name)!;
  };
  const registry = (host: string) => {
    if (!registries.has(host)) registries.set(host, new FakeRegistry(host, log));
    return registries.get(host)!;
  };
  const events: BuildAndPushEvent[] = [];
  const masked: string[] = [];
  const commands: { command: Command; env: Readonly<Record<string, string>> }[] = [];
  let now = 0;
  let build: (command: Command) => Promise<void> = async (command) => {
    // buildah push … oci:<dir>, or buildx's --output type=oci,dest=<dir>,tar=false
    const layout =
      command.args.find((a) => a.startsWith('oci:'))?.slice(4) ??
      /dest=([^,]+)/.exec(command.args.find((a) => a.startsWith('type=oci')) ?? '')?.[1];
    if (layout) await writeLayout(layout, 'app v1');
  };
  const ecrRegions: string[] = [];
  const registryHosts: string[] = [];
  const ports: BuildAndPushPorts = {
    ecr: (name) => {
      ecrRegions.push(name);
      return region(name).ecr;
    },
    registry: (login: RegistryLogin) => {
      registryHosts.push(login.host);
      return registry(login.host);
    },
    runBuilder: async (command, env) => {
      log.push(`build: ${command.command} ${command.args[0]}`);
      commands.push({ command, env });
      now += 1_000;
      await build(command);
    },
    mask: (secret) => void masked.push(secret),
    keepAuthFile: (file) => void log.push(`keep auth file ${file.path}`),
    clock: { now: () => now },
    sleep: async (ms) => {
      now += ms;
    },
    signal: new AbortController().signal,
    onEvent: (event) => void events.push(event),
  };
  return {
    ports,
    log,
    events,
    masked,
    commands,
    region,
    registry,
    ecrRegions,
    registryHosts,
    /** Replaces what the builder does for each command. */
    onBuild(fn: (command: Command) => Promise<void>) {
      build = fn;
    },
  };
}

let jobDirectory: string;
beforeEach(async () => {
  jobDirectory = join(await mkdtemp(join(tmpdir(), 'build-and-push-')), 'job');
});
afterEach(async () => {
  await rm(join(jobDirectory, '..'), { recursive: true, force: true });
});

function buildOptions(
  build: Partial<BuildOptions> = {},
  rest: Partial<BuildAndPushOptions> = {},
): BuildAndPushOptions {
  return {
    mode: 'build',
    build: {
      builder: 'docker',
      context: '/workspace',
      file: '/workspace/Dockerfile',
      buildArgs: [],
      secrets: [],
      target: undefined,
      platforms: [],
      labels: [],
      provenance: undefined,
      sbom: undefined,
      cacheTag: 'buildcache',
      cacheRepository: undefined,
      revision: undefined,
      sourceUrl: undefined,
      ...build,
    },
    region: 'us-east-1',
    repository: 'team/web',
    registryId: undefined,
    loginRegistryIds: [],
    tags: ['abc1234'],
    createRepository: false,
    kmsKey: undefined,
    untaggedExpiryDays: 14,
    scan: undefined,
    jobDirectory,
    dockerConfig: join(jobDirectory, '..', 'no-docker-config'),
    ...rest,
  } as BuildAndPushOptions;
}

const types = (events: BuildAndPushEvent[]) => events.map((e) => e.type);

describe('buildAndPush: build', () => {
  it('logs in, checks the repository, builds with the job auth file, pushes by digest, tags', async () => {
    const w = world();
    const east = w.region('us-east-1');
    east.add('team/web');
    let secretDuringBuild: { text: string; mode: number } | undefined;
    w.onBuild(async (command) => {
      const file = /id=npmrc,src=(\S+)/.exec(command.args.join(' '))![1]!;
      secretDuringBuild = {
        text: await readFile(file, 'utf8'),
        mode: (await stat(file)).mode & 0o777,
      };
      await writeLayout(/dest=([^,]+)/.exec(command.args.join(' '))![1]!, 'app v1');
    });

    const result = await buildAndPush(
      buildOptions({
        secrets: [['npmrc', 'token-1']],
        labels: [['team', 'web']],
        revision: 'a3f1c9e',
        sourceUrl: 'https://github.com/o/r',
      }),
      w.ports,
    );

    const { digest } = image('app v1');
    const host = hostIn('us-east-1');
    expect(w.log).toEqual([
      'us-east-1: GetAuthorizationToken',
      expect.stringMatching(/^keep auth file .*\/ecr-auth-\w+\/config\.json$/),
      'us-east-1: DescribeRepositories team/web',
      'build: docker buildx',
      `${host}: upload team/web`,
      `${host}: upload team/web`,
      `${host}: manifest team/web`,
      'us-east-1: PutImage team/web:abc1234',
    ]);
    expect(types(w.events)).toEqual([
      'logged-in',
      'repository',
      'blob',
      'blob',
      'manifest',
      'tag',
      'published',
    ]);
    expect(w.masked).toEqual([east.token, east.password]);

    const [{ command, env }] = w.commands as [(typeof w.commands)[number]];
    const argv = command.args.join(' ');
    expect(argv).toContain(`--cache-from type=registry,ref=${host}/team/web:buildcache`);
    expect(argv).toContain('--label org.opencontainers.image.revision=a3f1c9e');
    expect(argv).toContain(
      '--label org.opencontainers.image.source=https://github.com/o/r --label team=web',
    );
    expect(argv).not.toContain('token-1');
    expect(secretDuringBuild).toEqual({ text: 'token-1', mode: 0o600 });
    const authFile = (w.events[0] as { authFile: string }).authFile;
    expect(env).toEqual({ DOCKER_CONFIG: join(authFile, '..'), REGISTRY_AUTH_FILE: authFile });
    expect(JSON.parse(await readFile(authFile, 'utf8')).auths).toEqual({
      [host]: { auth: east.token },
    });

    expect(result).toMatchObject({
      outcome: 'pushed',
      registry: host,
      repository: { name: 'team/web' },
      created: false,
      buildMs: 1_000,
      published: {
        digest,
        image: `${host}/team/web@${digest}`,
        tags: ['abc1234'],
        uploadedBlobs: 2,
        reusedBlobs: 0,
      },
      scan: undefined,
    });
    expect(east.tags.get('team/web:abc1234')).toBe(digest);
    // The build's scratch (layout, secret files) is gone; the auth file stays for the post step.
    expect((await readdir(jobDirectory)).filter((n) => n.startsWith('ecr-build-'))).toEqual([]);
    expect(existsSync(authFile)).toBe(true);
  });

  it('creates a missing repository when it may, and refuses otherwise', async () => {
    const w = world();
    await expect(buildAndPush(buildOptions(), w.ports)).rejects.toThrow(
      "ECR repository 'team/web' does not exist: create it (infrastructure code), or set create-repository: true to have this step create it.",
    );
    expect(w.commands).toEqual([]);

    const result = await buildAndPush(buildOptions({}, { createRepository: true }), w.ports);
    expect(result).toMatchObject({ created: true, repository: { immutable: true } });
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'repository', created: true }));
  });

  it('without the cache repository, warns and builds without the registry cache', async () => {
    const w = world();
    w.region('us-east-1').add('team/web');
    const result = await buildAndPush(
      buildOptions({ builder: 'buildah', cacheTag: undefined, cacheRepository: 'team/web-cache' }),
      w.ports,
    );
    expect(w.events).toContainEqual({
      type: 'cache-repository',
      name: 'team/web-cache',
      status: 'missing',
    });
    expect(w.commands.map(({ command }) => command.args[0])).toEqual(['build', 'push']);
    expect(w.commands[0]!.command.args).not.toContain('--cache-from');
    expect(w.log).not.toContain('us-east-1: CreateRepository team/web-cache');
    expect(result.outcome).toBe('pushed');
  });

  it('creates the cache repository with the image repository, and builds with it', async () => {
    const w = world();
    w.region('us-east-1').add('team/web');
    await buildAndPush(
      buildOptions(
        { builder: 'buildah', cacheTag: undefined, cacheRepository: 'team/web-cache' },
        { createRepository: true },
      ),
      w.ports,
    );
    expect(w.events).toContainEqual({
      type: 'cache-repository',
      name: 'team/web-cache',
      status: 'created',
    });
    expect(w.region('us-east-1').repositories.get('team/web-cache')).toMatchObject({
      immutable: false,
      scanOnPush: false,
    });
    const ref = `${hostIn('us-east-1')}/team/web-cache`;
    expect(w.commands[0]!.command.args.join(' ')).toContain(
      `--cache-from ${ref} --cache-to ${ref}`,
    );
  });

  it('a failed build leaves the auth file to the post step and removes its scratch', async () => {
    const w = world();
    w.region('us-east-1').add('team/web');
    w.onBuild(async () => {
      throw new UserError('docker buildx failed (exit code 1)');
    });
    await expect(buildAndPush(buildOptions(), w.ports)).rejects.toThrow(
      'docker buildx failed (exit code 1)',
    );
    expect(w.log.some((entry) => entry.startsWith('keep auth file'))).toBe(true);
    expect((await readdir(jobDirectory)).filter((n) => n.startsWith('ecr-build-'))).toEqual([]);
    expect(types(w.events)).not.toContain('published');
  });
});

describe('buildAndPush: promote', () => {
  const promoteOptions = (
    source: Partial<Extract<BuildAndPushOptions, { mode: 'promote' }>['source']>,
    rest: Partial<BuildAndPushOptions> = {},
  ): BuildAndPushOptions =>
    ({
      ...buildOptions({}, rest),
      mode: 'promote',
      build: undefined,
      repository: 'prod/web',
      tags: ['prod'],
      source: {
        host: undefined,
        repository: 'staging/web',
        digest: image('app v1').digest,
        registryId: undefined,
        region: 'us-east-1',
        ...source,
      },
      ...rest,
    }) as BuildAndPushOptions;

  it('reads a source in another region through its own ECR login, and copies it by digest', async () => {
    const w = world();
    w.region('us-east-1').add('prod/web');
    const sourceHost = hostIn('eu-west-1');
    const digest = w.registry(sourceHost).seed('staging/web', 'app v1');

    const result = await buildAndPush(promoteOptions({ region: 'eu-west-1' }), w.ports);

    const targetHost = hostIn('us-east-1');
    expect(w.ecrRegions).toEqual(['us-east-1', 'eu-west-1']);
    expect(w.log.filter((entry) => entry.endsWith('GetAuthorizationToken'))).toEqual([
      'us-east-1: GetAuthorizationToken',
      'eu-west-1: GetAuthorizationToken',
    ]);
    expect(w.registryHosts).toEqual([targetHost, sourceHost]);
    expect(w.masked).toEqual(
      expect.arrayContaining([w.region('us-east-1').password, w.region('eu-west-1').password]),
    );
    const authFile = (w.events[0] as { authFile: string }).authFile;
    expect(Object.keys(JSON.parse(await readFile(authFile, 'utf8')).auths)).toEqual([
      targetHost,
      sourceHost,
    ]);
    expect(w.commands).toEqual([]);
    expect(result).toMatchObject({
      outcome: 'promoted',
      source: `${sourceHost}/staging/web@${digest}`,
      copied: true,
      registry: targetHost,
      published: { digest, image: `${targetHost}/prod/web@${digest}`, uploadedBlobs: 2 },
    });
    expect(result).not.toHaveProperty('published.source');
    expect(w.registry(targetHost).manifests.has(`prod/web@${digest}`)).toBe(true);
    expect(w.region('us-east-1').tags.get('prod/web:prod')).toBe(digest);
  });

  it('adds tags in the same registry with one ECR client and one registry client', async () => {
    const w = world();
    const host = hostIn('us-east-1');
    w.region('us-east-1').add('staging/web');
    const digest = w.registry(host).seed('staging/web', 'app v1');
    const result = await buildAndPush(
      promoteOptions({}, { repository: 'staging/web', tags: ['approved'] }),
      w.ports,
    );
    expect(w.ecrRegions).toEqual(['us-east-1']);
    expect(w.registryHosts).toEqual([host]);
    expect(result).toMatchObject({ outcome: 'promoted', copied: false });
    expect(result.published).toMatchObject({ uploadedBlobs: 0, tags: ['approved'] });
    expect(w.region('us-east-1').tags.get('staging/web:approved')).toBe(digest);
  });

  it("refuses a source whose registry is not the one ECR's login is for, before writing anything", async () => {
    const w = world();
    w.region('us-east-1').add('prod/web');
    await expect(
      buildAndPush(promoteOptions({ host: 'registry.example:5000' }), w.ports),
    ).rejects.toThrow(
      new UserError(
        `The source image names registry registry.example:5000, but ECR's login for the source is for ${hostIn('us-east-1')}: check the source image's registry and region.`,
      ),
    );
    expect(w.log).toEqual(['us-east-1: GetAuthorizationToken', 'us-east-1: GetAuthorizationToken']);
    expect(w.events).toEqual([]);
  });
});

describe('buildAndPush: scan', () => {
  const findings: ScanFindingsPage = {
    $metadata: {},
    imageScanStatus: { status: 'COMPLETE' },
    imageScanFindings: {
      findingSeverityCounts: { CRITICAL: 1, LOW: 1 },
      findings: [
        { name: 'CVE-2026-1', severity: 'CRITICAL' },
        { name: 'CVE-2026-2', severity: 'LOW' },
      ],
    },
  };

  it('waits for the scan and writes the report beside the image it describes', async () => {
    const w = world();
    const east = w.region('us-east-1');
    east.add('team/web', { scanOnPush: true });
    east.scans.push({ $metadata: {}, imageScanStatus: { status: 'IN_PROGRESS' } }, findings);
    const result = await buildAndPush(
      buildOptions({}, { scan: { timeoutMs: 60_000, pollIntervalMs: 5_000, failOn: undefined } }),
      w.ports,
    );
    expect(w.events.filter((e) => e.type === 'scan-waiting')).toEqual([
      {
        type: 'scan-waiting',
        digest: result.published.digest,
        status: 'IN_PROGRESS',
        elapsedMs: 0,
      },
    ]);
    expect(types(w.events).slice(-3)).toEqual(['published', 'scan-waiting', 'scanned']);
    expect(result.scan!.report.severityCounts).toMatchObject({ CRITICAL: 1, LOW: 1 });
    expect(result.scan!.file).toBe(
      join(jobDirectory, `ecr-scan-${result.published.digest.slice(7, 19)}.json`),
    );
    expect(JSON.parse(await readFile(result.scan!.file, 'utf8'))).toMatchObject({
      image: result.published.image,
      findings: [{ id: 'CVE-2026-1' }, { id: 'CVE-2026-2' }],
    });
  });

  it('fails on findings at the threshold after reporting the pushed image and the scan', async () => {
    const w = world();
    const east = w.region('us-east-1');
    east.add('team/web', { scanOnPush: true });
    east.scans.push(findings);
    const { digest } = image('app v1');
    await expect(
      buildAndPush(
        buildOptions({}, { scan: { timeoutMs: 60_000, pollIntervalMs: 5_000, failOn: 'HIGH' } }),
        w.ports,
      ),
    ).rejects.toThrow(
      `The scan of team/web@${digest} found 1 finding at or above HIGH (fail-on-severity): CVE-2026-1.`,
    );
    const published = w.events.find((e) => e.type === 'published');
    const scanned = w.events.find((e) => e.type === 'scanned');
    expect(published).toMatchObject({
      image: { published: { image: `${hostIn('us-east-1')}/team/web@${digest}`, digest } },
    });
    expect(scanned).toMatchObject({
      scan: { failOn: 'HIGH', report: { status: 'COMPLETE', severityCounts: { CRITICAL: 1 } } },
    });
    expect(existsSync((scanned as { scan: { file: string } }).scan.file)).toBe(true);
  });

  it('a scan that never finishes fails after the image is reported pushed', async () => {
    const w = world();
    const east = w.region('us-east-1');
    east.add('team/web', { scanOnPush: true });
    east.scans.push({ $metadata: {}, imageScanStatus: { status: 'IN_PROGRESS' } });
    await expect(
      buildAndPush(
        buildOptions({}, { scan: { timeoutMs: 20_000, pollIntervalMs: 5_000, failOn: 'HIGH' } }),
        w.ports,
      ),
    ).rejects.toThrow(/did not finish within 20s \(last status IN_PROGRESS\)/);
    expect(types(w.events)).toContain('published');
    expect(types(w.events)).not.toContain('scanned');
  });
});
