// The test-results model: outcomes counted apart, and the failed tests kept (bounded) with what
// an annotation needs.

/** How a test ended. Flaky: failed, then passed on a rerun. */
export type TestOutcome = 'passed' | 'failed' | 'errored' | 'skipped' | 'flaky';

export interface TestCounts {
  /** Test cases seen (`<testcase>` elements, reruns of one test counted once). */
  readonly total: number;
  readonly passed: number;
  /** An assertion failed (`<failure>`). */
  readonly failed: number;
  /** The test could not run or threw outside an assertion (`<error>`). */
  readonly errored: number;
  readonly skipped: number;
  readonly flaky: number;
}

export interface FailedTest {
  readonly outcome: 'failed' | 'errored' | 'flaky';
  readonly name: string;
  readonly classname: string | undefined;
  /** The suite the case was in. */
  readonly suite: string | undefined;
  /** Source file and line, when the report gives them (jest-junit `file`, pytest xunit1). */
  readonly file: string | undefined;
  readonly line: number | undefined;
  /** The first line of the failure's message, at most MESSAGE_CHARACTERS long. */
  readonly message: string | undefined;
  /** The report it came from. */
  readonly report: string;
}

export interface TestResults {
  readonly reports: readonly string[];
  readonly counts: TestCounts;
  /** Failed and errored tests, the first MAX_KEPT_TESTS of them. */
  readonly failures: readonly FailedTest[];
  /** Flaky tests, the first MAX_KEPT_TESTS of them. */
  readonly flaky: readonly FailedTest[];
  /** Failed, errored or flaky tests beyond those kept (counted, not listed). */
  readonly notKept: number;
}

/** How many failed (and how many flaky) tests are kept with their details. */
export const MAX_KEPT_TESTS = 1000;
/** How long a kept failure message may be. */
export const MESSAGE_CHARACTERS = 200;
