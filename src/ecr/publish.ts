// Pushes a built OCI layout by digest and tags it: blobs the repository lacks, manifests by
// digest, then each tag through ECR's PutImage. Tags are checked first: on an immutable
// repository a tag that names another digest stops the push before a byte moves, and a tag that
// already names this digest is a no-op, so a re-run is safe.
import { UserError } from '../lib/errors.ts';
import type { LayoutContents } from './oci-layout.ts';
import type { EcrPort, RegistryPort, RepositoryFacts } from './ports.ts';
import { imageByDigest } from './references.ts';

export interface PublishRequest {
  repository: RepositoryFacts;
  tags: readonly string[];
  /** The image: its manifests and blobs (from a builder's OCI layout, or another registry). */
  layout: LayoutContents;
  /** The bytes of a blob, read only when the repository lacks it. */
  readBlob: (digest: string) => Promise<Buffer>;
}

export type PublishEvent =
  | { type: 'blob'; digest: string; size: number; uploaded: boolean }
  | { type: 'manifest'; digest: string }
  | { type: 'tag'; tag: string; outcome: 'tagged' | 'unchanged' | 'moved'; previous?: string };

export interface PublishResult {
  digest: string;
  /** `host/repository@sha256:…` */
  image: string;
  tags: string[];
  /** Tags that already named this digest (nothing was written for them). */
  unchangedTags: string[];
  uploadedBytes: number;
  uploadedBlobs: number;
  reusedBlobs: number;
  /** Config and layers, compressed: what the image weighs in the registry. */
  sizeBytes: number;
}

export interface PublishPorts {
  ecr: EcrPort;
  registry: RegistryPort;
  onEvent?: (event: PublishEvent) => void;
  signal?: AbortSignal;
}

export async function publish(
  request: PublishRequest,
  ports: PublishPorts,
): Promise<PublishResult> {
  const { repository, layout } = request;
  const digest = layout.top.digest;
  const existing = new Map(
    (
      await ports.ecr.tagDigests(repository.name, repository.registryId, request.tags, ports.signal)
    ).map((t) => [t.tag, t.digest]),
  );
  const conflicts = request.tags.filter((tag) => existing.has(tag) && existing.get(tag) !== digest);
  if (repository.immutable && conflicts.length > 0) {
    throw new UserError(
      `Tag${conflicts.length > 1 ? 's' : ''} ${conflicts.map((t) => `'${t}'`).join(', ')} already exist${conflicts.length > 1 ? '' : 's'} in the immutable repository ${repository.name} on ${conflicts.map((t) => existing.get(t)).join(', ')}, but this build is ${digest}: tags of an immutable repository never move; use a new tag (the default {sha} is unique per commit).`,
      {
        details: conflicts.map((t) => `${t}: in the registry ${existing.get(t)}, built ${digest}`),
      },
    );
  }
  const unchangedTags = request.tags.filter((tag) => existing.get(tag) === digest);
  const uploadedBefore = ports.registry.uploadedBytes;
  let uploadedBlobs = 0;
  let reusedBlobs = 0;

  if (unchangedTags.length < request.tags.length) {
    for (const blob of layout.blobs) {
      ports.signal?.throwIfAborted();
      if (await ports.registry.blobExists(repository.name, blob.digest)) {
        reusedBlobs++;
        ports.onEvent?.({ type: 'blob', digest: blob.digest, size: blob.size, uploaded: false });
        continue;
      }
      const data = await request.readBlob(blob.digest);
      await ports.registry.uploadBlob(repository.name, blob.digest, data);
      uploadedBlobs++;
      ports.onEvent?.({ type: 'blob', digest: blob.digest, size: blob.size, uploaded: true });
    }
    for (const manifest of layout.manifests) {
      await ports.registry.putManifest(
        repository.name,
        manifest.digest,
        manifest.body,
        manifest.mediaType,
      );
      ports.onEvent?.({ type: 'manifest', digest: manifest.digest });
    }
  } else {
    reusedBlobs = layout.blobs.length;
  }

  for (const tag of request.tags) {
    if (existing.get(tag) === digest) {
      ports.onEvent?.({ type: 'tag', tag, outcome: 'unchanged' });
      continue;
    }
    const outcome = await ports.ecr.putTag(
      {
        name: repository.name,
        registryId: repository.registryId,
        manifest: layout.top.body.toString('utf8'),
        mediaType: layout.top.mediaType,
        tag,
        digest,
      },
      ports.signal,
    );
    const previous = existing.get(tag);
    ports.onEvent?.({
      type: 'tag',
      tag,
      outcome: outcome === 'exists' ? 'unchanged' : previous ? 'moved' : 'tagged',
      ...(previous ? { previous } : {}),
    });
    if (outcome === 'exists') unchangedTags.push(tag);
  }

  return {
    digest,
    image: imageByDigest(ports.registry.host, repository.name, digest),
    tags: [...request.tags],
    unchangedTags,
    uploadedBytes: ports.registry.uploadedBytes - uploadedBefore,
    uploadedBlobs,
    reusedBlobs,
    sizeBytes: layout.blobs.reduce((sum, blob) => sum + blob.size, 0),
  };
}
