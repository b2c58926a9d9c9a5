// What a deploy has to do for each file: compare the build's content hashes and headers with what
// the bucket holds. S3's ETag is not a content hash (multipart uploads), so the hash comes from the
// release history when the object's ETag is the one recorded, else from the suite's own metadata.
import { type PlannedFile } from './classify.ts';
import { type History, archiveKey } from './history.ts';
import type { HeadObject, ListedObject, ObjectHeaders, SpaPorts } from './ports.ts';
import { forEachBounded } from './pool.ts';

export interface FilePlan {
  readonly file: PlannedFile;
  readonly key: string;
  /** The object at `key` has this content and these headers already. */
  readonly current: boolean;
  /** Its ETag when current. */
  readonly etag: string | undefined;
  /** Entry points: how their rollback copy (by content hash) gets into the bucket. */
  readonly archive: 'present' | 'upload' | 'copy-from-live' | 'none';
}

export interface DeployPlan {
  readonly files: readonly FilePlan[];
  /** Files whose bytes go up. */
  readonly uploads: number;
  readonly uploadBytes: number;
  /** Files already in the bucket as they should be. */
  readonly unchanged: number;
}

interface KnownObject extends ObjectHeaders {
  readonly sha256?: string;
}

export async function planDeploy(
  files: readonly PlannedFile[],
  prefix: string,
  listing: ReadonlyMap<string, ListedObject>,
  history: History,
  concurrency: number,
  ports: Pick<SpaPorts, 'bucket' | 'signal'>,
): Promise<DeployPlan> {
  const recorded = recordedByEtag(history, prefix);
  const plans: FilePlan[] = new Array(files.length);
  const indexed = files.map((file, index) => ({ file, index }));
  await forEachBounded(indexed, concurrency, ports.signal, async ({ file, index }) => {
    const key = `${prefix}${file.path}`;
    const listed = listing.get(key);
    let known: KnownObject | undefined;
    if (listed !== undefined && listed.size === file.size) {
      known = recorded.get(`${key}\n${listed.etag}`);
      if (known === undefined) known = await headOf(key, ports);
    }
    const current =
      known !== undefined && known.sha256 === file.sha256 && sameHeaders(known, file.headers);
    let archive: FilePlan['archive'] = 'none';
    if (file.kind === 'entry-point') {
      const stored = listing.get(archiveKey(prefix, file.sha256));
      archive = stored?.size === file.size ? 'present' : current ? 'copy-from-live' : 'upload';
    }
    plans[index] = { file, key, current, etag: current ? listed?.etag : undefined, archive };
  });
  let uploads = 0;
  let uploadBytes = 0;
  let unchanged = 0;
  for (const plan of plans) {
    const bytes = plan.file.kind === 'asset' ? !plan.current : plan.archive === 'upload';
    if (bytes) {
      uploads += 1;
      uploadBytes += plan.file.size;
    } else if (plan.current) unchanged += 1;
  }
  return { files: plans, uploads, uploadBytes, unchanged };
}

async function headOf(
  key: string,
  ports: Pick<SpaPorts, 'bucket' | 'signal'>,
): Promise<HeadObject | undefined> {
  const head = await ports.bucket.head(key, ports.signal);
  return head?.sha256 === undefined ? undefined : head;
}

/** `key\netag` -> what the history says the object is, newest release first. */
function recordedByEtag(history: History, prefix: string): Map<string, KnownObject> {
  const known = new Map<string, KnownObject>();
  for (const release of [...history.releases].reverse()) {
    for (const [path, object] of Object.entries(release.objects)) {
      const id = `${prefix}${path}\n${object.etag}`;
      if (!known.has(id)) known.set(id, object);
    }
  }
  return known;
}

export function sameHeaders(a: ObjectHeaders, b: ObjectHeaders): boolean {
  return (
    a.contentType === b.contentType &&
    a.cacheControl === b.cacheControl &&
    (a.contentEncoding ?? '') === (b.contentEncoding ?? '')
  );
}
