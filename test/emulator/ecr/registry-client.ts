// What the emulated ECR API reads from and writes to the real registry behind it: manifests by
// tag or digest, over the registry's /v2 API with the emulator's own basic-auth credentials.
import { createHash } from 'node:crypto';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly body: string;
}

export const sha256Digest = (body: string | Buffer): string =>
  `sha256:${createHash('sha256').update(body).digest('hex')}`;

/** The mediaType a manifest declares, or OCI's image manifest when it declares none. */
export function mediaTypeOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { mediaType?: unknown };
    if (typeof parsed.mediaType === 'string') return parsed.mediaType;
  } catch {
    // not JSON: the registry will refuse it
  }
  return MANIFEST_TYPES[0];
}

export class RegistryClient {
  readonly #url: string;
  readonly #authorization: string;

  constructor(url: string, username: string, password: string) {
    this.#url = url;
    this.#authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async getManifest(repository: string, reference: string): Promise<StoredManifest | undefined> {
    const response = await fetch(`${this.#url}/v2/${repository}/manifests/${reference}`, {
      headers: { authorization: this.#authorization, accept: MANIFEST_TYPES.join(', ') },
    });
    const body = await response.text();
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`registry GET manifest ${response.status}: ${body}`);
    return { digest: sha256Digest(body), mediaType: mediaTypeOf(body), body };
  }

  /** Stores a manifest under a tag or digest; returns the registry's error code on refusal. */
  async putManifest(
    repository: string,
    reference: string,
    body: string,
    mediaType: string,
  ): Promise<{ ok: true } | { ok: false; status: number; code: string; message: string }> {
    const response = await fetch(`${this.#url}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { authorization: this.#authorization, 'content-type': mediaType },
      body,
    });
    const text = await response.text();
    if (response.ok) return { ok: true };
    const first = (JSON.parse(text || '{}') as { errors?: { code?: string; message?: string }[] })
      .errors?.[0];
    return {
      ok: false,
      status: response.status,
      code: first?.code ?? 'UNKNOWN',
      message: first?.message ?? text,
    };
  }
}
