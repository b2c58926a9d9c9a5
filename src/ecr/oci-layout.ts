// Reads the OCI image layout a builder wrote: the top manifest (image or index) and every blob
// and child manifest it references, children first, as a push needs them.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest } from './digest.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface LayoutManifest extends Descriptor {
  body: Buffer;
}

export interface LayoutContents {
  /** The manifest to tag: an image manifest, or an index for several platforms. */
  top: LayoutManifest;
  /** Every manifest, children before the index that lists them; `top` last. */
  manifests: LayoutManifest[];
  /** Config and layer blobs, each once. */
  blobs: Descriptor[];
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export const blobPath = (layoutDir: string, digest: string): string =>
  join(layoutDir, 'blobs', ...digest.split(':'));

export async function readLayout(layoutDir: string): Promise<LayoutContents> {
  const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as {
    manifests?: Descriptor[];
  };
  const entries = index.manifests ?? [];
  if (entries.length !== 1) {
    throw new Error(`the builder's OCI layout lists ${entries.length} images; expected 1`);
  }
  const manifests: LayoutManifest[] = [];
  const blobs = new Map<string, Descriptor>();

  const visit = async (descriptor: Descriptor): Promise<LayoutManifest> => {
    const body = await readFile(blobPath(layoutDir, descriptor.digest));
    if (sha256Digest(body) !== descriptor.digest) {
      throw new Error(`blob ${descriptor.digest} in the OCI layout does not match its digest`);
    }
    const parsed = JSON.parse(body.toString('utf8')) as {
      mediaType?: string;
      manifests?: Descriptor[];
      config?: Descriptor;
      layers?: Descriptor[];
    };
    const mediaType = parsed.mediaType ?? descriptor.mediaType;
    if (INDEX_TYPES.has(mediaType)) {
      for (const child of parsed.manifests ?? []) await visit(child);
    } else {
      for (const blob of [parsed.config, ...(parsed.layers ?? [])]) {
        if (blob === undefined) continue;
        const size = (await stat(blobPath(layoutDir, blob.digest))).size;
        blobs.set(blob.digest, { mediaType: blob.mediaType, digest: blob.digest, size });
      }
    }
    const manifest = { mediaType, digest: descriptor.digest, size: body.length, body };
    manifests.push(manifest);
    return manifest;
  };

  const top = await visit(entries[0]!);
  return { top, manifests, blobs: [...blobs.values()] };
}
