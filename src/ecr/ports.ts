// What the ecr engine needs from the world: ECR's API, a registry's /v2 API and the builders.
// src/aws/ecr.ts implements EcrPort over the SDK client, registry-client.ts RegistryPort over
// fetch, run-command.ts runs the builders' commands.
import type { DescribeImageScanFindingsCommandOutput } from '@aws-sdk/client-ecr';
import type { Command } from './builder.ts';

export interface AuthorizationData {
  token: string;
  proxyEndpoint: string;
  expiresAt: Date | undefined;
}

export interface RepositoryFacts {
  name: string;
  registryId: string;
  uri: string;
  immutable: boolean;
  scanOnPush: boolean;
}

export interface NewRepository {
  name: string;
  registryId: string | undefined;
  immutable: boolean;
  scanOnPush: boolean;
  kmsKey: string | undefined;
  lifecyclePolicy: string;
}

export interface ManifestOfTag {
  tag: string;
  digest: string;
}

export type ScanFindingsPage = DescribeImageScanFindingsCommandOutput;

export interface EcrPort {
  getAuthorization(
    registryIds: readonly string[],
    signal?: AbortSignal,
  ): Promise<AuthorizationData[]>;
  /** undefined when the repository does not exist. */
  describeRepository(
    name: string,
    registryId: string | undefined,
    signal?: AbortSignal,
  ): Promise<RepositoryFacts | undefined>;
  createRepository(repository: NewRepository, signal?: AbortSignal): Promise<RepositoryFacts>;
  /** The digest each existing tag points at; tags that do not exist are left out. */
  tagDigests(
    name: string,
    registryId: string | undefined,
    tags: readonly string[],
    signal?: AbortSignal,
  ): Promise<ManifestOfTag[]>;
  /** Adds a tag to a manifest already in the repository; 'exists' when it is there already. */
  putTag(
    params: {
      name: string;
      registryId: string | undefined;
      manifest: string;
      mediaType: string;
      tag: string;
      digest: string;
    },
    signal?: AbortSignal,
  ): Promise<'tagged' | 'exists'>;
  scanFindings(
    params: { name: string; registryId: string | undefined; digest: string; nextToken?: string },
    signal?: AbortSignal,
  ): Promise<ScanFindingsPage | 'no-scan'>;
}

export interface RemoteManifest {
  body: Buffer;
  mediaType: string;
  digest: string;
}

/** One registry's /v2 API, logged in: what a push by digest and a copy need. */
export interface RegistryPort {
  /** host[:port], as image names carry it. */
  readonly host: string;
  /** Blob bytes sent by uploads that succeeded, so far. */
  readonly uploadedBytes: number;
  blobExists(repository: string, digest: string): Promise<boolean>;
  uploadBlob(repository: string, digest: string, data: Buffer): Promise<void>;
  /** The blob's bytes, checked against its digest. */
  getBlob(repository: string, digest: string): Promise<Buffer>;
  /** Stores a manifest under a digest or tag. */
  putManifest(
    repository: string,
    reference: string,
    body: Buffer,
    mediaType: string,
  ): Promise<void>;
  /** undefined when the registry does not have it. */
  getManifest(repository: string, reference: string): Promise<RemoteManifest | undefined>;
}

/**
 * Runs one builder command to its successful end (stdin closed, no shell), with these variables
 * added to the job's environment; a failure or an abort rejects.
 */
export type RunBuilder = (
  command: Command,
  env: Readonly<Record<string, string>>,
  signal: AbortSignal,
) => Promise<void>;
