import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCacheRules, parseInputs } from '../../../../src/actions/spa-deploy/inputs.ts';

const root = mkdtempSync(join(tmpdir(), 'spa-inputs-'));
const workspace = join(root, 'ws');
mkdirSync(join(workspace, 'dist'), { recursive: true });
writeFileSync(join(workspace, 'file.txt'), 'x');
mkdirSync(join(root, 'elsewhere'));
symlinkSync(join(root, 'elsewhere'), join(workspace, 'linked'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const parse = (inputs: Record<string, string>) =>
  parseInputs(
    (name) =>
      ({ bucket: 'acme-site', 'distribution-id': 'E2QWRUHAPOMQZL', source: 'dist', ...inputs })[
        name
      ],
    workspace,
    { AWS_REGION: 'eu-west-1' },
  );

describe('spa-deploy inputs', () => {
  it('parses a deploy with its defaults', () => {
    expect(parse({})).toMatchObject({
      mode: 'deploy',
      region: 'eu-west-1',
      bucket: 'acme-site',
      source: join(workspace, 'dist'),
      prefix: '',
      rules: [],
      keepReleases: 3,
      waitForInvalidation: true,
      invalidateEverything: false,
      concurrency: 8,
      requestTimeoutMs: 60_000,
      dryRun: false,
      release: undefined,
      assume: undefined,
    });
  });

  it('normalises the prefix to a key prefix ending in /', () => {
    expect(parse({ prefix: '/app' }).prefix).toBe('app/');
    expect(parse({ prefix: 'a/b/' }).prefix).toBe('a/b/');
    expect(() => parse({ prefix: 'a//b' })).toThrow(/without '\.', '\.\.' or empty segments/);
  });

  it('reads cache rules as glob=Cache-Control lines, the first = splitting them', () => {
    expect(parseCacheRules('img/**=public, max-age=86400\n# comment\n\n*.json = no-store')).toEqual(
      [
        { glob: 'img/**', cacheControl: 'public, max-age=86400' },
        { glob: '*.json', cacheControl: 'no-store' },
      ],
    );
    expect(() => parseCacheRules('img/** public')).toThrow(
      "Input 'cache-rules' line 1 is 'img/** public': write glob=Cache-Control, for example img/**=public, max-age=86400.",
    );
  });

  it('refuses a source that is missing, a file, or outside the workspace (also through a link)', () => {
    expect(() => parse({ source: 'build' })).toThrow(/does not exist in the workspace/);
    expect(() => parse({ source: 'file.txt' })).toThrow(
      /which is a file: name the build directory/,
    );
    expect(() => parse({ source: '..' })).toThrow(/outside the workspace/);
    expect(() => parse({ source: 'linked' })).toThrow(/outside the workspace/);
    expect(() => parse({ source: '' })).toThrow(/required with mode deploy/);
  });

  it('needs no source to roll back, and takes the release to restore', () => {
    expect(parse({ mode: 'rollback', source: '', release: 'v1.2-3' })).toMatchObject({
      mode: 'rollback',
      source: undefined,
      release: 'v1.2-3',
    });
  });

  it('refuses names S3 and CloudFront would refuse', () => {
    expect(() => parse({ bucket: 's3://acme-site' })).toThrow(/not an S3 bucket name/);
    expect(() => parse({ bucket: 'acme..site' })).toThrow(/not an S3 bucket name/);
    expect(() => parse({ 'distribution-id': 'd1.cloudfront.net' })).toThrow(
      /not a CloudFront distribution ID/,
    );
    expect(() => parse({ 'keep-releases': '1' })).toThrow(/from 2 to 100/);
    expect(() => parse({ audience: 'other' })).toThrow(/only applies with role-to-assume/);
  });
});
