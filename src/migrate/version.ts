// Flyway's versions: digits separated by '.' or '_', compared numerically part by part, with
// missing parts read as zero (so 1.10 comes after 1.9, and 1 and 1.0 are the same version).

export type Version = readonly bigint[];

export const VERSION_TEXT = /^\d+(?:[._]\d+)*$/;

export function parseVersion(text: string): Version {
  return text.split(/[._]/).map((part) => BigInt(part));
}

export function formatVersion(version: Version): string {
  return version.map(String).join('.');
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
