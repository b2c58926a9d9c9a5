// The policy, waivers and baseline files: what they accept, and the one line each mistake gets.
import { describe, expect, it } from '@jest/globals';
import { parseBaseline } from '../../../../src/quality/gate/baseline.ts';
import { parsePolicy } from '../../../../src/quality/gate/policy.ts';
import { WaiverBook, parseWaivers } from '../../../../src/quality/gate/waivers.ts';

describe('policy file', () => {
  it('reads thresholds, path targets and report requirements', () => {
    const policy = parsePolicy(
      'policy.yml',
      [
        'version: 1',
        'rules:',
        '  min-coverage: 85',
        '  min-patch-coverage: 90%',
        '  max-failed-tests: off',
        '  allow-skipped: false',
        '  fail-on: HIGH',
        '  max-p95-latency: 1500ms',
        '  max-error-rate: 1%',
        '  max-coverage-drop: 0.5',
        '  max-p95-regression: 10%',
        'coverage-targets:',
        '  - path: src/payments/**',
        '    min: 95',
        'reports:',
        '  coverage: required',
        '  performance: optional',
      ].join('\n'),
    );
    expect(policy).toEqual({
      thresholds: {
        minCoverage: 85,
        minPatchCoverage: 90,
        maxFailedTests: undefined,
        allowSkipped: false,
        failOn: 'high',
        maxP95Ms: 1500,
        maxErrorRate: 0.01,
        maxCoverageDrop: 0.5,
        maxP95Regression: 10,
      },
      coverageTargets: [{ path: 'src/payments/**', min: 95 }],
      reports: { coverage: 'required', performance: 'optional' },
    });
    expect(parsePolicy('empty.yml', '')).toEqual({
      thresholds: {},
      coverageTargets: [],
      reports: {},
    });
  });

  it.each([
    [
      'rules:\n  min-coverag: 80',
      "policy.yml: unknown key 'rules.min-coverag': use rules.min-coverage, rules.min-patch-coverage",
    ],
    [
      'rules:\n  min-coverage: 180',
      "policy.yml: 'rules.min-coverage' is '180': use a percentage from 0 to 100",
    ],
    [
      'rules:\n  max-p95-latency: 2h',
      "policy.yml: 'rules.max-p95-latency' is '2h': use a latency with its unit",
    ],
    [
      'rules:\n  fail-on: severe',
      "policy.yml: 'rules.fail-on' is 'severe': use one of critical, high, medium, low, negligible, unknown, or none.",
    ],
    ['coverage-targets:\n  - min: 90', "policy.yml: 'coverage-targets[0].path' is missing"],
    ['coverage-targets:\n  - path: a/**', "policy.yml: 'coverage-targets[0].min' is missing"],
    [
      'reports:\n  tests: maybe',
      "policy.yml: 'reports.tests' is 'maybe': use required or optional.",
    ],
    ['rules: [1]', "policy.yml: 'rules' must be a mapping of keys to values, not a list."],
    [
      'rules:\n  min-coverage: 80\n  min-coverage: 90',
      'policy.yml:3:3 is not valid YAML: Map keys must be unique',
    ],
    ['version: 2', "policy.yml: 'version' is '2': use 1."],
    [
      'thresholds: {}',
      "policy.yml: unknown key 'thresholds': use version, rules, coverage-targets, reports.",
    ],
  ])('%j is refused in one line', (text, message) => {
    let thrown: unknown;
    try {
      parsePolicy('policy.yml', text);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).name).toBe('UserError');
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain('\n');
  });
});

describe('waivers file', () => {
  const text = [
    'waivers:',
    '  - id: CVE-2024-3094',
    '    reason: not in the image',
    '    owner: "@acme/platform"',
    '    expires: 2026-12-31',
  ].join('\n');

  it('reads waivers, as a list or under waivers:', () => {
    const expected = [
      {
        id: 'CVE-2024-3094',
        reason: 'not in the image',
        owner: '@acme/platform',
        expires: '2026-12-31',
        source: 'w.yml waivers[0]',
      },
    ];
    expect(parseWaivers('w.yml', text)).toEqual(expected);
    expect(parseWaivers('w.yml', text.replace('waivers:\n', '').replace(/^ {2}/gm, ''))).toEqual(
      expected,
    );
  });

  it('holds through its expiry day (UTC) and not a moment longer', () => {
    const waivers = parseWaivers('w.yml', text);
    expect(
      new WaiverBook(waivers, Date.parse('2026-12-31T23:59:59.999Z')).waives(['CVE-2024-3094']),
    ).toBeDefined();
    const after = new WaiverBook(waivers, Date.parse('2027-01-01T00:00:00Z'));
    expect(after.waives(['CVE-2024-3094'])).toBeUndefined();
    expect(after.judge().result).toMatchObject({ verdict: 'fail', figure: '0 used, 1 expired' });
  });

  it.each([
    [
      text.replace('    owner: "@acme/platform"\n', ''),
      "w.yml: 'waivers[0].owner' is missing: every waiver names id, reason, owner, expires.",
    ],
    [
      text.replace('2026-12-31', '2026-02-30'),
      "w.yml: 'waivers[0].expires' is '2026-02-30': use a date such as 2026-12-31.",
    ],
    [text.replace('2026-12-31', 'next year'), "'waivers[0].expires' is 'next year'"],
    [
      `${text}\n  - id: CVE-2024-3094\n    reason: r\n    owner: o\n    expires: 2027-01-01`,
      "w.yml: 'waivers[1].id' 'CVE-2024-3094' is waived twice: keep one.",
    ],
    [text.replace('reason:', 'why:'), "w.yml: unknown key 'waivers[0].why'"],
    ['waivers: yes', "w.yml: 'waivers' must be a list, not 'yes'."],
  ])('refuses a bad waiver in one line (%#)', (bad, message) => {
    expect(() => parseWaivers('w.yml', bad)).toThrow(message);
  });
});

describe("Trivy's .trivyignore.yaml as waivers", () => {
  const text = [
    'vulnerabilities:',
    '  - id: CVE-2023-2650',
    '  - id: CVE-2023-3446',
    '    purls: ["pkg:npm/lodash@4.17.20"]',
    '    expired_at: 2026-12-06',
    '    statement: fixed upstream soon',
    'secrets:',
    '  - id: aws-access-key-id',
    '    paths: [foo/bar/aws.secret]',
  ].join('\n');

  it('reads each entry as a waiver of its id, expired_at as its expiry', () => {
    expect(parseWaivers('.trivyignore.yaml', text)).toEqual([
      expect.objectContaining({ id: 'CVE-2023-2650', expires: '9999-12-31', trivy: true }),
      expect.objectContaining({
        id: 'CVE-2023-3446',
        expires: '2026-12-06',
        reason: 'fixed upstream soon',
        owner: 'not named (.trivyignore.yaml)',
      }),
      expect.objectContaining({ id: 'aws-access-key-id', source: '.trivyignore.yaml secrets[0]' }),
    ]);
  });

  it('fails on an expired entry, and does not warn about entries Trivy already applied', () => {
    const book = new WaiverBook(
      parseWaivers('.trivyignore.yaml', text),
      Date.parse('2026-12-07T00:00:00Z'),
    );
    const { result, warnings } = book.judge();
    expect(result).toMatchObject({ verdict: 'fail', figure: '0 used, 1 expired' });
    expect(result!.offenders[0]!.message).toContain(
      'waiver for CVE-2023-3446 expired on 2026-12-06 (owner not named (.trivyignore.yaml)',
    );
    expect(warnings).toEqual([]);
  });

  it('refuses a bad entry in one line', () => {
    expect(() =>
      parseWaivers('t.yaml', 'vulnerabilities:\n  - id: X\n    expired_at: soon'),
    ).toThrow("t.yaml: 'vulnerabilities[0].expired_at' is 'soon': use a date such as 2026-12-31.");
    expect(() => parseWaivers('t.yaml', 'secrets:\n  - paths: [a]')).toThrow(
      "t.yaml: 'secrets[0].id' is missing",
    );
  });
});

describe('baseline', () => {
  it('reads the facts of an earlier result', () => {
    const text = JSON.stringify({
      version: 1,
      rules: [],
      facts: {
        coverage: { covered: 8, total: 10, percent: 80 },
        findings: { counts: {}, fingerprints: ['a'] },
        performance: { p95Seconds: 1 },
      },
    });
    expect(parseBaseline('b.json', text, 1).facts).toEqual({
      coverage: { covered: 8, total: 10, percent: 80 },
      findings: { counts: {}, fingerprints: ['a'] },
      performance: { p95Seconds: 1 },
    });
  });

  it.each([
    ['{', 'b.json is not JSON ('],
    [
      '{"outcome":"succeeded"}',
      'b.json is not the result of a quality-gate run (no facts and rules)',
    ],
    [
      '{"version":2,"rules":[],"facts":{}}',
      'b.json is a version 2 result; this quality-gate reads version 1',
    ],
  ])('refuses %s', (text, message) => {
    expect(() => parseBaseline('b.json', text, 1)).toThrow(message);
  });
});
