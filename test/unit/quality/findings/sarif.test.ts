import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Finding,
  readFindingsFile,
  severityFromScore,
} from '../../../../src/quality/findings/index.ts';
import { ReportError } from '../../../../src/quality/report-file.ts';
import { fixture, scratch } from './fixtures.ts';

const byId = (findings: readonly Finding[], id: string, file?: string) =>
  findings.filter((f) => f.id === id && (file === undefined || f.location?.file === file));

let tmp: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  tmp = await scratch();
});
afterAll(() => tmp.remove());

describe('SARIF from ESLint (@microsoft/eslint-formatter-sarif shape)', () => {
  it('maps levels to severities, decodes file URIs and honours an in-source suppression', async () => {
    const report = await readFindingsFile(fixture('eslint.sarif'));
    expect(report.format).toBe('sarif');
    expect(report.tools).toEqual(['ESLint']);
    expect(report.counts).toEqual({
      critical: 0,
      high: 1,
      medium: 1,
      low: 0,
      negligible: 0,
      unknown: 0,
    });
    expect(report.suppressed).toBe(1);
    const [undef] = byId(report.findings, 'no-undef');
    expect(undef).toMatchObject({
      tool: 'ESLint',
      kind: 'code',
      severity: 'high',
      toolSeverity: 'error',
      message: "'process2' is not defined.",
      location: { file: '/home/runner/work/app/app/src/my module/index.js', line: 12 },
    });
    expect(undef!.suppressed).toBeUndefined();
    expect(byId(report.findings, 'no-eval')[0]).toMatchObject({
      severity: 'high',
      suppressed: { justification: 'templates are compiled at build time, never from input' },
    });
    // Active findings come before suppressed ones.
    expect(report.findings.at(-1)!.id).toBe('no-eval');
  });
});

describe('SARIF security-severity, as GitHub maps it', () => {
  it.each([
    [10, 'critical'],
    [9.0, 'critical'],
    [8.99, 'high'],
    [7.0, 'high'],
    [6.99, 'medium'],
    [4.0, 'medium'],
    [3.9, 'low'],
    [0.1, 'low'],
    [0, 'negligible'],
  ] as const)('%s is %s', (score, severity) => {
    expect(severityFromScore(score)).toBe(severity);
  });

  it("takes Trivy's rule scores over the level", async () => {
    const report = await readFindingsFile(fixture('trivy.sarif'));
    expect(report.findings.map((f) => [f.id, f.severity, f.toolSeverity])).toEqual([
      ['CVE-2024-45337', 'critical', '9.1'],
      ['CVE-2023-39325', 'high', '7.5'],
      ['CVE-2023-45288', 'medium', '5.3'],
      ['CVE-2024-2511', 'low', '2.0'],
    ]);
    // The message is one line, whatever the tool put in it.
    expect(report.findings[0]!.message).toMatch(
      /^Package: golang\.org\/x\/crypto Installed Version/,
    );
  });

  it('falls back to the level when the score is not a number', async () => {
    const file = await tmp.write(
      'bad-score.sarif',
      JSON.stringify({
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: {
                name: 'X',
                rules: [{ id: 'r', properties: { 'security-severity': 'high' } }],
              },
            },
            results: [{ ruleId: 'r', level: 'error', message: { text: 'm' } }],
          },
        ],
      }),
    );
    const [finding] = (await readFindingsFile(file)).findings;
    expect(finding).toMatchObject({ severity: 'high', toolSeverity: 'error' });
  });
});

describe('SARIF from CodeQL and Grype in one log', () => {
  let findings: readonly Finding[];
  let report: Awaited<ReturnType<typeof readFindingsFile>>;
  beforeAll(async () => {
    report = await readFindingsFile(fixture('codeql-and-grype.sarif'));
    findings = report.findings;
  });

  it('reads every run and names each tool', () => {
    expect(report.tools).toEqual(['CodeQL', 'Grype']);
  });

  it('looks rules up in the extension named by rule.toolComponent', () => {
    expect(byId(findings, 'js/sql-injection')).toEqual([
      expect.objectContaining({
        severity: 'high',
        toolSeverity: '8.8',
        location: { file: 'server/routes/users.js', line: 41 },
      }),
    ]);
    // The rule's defaultConfiguration.level note, no security-severity: low.
    expect(byId(findings, 'js/unused-local-variable')[0]).toMatchObject({
      severity: 'low',
      toolSeverity: 'note',
    });
  });

  it("uses CodeQL's problem.severity when there is no level, and fills a message from messageStrings", () => {
    expect(byId(findings, 'js/log-injection')[0]).toMatchObject({
      severity: 'medium',
      toolSeverity: 'warning',
      message: 'Log entry depends on a user-provided value.',
    });
  });

  it('honours only accepted suppressions: rejected and under review ones still count', () => {
    const rate = byId(findings, 'js/missing-rate-limiting');
    expect(
      rate.map((f) => [f.location?.file, f.location?.line, f.suppressed?.justification]),
    ).toEqual([
      ['server/app.js', 30, undefined],
      ['server/app.js', 52, undefined],
      ['server/admin.js', 11, 'behind the VPN, rate-limited by the load balancer'],
    ]);
    expect(report.suppressed).toBe(1);
  });

  it('drops results that are passes or absent since the baseline', () => {
    expect(byId(findings, 'js/sql-injection', 'server/routes/old.js')).toEqual([]);
    expect(findings.filter((f) => f.message === 'No unused variables.')).toEqual([]);
  });

  it("maps Grype's scores: 9.0 is critical, a Critical with CVSS 8.5 is high", () => {
    expect(findings.filter((f) => f.tool === 'Grype').map((f) => [f.id, f.severity])).toEqual([
      ['CVE-2024-5535-libssl3', 'critical'],
      ['CVE-2024-6119-libssl3', 'high'],
      ['GHSA-xxxx-critical-85', 'high'],
    ]);
  });

  it('counts every active finding by severity', () => {
    expect(report.counts).toEqual({
      critical: 1,
      high: 5,
      medium: 1,
      low: 1,
      negligible: 0,
      unknown: 0,
    });
  });
});

describe('SARIF fingerprints', () => {
  const log = (results: object[]) =>
    JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'T', rules: [] } }, results }],
    });
  const result = (line: number, extra: object = {}, text = 'Value flows to a sink.') => ({
    ruleId: 'r1',
    level: 'warning',
    message: { text },
    locations: [
      { physicalLocation: { artifactLocation: { uri: 'src/a.ts' }, region: { startLine: line } } },
    ],
    ...extra,
  });

  it('are the same when only the line moved, different when the message changed', async () => {
    const file = await tmp.write(
      'moved.sarif',
      log([result(10), result(14), result(10, {}, 'Another value flows to a sink.')]),
    );
    const [a, b, c] = (await readFindingsFile(file)).findings;
    expect(a!.fingerprint).toBe(b!.fingerprint);
    expect(c!.fingerprint).not.toBe(a!.fingerprint);
  });

  it("follow the tool's partialFingerprints, and ignore guid (new every run)", async () => {
    const file = await tmp.write(
      'partial.sarif',
      log([
        result(10, { guid: 'a1', partialFingerprints: { primaryLocationLineHash: 'abc:1' } }),
        result(99, { guid: 'b2', partialFingerprints: { primaryLocationLineHash: 'abc:1' } }),
        result(10, { guid: 'a1', partialFingerprints: { primaryLocationLineHash: 'def:1' } }),
      ]),
    );
    const [a, b, c] = (await readFindingsFile(file)).findings;
    expect(a!.fingerprint).toBe(b!.fingerprint);
    expect(c!.fingerprint).not.toBe(a!.fingerprint);
  });
});

describe('SARIF layout', () => {
  it('resolves rules when results come before the tool', async () => {
    const file = await tmp.write(
      'late-tool.sarif',
      '{"version":"2.1.0","runs":[{"results":[{"ruleIndex":0,"message":{"text":"m"}}],' +
        '"tool":{"driver":{"name":"Late","rules":[{"id":"late-rule","properties":{"security-severity":"9.5"}}]}}}]}',
    );
    const report = await readFindingsFile(file);
    expect(report.tools).toEqual(['Late']);
    expect(report.findings).toEqual([
      expect.objectContaining({ tool: 'Late', id: 'late-rule', severity: 'critical' }),
    ]);
  });

  it('keeps the most severe findings past the limit and counts the rest', async () => {
    const results = ['note', 'error', 'warning', 'error', 'note'].map((level, i) => ({
      ruleId: `r${i}`,
      level,
      message: { text: `m${i}` },
    }));
    const file = await tmp.write(
      'many.sarif',
      JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'T' } }, results }] }),
    );
    const seen: string[] = [];
    const report = await readFindingsFile(file, { limit: 2, onFinding: (f) => seen.push(f.id) });
    expect(report.findings.map((f) => f.id)).toEqual(['r1', 'r3']);
    expect(report.omitted).toBe(3);
    expect(report.counts).toMatchObject({ high: 2, medium: 1, low: 2 });
    expect(seen).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });
});

describe('bad SARIF', () => {
  it('names the byte where a truncated log ends', async () => {
    const text = await import('node:fs/promises').then((fs) =>
      fs.readFile(fixture('eslint.sarif'), 'utf8'),
    );
    const cut = text.indexOf('"suppressions"');
    const file = await tmp.write('truncated.sarif', text.slice(0, cut));
    const error = await readFindingsFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect((error as ReportError).message).toMatch(
      /^.*truncated\.sarif \(byte \d+\): not valid JSON: the file ends inside a value/,
    );
  });

  it('names the byte of a broken value inside a result', async () => {
    const text =
      '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}},"results":[{"ruleId":"a","message":{"text":"ok"}},{"ruleId":"b","level":warning}]}]}';
    const file = await tmp.write('broken.sarif', text);
    const error = (await readFindingsFile(file).catch((e: unknown) => e)) as ReportError;
    expect(error.position).toEqual({ byte: text.indexOf('warning') });
    expect(error.message).toMatch(/broken\.sarif \(byte \d+\): not valid JSON: expected a value/);
  });

  it('names the byte of a missing comma between runs', async () => {
    const text =
      '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}},"results":[]} {"results":[]}]}';
    const file = await tmp.write('comma.sarif', text);
    const error = (await readFindingsFile(file).catch((e: unknown) => e)) as ReportError;
    expect(error.position).toEqual({ byte: text.indexOf(' {"results"') + 1 });
    expect(error.message).toMatch(/expected ',' or '\]'/);
  });

  it('says an empty, missing or unrecognised report is one', async () => {
    await expect(readFindingsFile(await tmp.write('empty.sarif', '  \n'))).rejects.toThrow(
      /empty\.sarif: the report is empty/,
    );
    await expect(readFindingsFile(`${tmp.dir}/nope.sarif`)).rejects.toThrow(
      /nope\.sarif: no such file/,
    );
    await expect(
      readFindingsFile(await tmp.write('other.json', '{"hello":"world"}')),
    ).rejects.toThrow(/other\.json: not a findings report this reads \(SARIF 2\.1\.0, Trivy JSON/);
  });

  it('reads a stated format whatever the first bytes say', async () => {
    const file = await tmp.write(
      'stated.json',
      JSON.stringify({
        runs: [
          { tool: { driver: { name: 'T' } }, results: [{ ruleId: 'x', message: { text: 'm' } }] },
        ],
      }),
    );
    await expect(readFindingsFile(file)).rejects.toThrow(/not a findings report/);
    expect((await readFindingsFile(file, { format: 'sarif' })).findings).toHaveLength(1);
  });
});
