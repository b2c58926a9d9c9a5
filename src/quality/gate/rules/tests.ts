// Test rules: failed and errored tests (max-failed-tests), skipped tests (allow-skipped). A failed
// test with an active waiver (by `classname.name` or its name) is not counted.
import type { FailedTest, TestResults } from '../../tests/model.ts';
import { type Offender, type RuleResult, rule } from '../result.ts';
import type { WaiverBook } from '../waivers.ts';

export function testName(test: FailedTest): string {
  return test.classname ? `${test.classname}.${test.name}` : test.name;
}

function offender(test: FailedTest): Offender {
  return {
    message: `${test.outcome} test ${testName(test)}${test.message ? `: ${test.message}` : ''}`,
    ...(test.file ? { file: test.file } : {}),
    ...(test.line !== undefined ? { line: test.line } : {}),
  };
}

export function maxFailedTests(
  results: TestResults,
  max: number | undefined,
  waivers: WaiverBook,
): RuleResult {
  const waived = results.failures.filter((t) =>
    waivers.waives([testName(t), t.name, `${t.suite ?? ''} ${t.name}`.trim()]),
  );
  const failing = results.failures.filter((t) => !waived.includes(t));
  const failed = results.counts.failed + results.counts.errored - waived.length;
  const figure = `${failed} failed of ${results.counts.total}${waived.length ? ` (${waived.length} waived)` : ''}`;
  if (max === undefined)
    return rule('max-failed-tests', 'skip', { figure, threshold: 'off', note: 'off' });
  if (results.counts.total === 0) {
    return rule('max-failed-tests', 'fail', {
      figure: 'no tests',
      threshold: `≤ ${max}`,
      note: 'the test reports hold no test case',
    });
  }
  const kept = results.failures.length;
  const unlisted = results.counts.failed + results.counts.errored - kept;
  return rule('max-failed-tests', failed > max ? 'fail' : 'pass', {
    figure,
    threshold: `≤ ${max}`,
    ...(results.counts.flaky > 0
      ? { note: `${results.counts.flaky} flaky (passed on a rerun)` }
      : {}),
    offenders: failed > max ? failing.map(offender) : [],
    ...(failed > max && unlisted > 0 ? { moreOffenders: unlisted } : {}),
  });
}

export function allowSkipped(results: TestResults, allow: boolean): RuleResult {
  const skipped = results.counts.skipped;
  return rule('allow-skipped', !allow && skipped > 0 ? 'fail' : 'pass', {
    figure: `${skipped} skipped`,
    threshold: allow ? 'allowed' : 'none',
  });
}
