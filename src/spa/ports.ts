// What the SPA deploy engine needs from the world: the build directory, the bucket and the CDN.
// src/spa/build-directory.ts, src/aws/s3-objects.ts and src/aws/cloudfront.ts implement them.
import type { Clock, Sleep } from '../lib/clock.ts';

/** One file of the build, its path relative to the build directory with forward slashes. */
export interface SourceFile {
  readonly path: string;
  readonly size: number;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
}

export interface SourcePort {
  /** Every regular file of the build, sorted by path, hashed. */
  files(): Promise<SourceFile[]>;
}

/** What a listing tells about an object. */
export interface ListedObject {
  readonly size: number;
  readonly etag: string;
}

/** The headers an object is served with. */
export interface ObjectHeaders {
  readonly contentType: string;
  readonly cacheControl: string;
  readonly contentEncoding?: string;
}

export interface HeadObject extends ObjectHeaders {
  readonly size: number;
  readonly etag: string;
  /** The content hash the suite stored in the object's user metadata, when it wrote it. */
  readonly sha256?: string;
}

export interface UploadRequest extends ObjectHeaders {
  readonly key: string;
  /** The file's path in the build directory. */
  readonly source: string;
  readonly size: number;
  readonly sha256: string;
}

export interface BucketPort {
  /** Throws a UserError when the bucket does not exist or cannot be written by these credentials. */
  check(signal: AbortSignal): Promise<void>;
  /** Every object under `prefix`. */
  list(prefix: string, signal: AbortSignal): Promise<Map<string, ListedObject>>;
  head(key: string, signal: AbortSignal): Promise<HeadObject | undefined>;
  /** Undefined when there is no such object. */
  getBytes(key: string, signal: AbortSignal): Promise<Buffer | undefined>;
  putBytes(key: string, body: Buffer, headers: ObjectHeaders, signal: AbortSignal): Promise<void>;
  /** Uploads a build file (multipart when large); returns the new object's ETag. */
  upload(request: UploadRequest, signal: AbortSignal): Promise<string>;
  /** Server-side copy with the given headers and content hash; returns the new ETag. */
  copy(
    from: string,
    to: string,
    headers: ObjectHeaders & { readonly sha256: string },
    signal: AbortSignal,
  ): Promise<string>;
  delete(keys: readonly string[], signal: AbortSignal): Promise<void>;
}

export type InvalidationStatus = 'InProgress' | 'Completed';

export interface CdnPort {
  /** Throws a UserError when the distribution does not exist or cannot be invalidated. */
  check(signal: AbortSignal): Promise<void>;
  /** Starts one invalidation of `paths`; returns its id. */
  invalidate(
    paths: readonly string[],
    callerReference: string,
    signal: AbortSignal,
  ): Promise<string>;
  status(id: string, signal: AbortSignal): Promise<InvalidationStatus>;
}

export interface SpaPorts {
  readonly source: SourcePort;
  readonly bucket: BucketPort;
  readonly cdn: CdnPort;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly signal: AbortSignal;
  readonly onEvent?: (event: SpaEvent) => void;
}

export type SpaEvent =
  | {
      readonly type: 'plan';
      readonly upload: number;
      readonly bytes: number;
      readonly unchanged: number;
    }
  | { readonly type: 'assets-uploaded'; readonly count: number; readonly bytes: number }
  | { readonly type: 'live'; readonly release: string; readonly entryPoints: number }
  | {
      readonly type: 'invalidation-started';
      readonly id: string;
      readonly paths: readonly string[];
    }
  | { readonly type: 'invalidation-completed'; readonly id: string; readonly waitedMs: number }
  | { readonly type: 'pruned'; readonly releases: readonly string[]; readonly objects: number };
