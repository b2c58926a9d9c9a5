// Amazon ECR (awsJson1_1, X-Amz-Target AmazonEC2ContainerRegistry_V20150921.<Action>, signing
// name ecr): repositories and their settings live here; image manifests live in a real
// docker-registry behind the registry front (registry-front.ts), which this API reads and writes
// over /v2. Scans of new images follow what the test scripted per repository.
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../errors.ts';
import { jsonProtocol, type JsonObject } from '../json-protocol.ts';
import type { ActionCall, Service } from '../service.ts';
import {
  type Image,
  type Repository,
  type Scan,
  type ScanBehaviour,
  type ScriptedFinding,
  SEVERITIES,
  digestOfTag,
  manifestSize,
} from './model.ts';
import { type RegistryClient, mediaTypeOf, sha256Digest } from './registry-client.ts';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';

export interface EcrOptions {
  readonly region?: string;
  readonly accountId?: string;
  /** Start a docker-registry process behind the registry front (needs the Debian package). */
  readonly registry?: boolean;
}

export interface EcrDependencies {
  readonly clock: () => Date;
}

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TOKEN_HOURS = 12;

const invalidParameter = (message: string) =>
  new ServiceError('InvalidParameterException', 400, message);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

const showId = (id: ImageId) =>
  `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;

export class Ecr implements Service<JsonObject> {
  readonly name = 'ecr';
  readonly signingName = 'ecr';
  readonly protocol = jsonProtocol({ targetPrefix: ECR_TARGET_PREFIX, jsonVersion: '1.1' });
  readonly actions: ReadonlySet<string> = new Set([
    'GetAuthorizationToken',
    'DescribeRepositories',
    'CreateRepository',
    'PutLifecyclePolicy',
    'GetLifecyclePolicy',
    'PutImageTagMutability',
    'PutImageScanningConfiguration',
    'DescribeImages',
    'BatchGetImage',
    'PutImage',
    'DescribeImageScanFindings',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set();

  /** The password of the registry's user AWS: what every authorization token carries. */
  readonly password = randomBytes(48).toString('base64url');
  readonly region: string;
  readonly accountId: string;

  readonly #clock: () => Date;
  readonly #repositories = new Map<string, Repository>();
  readonly #scanBehaviours = new Map<string, ScanBehaviour>();
  #registry: RegistryClient | undefined;
  #proxyEndpoint = 'https://unset.invalid';
  /** Every token handed out, so tests can scan logs for them. */
  readonly issuedTokens: string[] = [];

  constructor(dependencies: EcrDependencies, options: EcrOptions = {}) {
    this.#clock = dependencies.clock;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
  }

  /** Wires the real registry and the address clients reach it at (the registry front). */
  attachRegistry(client: RegistryClient, proxyEndpoint: string): void {
    this.#registry = client;
    this.#proxyEndpoint = proxyEndpoint;
  }

  get proxyEndpoint(): string {
    return this.#proxyEndpoint;
  }

  // ---- test side --------------------------------------------------------------------------

  createRepository(
    name: string,
    settings: { immutable?: boolean; scanOnPush?: boolean; registryId?: string } = {},
  ): Repository {
    const registryId = settings.registryId ?? this.accountId;
    const repository: Repository = {
      name,
      registryId,
      arn: `arn:aws:ecr:${this.region}:${registryId}:repository/${name}`,
      uri: `${registryId}.dkr.ecr.${this.region}.amazonaws.com/${name}`,
      createdAt: this.#clock(),
      imageTagMutability: settings.immutable ? 'IMMUTABLE' : 'MUTABLE',
      scanOnPush: settings.scanOnPush ?? false,
      encryption: { encryptionType: 'AES256' },
      lifecyclePolicyText: undefined,
      tags: [],
      images: new Map(),
    };
    this.#repositories.set(name, repository);
    return repository;
  }

  repository(name: string): Repository | undefined {
    return this.#repositories.get(name);
  }

  /** How scans of images pushed to `repository` from now on behave. */
  setScanBehaviour(repository: string, behaviour: ScanBehaviour): void {
    this.#scanBehaviours.set(repository, behaviour);
  }

  /** The registry front records a manifest it stored: tags, digest, push time, a new scan. */
  recordManifest(repositoryName: string, reference: string, body: string, mediaType: string): void {
    const repository = this.#repositories.get(repositoryName);
    if (repository === undefined) return;
    const digest = sha256Digest(body);
    let image = repository.images.get(digest);
    if (image === undefined) {
      image = {
        digest,
        mediaType,
        sizeInBytes: manifestSize(body),
        tags: new Set(),
        pushedAt: this.#clock(),
        scan: undefined,
      };
      repository.images.set(digest, image);
      const behaviour = this.#scanBehaviours.get(repositoryName);
      if (repository.scanOnPush || behaviour?.type === 'ENHANCED') {
        image.scan = {
          behaviour: behaviour ?? {},
          pendingCalls: behaviour?.pendingCalls ?? 0,
          completedAt: undefined,
        };
      }
    }
    if (!DIGEST.test(reference)) {
      for (const other of repository.images.values()) other.tags.delete(reference);
      image.tags.add(reference);
      image.pushedAt = this.#clock();
    }
  }

  /** Why a manifest PUT of `tag` must be refused, or undefined: ECR's immutability rule. */
  immutableTagConflict(repositoryName: string, tag: string, digest: string): string | undefined {
    const repository = this.#repositories.get(repositoryName);
    if (repository?.imageTagMutability !== 'IMMUTABLE') return undefined;
    const existing = digestOfTag(repository, tag);
    if (existing === undefined || existing === digest) return undefined;
    return `The image tag '${tag}' already exists in the '${repositoryName}' repository and cannot be overwritten because the repository is immutable.`;
  }

  repositoryNotFound(name: string, registryId = this.accountId): ServiceError {
    return new ServiceError(
      'RepositoryNotFoundException',
      400,
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    );
  }

  // ---- API --------------------------------------------------------------------------------

  async handle(call: ActionCall<JsonObject>): Promise<unknown> {
    const input = call.input;
    switch (call.action) {
      case 'GetAuthorizationToken':
        return this.#getAuthorizationToken(input);
      case 'DescribeRepositories':
        return this.#describeRepositories(input);
      case 'CreateRepository':
        return this.#createRepository(input);
      case 'PutLifecyclePolicy':
        return this.#putLifecyclePolicy(input);
      case 'GetLifecyclePolicy':
        return this.#getLifecyclePolicy(input);
      case 'PutImageTagMutability':
        return this.#putImageTagMutability(input);
      case 'PutImageScanningConfiguration':
        return this.#putImageScanningConfiguration(input);
      case 'DescribeImages':
        return this.#describeImages(input);
      case 'BatchGetImage':
        return this.#batchGetImage(input);
      case 'PutImage':
        return this.#putImage(input);
      case 'DescribeImageScanFindings':
        return this.#describeImageScanFindings(input);
      default:
        throw new ServiceError('UnknownOperationException', 400, '');
    }
  }

  #getAuthorizationToken(input: JsonObject): unknown {
    const ids = input['registryIds'];
    const registryIds = Array.isArray(ids) ? ids.map(String) : [this.accountId];
    if (
      registryIds.length < 1 ||
      registryIds.length > 10 ||
      registryIds.some((id) => !/^\d{12}$/.test(id))
    ) {
      throw invalidParameter(
        "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must have length between 1 and 10 of 12-digit ids'",
      );
    }
    const token = Buffer.from(`AWS:${this.password}`).toString('base64');
    this.issuedTokens.push(token);
    const expiresAt = new Date(this.#clock().getTime() + TOKEN_HOURS * 3_600_000);
    return {
      authorizationData: registryIds.map(() => ({
        authorizationToken: token,
        expiresAt,
        proxyEndpoint: this.#proxyEndpoint,
      })),
    };
  }

  #repositoryOf(input: JsonObject): Repository {
    const name = str(input['repositoryName']);
    this.#checkName(name);
    const repository = this.#repositories.get(name ?? '');
    const registryId = str(input['registryId']);
    if (
      repository === undefined ||
      (registryId !== undefined && registryId !== repository.registryId)
    ) {
      throw this.repositoryNotFound(name ?? '', registryId);
    }
    return repository;
  }

  #checkName(name: string | undefined): void {
    if (name === undefined) {
      throw invalidParameter(
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'",
      );
    }
    if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
      throw invalidParameter(
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${REPOSITORY_NAME.source.slice(1, -1)}''`,
      );
    }
  }

  #describeRepository(repository: Repository): unknown {
    return {
      repositoryArn: repository.arn,
      registryId: repository.registryId,
      repositoryName: repository.name,
      repositoryUri: repository.uri,
      createdAt: repository.createdAt,
      imageTagMutability: repository.imageTagMutability,
      imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
      encryptionConfiguration: repository.encryption,
    };
  }

  #describeRepositories(input: JsonObject): unknown {
    const names = input['repositoryNames'];
    const registryId = str(input['registryId']);
    if (!Array.isArray(names)) {
      return {
        repositories: [...this.#repositories.values()]
          .filter((r) => registryId === undefined || r.registryId === registryId)
          .map((r) => this.#describeRepository(r)),
      };
    }
    return {
      repositories: names.map((name) =>
        this.#describeRepository(
          this.#repositoryOf({
            repositoryName: String(name),
            ...(registryId ? { registryId } : {}),
          }),
        ),
      ),
    };
  }

  #createRepository(input: JsonObject): unknown {
    const name = str(input['repositoryName']);
    this.#checkName(name);
    const registryId = str(input['registryId']) ?? this.accountId;
    if (this.#repositories.has(name ?? '')) {
      throw new ServiceError(
        'RepositoryAlreadyExistsException',
        400,
        `The repository with name '${name}' already exists in the registry with id '${registryId}'`,
      );
    }
    const mutability = str(input['imageTagMutability']) ?? 'MUTABLE';
    if (mutability !== 'MUTABLE' && mutability !== 'IMMUTABLE') {
      throw invalidParameter(
        `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`,
      );
    }
    const scanning = input['imageScanningConfiguration'] as { scanOnPush?: unknown } | undefined;
    const encryption = input['encryptionConfiguration'] as
      { encryptionType?: unknown; kmsKey?: unknown } | undefined;
    const encryptionType = encryption?.encryptionType ?? 'AES256';
    if (encryptionType !== 'AES256' && encryptionType !== 'KMS') {
      throw invalidParameter(
        "Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]'",
      );
    }
    if (encryptionType === 'AES256' && encryption?.kmsKey !== undefined) {
      throw invalidParameter('Invalid parameter: kmsKey is only allowed with KMS encryption.');
    }
    const repository = this.createRepository(name ?? '', {
      immutable: mutability === 'IMMUTABLE',
      scanOnPush: scanning?.scanOnPush === true,
      registryId,
    });
    Object.assign(repository.encryption, {
      encryptionType,
      ...(typeof encryption?.kmsKey === 'string' ? { kmsKey: encryption.kmsKey } : {}),
    });
    Object.assign(repository, { tags: Array.isArray(input['tags']) ? input['tags'] : [] });
    return { repository: this.#describeRepository(repository) };
  }

  #putLifecyclePolicy(input: JsonObject): unknown {
    const repository = this.#repositoryOf(input);
    const text = str(input['lifecyclePolicyText']);
    let rules: unknown;
    try {
      rules = (JSON.parse(text ?? '') as { rules?: unknown }).rules;
    } catch {
      rules = undefined;
    }
    if (!Array.isArray(rules) || rules.length === 0) {
      throw new ServiceError(
        'InvalidParameterException',
        400,
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: rules must be a non-empty array'",
      );
    }
    repository.lifecyclePolicyText = text;
    return {
      registryId: repository.registryId,
      repositoryName: repository.name,
      lifecyclePolicyText: text,
    };
  }

  #getLifecyclePolicy(input: JsonObject): unknown {
    const repository = this.#repositoryOf(input);
    if (repository.lifecyclePolicyText === undefined) {
      throw new ServiceError(
        'LifecyclePolicyNotFoundException',
        400,
        `Lifecycle policy does not exist for the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
      );
    }
    return {
      registryId: repository.registryId,
      repositoryName: repository.name,
      lifecyclePolicyText: repository.lifecyclePolicyText,
    };
  }

  #putImageTagMutability(input: JsonObject): unknown {
    const repository = this.#repositoryOf(input);
    const mutability = str(input['imageTagMutability']);
    if (mutability !== 'MUTABLE' && mutability !== 'IMMUTABLE') {
      throw invalidParameter(
        "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'",
      );
    }
    repository.imageTagMutability = mutability;
    return {
      registryId: repository.registryId,
      repositoryName: repository.name,
      imageTagMutability: mutability,
    };
  }

  #putImageScanningConfiguration(input: JsonObject): unknown {
    const repository = this.#repositoryOf(input);
    const scanning = input['imageScanningConfiguration'] as { scanOnPush?: unknown } | undefined;
    repository.scanOnPush = scanning?.scanOnPush === true;
    return {
      registryId: repository.registryId,
      repositoryName: repository.name,
      imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
    };
  }

  #imageIds(input: JsonObject): ImageId[] | undefined {
    const ids = input['imageIds'];
    if (ids === undefined) return undefined;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) {
      throw invalidParameter(
        "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length between 1 and 100'",
      );
    }
    return ids.map((raw: { imageDigest?: unknown; imageTag?: unknown }) => ({
      ...(typeof raw.imageDigest === 'string' ? { imageDigest: raw.imageDigest } : {}),
      ...(typeof raw.imageTag === 'string' ? { imageTag: raw.imageTag } : {}),
    }));
  }

  /** The image an id names, or why not (BatchGetImage's failure codes). */
  #find(
    repository: Repository,
    id: ImageId,
  ):
    | { image: Image }
    | {
        failureCode: 'ImageNotFound' | 'ImageTagDoesNotMatchDigest' | 'MissingDigestAndTag';
        failureReason: string;
      } {
    if (id.imageDigest === undefined && id.imageTag === undefined) {
      return {
        failureCode: 'MissingDigestAndTag',
        failureReason: 'Requested image must have a digest or a tag',
      };
    }
    const digest =
      id.imageDigest ??
      (id.imageTag === undefined ? undefined : digestOfTag(repository, id.imageTag));
    const image = digest === undefined ? undefined : repository.images.get(digest);
    if (image === undefined)
      return { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
    if (id.imageTag !== undefined && !image.tags.has(id.imageTag)) {
      return {
        failureCode: 'ImageTagDoesNotMatchDigest',
        failureReason: 'Requested image tag does not match the digest',
      };
    }
    return { image };
  }

  #imageNotFound(repository: Repository, id: ImageId): ServiceError {
    return new ServiceError(
      'ImageNotFoundException',
      400,
      `The image with imageId ${showId(id)} does not exist within the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
    );
  }

  #describeImages(input: JsonObject): unknown {
    const repository = this.#repositoryOf(input);
    const ids = this.#imageIds(input);
    const images =
      ids === undefined
        ? [...repository.images.values()]
        : ids.map((id) => {
            const found = this.#find(repository, id);
            if (!('image' in found)) throw this.#imageNotFound(repository, id);
            return found.image;
          });
    return {
      imageDetails: images.map((image) => ({
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageDigest: image.digest,
        ...(image.tags.size ? { imageTags: [...image.tags] } : {}),
        imageSizeInBytes: image.sizeInBytes,
        imagePushedAt: image.pushedAt,
        imageManifestMediaType: image.mediaType,
        ...(image.scan ? { imageScanStatus: this.#scanStatus(image.scan, false) } : {}),
      })),
    };
  }

  async #batchGetImage(input: JsonObject): Promise<unknown> {
    const repository = this.#repositoryOf(input);
    const ids = this.#imageIds(input);
    if (ids === undefined) {
      throw invalidParameter(
        "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must not be null'",
      );
    }
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of ids) {
      const found = this.#find(repository, id);
      if (!('image' in found)) {
        failures.push({ imageId: id, ...found });
        continue;
      }
      const manifest = await this.#registryClient().getManifest(
        repository.name,
        found.image.digest,
      );
      if (manifest === undefined) {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
        continue;
      }
      images.push({
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageId: {
          imageDigest: manifest.digest,
          ...(id.imageTag ? { imageTag: id.imageTag } : {}),
        },
        imageManifest: manifest.body,
        imageManifestMediaType: manifest.mediaType,
      });
    }
    return { images, failures };
  }

  async #putImage(input: JsonObject): Promise<unknown> {
    const repository = this.#repositoryOf(input);
    const body = str(input['imageManifest']);
    if (body === undefined || body.length === 0) {
      throw invalidParameter(
        "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must not be null'",
      );
    }
    const tag = str(input['imageTag']);
    if (tag !== undefined && (tag.length < 1 || tag.length > 300)) {
      throw invalidParameter(
        "Invalid parameter at 'imageTag' failed to satisfy constraint: 'Member must have length between 1 and 300'",
      );
    }
    const digest = sha256Digest(body);
    const expected = str(input['imageDigest']);
    if (expected !== undefined && expected !== digest) {
      throw new ServiceError(
        'ImageDigestDoesNotMatchException',
        400,
        `The specified image digest '${expected}' does not match the digest that Amazon ECR calculated for the image: '${digest}'`,
      );
    }
    const mediaType = str(input['imageManifestMediaType']) ?? mediaTypeOf(body);
    const existing = repository.images.get(digest);
    if (existing && (tag === undefined || existing.tags.has(tag))) {
      throw new ServiceError(
        'ImageAlreadyExistsException',
        400,
        `Image with digest '${digest}' ${tag ? `and tag '${tag}' ` : ''}already exists in the repository with name '${repository.name}' in registry with id '${repository.registryId}'`,
      );
    }
    if (tag !== undefined) {
      const conflict = this.immutableTagConflict(repository.name, tag, digest);
      if (conflict) throw new ServiceError('ImageTagAlreadyExistsException', 400, conflict);
    }
    const stored = await this.#registryClient().putManifest(
      repository.name,
      tag ?? digest,
      body,
      mediaType,
    );
    if (!stored.ok) {
      if (stored.code === 'MANIFEST_BLOB_UNKNOWN' || stored.code === 'BLOB_UNKNOWN') {
        throw new ServiceError(
          'LayersNotFoundException',
          400,
          `Layers with digests required for pushing image into repository with name '${repository.name}' in registry with id '${repository.registryId}' do not exist: ${stored.message}`,
        );
      }
      throw invalidParameter(
        `Invalid parameter at 'ImageManifest' failed to satisfy constraint: '${stored.message}'`,
      );
    }
    this.recordManifest(repository.name, tag ?? digest, body, mediaType);
    return {
      image: {
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) },
        imageManifest: body,
        imageManifestMediaType: mediaType,
      },
    };
  }

  #registryClient(): RegistryClient {
    if (this.#registry === undefined) {
      throw new ServiceError(
        'ServerException',
        500,
        'The emulator was started without a registry: startEmulator({ ecr: { registry: true } })',
      );
    }
    return this.#registry;
  }

  #scanStatus(scan: Scan, advance: boolean): { status: string; description: string } {
    const enhanced = scan.behaviour.type === 'ENHANCED';
    if (scan.completedAt === undefined) {
      if (scan.behaviour.never || scan.pendingCalls > 0) {
        if (advance && !scan.behaviour.never) scan.pendingCalls -= 1;
        return enhanced
          ? { status: 'PENDING', description: 'Enhanced scan is pending.' }
          : { status: 'IN_PROGRESS', description: 'The scan is in progress.' };
      }
      scan.completedAt = this.#clock();
    }
    if (scan.behaviour.failure) return { status: 'FAILED', description: scan.behaviour.failure };
    return enhanced
      ? { status: 'ACTIVE', description: 'Continuous scan is selected for image.' }
      : { status: 'COMPLETE', description: 'The scan was completed successfully.' };
  }

  #describeImageScanFindings(input: JsonObject): unknown {
    const repository = this.#repositoryOf(input);
    const raw = input['imageId'] as { imageDigest?: unknown; imageTag?: unknown } | undefined;
    const id: ImageId = {
      ...(typeof raw?.imageDigest === 'string' ? { imageDigest: raw.imageDigest } : {}),
      ...(typeof raw?.imageTag === 'string' ? { imageTag: raw.imageTag } : {}),
    };
    const found = this.#find(repository, id);
    if (!('image' in found)) throw this.#imageNotFound(repository, id);
    const scan = found.image.scan;
    if (scan === undefined) {
      throw new ServiceError(
        'ScanNotFoundException',
        400,
        `Image scan does not exist for the image with '${showId(id)}' in the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
      );
    }
    const status = this.#scanStatus(scan, true);
    const base = {
      registryId: repository.registryId,
      repositoryName: repository.name,
      imageId: {
        imageDigest: found.image.digest,
        ...(id.imageTag ? { imageTag: id.imageTag } : {}),
      },
      imageScanStatus: status,
    };
    if (status.status !== 'COMPLETE' && status.status !== 'ACTIVE') return base;
    const findings = scan.behaviour.findings ?? [];
    const counts: Record<string, number> = {};
    for (const severity of SEVERITIES) {
      const n = findings.filter((f) => f.severity === severity).length;
      if (n > 0) counts[severity] = n;
    }
    const maxResults = typeof input['maxResults'] === 'number' ? input['maxResults'] : 100;
    const start = Number(str(input['nextToken']) ?? '0');
    const page = findings.slice(start, start + maxResults);
    const next =
      start + maxResults < findings.length ? { nextToken: String(start + maxResults) } : {};
    const enhanced = scan.behaviour.type === 'ENHANCED';
    return {
      ...base,
      imageScanFindings: {
        imageScanCompletedAt: scan.completedAt,
        vulnerabilitySourceUpdatedAt: scan.completedAt,
        findingSeverityCounts: counts,
        ...(enhanced
          ? { enhancedFindings: page.map((f) => enhancedFinding(f, repository, found.image)) }
          : { findings: page.map(basicFinding) }),
      },
      ...next,
    };
  }
}

function basicFinding(finding: ScriptedFinding): unknown {
  return {
    name: finding.name,
    severity: finding.severity,
    ...(finding.description ? { description: finding.description } : {}),
    ...(finding.uri ? { uri: finding.uri } : {}),
    attributes: [
      ...(finding.packageName ? [{ key: 'package_name', value: finding.packageName }] : []),
      ...(finding.packageVersion
        ? [{ key: 'package_version', value: finding.packageVersion }]
        : []),
    ],
  };
}

function enhancedFinding(finding: ScriptedFinding, repository: Repository, image: Image): unknown {
  return {
    awsAccountId: repository.registryId,
    findingArn: `arn:aws:inspector2:us-east-1:${repository.registryId}:finding/${sha256Digest(finding.name + image.digest).slice(7, 39)}`,
    title: finding.name,
    description: finding.description ?? finding.name,
    severity: finding.severity,
    status: 'ACTIVE',
    type: 'PACKAGE_VULNERABILITY',
    packageVulnerabilityDetails: {
      vulnerabilityId: finding.name,
      ...(finding.uri ? { sourceUrl: finding.uri } : {}),
      vulnerablePackages: finding.packageName
        ? [{ name: finding.packageName, version: finding.packageVersion ?? '' }]
        : [],
    },
    resources: [
      {
        id: `arn:aws:ecr:us-east-1:${repository.registryId}:repository/${repository.name}/${image.digest}`,
        type: 'AWS_ECR_CONTAINER_IMAGE',
      },
    ],
  };
}
