// A tiny CloudFront-like front for a distribution: serves its bucket over HTTP on 127.0.0.1 and
// caches responses the way CloudFront's CachingOptimized policy does (TTL from Cache-Control
// max-age between MinTTL and MaxTTL, `no-cache` for MinTTL, DefaultTTL without a header, errors
// for ErrorCachingMinTTL), dropping paths when an invalidation of them completes.
import { createServer, type Server } from 'node:http';
import type { CloudFront, Invalidation } from './cloudfront.ts';
import type { S3 } from './s3.ts';

export interface EdgeOptions {
  readonly s3: S3;
  readonly cloudfront: CloudFront;
  readonly distributionId: string;
  readonly clock?: () => Date;
  readonly minTtlMs?: number;
  readonly defaultTtlMs?: number;
  readonly maxTtlMs?: number;
  readonly errorTtlMs?: number;
  readonly defaultRootObject?: string;
}

interface Cached {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly expires: number;
}

export interface Edge {
  readonly url: string;
  /** Requests answered from the cache and from the bucket. */
  readonly stats: { hits: number; misses: number };
  close(): Promise<void>;
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const clock = options.clock ?? (() => new Date());
  const minTtl = options.minTtlMs ?? 1000;
  const defaultTtl = options.defaultTtlMs ?? 86_400_000;
  const maxTtl = options.maxTtlMs ?? 31_536_000_000;
  const errorTtl = options.errorTtlMs ?? 10_000;
  const root = options.defaultRootObject ?? 'index.html';
  const cache = new Map<string, Cached>();
  const stats = { hits: 0, misses: 0 };
  const distribution = options.cloudfront.distribution(options.distributionId);
  if (distribution === undefined) throw new Error(`no distribution ${options.distributionId}`);
  options.cloudfront.onCompleted((invalidation: Invalidation) => {
    if (invalidation.distributionId !== distribution.id) return;
    for (const path of invalidation.paths) {
      for (const cached of [...cache.keys()]) {
        if (path.endsWith('*') ? cached.startsWith(path.slice(0, -1)) : cached === path)
          cache.delete(cached);
      }
    }
  });

  const ttlOf = (cacheControl: string | undefined): number => {
    if (cacheControl === undefined) return defaultTtl;
    if (/\b(no-cache|no-store|private)\b/.test(cacheControl)) return minTtl;
    const maxAge = /\bmax-age=(\d+)/.exec(cacheControl)?.[1];
    if (maxAge === undefined) return defaultTtl;
    return Math.min(maxTtl, Math.max(minTtl, Number(maxAge) * 1000));
  };

  const server: Server = createServer((req, res) => {
    // Completed invalidations take effect before the request is looked up.
    for (const invalidation of distribution.invalidations) options.cloudfront.status(invalidation);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const now = clock().getTime();
    let entry = cache.get(path);
    if (entry !== undefined && entry.expires > now) {
      stats.hits += 1;
    } else {
      stats.misses += 1;
      const key = decodeURIComponent(path.slice(1)) || root;
      const object = options.s3.bucket(distribution.bucket)?.objects.get(key);
      entry =
        object === undefined
          ? {
              status: 404,
              headers: { 'Content-Type': 'text/plain' },
              body: Buffer.from('Not Found'),
              expires: now + errorTtl,
            }
          : {
              status: 200,
              headers: {
                'Content-Type': object.contentType,
                ETag: object.etag,
                ...(object.cacheControl ? { 'Cache-Control': object.cacheControl } : {}),
                ...(object.contentEncoding ? { 'Content-Encoding': object.contentEncoding } : {}),
              },
              body: object.body,
              expires: now + ttlOf(object.cacheControl),
            };
      cache.set(path, entry);
    }
    res.writeHead(entry.status, { ...entry.headers, 'Content-Length': String(entry.body.length) });
    res.end(req.method === 'HEAD' ? undefined : entry.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('edge has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
