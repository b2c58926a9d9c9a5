import { describe, expect, it } from '@jest/globals';
import { deploySpa, type DeployOptions } from '../../../src/spa/deploy.ts';
import { IMMUTABLE, NO_CACHE } from '../../../src/spa/classify.ts';
import { fakeWorld, sha } from './fake-world.ts';

const V1 = {
  'index.html': '<script src="/assets/app.3f9a1c.js"></script>',
  'assets/app.3f9a1c.js': 'console.log(1)',
  'assets/app.3f9a1c.js.br': 'BR1',
  'assets/style.a1b2c3d4.css': 'body{}',
  'robots.txt': 'User-agent: *',
};
const V2 = {
  ...Object.fromEntries(Object.entries(V1).filter(([p]) => !p.startsWith('assets/app.'))),
  'index.html': '<script src="/assets/app.9e8d7c.js"></script>',
  'assets/app.9e8d7c.js': 'console.log(2)',
};

const options = (more: Partial<DeployOptions> = {}): DeployOptions => ({
  prefix: '',
  rules: [],
  keepReleases: 3,
  waitForInvalidation: true,
  invalidateEverything: false,
  dryRun: false,
  releaseId: 'r1',
  concurrency: 4,
  ...more,
});

describe('deploySpa', () => {
  it('uploads assets first, entry points last, invalidates only them and records the release', async () => {
    const w = fakeWorld(V1);
    const result = await deploySpa(options(), w.ports());
    expect(result).toMatchObject({
      outcome: 'deployed',
      release: 'r1',
      files: 5,
      uploaded: { count: 5 },
      unchanged: 0,
      invalidation: { paths: ['/', '/index.html', '/robots.txt'], completed: true },
    });
    const writes = w.bucket.log.filter((l) => !l.startsWith('head'));
    const firstLive = writes.findIndex((l) => l === 'copy index.html' || l === 'copy robots.txt');
    const lastAsset = Math.max(...writes.map((l, i) => (l.startsWith('upload assets/') ? i : -1)));
    expect(lastAsset).toBeLessThan(firstLive);
    expect(writes.indexOf('copy index.html')).toBeGreaterThan(writes.indexOf('copy robots.txt'));
    expect(w.bucket.objects.get('assets/app.3f9a1c.js')).toMatchObject({
      cacheControl: IMMUTABLE,
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(w.bucket.objects.get('assets/app.3f9a1c.js.br')).toMatchObject({
      cacheControl: IMMUTABLE,
      contentType: 'text/javascript; charset=utf-8',
      contentEncoding: 'br',
    });
    expect(w.bucket.objects.get('index.html')).toMatchObject({
      cacheControl: NO_CACHE,
      contentType: 'text/html; charset=utf-8',
      content: Buffer.from(V1['index.html']),
    });
    const history = JSON.parse(w.bucket.text('.spa-deploy/releases.json')!);
    expect(history).toMatchObject({ version: 1, live: 'r1', releases: [{ id: 'r1' }] });
    expect(w.bucket.text(`.spa-deploy/objects/${sha(V1['index.html'])}`)).toBe(V1['index.html']);
    expect(w.slept.length).toBeGreaterThan(0);
  });

  it('uploads nothing, writes nothing and invalidates nothing when the build is unchanged', async () => {
    const w = fakeWorld(V1);
    await deploySpa(options(), w.ports());
    w.bucket.log.length = 0;
    const result = await deploySpa(options({ releaseId: 'r2' }), w.ports());
    expect(result).toMatchObject({
      outcome: 'unchanged',
      release: 'r1',
      uploaded: { count: 0, bytes: 0 },
      unchanged: 5,
    });
    expect(w.bucket.log).toEqual([]);
    expect(w.cdn.invalidations).toHaveLength(1);
  });

  it('after a one-file change uploads the new asset and the page, and invalidates the page only', async () => {
    const w = fakeWorld(V1);
    await deploySpa(options(), w.ports());
    w.setBuild(V2);
    const result = await deploySpa(options({ releaseId: 'r2' }), w.ports());
    expect(result).toMatchObject({
      outcome: 'deployed',
      previousRelease: 'r1',
      uploaded: {
        count: 2,
        bytes: Buffer.byteLength(V2['index.html']) + Buffer.byteLength('console.log(2)'),
      },
      unchanged: 2,
      invalidation: { paths: ['/', '/index.html'] },
    });
    // The previous release's assets stay for users still holding the old page.
    expect(w.bucket.text('assets/app.3f9a1c.js')).toBe('console.log(1)');
  });

  it('leaves the old release live and whole when stopped before the entry points', async () => {
    const w = fakeWorld(V1);
    await deploySpa(options(), w.ports());
    w.setBuild(V2);
    w.bucket.failOnWrite(2);
    await expect(deploySpa(options({ releaseId: 'r2' }), w.ports())).rejects.toThrow('killed');
    expect(w.bucket.text('index.html')).toBe(V1['index.html']);
    expect(w.bucket.text('assets/app.3f9a1c.js')).toBe('console.log(1)');
    w.bucket.failOnWrite(undefined);
    const retried = await deploySpa(options({ releaseId: 'r2' }), w.ports());
    expect(retried.outcome).toBe('deployed');
    expect(w.bucket.text('index.html')).toBe(V2['index.html']);
  });

  it('trusts its own content hash over the ETag of an object it did not record', async () => {
    const w = fakeWorld(V1);
    await deploySpa(options(), w.ports());
    // A multipart ETag (or a history lost): the metadata hash still says the content is the same.
    const asset = w.bucket.objects.get('assets/app.3f9a1c.js')!;
    asset.etag = '"abc-2"';
    w.bucket.log.length = 0;
    const result = await deploySpa(options({ releaseId: 'r2' }), w.ports());
    expect(result.outcome).toBe('unchanged');
    expect(result.uploaded.count).toBe(0);
    expect(w.bucket.log).toContain('head assets/app.3f9a1c.js');
  });

  it('re-uploads an object whose content changed behind its back', async () => {
    const w = fakeWorld(V1);
    await deploySpa(options(), w.ports());
    w.bucket.objects.set('assets/style.a1b2c3d4.css', {
      ...w.bucket.objects.get('assets/style.a1b2c3d4.css')!,
      content: Buffer.from('x{}'),
      etag: '"zz"',
      sha256: undefined,
    });
    const result = await deploySpa(options({ releaseId: 'r2' }), w.ports());
    expect(result.uploaded.count).toBe(1);
    expect(w.bucket.text('assets/style.a1b2c3d4.css')).toBe('body{}');
  });

  it('deletes what no kept release uses, after the new release is live', async () => {
    const w = fakeWorld(V1);
    await deploySpa(options({ keepReleases: 2 }), w.ports());
    w.setBuild(V2);
    await deploySpa(options({ keepReleases: 2, releaseId: 'r2' }), w.ports());
    expect(w.bucket.text('assets/app.3f9a1c.js')).toBeDefined();
    w.setBuild({ ...V2, 'index.html': 'v3' });
    const result = await deploySpa(options({ keepReleases: 2, releaseId: 'r3' }), w.ports());
    expect(result.prunedReleases).toEqual(['r1']);
    expect(w.bucket.text('assets/app.3f9a1c.js')).toBeUndefined();
    expect(w.bucket.text('assets/app.3f9a1c.js.br')).toBeUndefined();
    expect(w.bucket.text(`.spa-deploy/objects/${sha(V1['index.html'])}`)).toBeUndefined();
    // Still used by r2 and r3.
    expect(w.bucket.text('assets/style.a1b2c3d4.css')).toBe('body{}');
    expect(w.bucket.text('assets/app.9e8d7c.js')).toBe('console.log(2)');
    expect(result.deleted).toBe(3);
    const history = JSON.parse(w.bucket.text('.spa-deploy/releases.json')!);
    expect(history.releases.map((r: { id: string }) => r.id)).toEqual(['r2', 'r3']);
    expect(w.bucket.text('.spa-deploy/releases/r1.json.gz')).toBeUndefined();
    expect(w.bucket.text('.spa-deploy/releases/r3.json.gz')).toBeDefined();
    const log = w.bucket.log;
    expect(log.indexOf('delete assets/app.3f9a1c.js')).toBeGreaterThan(
      log.indexOf('copy index.html'),
    );
  });

  it('applies cache rules by glob before the defaults', async () => {
    const w = fakeWorld({ 'index.html': 'x', 'img/logo.png': 'png' });
    await deploySpa(
      options({ rules: [{ glob: 'img/**', cacheControl: 'public, max-age=3600' }] }),
      w.ports(),
    );
    expect(w.bucket.objects.get('img/logo.png')).toMatchObject({
      cacheControl: 'public, max-age=3600',
      contentType: 'image/png',
    });
  });

  it('keeps everything under the prefix, and changes nothing on a dry run', async () => {
    const w = fakeWorld(V1);
    const dry = await deploySpa(options({ prefix: 'app/', dryRun: true }), w.ports());
    expect(dry).toMatchObject({ outcome: 'dry-run', uploaded: { count: 5 } });
    expect(w.bucket.objects.size).toBe(0);
    await deploySpa(options({ prefix: 'app/' }), w.ports());
    expect([...w.bucket.objects.keys()].every((k) => k.startsWith('app/'))).toBe(true);
    expect(w.cdn.invalidations[0]!.paths).toEqual(['/app/', '/app/index.html', '/app/robots.txt']);
  });

  it('invalidates /* only when asked', async () => {
    const w = fakeWorld(V1);
    await deploySpa(options({ invalidateEverything: true, waitForInvalidation: false }), w.ports());
    expect(w.cdn.invalidations[0]!.paths).toEqual(['/*']);
    expect(w.slept).toEqual([]);
  });

  it('refuses an empty build, a build with its state folder, and a missing bucket before writing', async () => {
    const empty = fakeWorld({});
    await expect(deploySpa(options(), empty.ports())).rejects.toThrow(/no files/);
    const clash = fakeWorld({ 'index.html': 'x', '.spa-deploy/releases.json': '{}' });
    await expect(deploySpa(options(), clash.ports())).rejects.toThrow(/rename it/);
    const missing = fakeWorld(V1);
    missing.cdn.exists = false;
    await expect(deploySpa(options(), missing.ports())).rejects.toThrow(/no distribution/);
    expect(missing.bucket.log).toEqual([]);
  });
});
