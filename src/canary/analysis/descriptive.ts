export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** canary / baseline; 1 when both are 0, null when only the baseline is (no finite ratio). */
export function ratioOf(canary: number, baseline: number): number | null {
  if (baseline === 0) return canary === 0 ? 1 : null;
  return canary / baseline;
}
