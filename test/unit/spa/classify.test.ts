import { describe, expect, it } from '@jest/globals';
import { classify, looksHashed } from '../../../src/spa/classify.ts';
import { contentTypeOf } from '../../../src/spa/content-types.ts';
import { invalidationPaths } from '../../../src/spa/invalidation.ts';

describe('looksHashed', () => {
  it.each([
    'assets/app.3f9a1c.js',
    'static/js/main.3f9a1c2e.chunk.js',
    'assets/index-BxY3z_9a.js',
    'assets/index-B-3z_9aQ.css',
    'main-3f9a1c2e4b5d6a7f.js',
    'fonts/inter.8f1e2a3b.woff2',
    'assets/style-12.20917413.css',
    'assets/chunk.abcdefab.js',
  ])('%s is a content-hashed asset', (path) => expect(looksHashed(path)).toBe(true));

  it.each([
    'index.html',
    'robots.txt',
    'app.bundle.js',
    'vendor-runtime.js',
    'favicon.ico',
    'img/logo.png',
    'sw.js',
    'react-dom.js',
    'photo-20240101.jpg',
    'app.1234.js',
  ])('%s is not', (path) => expect(looksHashed(path)).toBe(false));
});

describe('classify', () => {
  it('gives precompressed siblings the type and caching of their base with Content-Encoding', () => {
    const files = classify(
      [
        { path: 'index.html', size: 1, sha256: 'a' },
        { path: 'index.html.gz', size: 1, sha256: 'b' },
        { path: 'data.gz', size: 1, sha256: 'c' },
      ],
      [],
    );
    expect(files[1]).toMatchObject({
      kind: 'entry-point',
      compresses: 'index.html',
      headers: {
        contentType: 'text/html; charset=utf-8',
        cacheControl: 'no-cache',
        contentEncoding: 'gzip',
      },
    });
    expect(files[2]).toMatchObject({ headers: { contentType: 'application/gzip' } });
  });

  it('knows the types a build holds', () => {
    expect(contentTypeOf('a/b.woff2')).toBe('font/woff2');
    expect(contentTypeOf('manifest.webmanifest')).toBe('application/manifest+json; charset=utf-8');
    expect(contentTypeOf('LICENSE')).toBe('application/octet-stream');
  });
});

describe('invalidationPaths', () => {
  it('names a folder with its index and encodes what CloudFront needs encoded', () => {
    expect(invalidationPaths(['docs/index.html', 'a b.txt', 'x*.js'])).toEqual([
      '/a%20b.txt',
      '/docs/',
      '/docs/index.html',
      '/x%2A.js',
    ]);
  });
});
