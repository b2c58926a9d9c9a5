// The committed bundles: present for every action, under the 1 MB budget, and oidc-assume without
// the SDK's default credential chain (it must only ever use the credentials it is given).
import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const actions = readdirSync(join(root, 'src/actions')).filter((name) =>
  existsSync(join(root, 'src/actions', name, 'index.ts')),
);

/**
 * Size budgets. 1 MB is the suite's goal (bench/README.md) and every action's index.js is under it
 * (ecs-canary-deploy loads YAML, CloudWatch Logs and STS as chunks, only when a run needs them).
 */
const BUDGET_BYTES: Record<string, number> = {};

describe.each(actions)('dist/%s', (name) => {
  it('is an ES module bundle within its size budget', () => {
    const bundle = join(root, 'dist', name, 'index.js');
    expect(statSync(bundle).size).toBeLessThan(BUDGET_BYTES[name] ?? 1_000_000);
    expect(JSON.parse(readFileSync(join(root, 'dist', name, 'package.json'), 'utf8'))).toEqual({
      type: 'module',
    });
  });
});

describe('dist/rds-migrate', () => {
  it("keeps the action's own files (entry, chunks, the WASM parser) within 3 MB", () => {
    // Its index.js only loads the engine as a chunk, so the budget counts every file the action
    // can load: the command line's entries are left out.
    const dir = join(root, 'dist/rds-migrate');
    const files = readdirSync(dir).filter((file) =>
      /^(index\.js|\d+\.index\.js|.*\.wasm)$/.test(file),
    );
    expect(files).toEqual(expect.arrayContaining(['libpg-query.wasm']));
    const bytes = files.reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    expect(bytes).toBeLessThan(3_000_000);
  });
});

describe('dist/spa-deploy', () => {
  it('keeps the entry and its chunks (S3, CloudFront, STS for role-to-assume) within 1 MB', () => {
    const dir = join(root, 'dist/spa-deploy');
    const files = readdirSync(dir).filter((file) => /^(index\.js|\d+\.index\.js)$/.test(file));
    const bytes = files.reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    expect(bytes).toBeLessThan(1_000_000);
    for (const file of files)
      expect(readFileSync(join(dir, file), 'utf8')).not.toContain('test/emulator');
  });
});

describe('dist/oidc-assume without the default credential chain', () => {
  const dir = join(root, 'dist/oidc-assume');

  it('loads a stub in its place and carries none of the chain', () => {
    const code = readFileSync(join(dir, 'index.js'), 'utf8');
    expect(code).toContain('./default-credential-chain.cjs');
    expect(code).not.toContain('credential-provider-sso');
    expect(code).not.toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
  });

  it('fails clearly if anything ever asks the stub for credentials', async () => {
    const stub = createRequire(import.meta.url)(join(dir, 'default-credential-chain.cjs')) as {
      defaultProvider: () => () => Promise<unknown>;
    };
    await expect(stub.defaultProvider()()).rejects.toThrow(
      'no credentials were passed to this AWS call, and the default credential chain is not bundled',
    );
  });
});

describe('dist/quality-gate', () => {
  it('keeps the entry and its chunks within 1 MB, with no test emulator in them', () => {
    const dir = join(root, 'dist/quality-gate');
    const files = readdirSync(dir).filter((file) => /^(index\.js|\d+\.index\.js)$/.test(file));
    const bytes = files.reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    expect(bytes).toBeLessThan(1_000_000);
    for (const file of files)
      expect(readFileSync(join(dir, file), 'utf8')).not.toContain('test/emulator');
  });
});
