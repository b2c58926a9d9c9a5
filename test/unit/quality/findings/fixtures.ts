// Paths of the committed sample reports, and a temp directory for reports a test writes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const fixture = (name: string) =>
  new URL(`../../../fixtures/quality/findings/${name}`, import.meta.url).pathname;

/** A temp directory for one test file; `write` puts a report in it. */
export async function scratch() {
  const dir = await mkdtemp(join(tmpdir(), 'quality-findings-'));
  return {
    dir,
    async write(name: string, content: string | Buffer): Promise<string> {
      const file = join(dir, name);
      await writeFile(file, content);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
