import { type History, serializeHistory } from './history.ts';
import type { SpaPorts } from './ports.ts';

/** The history is read by this action only: never cached at the edge. */
export async function writeHistory(
  key: string,
  history: History,
  ports: Pick<SpaPorts, 'bucket' | 'signal'>,
): Promise<void> {
  await ports.bucket.putText(
    key,
    serializeHistory(history),
    { contentType: 'application/json; charset=utf-8', cacheControl: 'no-store' },
    ports.signal,
  );
}
