// The gate's verdict over fakes: each rule passing and failing, baseline, waivers, reports that
// cannot be read, and never a pass on nothing.
import { describe, expect, it } from '@jest/globals';
import { evaluateGate, type RuleResult } from '../../../../src/quality/gate.ts';
import { DEFAULT_THRESHOLDS } from '../../../../src/quality/gate/thresholds.ts';
import type { Baseline } from '../../../../src/quality/gate/baseline.ts';
import type { Waiver } from '../../../../src/quality/gate/waivers.ts';
import { ReportError } from '../../../../src/quality/report-file.ts';
import {
  coverageOf,
  failedTest,
  findingsReport,
  options,
  performanceReport,
  ports,
  testResults,
} from './gate-fakes.ts';

const byRule = (rules: readonly RuleResult[], name: string) => rules.find((r) => r.rule === name);
const covered = (n: number, of: number) => {
  const lines: Record<number, number> = {};
  for (let i = 1; i <= of; i += 1) lines[i] = i <= n ? 1 : 0;
  return lines;
};
const waiver = (id: string, expires: string): Waiver => ({
  id,
  reason: 'accepted',
  owner: '@acme/core',
  expires,
  source: 'waivers.yml waivers[0]',
});
const baseline = (facts: Baseline['facts']): Baseline => ({ file: 'baseline.json', facts });

describe('coverage', () => {
  it('passes at 80% and fails below, listing the least covered files first', async () => {
    const pass = await evaluateGate(
      options(['coverage']),
      ports({ coverage: coverageOf({ 'a.ts': covered(8, 10) }) }),
    );
    expect(pass.verdict).toBe('pass');
    expect(byRule(pass.rules, 'min-coverage')).toMatchObject({
      verdict: 'pass',
      figure: '80% (8/10 lines)',
      threshold: '≥ 80%',
    });
    const fail = await evaluateGate(
      options(['coverage']),
      ports({ coverage: coverageOf({ 'a.ts': covered(9, 10), 'b.ts': covered(2, 10) }) }),
    );
    expect(fail).toMatchObject({ verdict: 'fail', failedRules: ['min-coverage'] });
    expect(byRule(fail.rules, 'min-coverage')!.offenders).toEqual([
      { file: 'b.ts', message: '20% of lines covered (2/10)' },
      { file: 'a.ts', message: '90% of lines covered (9/10)' },
    ]);
    expect(fail.facts.coverage).toEqual({ covered: 11, total: 20, percent: 55 });
  });

  it('fails on reports with no executable line', async () => {
    const result = await evaluateGate(options(['coverage']), ports({ coverage: coverageOf({}) }));
    expect(byRule(result.rules, 'min-coverage')).toMatchObject({
      verdict: 'fail',
      figure: 'no lines',
    });
  });

  it('judges each path target, and names a glob that matches no file', async () => {
    const result = await evaluateGate(
      options(['coverage'], {
        thresholds: { ...DEFAULT_THRESHOLDS, minCoverage: undefined },
        coverageTargets: [
          { path: 'src/pay/**', min: 95 },
          { path: 'src/core/**', min: 50 },
          { path: 'lib/**', min: 10 },
        ],
      }),
      ports({
        coverage: coverageOf({ 'src/pay/a.ts': covered(9, 10), 'src/core/b.ts': covered(5, 10) }),
      }),
    );
    expect(byRule(result.rules, 'min-coverage')!.verdict).toBe('skip');
    expect(byRule(result.rules, 'coverage:src/pay/**')).toMatchObject({
      verdict: 'fail',
      figure: '90% (9/10 lines, 1 files)',
    });
    expect(byRule(result.rules, 'coverage:src/core/**')!.verdict).toBe('pass');
    expect(byRule(result.rules, 'coverage:lib/**')).toMatchObject({
      verdict: 'fail',
      note: 'the glob lib/** matches no file in the coverage reports',
    });
    expect(result.failedRules).toEqual(['coverage:src/pay/**', 'coverage:lib/**']);
  });

  it('measures patch coverage on changed executable lines and places the uncovered ranges', async () => {
    const coverage = coverageOf({
      'src/a.ts': { 1: 1, 2: 0, 3: 0, 5: 1, 6: 0 },
      'src/summary.ts': { covered: 1, total: 2 },
    });
    const changed = {
      base: 'origin/main',
      mergeBase: 'abc',
      files: new Map([
        ['src/a.ts', [1, 2, 3, 4, 6]],
        ['src/summary.ts', [1]],
        ['README.md', [1, 2]],
      ]),
    };
    const world = ports({ coverage, changed });
    const result = await evaluateGate(
      options(['coverage'], {
        baseRef: 'main',
        thresholds: { ...DEFAULT_THRESHOLDS, minCoverage: undefined, minPatchCoverage: 50 },
      }),
      world,
    );
    expect(world.asked).toEqual(['main']);
    const patch = byRule(result.rules, 'min-patch-coverage')!;
    expect(patch).toMatchObject({ verdict: 'fail', figure: '25% (1/4 changed lines)' });
    expect(patch.note).toContain(
      '1 changed file(s) with no line data (totals-only report): src/summary.ts',
    );
    expect(patch.offenders).toEqual([
      { file: 'src/a.ts', line: 2, endLine: 3, message: 'changed lines 2-3 are not covered' },
      { file: 'src/a.ts', line: 6, endLine: 6, message: 'changed line 6 is not covered' },
    ]);
    expect(result.facts.patchCoverage).toEqual({ covered: 1, total: 4, percent: 25 });
  });

  it('skips patch coverage with nothing executable changed, and says why', async () => {
    const result = await evaluateGate(
      options(['coverage'], {
        baseRef: 'main',
        thresholds: { ...DEFAULT_THRESHOLDS, minPatchCoverage: 90 },
      }),
      ports({
        coverage: coverageOf({ 'a.ts': covered(9, 10) }),
        changed: { base: 'main', mergeBase: 'x', files: new Map([['docs/x.md', [1]]]) },
      }),
    );
    expect(byRule(result.rules, 'min-patch-coverage')).toMatchObject({
      verdict: 'skip',
      figure: 'no changed executable lines',
    });
    expect(result.verdict).toBe('pass');
  });

  it('judges the drop against a baseline, and says "no baseline" without one', async () => {
    const coverage = coverageOf({ 'a.ts': covered(85, 100) });
    const none = await evaluateGate(options(['coverage']), ports({ coverage }));
    expect(byRule(none.rules, 'coverage-drop')).toMatchObject({
      verdict: 'skip',
      baseline: 'no baseline',
      note: 'no baseline',
    });
    const dropped = await evaluateGate(
      options(['coverage'], {
        baseline: baseline({ coverage: { covered: 90, total: 100, percent: 90 } }),
      }),
      ports({ coverage: coverageOf({ 'a.ts': covered(85, 100) }) }),
    );
    expect(byRule(dropped.rules, 'coverage-drop')).toMatchObject({
      verdict: 'fail',
      figure: '85% (-5 pp)',
      baseline: '90%',
    });
    const risen = await evaluateGate(
      options(['coverage'], {
        baseline: baseline({ coverage: { covered: 80, total: 100, percent: 80 } }),
      }),
      ports({ coverage: coverageOf({ 'a.ts': covered(85, 100) }) }),
    );
    expect(byRule(risen.rules, 'coverage-drop')).toMatchObject({
      verdict: 'pass',
      figure: '85% (+5 pp)',
    });
  });
});

describe('tests', () => {
  it('fails on a failed test, listing it where it failed', async () => {
    const result = await evaluateGate(
      options(['tests']),
      ports({ tests: testResults({ passed: 9, failed: 1 }, [failedTest('adds')]) }),
    );
    const rule = byRule(result.rules, 'max-failed-tests')!;
    expect(rule).toMatchObject({ verdict: 'fail', figure: '1 failed of 10', threshold: '≤ 0' });
    expect(rule.offenders).toEqual([
      { message: 'failed test suite.adds: expected 1 to be 2', file: 'test/a.test.ts', line: 4 },
    ]);
  });

  it('counts the failures it could not list', async () => {
    const result = await evaluateGate(
      options(['tests']),
      ports({ tests: testResults({ total: 2000, failed: 1500 }, [failedTest('one')]) }),
    );
    expect(byRule(result.rules, 'max-failed-tests')!.moreOffenders).toBe(1499);
  });

  it('fails on skipped tests only when they are not allowed, and on no tests at all', async () => {
    const tests = testResults({ passed: 8, skipped: 2 });
    const allowed = await evaluateGate(options(['tests']), ports({ tests }));
    expect(allowed.verdict).toBe('pass');
    const refused = await evaluateGate(
      options(['tests'], { thresholds: { ...DEFAULT_THRESHOLDS, allowSkipped: false } }),
      ports({ tests }),
    );
    expect(refused.failedRules).toEqual(['allow-skipped']);
    const empty = await evaluateGate(
      options(['tests']),
      ports({ tests: testResults({ total: 0, passed: 0 }) }),
    );
    expect(byRule(empty.rules, 'max-failed-tests')).toMatchObject({
      verdict: 'fail',
      figure: 'no tests',
    });
  });
});

describe('waivers', () => {
  const tests = testResults({ passed: 9, failed: 1 }, [failedTest('adds')]);

  it('a valid waiver keeps a failed test from failing the gate; one that matches nothing warns', async () => {
    const result = await evaluateGate(
      options(['tests'], {
        waivers: [waiver('suite.adds', '2026-12-07'), waiver('CVE-1', '2027-01-01')],
      }),
      ports({ tests, now: Date.parse('2026-12-07T23:59:59Z') }),
    );
    expect(result.verdict).toBe('pass');
    expect(byRule(result.rules, 'max-failed-tests')!.figure).toBe('0 failed of 10 (1 waived)');
    expect(result.warnings).toEqual([
      'waiver for CVE-1 (owner @acme/core, waivers.yml waivers[0]) matched nothing: remove it',
    ]);
  });

  it('an expired waiver waives nothing and fails the gate naming its owner', async () => {
    const result = await evaluateGate(
      options(['tests'], { waivers: [waiver('suite.adds', '2026-12-06')] }),
      ports({ tests, now: Date.parse('2026-12-07T00:00:00Z') }),
    );
    expect(result.failedRules).toEqual(['max-failed-tests', 'waivers']);
    expect(byRule(result.rules, 'waivers')!.offenders[0]!.message).toBe(
      'waiver for suite.adds expired on 2026-12-06 (owner @acme/core, waivers.yml waivers[0]): it no longer waives 1 item(s); renew it or fix what it waived',
    );
  });

  it('waives a finding by its id', async () => {
    const findings = [findingsReport([{ id: 'CVE-2024-1', severity: 'critical' }])];
    const result = await evaluateGate(
      options(['findings'], { waivers: [waiver('CVE-2024-1', '2027-01-01')] }),
      ports({ findings }),
    );
    expect(result.verdict).toBe('pass');
    expect(byRule(result.rules, 'fail-on')!.figure).toBe('none (1 waived)');
  });
});

describe('findings', () => {
  const findings = [
    findingsReport([
      { id: 'CVE-A', severity: 'critical', file: 'package-lock.json' },
      { id: 'CVE-B', severity: 'high' },
      { id: 'CVE-C', severity: 'low' },
    ]),
  ];

  it('fails on critical by default, at or above the severity set otherwise, never with none', async () => {
    const critical = await evaluateGate(options(['findings']), ports({ findings }));
    expect(byRule(critical.rules, 'fail-on')).toMatchObject({
      verdict: 'fail',
      figure: '1 critical, 1 high, 1 low',
      threshold: 'no critical',
    });
    expect(byRule(critical.rules, 'fail-on')!.offenders).toEqual([
      { message: 'critical CVE-A (Trivy): CVE-A in a package', file: 'package-lock.json' },
    ]);
    const high = await evaluateGate(
      options(['findings'], { thresholds: { ...DEFAULT_THRESHOLDS, failOn: 'high' } }),
      ports({ findings }),
    );
    expect(byRule(high.rules, 'fail-on')!.offenders).toHaveLength(2);
    const none = await evaluateGate(
      options(['findings'], { thresholds: { ...DEFAULT_THRESHOLDS, failOn: 'none' } }),
      ports({ findings }),
    );
    expect(none.verdict).toBe('pass');
  });

  it('fails on findings new since the baseline, by fingerprint', async () => {
    const result = await evaluateGate(
      options(['findings'], {
        thresholds: { ...DEFAULT_THRESHOLDS, failOn: 'high' },
        baseline: baseline({ findings: { counts: {}, fingerprints: ['fp-CVE-A'] } }),
      }),
      ports({ findings }),
    );
    const fresh = byRule(result.rules, 'new-findings')!;
    expect(fresh).toMatchObject({
      verdict: 'fail',
      figure: '2 new',
      baseline: '1 known',
      note: '1 new below the fail-on severity',
    });
    expect(fresh.offenders.map((o) => o.message)).toEqual([
      'high CVE-B (Trivy): CVE-B in a package',
    ]);
    expect(result.facts.findings!.fingerprints).toEqual(['fp-CVE-A', 'fp-CVE-B', 'fp-CVE-C']);
  });
});

describe('performance', () => {
  it('passes under 2s p95 and fails over it, or when the figure is missing', async () => {
    const pass = await evaluateGate(
      options(['performance']),
      ports({ performance: [performanceReport(1.2, 0)] }),
    );
    expect(byRule(pass.rules, 'max-p95-latency')).toMatchObject({
      verdict: 'pass',
      figure: '1200ms',
      threshold: '≤ 2000ms',
    });
    const slow = await evaluateGate(
      options(['performance']),
      ports({ performance: [performanceReport(2.5, 0)] }),
    );
    expect(slow.failedRules).toEqual(['max-p95-latency']);
    const missing = await evaluateGate(
      options(['performance']),
      ports({ performance: [performanceReport(undefined, 0)] }),
    );
    expect(byRule(missing.rules, 'max-p95-latency')).toMatchObject({
      verdict: 'fail',
      figure: 'missing',
    });
    expect(byRule(missing.rules, 'max-p95-latency')!.offenders[0]!.message).toBe(
      'no p95 latency (no http_req_duration)',
    );
  });

  it('judges the error rate when set, and the p95 growth against a baseline', async () => {
    const result = await evaluateGate(
      options(['performance'], {
        thresholds: { ...DEFAULT_THRESHOLDS, maxErrorRate: 0.01 },
        baseline: baseline({ performance: { p95Seconds: 1 } }),
      }),
      ports({ performance: [performanceReport(1.2, 0.05)] }),
    );
    expect(byRule(result.rules, 'max-error-rate')).toMatchObject({
      verdict: 'fail',
      figure: '5%',
      threshold: '≤ 1%',
    });
    expect(byRule(result.rules, 'p95-regression')).toMatchObject({
      verdict: 'fail',
      figure: '1200ms (+20%)',
      baseline: '1000ms',
    });
    expect(result.facts.performance).toEqual({ p95Seconds: 1.2, errorRate: 0.05 });
  });
});

describe('reports', () => {
  it('fails on a report that cannot be read, naming the file and the reason', async () => {
    const result = await evaluateGate(
      options(['coverage', 'tests']),
      ports({ coverage: new ReportError('/w/lcov.info', 'no such file'), tests: testResults({}) }),
    );
    expect(result.failedRules).toEqual(['reports']);
    expect(byRule(result.rules, 'reports')!.offenders).toEqual([
      { message: 'coverage: /w/lcov.info: no such file' },
    ]);
    expect(byRule(result.rules, 'min-coverage')).toBeUndefined();
  });

  it('only warns about an optional kind', async () => {
    const result = await evaluateGate(
      options(['coverage', 'tests'], { requirements: { coverage: 'optional' } }),
      ports({ coverage: new ReportError('/w/lcov.info', 'empty file'), tests: testResults({}) }),
    );
    expect(result.verdict).toBe('pass');
    expect(result.warnings).toEqual([
      'coverage: /w/lcov.info: empty file (optional coverage report)',
    ]);
  });

  it('fails when a kind the policy requires was not given', async () => {
    const result = await evaluateGate(
      options(['tests'], { requirements: { coverage: 'required' } }),
      ports({ tests: testResults({}) }),
    );
    expect(byRule(result.rules, 'reports')!.offenders).toEqual([
      { message: 'the policy requires coverage reports and none were given' },
    ]);
  });

  it('never passes on nothing', async () => {
    const nothing = await evaluateGate(options([]), ports({}));
    expect(nothing.verdict).toBe('fail');
    expect(byRule(nothing.rules, 'reports')!.offenders[0]!.message).toBe(
      'no reports were given: name coverage, tests, findings or performance reports',
    );
    const onlyOptional = await evaluateGate(
      options(['coverage'], { requirements: { coverage: 'optional' } }),
      ports({ coverage: new ReportError('/w/x', 'empty file') }),
    );
    expect(onlyOptional.verdict).toBe('fail');
  });

  it('names a glob that matches no file', async () => {
    const result = await evaluateGate(
      { ...options([]), reports: { coverage: ['coverage/**/lcov-*.info'] } },
      ports({}),
    );
    expect(byRule(result.rules, 'reports')!.offenders).toEqual([
      { message: 'coverage: the glob coverage/**/lcov-*.info matches no file' },
    ]);
  });
});
