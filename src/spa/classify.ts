// Which build files are content-hashed assets (safe to cache for a year, uploaded first, kept while
// a kept release names them) and which are entry points (index.html, robots.txt, unhashed images:
// rewritten in place, uploaded last), and the headers each is served with.
import { matchesGlob } from 'node:path';
import { contentTypeOf, isHtml } from './content-types.ts';
import type { ObjectHeaders, SourceFile } from './ports.ts';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const NO_CACHE = 'no-cache';

/** `glob` (matched against the path in the build) -> Cache-Control; the first match wins. */
export interface CacheRule {
  readonly glob: string;
  readonly cacheControl: string;
}

export type FileKind = 'asset' | 'entry-point';

export interface PlannedFile extends SourceFile {
  readonly kind: FileKind;
  readonly headers: ObjectHeaders;
  /** For a `.br`/`.gz` sibling: the path of the file it compresses. */
  readonly compresses?: string;
}

const ENCODINGS: Readonly<Record<string, string>> = { br: 'br', gz: 'gzip' };

/**
 * A content hash in the file name as bundlers write it: `app.3f9a1c.js` (webpack, 6+ hex digits),
 * `index-BxY3z_9a.js` (Vite/Rollup, 8 base64url characters), `main.3f9a1c2e.chunk.js` (CRA).
 * A hash has a digit in it, so `vendor-runtime.js` or `app.bundle.js` stay entry points.
 */
export function looksHashed(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const stem = name.split('.').slice(0, -1);
  return stem.some((part, i) => {
    // Between dots, eight or more hex digits are a hash even when all digits (webpack's
    // [contenthash:8] is, one time in 40).
    if (i > 0 && (isHashToken(part) || /^[0-9a-f]{8,}$/.test(part))) return true;
    if (part.split('-').slice(1).some(isHashToken)) return true;
    // Rollup's base64url hashes may hold a '-' themselves: the last eight characters.
    const tail = /-([A-Za-z0-9_-]{8})$/.exec(part)?.[1];
    return tail !== undefined && /\d/.test(tail) && /[A-Za-z]/.test(tail);
  });
}

function isHashToken(token: string): boolean {
  if (/^[0-9a-f]{6,}$/.test(token)) return /\d/.test(token) && /[a-f]/.test(token);
  return /^[A-Za-z0-9_]{8,}$/.test(token) && /\d/.test(token) && /[A-Za-z]/.test(token);
}

/** Each file with its kind and headers. Siblings take the kind, type and caching of their base. */
export function classify(files: readonly SourceFile[], rules: readonly CacheRule[]): PlannedFile[] {
  const paths = new Set(files.map((f) => f.path));
  return files.map((file) => {
    const extension = file.path.slice(file.path.lastIndexOf('.') + 1);
    const encoding = ENCODINGS[extension];
    const base = file.path.slice(0, -(extension.length + 1));
    if (encoding !== undefined && paths.has(base)) {
      const kind: FileKind = looksHashed(base) ? 'asset' : 'entry-point';
      return {
        ...file,
        kind,
        compresses: base,
        headers: {
          contentType: contentTypeOf(base),
          cacheControl: cacheControlOf(base, kind, rules),
          contentEncoding: encoding,
        },
      };
    }
    const kind: FileKind = looksHashed(file.path) ? 'asset' : 'entry-point';
    return {
      ...file,
      kind,
      headers: {
        contentType: contentTypeOf(file.path),
        cacheControl: cacheControlOf(file.path, kind, rules),
      },
    };
  });
}

function cacheControlOf(path: string, kind: FileKind, rules: readonly CacheRule[]): string {
  const rule = rules.find((r) => matchesGlob(path, r.glob));
  if (rule) return rule.cacheControl;
  return kind === 'asset' ? IMMUTABLE : NO_CACHE;
}

/**
 * The order entry points go live in: files that are not HTML first (a new page may name them),
 * HTML last; each precompressed sibling just before the file it compresses.
 */
export function entryPointOrder(a: PlannedFile, b: PlannedFile): number {
  const rank = (f: PlannedFile) => (isHtml(f.compresses ?? f.path) ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const base = (f: PlannedFile) => f.compresses ?? f.path;
  if (base(a) !== base(b)) return base(a) < base(b) ? -1 : 1;
  return a.compresses !== undefined ? -1 : 1;
}
