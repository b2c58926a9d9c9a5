// The registry endpoint ECR's GetAuthorizationToken points clients at: /v2 requests on the
// emulator's port, forwarded to the real docker-registry behind it. In front of it the emulator
// adds what ECR adds: repositories must exist (NAME_UNKNOWN), tags of immutable repositories
// cannot move (TAG_INVALID), pushed manifests become ECR images (and scans); and what tests
// need: injected faults (service 'registry') and a count of uploaded blob bytes.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FaultSpec, Faults } from '../faults.ts';
import type { Ecr } from './service.ts';
import { mediaTypeOf, sha256Digest } from './registry-client.ts';

export interface RegistryCall {
  readonly action: string;
  readonly repository: string | undefined;
  readonly status: number;
  readonly fault?: FaultSpec['kind'];
  /** Request body bytes (blob uploads and manifests). */
  readonly bytes: number;
}

/** Registry operations as the call log and fault filters name them. */
export function registryAction(
  method: string,
  path: string,
): { action: string; repository?: string; reference?: string } {
  if (path === '/v2/' || path === '/v2') return { action: 'Ping' };
  const upload = /^\/v2\/(.+)\/blobs\/uploads\/?([^/]*)$/.exec(path);
  if (upload) {
    const action = upload[2]
      ? method === 'PATCH'
        ? 'PatchUpload'
        : method === 'PUT'
          ? 'PutUpload'
          : 'UploadStatus'
      : 'StartUpload';
    return { action, repository: upload[1]! };
  }
  const match = /^\/v2\/(.+)\/(manifests|blobs|tags)\/([^/]+)$/.exec(path);
  if (!match) return { action: 'Unknown' };
  const [, repository, kind, reference] = match as unknown as [string, string, string, string];
  const verb =
    method === 'HEAD' ? 'Head' : method === 'PUT' ? 'Put' : method === 'DELETE' ? 'Delete' : 'Get';
  const noun = kind === 'manifests' ? 'Manifest' : kind === 'blobs' ? 'Blob' : 'Tags';
  return { action: `${verb}${noun}`, repository, reference };
}

export class RegistryFront {
  readonly #ecr: Ecr;
  readonly #faults: Faults;
  readonly #target: URL;
  readonly #authorization: string;
  readonly calls: RegistryCall[] = [];

  constructor(ecr: Ecr, faults: Faults, registryUrl: string) {
    this.#ecr = ecr;
    this.#faults = faults;
    this.#target = new URL(registryUrl);
    this.#authorization = `Basic ${Buffer.from(`AWS:${ecr.password}`).toString('base64')}`;
  }

  /** Blob bytes received by uploads (PATCH and PUT of upload sessions) since the start. */
  get uploadedBytes(): number {
    return this.calls
      .filter((c) => (c.action === 'PatchUpload' || c.action === 'PutUpload') && c.status < 300)
      .reduce((sum, c) => sum + c.bytes, 0);
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const { action, repository, reference } = registryAction(method, path);
    const record = (status: number, fault?: FaultSpec['kind']) =>
      this.calls.push({
        action,
        repository,
        status,
        bytes: body.length,
        ...(fault ? { fault } : {}),
      });

    const fault = this.#faults.take('registry', action);
    if (fault) {
      if (fault.kind === 'reset' || fault.kind === 'hang') {
        if (fault.kind === 'reset') res.socket?.destroy();
        record(0, fault.kind);
        return;
      }
      if (fault.kind === 'throttle') {
        record(429, fault.kind);
        return reply(res, 429, 'TOOMANYREQUESTS', 'Rate exceeded');
      }
      if (fault.kind === 'server-error') {
        const status = fault.status ?? 500;
        record(status, fault.kind);
        return reply(res, status, 'UNKNOWN', 'Service unavailable');
      }
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 0));
    }

    const authorized = req.headers.authorization === this.#authorization;
    if (authorized && repository !== undefined && this.#ecr.repository(repository) === undefined) {
      record(404);
      return reply(res, 404, 'NAME_UNKNOWN', this.#ecr.repositoryNotFound(repository).message);
    }
    if (
      authorized &&
      action === 'PutManifest' &&
      repository &&
      reference &&
      !reference.startsWith('sha256:')
    ) {
      const conflict = this.#ecr.immutableTagConflict(repository, reference, sha256Digest(body));
      if (conflict) {
        record(400);
        return reply(res, 400, 'TAG_INVALID', conflict);
      }
    }

    const forwarded = await this.#forward(req, body);
    record(forwarded.status);
    if (action === 'PutManifest' && forwarded.status === 201 && repository && reference) {
      const contentType =
        String(req.headers['content-type'] ?? '') || mediaTypeOf(body.toString('utf8'));
      this.#ecr.recordManifest(repository, reference, body.toString('utf8'), contentType);
    }
    res.writeHead(forwarded.status, forwarded.headers);
    res.end(forwarded.body);
  }

  #forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const outgoing = httpRequest(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const out: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection')
                out[name] = value;
            }
            resolve({
              status: response.statusCode ?? 502,
              headers: out,
              body: Buffer.concat(chunks),
            });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}

function reply(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
