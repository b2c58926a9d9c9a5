import { invalidParameter } from './errors.ts';

/** One page of `all`: `maxResults` items (1–100, default 100) from the offset `nextToken` holds. */
export function page<T>(
  all: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  const size = maxResults ?? 100;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw invalidParameter('maxResults must be between 1 and 100.');
  }
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = Buffer.from(nextToken, 'base64url').toString('utf8');
    if (!/^offset:\d+$/.test(decoded)) throw invalidParameter('Invalid nextToken.');
    start = Number(decoded.slice('offset:'.length));
  }
  const items = all.slice(start, start + size);
  const next = start + size;
  if (next >= all.length) return { items };
  return { items, nextToken: Buffer.from(`offset:${next}`).toString('base64url') };
}
