import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDirectory } from '../../../src/spa/build-directory.ts';
import { sha } from './fake-world.ts';

const root = mkdtempSync(join(tmpdir(), 'spa-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function workspace(name: string) {
  const ws = join(root, name);
  mkdirSync(join(ws, 'dist/assets'), { recursive: true });
  writeFileSync(join(ws, 'dist/index.html'), 'page');
  writeFileSync(join(ws, 'dist/assets/app.3f9a1c.js'), 'js');
  writeFileSync(join(ws, 'shared.css'), 'css');
  return ws;
}

describe('buildDirectory', () => {
  it('lists every file with forward slashes, sorted and hashed, following links inside the workspace', async () => {
    const ws = workspace('inside');
    symlinkSync(join(ws, 'shared.css'), join(ws, 'dist/assets/shared.css'));
    const files = await buildDirectory(join(ws, 'dist'), ws, new AbortController().signal).files();
    expect(files).toEqual([
      { path: 'assets/app.3f9a1c.js', size: 2, sha256: sha('js') },
      { path: 'assets/shared.css', size: 3, sha256: sha('css') },
      { path: 'index.html', size: 4, sha256: sha('page') },
    ]);
  });

  it('refuses a link out of the workspace, naming it', async () => {
    const ws = workspace('outside');
    symlinkSync('/etc/hostname', join(ws, 'dist/host.txt'));
    await expect(
      buildDirectory(join(ws, 'dist'), ws, new AbortController().signal).files(),
    ).rejects.toThrow(
      /^The build has host.txt, a symbolic link to .*, outside the workspace: copy what it names into the build instead\.$/,
    );
  });
});
