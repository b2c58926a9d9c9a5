// dist/quality-gate/index.js run as the runner runs it, on reports written by the test: a passing
// gate, each rule failing, patch coverage in a real git repository, a baseline regression, waivers
// valid and expired, missing and malformed reports, mode report, and bad inputs in one line.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import type { ActionRun } from '../harness/index.ts';
import { useActionSteps } from './action-steps.ts';
import { errors, expectFailure, expectSuccess, result } from './step-assertions.ts';
import { workspace } from './workspace.ts';

const TOKEN = 'ghp_qualitygatee2etoken0000000000000000';
const WRITER = 'ghs_qualitygatewriter00000000000000000000';
const READER = 'ghs_qualitygatereader00000000000000000000';

const steps = useActionSteps('actions/quality-gate/action.yml', {
  defaults: () => ({ timeoutMs: 60_000 }),
  secrets: (runs) => {
    expect(runs.length).toBeGreaterThan(10);
    return [TOKEN, WRITER, READER];
  },
});

const run = (
  cwd: string,
  inputs: Record<string, string>,
  more: Parameters<typeof steps.run>[0] = {},
) => steps.run({ cwd, inputs, ...more });

/** lcov for one file: `hits` by line. */
function lcov(file: string, hits: Record<number, number>): string {
  const lines = Object.entries(hits).map(([line, count]) => `DA:${line},${count}`);
  const found = lines.length;
  const hit = Object.values(hits).filter((h) => h > 0).length;
  return ['TN:', `SF:${file}`, ...lines, `LF:${found}`, `LH:${hit}`, 'end_of_record', ''].join(
    '\n',
  );
}

const covered = (n: number, of: number) =>
  Object.fromEntries(Array.from({ length: of }, (_, i) => [i + 1, i < n ? 3 : 0]));

function junit(cases: { name: string; failure?: string; skipped?: boolean }[]): string {
  const body = cases
    .map((c) =>
      c.failure
        ? `<testcase classname="cart" name="${c.name}" file="test/cart.test.ts"><failure message="${c.failure}">stack</failure></testcase>`
        : c.skipped
          ? `<testcase classname="cart" name="${c.name}"><skipped/></testcase>`
          : `<testcase classname="cart" name="${c.name}"/>`,
    )
    .join('');
  return `<?xml version="1.0"?><testsuites><testsuite name="cart" tests="${cases.length}">${body}</testsuite></testsuites>`;
}

const FIXTURES = fileURLToPath(new URL('../fixtures/quality/', import.meta.url));
/** Reports the real tools wrote (test/fixtures/quality/*), by workspace name. */
const fixture = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');

const rules = (r: ActionRun) =>
  Object.fromEntries(
    (result(r).rules as { rule: string; verdict: string }[]).map((x) => [x.rule, x.verdict]),
  );

const PASSING = {
  'coverage/lcov.info': lcov('src/cart.ts', covered(9, 10)),
  'reports/junit.xml': junit([{ name: 'adds' }, { name: 'removes' }]),
};

describe('quality-gate bundle', () => {
  it('passes on good reports: outputs, the rules table, the result file', async () => {
    const cwd = workspace(PASSING);
    const r = await run(cwd, {
      coverage: 'coverage/*.info',
      tests: 'reports/**/*.xml',
      'result-file': 'gate.json',
    });
    expectSuccess(r);
    expect(r.outputs).toMatchObject({ verdict: 'pass', 'failed-rules': '' });
    expect(result(r)).toMatchObject({
      version: 1,
      outcome: 'passed',
      verdict: 'pass',
      facts: { coverage: { covered: 9, total: 10, percent: 90 }, tests: { total: 2, passed: 2 } },
    });
    expect(rules(r)).toEqual({
      reports: 'pass',
      'min-coverage': 'pass',
      'coverage-drop': 'skip',
      'max-failed-tests': 'pass',
      'allow-skipped': 'pass',
    });
    expect(r.summary).toContain('**Quality gate passed**: 4 rules judged, none failed.');
    expect(r.summary).toContain('| `min-coverage` | 90% (9/10 lines) | ≥ 80% |  | pass |');
    expect(r.summary).toContain(
      '| `coverage-drop` | 90% | ≤ 0 pp drop | no baseline | skipped: no baseline |',
    );
    expect(JSON.parse(readFileSync(join(cwd, 'gate.json'), 'utf8'))).toEqual(result(r));
  });

  it('fails min-coverage, naming the least covered file in an annotation', async () => {
    const cwd = workspace({ 'lcov.info': lcov('src/cart.ts', covered(7, 10)) });
    const r = await run(cwd, { coverage: 'lcov.info' });
    expect(r.exitCode).toBe(1);
    expect(errors(r)).toEqual([
      expect.objectContaining({
        message: '70% of lines covered (7/10)',
        properties: { title: 'quality-gate min-coverage', file: 'src/cart.ts' },
      }),
      expect.objectContaining({ message: 'Quality gate failed: min-coverage.' }),
    ]);
  });

  it('fails on a failed test, annotated where it failed, and on skipped tests when not allowed', async () => {
    const cwd = workspace({
      'junit.xml': junit([
        { name: 'adds', failure: 'expected 2' },
        { name: 'later', skipped: true },
      ]),
    });
    const r = await run(cwd, { tests: 'junit.xml', 'allow-skipped': 'false' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs['failed-rules']).toBe('max-failed-tests,allow-skipped');
    expect(errors(r)).toEqual([
      expect.objectContaining({
        message: 'failed test cart.adds: expected 2',
        properties: expect.objectContaining({ file: 'test/cart.test.ts' }),
      }),
      expect.objectContaining({ message: 'Quality gate failed: max-failed-tests, allow-skipped.' }),
    ]);
  });

  it('judges per-path targets from the policy file, and a step input wins over the file', async () => {
    const cwd = workspace({
      'lcov.info':
        lcov('src/pay/charge.ts', covered(8, 10)) + lcov('src/ui/page.ts', covered(10, 10)),
      'quality.yml':
        'rules:\n  min-coverage: 95\ncoverage-targets:\n  - path: src/pay/**\n    min: 90\n  - path: lib/**\n    min: 50\n',
    });
    const r = await run(cwd, {
      coverage: 'lcov.info',
      policy: 'quality.yml',
      'min-coverage': '85',
    });
    expect(rules(r)).toMatchObject({
      'min-coverage': 'pass',
      'coverage:src/pay/**': 'fail',
      'coverage:lib/**': 'fail',
    });
    expect(r.summary).toContain('the glob lib/** matches no file in the coverage reports');
    const fromFile = await run(cwd, { coverage: 'lcov.info', policy: 'quality.yml' });
    expect(rules(fromFile)['min-coverage']).toBe('fail');
  });

  it('measures patch coverage on a real git repository, from the pull request base', async () => {
    const cwd = workspace({
      'src/cart.ts': Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n') + '\n',
    });
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false', ...args],
        { cwd, stdio: 'pipe' },
      );
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('checkout', '-q', '-b', 'feature');
    const text = readFileSync(join(cwd, 'src/cart.ts'), 'utf8');
    writeFileSync(join(cwd, 'src/cart.ts'), text.replace('line 4\n', 'line 4\nnew 5\nnew 6\n'));
    git('commit', '-qam', 'change');
    // Line 5 (new) covered, line 6 (new) not; the old lines around them do not count.
    writeFileSync(join(cwd, 'lcov.info'), lcov('src/cart.ts', { 1: 1, 2: 0, 5: 1, 6: 0, 7: 0 }));
    const r = await run(
      cwd,
      { coverage: 'lcov.info', 'min-coverage': 'off', 'min-patch-coverage': '80' },
      { context: { eventName: 'pull_request', baseRef: 'main' } },
    );
    expect(r.exitCode).toBe(1);
    const patch = (result(r).rules as Record<string, unknown>[]).find(
      (x) => x.rule === 'min-patch-coverage',
    );
    expect(patch).toMatchObject({
      verdict: 'fail',
      figure: '50% (1/2 changed lines)',
      note: 'against main',
    });
    expect(errors(r)[0]).toMatchObject({
      message: 'changed line 6 is not covered',
      properties: { file: 'src/cart.ts', line: '6' },
    });
    expect(result(r).facts).toMatchObject({ patchCoverage: { covered: 1, total: 2, percent: 50 } });
  });

  it('judges a coverage drop against the baseline an earlier run wrote', async () => {
    const cwd = workspace(PASSING);
    const before = await run(cwd, {
      coverage: 'coverage/lcov.info',
      'result-file': 'baseline.json',
    });
    expectSuccess(before);
    writeFileSync(join(cwd, 'coverage/lcov.info'), lcov('src/cart.ts', covered(85, 100)));
    const r = await run(cwd, { coverage: 'coverage/lcov.info', baseline: 'baseline.json' });
    expect(r.outputs['failed-rules']).toBe('coverage-drop');
    expect(r.summary).toContain('| `coverage-drop` | 85% (-5 pp) | ≤ 0 pp drop | 90% | **fail** |');
    const allowed = await run(cwd, {
      coverage: 'coverage/lcov.info',
      baseline: 'baseline.json',
      'max-coverage-drop': '5',
    });
    expectSuccess(allowed);
  });

  it('lets a valid waiver pass a failed test, fails an expired one naming its owner, warns about one unused', async () => {
    const cwd = workspace({
      'junit.xml': junit([{ name: 'adds', failure: 'flaky upstream' }]),
      'valid.yml':
        'waivers:\n  - id: cart.adds\n    reason: upstream outage\n    owner: "@acme/cart"\n    expires: 2999-12-31\n  - id: CVE-2020-0001\n    reason: not shipped\n    owner: "@acme/sec"\n    expires: 2999-12-31\n',
      'expired.yml':
        'waivers:\n  - id: cart.adds\n    reason: upstream outage\n    owner: "@acme/cart"\n    expires: 2020-01-31\n',
    });
    const valid = await run(cwd, { tests: 'junit.xml', waivers: 'valid.yml' });
    expectSuccess(valid);
    expect(valid.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      'waiver for CVE-2020-0001 (owner @acme/sec, valid.yml waivers[1]) matched nothing: remove it',
    ]);
    const expired = await run(cwd, { tests: 'junit.xml', waivers: 'expired.yml' });
    expect(expired.outputs['failed-rules']).toBe('max-failed-tests,waivers');
    expect(errors(expired).map((e) => e.message)).toContain(
      'waiver for cart.adds expired on 2020-01-31 (owner @acme/cart, expired.yml waivers[0]): it no longer waives 1 item(s); renew it or fix what it waived',
    );
  });

  it('fails on missing, empty and malformed reports, naming the file, and on a glob that matches nothing', async () => {
    const cwd = workspace({
      'bad.xml': '<testsuites><testsuite><testcase name="a">',
      'empty.info': '',
    });
    const missing = await run(cwd, { coverage: 'nowhere/lcov.info' });
    expect(missing.outputs['failed-rules']).toBe('reports');
    expect(missing.summary).toContain(`coverage: ${join(cwd, 'nowhere/lcov.info')}: no such file`);
    const malformed = await run(cwd, { tests: 'bad.xml' });
    expect(malformed.summary).toMatch(new RegExp(`tests: ${join(cwd, 'bad.xml')}:1:\\d+: `));
    const empty = await run(cwd, { coverage: 'empty.info' });
    expect(empty.outputs['failed-rules']).toBe('reports');
    const glob = await run(cwd, { coverage: 'coverage/**/*.info' });
    expect(glob.summary).toContain('coverage: the glob coverage/**/*.info matches no file');
    const nothing = await run(cwd, {});
    expect(nothing.summary).toContain('no reports were given');
    expect(nothing.exitCode).toBe(1);
  });

  it('fails on a critical finding (Trivy), passes it with a waiver, and judges findings new since the baseline', async () => {
    const cwd = workspace({
      'scan/trivy.json': fixture('findings/trivy.json'),
      'scan/eslint.sarif': fixture('findings/eslint.sarif'),
      'waivers.yml': [
        'waivers:',
        ...['CVE-2024-45337', 'aws-access-key-id'].flatMap((id) => [
          `  - id: ${id}`,
          '    reason: not reachable in production',
          '    owner: "@acme/security"',
          '    expires: 2999-01-01',
        ]),
      ].join('\n'),
    });
    const critical = await run(cwd, { findings: 'scan/trivy.json' });
    expect(critical.outputs['failed-rules']).toBe('fail-on');
    expect(critical.summary).toContain(
      '| `fail-on` | 2 critical, 2 high, 2 low, 1 unknown | no critical |  | **fail** |',
    );
    expect(errors(critical).map((e) => e.message)).toContain(
      '/app/config/settings.py: critical aws-access-key-id (Trivy): AWS Access Key ID',
    );
    const waived = await run(cwd, { findings: 'scan/trivy.json', waivers: 'waivers.yml' });
    expectSuccess(waived);
    expect(rules(waived)).toMatchObject({ 'fail-on': 'pass', waivers: 'pass' });

    const before = await run(cwd, {
      findings: 'scan/eslint.sarif',
      'result-file': 'baseline.json',
    });
    expectSuccess(before);
    const after = await run(cwd, {
      findings: 'scan/eslint.sarif, scan/trivy.json',
      baseline: 'baseline.json',
      'fail-on': 'none',
    });
    expectSuccess(after);
    const known = await run(cwd, {
      findings: 'scan/*.sarif',
      baseline: 'baseline.json',
      'fail-on': 'high',
    });
    const fresh = await run(cwd, {
      findings: 'scan/*',
      baseline: 'baseline.json',
      'fail-on': 'high',
    });
    expect(rules(known)['new-findings']).toBe('pass');
    expect(rules(fresh)['new-findings']).toBe('fail');
    expect(fresh.summary).toMatch(
      /\| `new-findings` \| 7 new \| no new finding \| 2 known \| \*\*fail\*\* \|/,
    );
  });

  it('judges k6 p95 latency, a run without HTTP requests as missing, and p95 growth against the baseline', async () => {
    const cwd = workspace({
      'perf/export.json': fixture('performance/k6-summary-export.json'),
      'perf/handle.json': fixture('performance/k6-handle-summary.json'),
      'perf/no-http.json': fixture('performance/k6-no-http.json'),
    });
    const slow = await run(cwd, { performance: 'perf/export.json' });
    expect(slow.outputs['failed-rules']).toBe('max-p95-latency');
    expect(errors(slow)[0]).toMatchObject({
      message: 'p95 latency 2413ms is over 2000ms',
      properties: expect.objectContaining({ file: 'perf/export.json' }),
    });
    const missing = await run(cwd, { performance: 'perf/no-http.json' });
    expect(missing.summary).toContain('| `max-p95-latency` | missing | ≤ 2000ms |  | **fail** |');
    const before = await run(cwd, {
      performance: 'perf/handle.json',
      'result-file': 'baseline.json',
    });
    expectSuccess(before);
    const grown = await run(cwd, {
      performance: 'perf/export.json',
      baseline: 'baseline.json',
      'max-p95-latency': '3s',
      'max-error-rate': '1%',
    });
    expect(grown.outputs['failed-rules']).toBe('p95-regression');
    expect(grown.summary).toContain(
      '| `p95-regression` | 2413ms (+28.79%) | ≤ +10% | 1873ms | **fail** |',
    );
    expect(grown.summary).toContain('- 2413ms (+28.79%), threshold ≤ +10%, baseline 1873ms');
  });

  it('never fails the step in mode report', async () => {
    const cwd = workspace({ 'lcov.info': lcov('src/cart.ts', covered(1, 10)) });
    const r = await run(cwd, { coverage: 'lcov.info', mode: 'report' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: 'fail', 'failed-rules': 'min-coverage' });
    expect(result(r)).toMatchObject({ mode: 'report', outcome: 'failed' });
    expect(r.log).toContain('mode report does not fail the step');
  });

  it('keeps within the per-step annotation limits and says how many more', async () => {
    const cases = Array.from({ length: 30 }, (_, i) => ({ name: `t${i}`, failure: `boom ${i}` }));
    const cwd = workspace({ 'junit.xml': junit(cases) });
    const r = await run(cwd, { tests: 'junit.xml' });
    expect(errors(r)).toHaveLength(10);
    expect(errors(r)[8]!.message).toBe(
      '22 more offending items not annotated (GitHub shows 10 per step): see the job summary and the result output.',
    );
  });

  it('refuses bad inputs and policy files in one line, before reading any report', async () => {
    const cwd = workspace({
      ...PASSING,
      'typo.yml': 'rules:\n  min-coverag: 80\n',
      'w.yml': '- id: x\n',
    });
    const typo = await run(cwd, { coverage: 'coverage/lcov.info', policy: 'typo.yml' });
    expectFailure(
      typo,
      /^Input 'policy': typo\.yml: unknown key 'rules\.min-coverag': use rules\.min-coverage, /,
    );
    const waivers = await run(cwd, { coverage: 'coverage/lcov.info', waivers: 'w.yml' });
    expectFailure(waivers, /^Input 'waivers': w\.yml: 'waivers\[0\]\.reason' is missing/);
    const noBase = await run(cwd, { coverage: 'coverage/lcov.info', 'min-patch-coverage': '90' });
    expectFailure(noBase, /^Input 'min-patch-coverage' needs a base to compare with/);
    const percent = await run(cwd, { coverage: 'coverage/lcov.info', 'min-coverage': '120' });
    expectFailure(percent, /^Input 'min-coverage' is '120': use a percentage from 0 to 100/);
    const outside = await run(cwd, { coverage: '../elsewhere/lcov.info' });
    expectFailure(
      outside,
      /^Input 'coverage' has '..\/elsewhere\/lcov.info', which leads outside the workspace/,
    );
    for (const r of [typo, waivers, noBase, percent, outside])
      expect(r.summary).not.toContain('| rule |');
  });

  it('masks the token and skips the comment outside a pull request', async () => {
    const cwd = workspace(PASSING);
    const r = await run(cwd, { coverage: 'coverage/lcov.info', 'github-token': TOKEN });
    expectSuccess(r);
    expect(r.masks).toContain(TOKEN);
    expect(r.log).toContain('Not a pull request: no comment.');
  });
});

describe('quality-gate sticky comment on the GitHub emulator', () => {
  let github: GitHubEmulator;
  let repository: Repository;
  let number: number;

  beforeAll(async () => {
    github = await startGitHubEmulator();
    repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
    number = github.store.addPullRequest(repository, { author: github.accounts.get('dev') }).number;
    github.addToken({ token: WRITER, permissions: { 'pull-requests': 'write' } });
    github.addToken({ token: READER, permissions: { 'pull-requests': 'read' } });
  });
  afterAll(() => github.close());

  const onPullRequest = (cwd: string, token: string, inputs: Record<string, string> = {}) =>
    run(
      cwd,
      { coverage: 'coverage/lcov.info', 'github-token': token, ...inputs },
      {
        context: { eventName: 'pull_request', baseRef: 'main' },
        event: { number, pull_request: { number } },
        env: { GITHUB_API_URL: github.url },
      },
    );

  it('creates one comment with the verdict and the table, then edits it in place', async () => {
    const cwd = workspace(PASSING);
    const first = await onPullRequest(cwd, WRITER);
    expectSuccess(first);
    expect(first.log).toMatch(/Pull-request comment created: \S+#issuecomment-\d+/);
    const [comment] = github.store.comments(repository, number);
    expect(comment!.body).toContain('**Quality gate passed**');
    expect(comment!.body).toContain('| `min-coverage` | 90% (9/10 lines) | ≥ 80% |  | pass |');

    writeFileSync(join(cwd, 'coverage/lcov.info'), lcov('src/cart.ts', covered(5, 10)));
    const second = await onPullRequest(cwd, WRITER, { mode: 'report' });
    expect(second.log).toContain('Pull-request comment updated:');
    const comments = github.store.comments(repository, number);
    expect(comments.map((c) => c.id)).toEqual([comment!.id]);
    expect(comments[0]!.body).toContain('**Quality gate failed**: min-coverage.');
  });

  it('warns, without failing a passing gate, when the token may not write pull-request comments', async () => {
    const before = github.store.comments(repository, number).length;
    const r = await onPullRequest(workspace(PASSING), READER);
    expectSuccess(r);
    expect(r.outputs.verdict).toBe('pass');
    expect(r.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringMatching(
        /^The pull-request comment was not written: .*permissions: pull-requests: write/,
      ),
    ]);
    expect(github.store.comments(repository, number)).toHaveLength(before);
  });
});
