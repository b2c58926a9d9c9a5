import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempReports } from '../temp-reports.ts';
import { readTestResults } from '../../../../src/quality/tests/read-test-results.ts';
import { MAX_KEPT_TESTS, MESSAGE_CHARACTERS } from '../../../../src/quality/tests/model.ts';
import { ReportError } from '../../../../src/quality/report-file.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/quality/tests/', import.meta.url));
const reports = tempReports('quality-junit-');
const report = reports.write;

describe('pytest (reports pytest 9 wrote)', () => {
  it.each(['pytest-xunit2.xml', 'pytest-xunit1.xml'])(
    '%s: failure, error (a fixture that failed), skip and xfail counted apart from the cases, not the attributes',
    async (name) => {
      const results = await readTestResults([fixtures + name]);
      expect(results.counts).toEqual({
        total: 8,
        passed: 2,
        failed: 3,
        errored: 1,
        skipped: 2,
        flaky: 0,
      });
      expect(results.failures.map((test) => [test.outcome, test.name, test.message])).toEqual([
        ['failed', 'test_total', 'AssertionError: the total is off by one'],
        [
          'errored',
          'test_needs_database',
          'failed on setup with "ConnectionError: database at localhost:5432 refused the connection"',
        ],
        ['failed', 'test_raises', "KeyError: 'price'"],
        ['failed', 'test_param[2-2-5]', 'assert 4 == 5'],
      ]);
      expect(results.failures[0]!.classname).toBe('tests.test_cart');
      expect(results.failures[0]!.report).toBe(fixtures + name);
    },
  );

  it('xunit1: file and a 1-based line (pytest writes the 0-based one)', async () => {
    const results = await readTestResults([`${fixtures}pytest-xunit1.xml`]);
    // test_total is defined on line 17 of tests/test_cart.py; pytest wrote line="16".
    expect(results.failures[0]).toMatchObject({ file: 'tests/test_cart.py', line: 17 });
  });

  it('xunit2 (the default since pytest 6): no file, no line', async () => {
    const results = await readTestResults([`${fixtures}pytest-xunit2.xml`]);
    expect(results.failures[0]).toMatchObject({ file: undefined, line: undefined });
  });
});

describe('jest-junit', () => {
  it('counts a suite that failed to run as errored and takes the first line of the text', async () => {
    const results = await readTestResults([`${fixtures}jest-junit.xml`]);
    expect(results.counts).toEqual({
      total: 5,
      passed: 2,
      failed: 1,
      errored: 1,
      skipped: 1,
      flaky: 0,
    });
    expect(results.failures).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        name: 'cart totals the prices',
        suite: 'cart',
        file: 'test/cart.test.ts',
        message: 'Error: expect(received).toBe(expected) // Object.is equality',
      }),
      expect.objectContaining({
        outcome: 'errored',
        classname: 'Test suite failed to run',
        message: "Cannot find module '../src/checkout' from 'test/broken.test.ts'",
      }),
    ]);
  });
});

describe('Surefire with rerunFailingTestsCount', () => {
  it('a test that passed on a rerun (flakyFailure/flakyError only) is flaky; one that failed every run is failed', async () => {
    const results = await readTestResults([`${fixtures}surefire-reruns.xml`]);
    expect(results.counts).toEqual({
      total: 5,
      passed: 1,
      failed: 1,
      errored: 0,
      skipped: 1,
      flaky: 2,
    });
    expect(results.failures.map((test) => test.name)).toEqual(['totalsThePrices']);
    expect(results.flaky.map((test) => [test.name, test.message])).toEqual([
      ['talksToPricingService', 'expected: <200> but was: <503>'],
      ['loadsTheCatalogue', 'Connection refused'],
    ]);
  });
});

describe('gotestsum', () => {
  it('counts TestMain in a tests="0" suite, subtests as cases, and a --rerun-fails pass as flaky', async () => {
    const results = await readTestResults([`${fixtures}gotestsum-reruns.xml`]);
    expect(results.counts).toEqual({
      total: 6,
      passed: 1,
      failed: 3,
      errored: 0,
      skipped: 1,
      flaky: 1,
    });
    expect(results.failures.map((test) => [test.name, test.message])).toEqual([
      ['TestMain', 'sometimes main can exit 2'],
      ['TestTotal/discount', 'cart_test.go:31: got 3, want 4'],
      ['TestTotal', undefined],
    ]);
    expect(results.flaky).toEqual([
      expect.objectContaining({
        outcome: 'flaky',
        name: 'TestPricing',
        message: 'cart_test.go:52: pricing service: connection refused',
      }),
    ]);
  });
});

describe('several reports', () => {
  it('add up', async () => {
    const results = await readTestResults([
      `${fixtures}pytest-xunit2.xml`,
      `${fixtures}surefire-reruns.xml`,
    ]);
    expect(results.counts.total).toBe(13);
    expect(results.counts.failed).toBe(4);
    expect(results.reports).toHaveLength(2);
  });
});

describe('bounds', () => {
  it('cuts a long message to its first line and MESSAGE_CHARACTERS', async () => {
    const long = 'x'.repeat(5000);
    const file = await report(
      'long.xml',
      `<testsuite><testcase name="a"><failure message="${long}&#10;second line"/></testcase></testsuite>`,
    );
    const [failure] = (await readTestResults([file])).failures;
    expect([...failure!.message!]).toHaveLength(MESSAGE_CHARACTERS);
    expect(failure!.message!.endsWith('…')).toBe(true);
  });

  it('keeps MAX_KEPT_TESTS failures and counts the rest', async () => {
    const cases = Array.from(
      { length: MAX_KEPT_TESTS + 5 },
      (_, i) => `<testcase name="t${i}"><error/></testcase>`,
    ).join('');
    const file = await report(
      'many.xml',
      `<testsuites><testsuite>${cases}</testsuite></testsuites>`,
    );
    const results = await readTestResults([file]);
    expect(results.counts.errored).toBe(MAX_KEPT_TESTS + 5);
    expect(results.failures).toHaveLength(MAX_KEPT_TESTS);
    expect(results.notKept).toBe(5);
  });
});

describe('bad reports', () => {
  async function failure(file: string): Promise<ReportError> {
    const error = await readTestResults([file]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReportError);
    return error as ReportError;
  }

  it('names a missing file', async () => {
    expect((await failure(join(reports.dir, 'none.xml'))).message).toMatch(
      /none\.xml: no such file$/,
    );
  });

  it('refuses an empty report', async () => {
    const file = await report('empty.xml', '\n');
    expect((await failure(file)).message).toBe(`${file}: the report is empty`);
  });

  it('refuses XML that is not JUnit', async () => {
    const file = await report('cov.xml', '<?xml version="1.0"?>\n<coverage/>');
    expect((await failure(file)).message).toMatch(
      /cov\.xml:2:\d+: the root is <coverage>, not JUnit's <testsuites> or <testsuite>$/,
    );
  });

  it('names the line and column where a truncated report stops', async () => {
    const whole = await readFile(`${fixtures}surefire-reruns.xml`, 'utf8');
    const file = await report(
      'cut.xml',
      whole.slice(0, whole.indexOf('<testcase name="appliesCoupons"')),
    );
    const error = await failure(file);
    expect(error.message).toMatch(/cut\.xml:\d+:\d+: unclosed tag: testsuite$/);
  });

  it('names the line of text that is not XML', async () => {
    const file = await report('text.xml', 'ok 1 - adds items\nnot ok 2\n');
    expect((await failure(file)).message).toBe(
      `${file}:1:1: not XML: the first character is not <`,
    );
  });
});
