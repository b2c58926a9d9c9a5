// Which coverage format a report is, from its first bytes (sniff). Test reports (JUnit) are
// told apart so a report given in the wrong place gets a clear message.
import { ReportError, sniff } from '../report-file.ts';
import type { CoverageFormat } from './model.ts';

export async function detectCoverageFormat(file: string): Promise<CoverageFormat> {
  const head = await sniff(file);
  const text = head.trimStart();
  if (text.startsWith('<')) {
    const root = /<(?!\?|!)([A-Za-z_][\w.-]*)/.exec(text.replace(/<!--[\s\S]*?-->/g, ''))?.[1];
    if (root === 'coverage') return 'cobertura';
    if (root === 'report' || /<!DOCTYPE\s+report\b/.test(text)) return 'jacoco';
    if (root === 'testsuites' || root === 'testsuite') {
      throw new ReportError(file, 'this is a JUnit test report, not a coverage report');
    }
    throw new ReportError(
      file,
      `an XML report with root <${root ?? '?'}>: not Cobertura (<coverage>) nor JaCoCo (<report>)`,
    );
  }
  if (text.startsWith('{')) {
    if (/"statementMap"\s*:/.test(text)) return 'istanbul-final';
    if (/"lines"\s*:\s*\{\s*"total"/.test(text)) return 'istanbul-summary';
    throw new ReportError(
      file,
      'a JSON report that is neither coverage-final.json (statementMap) nor coverage-summary.json (lines.total): state its format',
    );
  }
  if (/^mode: (set|count|atomic)\s*$/m.test(text.split('\n', 1)[0]!)) return 'go';
  if (/^(TN|SF|VER):/m.test(text)) return 'lcov';
  throw new ReportError(
    file,
    'cannot tell the coverage format (lcov, Cobertura, JaCoCo, Istanbul JSON, Go coverprofile): state it',
  );
}
