// A temporary folder for the reports a quality parser test writes, removed after the file's tests.
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempReports {
  /** The folder (set once beforeAll has run). */
  readonly dir: string;
  /** Writes a report into the folder and gives its path. */
  write(name: string, content: string | Buffer): Promise<string>;
}

export function tempReports(prefix: string): TempReports {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return {
    get dir() {
      return dir;
    },
    async write(name, content) {
      const file = join(dir, name);
      await writeFile(file, content);
      return file;
    },
  };
}
