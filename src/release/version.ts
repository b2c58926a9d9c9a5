// Release versions: SemVer 2.0.0 (https://semver.org) without build metadata, tagged `v<version>`.
// A version must be greater than every release tag the repository has, by SemVer precedence.
import { UserError, shown } from '../lib/errors.ts';

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated pre-release identifiers (`rc.1` → ['rc', '1']); empty for a release. */
  prerelease: readonly string[];
  /** `1.2.3` or `1.2.3-rc.1`, without the leading v. */
  text: string;
}

const NUMBER = '0|[1-9]\\d*';
const IDENTIFIER = `(?:${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = new RegExp(
  `^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?$`,
);

/** The version a person typed (`1.2.3` or `v1.2.3`), or a refusal that shows the form. */
export function parseVersion(input: string): Version {
  const text = input.startsWith('v') ? input.slice(1) : input;
  if (text.includes('+')) {
    throw new UserError(
      `Version ${shown(input)} has build metadata (+…), which a tag cannot order by: give MAJOR.MINOR.PATCH, such as 1.4.0.`,
    );
  }
  const version = tryParseVersion(text);
  if (version === undefined) {
    throw new UserError(
      `Version ${shown(input)} is not semantic versioning: give MAJOR.MINOR.PATCH such as 1.4.0 (or 1.4.0-rc.1 for a pre-release), without leading zeros.`,
    );
  }
  return version;
}

export function tryParseVersion(text: string): Version | undefined {
  const match = SEMVER.exec(text);
  if (match === null) return undefined;
  const numbers = [match[1], match[2], match[3]].map(Number);
  if (!numbers.every(Number.isSafeInteger)) return undefined;
  const [major = 0, minor = 0, patch = 0] = numbers;
  return { major, minor, patch, prerelease: match[4]?.split('.') ?? [], text };
}

/** Release tags among `tags`: `vX.Y.Z` and `vX.Y.Z-pre`, not the moving `vX`. */
export function releaseTags(tags: readonly string[]): Version[] {
  return tags
    .filter((tag) => tag.startsWith('v'))
    .map((tag) => tryParseVersion(tag.slice(1)))
    .filter((version): version is Version => version !== undefined);
}

/** SemVer precedence (§11): negative when a < b. */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return b.prerelease.length === 0 ? (a.prerelease.length === 0 ? 0 : -1) : 1;
  }
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i += 1) {
    const order = compareIdentifiers(a.prerelease[i] ?? '', b.prerelease[i] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

function compareIdentifiers(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return Math.sign(Number(a) - Number(b));
  if (numeric.test(a)) return -1;
  if (numeric.test(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The highest release among `tags`, or undefined when there is none. */
export function latestRelease(tags: readonly string[]): Version | undefined {
  return releaseTags(tags).reduce<Version | undefined>(
    (best, version) => (best === undefined || compareVersions(version, best) > 0 ? version : best),
    undefined,
  );
}

export interface ReleaseTags {
  /** `vX.Y.Z`, created once and never moved. */
  exact: string;
  /** `vX`, moved to every release of major X; undefined for a pre-release. */
  major: string | undefined;
}

/**
 * The tags a release of `version` writes, refusing a version that is not greater than the
 * highest release tag already there (a tag once published is never rewritten).
 */
export function planTags(version: Version, existingTags: readonly string[]): ReleaseTags {
  const exact = `v${version.text}`;
  if (existingTags.includes(exact)) {
    throw new UserError(
      `Tag ${exact} already exists and a release tag is never moved: release the next version instead.`,
    );
  }
  const latest = latestRelease(existingTags);
  if (latest !== undefined && compareVersions(version, latest) <= 0) {
    throw new UserError(
      `Version ${version.text} is not greater than the latest release v${latest.text}: give a higher version.`,
    );
  }
  return { exact, major: version.prerelease.length === 0 ? `v${version.major}` : undefined };
}
