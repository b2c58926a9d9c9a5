// How the release history sits in the bucket: a small index (`releases.json`: the kept releases'
// ids, oldest first, and the live one) and one gzipped manifest per release, written once
// (`releases/<id>.json.gz`: its objects as [sha256, size, etag, header set]). A deploy writes its
// own manifest and the index, not every kept release again.
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../lib/errors.ts';
import type { FileKind } from './classify.ts';
import {
  HISTORY_VERSION,
  type History,
  type Release,
  type ReleaseObject,
  STATE_FOLDER,
  historyKey,
} from './history.ts';
import type { ObjectHeaders, SpaPorts } from './ports.ts';

type Ports = Pick<SpaPorts, 'bucket' | 'signal'>;

interface Index {
  readonly version: number;
  readonly live: string | undefined;
  readonly releases: readonly { readonly id: string; readonly createdAt: string }[];
}

type HeaderSet = ObjectHeaders & { readonly kind: FileKind };

interface Manifest {
  readonly id: string;
  readonly createdAt: string;
  readonly headers: readonly HeaderSet[];
  readonly objects: Readonly<Record<string, readonly [string, number, string, number]>>;
}

export const manifestKey = (prefix: string, id: string) =>
  `${prefix}${STATE_FOLDER}releases/${id}.json.gz`;

/** Never cached at the edge: only this action reads them. */
const PRIVATE = { cacheControl: 'no-store' };

export async function readHistory(prefix: string, ports: Ports): Promise<History> {
  const key = historyKey(prefix);
  const text = await ports.bucket.getBytes(key, ports.signal);
  if (text === undefined) return { version: HISTORY_VERSION, live: undefined, releases: [] };
  const index = parseIndex(text.toString('utf8'), key);
  const manifests = await Promise.all(
    index.releases.map((r) => ports.bucket.getBytes(manifestKey(prefix, r.id), ports.signal)),
  );
  // A release whose manifest is gone can be neither restored nor pruned: it is left out.
  const releases = manifests
    .map((body, i) =>
      body === undefined
        ? undefined
        : parseManifest(body, manifestKey(prefix, index.releases[i]!.id)),
    )
    .filter((r): r is Release => r !== undefined);
  return { version: HISTORY_VERSION, live: index.live, releases };
}

export async function writeRelease(prefix: string, release: Release, ports: Ports): Promise<void> {
  const sets: HeaderSet[] = [];
  const setOf = (o: ReleaseObject): number => {
    const found = sets.findIndex(
      (s) =>
        s.kind === o.kind &&
        s.contentType === o.contentType &&
        s.cacheControl === o.cacheControl &&
        s.contentEncoding === o.contentEncoding,
    );
    if (found !== -1) return found;
    sets.push({
      kind: o.kind,
      contentType: o.contentType,
      cacheControl: o.cacheControl,
      ...(o.contentEncoding === undefined ? {} : { contentEncoding: o.contentEncoding }),
    });
    return sets.length - 1;
  };
  const objects = Object.fromEntries(
    Object.entries(release.objects).map(([path, o]) => [
      path,
      [o.sha256, o.size, o.etag, setOf(o)] as const,
    ]),
  );
  const manifest: Manifest = {
    id: release.id,
    createdAt: release.createdAt,
    headers: sets,
    objects,
  };
  await ports.bucket.putBytes(
    manifestKey(prefix, release.id),
    gzipSync(JSON.stringify(manifest)),
    { contentType: 'application/gzip', ...PRIVATE },
    ports.signal,
  );
}

export async function writeIndex(prefix: string, history: History, ports: Ports): Promise<void> {
  const index: Index = {
    version: HISTORY_VERSION,
    live: history.live,
    releases: history.releases.map((r) => ({ id: r.id, createdAt: r.createdAt })),
  };
  await ports.bucket.putBytes(
    historyKey(prefix),
    Buffer.from(`${JSON.stringify(index, null, 1)}\n`),
    { contentType: 'application/json; charset=utf-8', ...PRIVATE },
    ports.signal,
  );
}

function parseIndex(text: string, key: string): Index {
  let value: Partial<Index>;
  try {
    value = JSON.parse(text) as Partial<Index>;
  } catch {
    throw new UserError(
      `The release history ${key} in the bucket is not JSON: restore it from the bucket's versions, or delete it to start a new history.`,
    );
  }
  if (value.version !== HISTORY_VERSION || !Array.isArray(value.releases)) {
    throw new UserError(
      `The release history ${key} has version ${String(value.version)}, which this action does not read (it writes version ${HISTORY_VERSION}): use the spa-deploy version that wrote it.`,
    );
  }
  return { version: value.version, live: value.live, releases: value.releases };
}

function parseManifest(body: Buffer, key: string): Release {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(gunzipSync(body).toString('utf8')) as Manifest;
  } catch {
    throw new UserError(
      `The release manifest ${key} in the bucket is damaged: delete it and its release from the history index.`,
    );
  }
  const objects: Record<string, ReleaseObject> = {};
  for (const [path, [sha256, size, etag, set]] of Object.entries(manifest.objects)) {
    const headers = manifest.headers[set]!;
    objects[path] = { ...headers, sha256, size, etag };
  }
  return { id: manifest.id, createdAt: manifest.createdAt, objects };
}
