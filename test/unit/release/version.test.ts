import { describe, expect, it } from '@jest/globals';
import {
  compareVersions,
  latestRelease,
  parseVersion,
  planTags,
} from '../../../src/release/version.ts';

describe('parseVersion', () => {
  it('reads MAJOR.MINOR.PATCH with or without the v, and pre-releases', () => {
    expect(parseVersion('1.4.0')).toMatchObject({ major: 1, minor: 4, patch: 0, text: '1.4.0' });
    expect(parseVersion('v2.0.10').text).toBe('2.0.10');
    expect(parseVersion('1.0.0-rc.1').prerelease).toEqual(['rc', '1']);
  });

  it.each([
    '1.4',
    '1.4.0.1',
    '01.4.0',
    '1.04.0',
    'latest',
    '',
    'v',
    '1.0.0-',
    '1.0.0-01',
    ' 1.0.0',
  ])('refuses %p in one line that shows the form', (input) => {
    expect(() => parseVersion(input)).toThrow(
      /is not semantic versioning: give MAJOR\.MINOR\.PATCH/,
    );
  });

  it('refuses build metadata, which tags cannot order', () => {
    expect(() => parseVersion('1.0.0+build.5')).toThrow(/has build metadata/);
  });
});

describe('compareVersions follows SemVer precedence', () => {
  const ordered = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.2.0',
    '1.10.0',
    '2.0.0',
  ];
  it('orders the specification example', () => {
    for (let i = 1; i < ordered.length; i += 1) {
      const lower = parseVersion(ordered[i - 1] ?? '');
      const higher = parseVersion(ordered[i] ?? '');
      expect([compareVersions(lower, higher), compareVersions(higher, lower)]).toEqual([-1, 1]);
    }
    expect(compareVersions(parseVersion('1.0.0'), parseVersion('v1.0.0'))).toBe(0);
  });

  it('finds the latest release among tags, ignoring vX and other tags', () => {
    expect(latestRelease(['v1', 'v1.9.0', 'v1.10.0', 'v2.0.0-rc.1', 'nightly', 'v3'])?.text).toBe(
      '2.0.0-rc.1',
    );
    expect(latestRelease(['v1', 'nightly'])).toBeUndefined();
  });
});

describe('planTags', () => {
  it('tags vX.Y.Z and moves vX; a pre-release moves nothing', () => {
    expect(planTags(parseVersion('1.3.0'), ['v1.2.0', 'v1'])).toEqual({
      exact: 'v1.3.0',
      major: 'v1',
    });
    expect(planTags(parseVersion('2.0.0-rc.1'), ['v1.2.0'])).toEqual({
      exact: 'v2.0.0-rc.1',
      major: undefined,
    });
    expect(planTags(parseVersion('0.1.0'), [])).toEqual({ exact: 'v0.1.0', major: 'v0' });
  });

  it('refuses a version that is not greater than the latest release', () => {
    expect(() => planTags(parseVersion('1.2.0'), ['v1.10.0'])).toThrow(
      'Version 1.2.0 is not greater than the latest release v1.10.0: give a higher version.',
    );
    expect(() => planTags(parseVersion('1.0.0-rc.1'), ['v1.0.0'])).toThrow(/not greater/);
  });

  it('refuses an existing tag: a release tag never moves', () => {
    expect(() => planTags(parseVersion('1.2.0'), ['v1.2.0'])).toThrow(
      'Tag v1.2.0 already exists and a release tag is never moved: release the next version instead.',
    );
  });
});
