// A tiny base image with a shell for builds that need RUN steps, without a registry to pull from:
// the host's /bin/sh and a few tools with the shared libraries ldd names, built FROM scratch into
// the given buildah storage. Used by the e2e tests and the bench.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const TOOLS = ['/bin/sh', '/bin/cat', '/bin/sleep', '/usr/bin/head'];

export function buildBaseImage(storageConf: string, name: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'base-image-'));
  try {
    const rootfs = join(dir, 'rootfs');
    const copy = (from: string, to: string) => {
      mkdirSync(join(rootfs, dirname(to)), { recursive: true });
      copyFileSync(realpathSync(from), join(rootfs, to));
    };
    for (const tool of TOOLS) {
      copy(tool, tool);
      const libraries =
        execFileSync('ldd', [realpathSync(tool)], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
      for (const library of libraries) copy(library, library);
    }
    writeFileSync(join(dir, 'Containerfile'), 'FROM scratch\nCOPY rootfs/ /\n');
    execFileSync('buildah', ['build', '--layers', '--timestamp', '0', '--tag', name, dir], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CONTAINERS_STORAGE_CONF: storageConf },
      stdio: 'ignore',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
