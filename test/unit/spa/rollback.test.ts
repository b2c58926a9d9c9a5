import { describe, expect, it } from '@jest/globals';
import { deploySpa, type DeployOptions } from '../../../src/spa/deploy.ts';
import { rollbackSpa, type RollbackOptions } from '../../../src/spa/rollback.ts';
import { fakeWorld } from './fake-world.ts';

const deployOptions = (releaseId: string): DeployOptions => ({
  prefix: '',
  rules: [],
  keepReleases: 3,
  waitForInvalidation: true,
  invalidateEverything: false,
  dryRun: false,
  releaseId,
  concurrency: 4,
});
const rollback = (more: Partial<RollbackOptions> = {}): RollbackOptions => ({
  prefix: '',
  target: undefined,
  waitForInvalidation: true,
  invalidateEverything: false,
  dryRun: false,
  concurrency: 4,
  ...more,
});

async function threeReleases() {
  const w = fakeWorld({ 'index.html': 'one', 'a.1a2b3c.js': '1' });
  await deploySpa(deployOptions('r1'), w.ports());
  w.setBuild({ 'index.html': 'two', 'a.2a2b3c.js': '2' });
  await deploySpa(deployOptions('r2'), w.ports());
  w.setBuild({ 'index.html': 'three', 'a.3a2b3c.js': '3' });
  await deploySpa(deployOptions('r3'), w.ports());
  w.bucket.log.length = 0;
  return w;
}

describe('rollbackSpa', () => {
  it('rewrites only the entry points of the previous release and invalidates them', async () => {
    const w = await threeReleases();
    const result = await rollbackSpa(rollback(), w.ports());
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      release: 'r2',
      previousRelease: 'r3',
      rewritten: 1,
    });
    expect(w.bucket.text('index.html')).toBe('two');
    expect(w.bucket.log.filter((l) => !l.startsWith('put'))).toEqual(['copy index.html']);
    expect(w.cdn.invalidations.at(-1)!.paths).toEqual(['/', '/index.html']);
    expect(JSON.parse(w.bucket.text('.spa-deploy/releases.json')!).live).toBe('r2');
    // Rolling back again goes one further.
    await rollbackSpa(rollback(), w.ports());
    expect(w.bucket.text('index.html')).toBe('one');
  });

  it('restores a named release, and the next deploy of the same build changes nothing', async () => {
    const w = await threeReleases();
    await rollbackSpa(rollback({ target: 'r1' }), w.ports());
    expect(w.bucket.text('index.html')).toBe('one');
    w.setBuild({ 'index.html': 'one', 'a.1a2b3c.js': '1' });
    const again = await deploySpa(deployOptions('r4'), w.ports());
    expect(again.outcome).toBe('unchanged');
  });

  it('refuses an unknown release, an empty history and a first release, naming what to do', async () => {
    const w = await threeReleases();
    await expect(rollbackSpa(rollback({ target: 'r9' }), w.ports())).rejects.toThrow(
      'Release r9 is not kept in this bucket: roll back to one of r1, r2, r3.',
    );
    const fresh = fakeWorld({});
    await expect(rollbackSpa(rollback(), fresh.ports())).rejects.toThrow(/records no release/);
    const one = fakeWorld({ 'index.html': 'x' });
    await deploySpa(deployOptions('r1'), one.ports());
    await expect(rollbackSpa(rollback(), one.ports())).rejects.toThrow(/oldest one kept/);
  });

  it('refuses a release whose objects are gone, before rewriting anything', async () => {
    const w = await threeReleases();
    w.bucket.objects.delete('a.1a2b3c.js');
    await expect(rollbackSpa(rollback({ target: 'r1' }), w.ports())).rejects.toThrow(
      /cannot be restored/,
    );
    expect(w.bucket.text('index.html')).toBe('three');
  });
});
