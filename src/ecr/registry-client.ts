// The registry's /v2 API, as far as a push by digest and a copy need it: blobs (HEAD, monolithic
// upload, GET) and manifests (PUT by digest or tag, GET). Every request has its own time limit
// and is retried on 5xx, 429, network errors and timeouts; an upload retry opens a new session.
import { type RetryPolicy, retry } from '../lib/retry.ts';
import type { Sleep } from '../lib/clock.ts';
import { UserError } from '../lib/errors.ts';
import { type RegistryLogin, basicAuthorization } from './authorization.ts';
import { sha256Digest } from './digest.ts';
import type { RegistryPort, RemoteManifest } from './ports.ts';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface RegistryClientOptions {
  login: RegistryLogin;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  sleep: Sleep;
  signal?: AbortSignal;
  onRetry?: (info: { what: string; attempt: number; delayMs: number; reason: string }) => void;
}

/** A registry answer that a retry can fix (5xx, 429). */
class TransientRegistryError extends Error {}

export class RegistryHttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof TransientRegistryError) return true;
  if (error instanceof RegistryHttpError || error instanceof UserError) return false;
  const name = (error as { name?: string } | undefined)?.name;
  // fetch's network failures are TypeErrors with the socket error as cause; time limits abort.
  return name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError';
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}

export class RegistryClient implements RegistryPort {
  readonly #options: RegistryClientOptions;
  readonly #authorization: string;
  /** Blob bytes sent by uploads that succeeded. */
  uploadedBytes = 0;

  constructor(options: RegistryClientOptions) {
    this.#options = options;
    this.#authorization = basicAuthorization(options.login);
  }

  get host(): string {
    return this.#options.login.host;
  }

  async #send(what: string, attempt: () => Promise<Response>): Promise<Response> {
    return retry(
      this.#options.retry,
      async () => {
        const response = await attempt();
        if (response.status >= 500 || response.status === 429) {
          await response.arrayBuffer().catch(() => undefined);
          throw new TransientRegistryError(
            `${what}: the registry answered HTTP ${response.status}`,
          );
        }
        return response;
      },
      {
        sleep: this.#options.sleep,
        isRetryable,
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          this.#options.onRetry?.({ what, attempt, delayMs, reason: reasonOf(error) }),
      },
    );
  }

  #fetch(url: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs);
    const signal = this.#options.signal
      ? AbortSignal.any([timeout, this.#options.signal])
      : timeout;
    return fetch(url, {
      ...init,
      headers: { authorization: this.#authorization, ...init.headers },
      signal,
      redirect: 'follow',
    });
  }

  #url(path: string): string {
    return `${this.#options.login.endpoint}/v2/${path}`;
  }

  async #fail(response: Response, what: string, repository: string): Promise<never> {
    const text = await response.text().catch(() => '');
    let code = 'UNKNOWN';
    let message = text.slice(0, 300);
    try {
      const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] })
        .errors?.[0];
      code = first?.code ?? code;
      message = first?.message ?? message;
    } catch {
      // not the registry's JSON error shape
    }
    if (response.status === 401) {
      throw new UserError(
        `The registry ${this.host} refused the login for ${what} (HTTP 401 ${code}): the ECR token may belong to another account or region than the repository; check registry-ids and aws-region.`,
      );
    }
    if (response.status === 403) {
      throw new UserError(
        `The registry ${this.host} denied ${what} (HTTP 403 ${code}: ${message}): allow the ecr push actions (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchCheckLayerAvailability) on ${repository}.`,
      );
    }
    throw new RegistryHttpError(
      response.status,
      code,
      `${what}: HTTP ${response.status} ${code}: ${message}`,
    );
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const what = `check blob ${digest.slice(0, 19)}`;
    const response = await this.#send(what, () =>
      this.#fetch(this.#url(`${repository}/blobs/${digest}`), { method: 'HEAD' }),
    );
    await response.arrayBuffer();
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    return this.#fail(response, what, repository);
  }

  /** Monolithic upload: POST opens a session, PUT ?digest= sends the bytes and closes it. */
  async uploadBlob(repository: string, digest: string, data: Buffer): Promise<void> {
    const what = `upload blob ${digest.slice(0, 19)}`;
    await retry(
      this.#options.retry,
      async () => {
        const start = await this.#send(`${what} (start)`, () =>
          this.#fetch(this.#url(`${repository}/blobs/uploads/`), { method: 'POST' }),
        );
        if (start.status !== 202) return this.#fail(start, what, repository);
        await start.arrayBuffer();
        const location = new URL(start.headers.get('location') ?? '', this.#options.login.endpoint);
        location.searchParams.set('digest', digest);
        const put = await this.#send(what, () =>
          this.#fetch(location.toString(), {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream' },
            body: data,
          }),
        );
        if (put.status !== 201) return this.#fail(put, what, repository);
        await put.arrayBuffer();
        this.uploadedBytes += data.length;
      },
      {
        sleep: this.#options.sleep,
        // A PUT that fails for good after its own retries may leave a stale session: start over.
        isRetryable: (error) =>
          error instanceof RegistryHttpError && error.code === 'BLOB_UPLOAD_UNKNOWN',
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      },
    );
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const what = `download blob ${digest.slice(0, 19)}`;
    const response = await this.#send(what, () =>
      this.#fetch(this.#url(`${repository}/blobs/${digest}`), { method: 'GET' }),
    );
    if (response.status !== 200) return this.#fail(response, what, repository);
    const data = Buffer.from(await response.arrayBuffer());
    if (sha256Digest(data) !== digest) {
      throw new Error(`${what}: the registry sent bytes whose digest is ${sha256Digest(data)}`);
    }
    return data;
  }

  /** Stores a manifest under a digest or tag; checks the registry computed the same digest. */
  async putManifest(
    repository: string,
    reference: string,
    body: Buffer,
    mediaType: string,
  ): Promise<void> {
    const what = `push manifest ${reference}`;
    const response = await this.#send(what, () =>
      this.#fetch(this.#url(`${repository}/manifests/${reference}`), {
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
      }),
    );
    if (response.status !== 201) return this.#fail(response, what, repository);
    await response.arrayBuffer();
    const stored = response.headers.get('docker-content-digest');
    if (stored && stored !== sha256Digest(body)) {
      throw new Error(
        `${what}: the registry stored digest ${stored}, expected ${sha256Digest(body)}`,
      );
    }
  }

  async getManifest(repository: string, reference: string): Promise<RemoteManifest | undefined> {
    const what = `read manifest ${reference}`;
    const response = await this.#send(what, () =>
      this.#fetch(this.#url(`${repository}/manifests/${reference}`), {
        method: 'GET',
        headers: { accept: MANIFEST_ACCEPT },
      }),
    );
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (response.status !== 200) return this.#fail(response, what, repository);
    const body = Buffer.from(await response.arrayBuffer());
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
    return { body, mediaType, digest: sha256Digest(body) };
  }
}
