// The CloudFront paths of changed entry points, one invalidation of them, and the wait for it.
import type { SpaPorts } from './ports.ts';

/** CloudFront accepts at most 3,000 paths in one invalidation (wildcards aside). */
export const MAX_INVALIDATION_PATHS = 3000;
const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 10_000;

/**
 * The viewer paths of the changed object keys, assuming the distribution's origin path is the
 * bucket's root: `/<key>`, and for an `index.html` its folder too (`/` for the root document).
 */
export function invalidationPaths(keys: readonly string[]): string[] {
  const paths = new Set<string>();
  for (const key of keys) {
    const encoded = `/${key.split('/').map(encodeSegment).join('/')}`;
    paths.add(encoded);
    if (/(^|\/)index\.html$/.test(key)) paths.add(encoded.slice(0, -'index.html'.length));
  }
  return [...paths].sort();
}

/** CloudFront matches invalidation paths on the URL-encoded path; `*` is its wildcard. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface InvalidationOutcome {
  readonly id: string;
  readonly paths: readonly string[];
  readonly completed: boolean;
}

export async function invalidate(
  paths: readonly string[],
  reference: string,
  wait: boolean,
  ports: SpaPorts,
): Promise<InvalidationOutcome> {
  const { cdn, signal, clock, sleep } = ports;
  const id = await cdn.invalidate(paths, reference, signal);
  ports.onEvent?.({ type: 'invalidation-started', id, paths });
  if (!wait) return { id, paths, completed: false };
  const started = clock.now();
  let delay = FIRST_POLL_MS;
  for (;;) {
    if ((await cdn.status(id, signal)) === 'Completed') break;
    await sleep(delay, signal);
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
  ports.onEvent?.({ type: 'invalidation-completed', id, waitedMs: clock.now() - started });
  return { id, paths, completed: true };
}

/** Paths for one invalidation: all of them, or `/*` when asked or when there are too many. */
export function pathsToInvalidate(paths: readonly string[], everything: boolean): string[] {
  if (everything || paths.length > MAX_INVALIDATION_PATHS) return ['/*'];
  return [...paths];
}
