// The suite as it stands releases cleanly: every reference it makes to itself is
// OWNER/aws-ship-suite/<path>@main to something it contains, so the release rewrite leaves no
// file running anything but the release. The release engine runs as a dry run on the working
// tree (the git-backed run is test/integration/release/).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { ReleaseRepository } from '../../src/release/ports.ts';
import { release } from '../../src/release/release.ts';

const root = new URL('../..', import.meta.url).pathname;

function walk(directory: string): string[] {
  if (!existsSync(join(root, directory))) return [];
  return readdirSync(join(root, directory)).flatMap((name) => {
    const path = `${directory}/${name}`;
    return statSync(join(root, path)).isDirectory() ? walk(path) : [path];
  });
}

const tree = [
  ...['action.yml', 'README.md'].filter((path) => existsSync(join(root, path))),
  ...walk('.github/workflows'),
  ...walk('actions'),
  ...walk('workflows-templates'),
];

const workingTree: ReleaseRepository = {
  head: async () => 'HEAD',
  dirtyPaths: async () => [],
  tags: async () => [],
  tagRef: async () => undefined,
  restoreTag: async () => {},
  files: async () => tree,
  read: async (_commit, path) => readFileSync(join(root, path), 'utf8'),
  commit: () => Promise.reject(new Error('a dry run commits nothing')),
  tag: () => Promise.reject(new Error('a dry run tags nothing')),
  deleteTag: async () => {},
  push: () => Promise.reject(new Error('a dry run pushes nothing')),
};

describe("the suite's references to itself", () => {
  it('are all rewritten by a release to the release, and name what the suite contains', async () => {
    const result = await release(
      { version: '1.0.0', repository: 'acme/aws-ship-suite', remote: undefined, dryRun: true },
      workingTree,
      { rebuild: async () => {} },
    );
    const rewritten = Object.fromEntries(result.rewrites.map((r) => [r.path, r.references]));
    // oidc-assume, rds-migrate ×3 (plan, expand, contract), deploy-command ×2, ecr-build-push,
    // ecs-canary-deploy, spa-deploy.
    expect(rewritten['.github/workflows/deploy.yml']).toBe(9);
    expect(rewritten['workflows-templates/aws-ship-suite-deploy.yml']).toBe(4);
    expect(rewritten['.github/workflows/release.yml']).toBeUndefined();
  });
});
