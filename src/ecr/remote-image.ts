// An image already in a registry, read by digest the way oci-layout.ts reads a builder's output:
// every manifest (children first) and every blob it names. Each manifest's bytes are checked
// against the digest that named them, so what is copied is exactly what was asked for.
import { UserError } from '../lib/errors.ts';
import { sha256Digest } from './digest.ts';
import type { Descriptor, LayoutContents, LayoutManifest } from './oci-layout.ts';
import type { RegistryPort } from './ports.ts';

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export async function readRemoteImage(
  registry: RegistryPort,
  repository: string,
  digest: string,
): Promise<LayoutContents> {
  const manifests: LayoutManifest[] = [];
  const blobs = new Map<string, Descriptor>();

  const visit = async (wanted: string, top: boolean): Promise<LayoutManifest> => {
    const fetched = await registry.getManifest(repository, wanted);
    if (fetched === undefined) {
      throw new UserError(
        top
          ? `Image ${repository}@${wanted} is not in registry ${registry.host}: check source-image (promote takes the digest a build output as 'digest' or 'image').`
          : `Image ${repository}@${digest} names manifest ${wanted}, which registry ${registry.host} does not have.`,
      );
    }
    if (sha256Digest(fetched.body) !== wanted) {
      throw new Error(
        `registry ${registry.host} answered ${repository}@${wanted} with other bytes (${sha256Digest(fetched.body)})`,
      );
    }
    const parsed = JSON.parse(fetched.body.toString('utf8')) as {
      mediaType?: string;
      manifests?: Descriptor[];
      config?: Descriptor;
      layers?: Descriptor[];
    };
    const mediaType = parsed.mediaType ?? fetched.mediaType;
    if (INDEX_TYPES.has(mediaType)) {
      for (const child of parsed.manifests ?? []) await visit(child.digest, false);
    } else {
      for (const blob of [parsed.config, ...(parsed.layers ?? [])]) {
        if (blob)
          blobs.set(blob.digest, {
            mediaType: blob.mediaType,
            digest: blob.digest,
            size: blob.size,
          });
      }
    }
    const manifest = { mediaType, digest: wanted, size: fetched.body.length, body: fetched.body };
    manifests.push(manifest);
    return manifest;
  };

  const top = await visit(digest, true);
  return { top, manifests, blobs: [...blobs.values()] };
}
