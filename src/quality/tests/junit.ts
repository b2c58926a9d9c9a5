// JUnit XML in its common dialects (quality-gates.md "Tests (JUnit XML)"): a `<testsuites>` root
// (jest-junit, pytest, gotestsum) or a bare `<testsuite>` (Surefire, pytest with one suite).
// Outcomes come from the `<testcase>` elements, never from the suites' tests/failures attributes
// (pytest's tests="15" with 10 cases; gotestsum's TestMain in a tests="0" suite). A case's child
// decides: `failure` → failed, `error` → errored, `skipped` → skipped (pytest's xfail included),
// none → passed. Surefire reruns: only `flakyFailure`/`flakyError` = passed on a rerun, flaky;
// `failure`/`error` with `rerunFailure`/`rerunError` = failed every time, failed. gotestsum's
// --rerun-fails (and TestNG retries) repeat a case by classname and name: a failure followed by
// a pass of the same case makes it flaky.
// pytest's xunit1 `line` is 0-based (the item's location; the fixture pytest-xunit1.xml has
// test_add at line 13 written as line="12"), so it gets 1 added; other dialects' are 1-based.
// gotestsum writes message="Failed" on every failure, so its text gives the first line instead.
import { readXml } from '../xml-report.ts';
import { ReportError } from '../report-file.ts';
import {
  MAX_KEPT_TESTS,
  MESSAGE_CHARACTERS,
  type FailedTest,
  type TestCounts,
  type TestOutcome,
} from './model.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface OpenCase {
  readonly name: string;
  readonly classname: string | undefined;
  readonly suite: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  outcome: 'passed' | 'failed' | 'errored' | 'skipped';
  flaky: boolean;
  message: string | undefined;
}

/** How many characters of a failure's text are read to find its first line. */
const TEXT_CAPTURE = MESSAGE_CHARACTERS * 4;

/** Lines of `go test` output that frame a failure without saying what failed. */
const GO_TEST_FRAMING = /^(=== (RUN|PAUSE|CONT|NAME)|--- (FAIL|PASS|SKIP):)/;

/** The first line of a failure's text that says something, at most MESSAGE_CHARACTERS long. */
export function firstLine(text: string): string | undefined {
  let line = '';
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const candidate = text.slice(start, end).trim();
    start = end + 1;
    if (candidate !== '' && !GO_TEST_FRAMING.test(candidate) && !candidate.startsWith('●')) {
      line = candidate;
      break;
    }
  }
  if (line === '') return undefined;
  const characters = [...line];
  return characters.length <= MESSAGE_CHARACTERS
    ? line
    : `${characters.slice(0, MESSAGE_CHARACTERS - 1).join('')}…`;
}

/** Accumulates outcomes over one or more JUnit reports. */
export class JUnitTally {
  readonly counts: Mutable<TestCounts> = {
    total: 0,
    passed: 0,
    failed: 0,
    errored: 0,
    skipped: 0,
    flaky: 0,
  };
  readonly failures: FailedTest[] = [];
  readonly flaky: FailedTest[] = [];
  notKept = 0;
  /** Failed cases by classname and name, to recognise a rerun that passed (bounded). */
  private readonly failedKeys = new Map<string, 'failed' | 'errored'>();

  async read(file: string): Promise<void> {
    let root: string | undefined;
    const suites: (string | undefined)[] = [];
    const suiteFiles: (string | undefined)[] = [];
    let current: OpenCase | undefined;
    let capturing: string | undefined; // text of a failure/error without a message attribute
    let pytest = false;

    await readXml(file, {
      open: (name, attributes, text) => {
        if (root === undefined) {
          if (name !== 'testsuites' && name !== 'testsuite') {
            throw new Error(`the root is <${name}>, not JUnit's <testsuites> or <testsuite>`);
          }
          root = name;
        }
        if (name === 'testsuites' && attributes.name === 'pytest tests') pytest = true;
        if (name === 'testsuite') {
          if (attributes.name === 'pytest') pytest = true;
          suites.push(attributes.name);
          suiteFiles.push(attributes.file ?? suiteFiles.at(-1));
          return;
        }
        if (name === 'testcase') {
          const line = Number(attributes.line);
          current = {
            name: attributes.name ?? '',
            classname: attributes.classname,
            suite: suites.at(-1),
            file: attributes.file ?? suiteFiles.at(-1),
            line:
              Number.isSafeInteger(line) && line >= 0 && (line > 0 || pytest)
                ? line + (pytest ? 1 : 0)
                : undefined,
            outcome: 'passed',
            flaky: false,
            message: undefined,
          };
          return;
        }
        if (!current) return;
        switch (name) {
          case 'failure':
          case 'error': {
            if (current.outcome === 'failed' || current.outcome === 'errored') return;
            current.outcome = name === 'failure' ? 'failed' : 'errored';
            const message = attributes.message;
            current.message = message === 'Failed' ? undefined : firstLine(message ?? '');
            if (current.message === undefined) {
              capturing = '';
              text.capture(true);
            }
            return;
          }
          case 'skipped':
            if (current.outcome === 'passed') current.outcome = 'skipped';
            return;
          case 'flakyFailure':
          case 'flakyError':
            current.flaky = true;
            if (current.message === undefined)
              current.message = firstLine(attributes.message ?? '');
            return;
        }
      },
      close: (name, text) => {
        if (name === 'testsuite') {
          suites.pop();
          suiteFiles.pop();
        } else if ((name === 'failure' || name === 'error') && capturing !== undefined) {
          if (current) current.message = firstLine(capturing) ?? current.message;
          capturing = undefined;
          text.capture(false);
        } else if (name === 'testcase' && current) {
          this.settle(current, file);
          current = undefined;
        }
      },
      text: (text) => {
        if (capturing !== undefined && capturing.length < TEXT_CAPTURE) {
          capturing += text.slice(0, TEXT_CAPTURE - capturing.length);
        }
      },
    });
    if (root === undefined)
      throw new ReportError(file, 'no <testsuites> or <testsuite>: not a JUnit report');
  }

  private settle(test: OpenCase, report: string): void {
    const key = `${test.classname ?? ''}\u0000${test.name}`;
    const earlier = this.failedKeys.get(key);
    if (earlier && test.outcome === 'passed') {
      // A rerun that passed: the earlier failure becomes flaky (gotestsum --rerun-fails, TestNG).
      this.failedKeys.delete(key);
      this.counts[earlier] -= 1;
      const index = this.failures.findIndex(
        (failure) => failure.name === test.name && failure.classname === test.classname,
      );
      const failure = index === -1 ? undefined : this.failures.splice(index, 1)[0];
      if (!failure) this.notKept -= 1;
      this.count('flaky', failure ? { ...failure, outcome: 'flaky' } : undefined, test, report);
      return;
    }
    if (earlier) {
      // A rerun that failed again (or was skipped): still the one failed test.
      return;
    }
    this.counts.total += 1;
    const outcome: TestOutcome = test.outcome === 'passed' && test.flaky ? 'flaky' : test.outcome;
    if (outcome === 'failed' || outcome === 'errored') {
      if (this.failedKeys.size < MAX_KEPT_TESTS * 10) this.failedKeys.set(key, outcome);
    }
    this.count(outcome, undefined, test, report);
  }

  private count(
    outcome: TestOutcome,
    kept: FailedTest | undefined,
    test: OpenCase,
    report: string,
  ): void {
    this.counts[outcome] += 1;
    if (outcome === 'passed' || outcome === 'skipped') return;
    const list = outcome === 'flaky' ? this.flaky : this.failures;
    if (list.length >= MAX_KEPT_TESTS) {
      this.notKept += 1;
      return;
    }
    list.push(
      kept ?? {
        outcome,
        name: test.name,
        classname: test.classname,
        suite: test.suite,
        file: test.file,
        line: test.line,
        message: test.message,
        report,
      },
    );
  }
}
