// An in-memory bucket, CDN and build for the engine's unit tests: objects carry the content hash
// of what was written, ETags change with every write, invalidations finish after a few polls.
import { createHash } from 'node:crypto';
import type {
  BucketPort,
  CdnPort,
  HeadObject,
  ObjectHeaders,
  SourceFile,
  SpaEvent,
  SpaPorts,
} from '../../../src/spa/ports.ts';
import { UserError } from '../../../src/lib/errors.ts';

export interface FakeObject extends ObjectHeaders {
  content: Buffer;
  etag: string;
  sha256: string | undefined;
}

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export class FakeBucket implements BucketPort {
  readonly objects = new Map<string, FakeObject>();
  readonly log: string[] = [];
  exists = true;
  #etag = 0;
  /** Content of each build path, for uploads. */
  build: Record<string, string> = {};
  /** Throws on the n-th write from now (1-based). */
  failOnWrite(n: number | undefined) {
    this.#failAt = n === undefined ? undefined : this.#writes + n;
  }
  #failAt: number | undefined;
  #writes = 0;

  async check() {
    if (!this.exists) throw new UserError('no bucket');
  }
  async list(prefix: string) {
    const out = new Map<string, { size: number; etag: string }>();
    for (const [key, o] of this.objects)
      if (key.startsWith(prefix)) out.set(key, { size: o.content.length, etag: o.etag });
    return out;
  }
  async head(key: string): Promise<HeadObject | undefined> {
    this.log.push(`head ${key}`);
    const o = this.objects.get(key);
    if (!o) return undefined;
    return {
      size: o.content.length,
      etag: o.etag,
      contentType: o.contentType,
      cacheControl: o.cacheControl,
      ...(o.contentEncoding ? { contentEncoding: o.contentEncoding } : {}),
      ...(o.sha256 ? { sha256: o.sha256 } : {}),
    };
  }
  async getBytes(key: string) {
    return this.objects.get(key)?.content;
  }
  #write(op: string, key: string, object: Omit<FakeObject, 'etag'>): string {
    this.#writes += 1;
    if (this.#writes === this.#failAt) throw new Error(`killed at write ${this.#writes}`);
    this.log.push(`${op} ${key}`);
    const etag = `"${++this.#etag}"`;
    this.objects.set(key, { ...object, etag });
    return etag;
  }
  async putBytes(key: string, body: Buffer, headers: ObjectHeaders) {
    this.#write('put', key, { ...headers, content: body, sha256: undefined });
  }
  async upload(request: Parameters<BucketPort['upload']>[0]) {
    const content = this.build[request.source];
    if (content === undefined) throw new Error(`no build file ${request.source}`);
    const { key, sha256, contentType, cacheControl, contentEncoding } = request;
    const headers = { contentType, cacheControl, ...(contentEncoding ? { contentEncoding } : {}) };
    return this.#write('upload', key, { ...headers, content: Buffer.from(content), sha256 });
  }
  async copy(from: string, to: string, headers: ObjectHeaders & { sha256: string }) {
    const source = this.objects.get(from);
    if (!source) throw new Error(`NoSuchKey ${from}`);
    const { sha256, ...rest } = headers;
    return this.#write('copy', to, { ...rest, content: source.content, sha256 });
  }
  async delete(keys: readonly string[]) {
    for (const key of keys) {
      this.log.push(`delete ${key}`);
      this.objects.delete(key);
    }
  }
  /** The content a viewer gets at `key`. */
  text(key: string) {
    return this.objects.get(key)?.content.toString();
  }
}

export class FakeCdn implements CdnPort {
  readonly invalidations: { id: string; paths: readonly string[]; polls: number }[] = [];
  exists = true;
  pollsToComplete = 2;
  async check() {
    if (!this.exists) throw new UserError('no distribution');
  }
  async invalidate(paths: readonly string[]) {
    const id = `I${this.invalidations.length + 1}`;
    this.invalidations.push({ id, paths, polls: 0 });
    return id;
  }
  async status(id: string) {
    const inv = this.invalidations.find((i) => i.id === id)!;
    inv.polls += 1;
    return inv.polls >= this.pollsToComplete ? 'Completed' : 'InProgress';
  }
}

export function fakeWorld(build: Record<string, string>) {
  const bucket = new FakeBucket();
  const cdn = new FakeCdn();
  const events: SpaEvent[] = [];
  let now = 1_000_000;
  const slept: number[] = [];
  const setBuild = (files: Record<string, string>) => {
    bucket.build = files;
  };
  setBuild(build);
  const ports = (): SpaPorts => ({
    source: {
      files: async (): Promise<SourceFile[]> =>
        Object.entries(bucket.build)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([path, content]) => ({
            path,
            size: Buffer.byteLength(content),
            sha256: sha(content),
          })),
    },
    bucket,
    cdn,
    clock: { now: () => now },
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e),
  });
  return { bucket, cdn, events, slept, ports, setBuild };
}
