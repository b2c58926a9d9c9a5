// The test-results entry point: reads JUnit XML reports and counts outcomes across them.
import { JUnitTally } from './junit.ts';
import type { TestResults } from './model.ts';

/** Reads JUnit reports. A missing, empty or malformed report is a ReportError. */
export async function readTestResults(files: readonly string[]): Promise<TestResults> {
  const tally = new JUnitTally();
  for (const file of files) await tally.read(file);
  return {
    reports: [...files],
    counts: { ...tally.counts },
    failures: tally.failures,
    flaky: tally.flaky,
    notKept: tally.notKept,
  };
}
