import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import {
  type Finding,
  detectFindingsFormat,
  readFindings,
  readFindingsFile,
} from '../../../../src/quality/findings/index.ts';
import { BASIC_PAGES, DIGEST, ENHANCED_PAGES, writeEcrScanFile } from './ecr-scan-file.ts';
import { fixture, scratch } from './fixtures.ts';

const summary = (f: Finding) => [f.id, f.package?.name, f.package?.version, f.severity];

let tmp: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  tmp = await scratch();
});
afterAll(() => tmp.remove());

describe('format detection from the first bytes', () => {
  it.each([
    ['eslint.sarif', 'sarif'],
    ['trivy.sarif', 'sarif'],
    ['codeql-and-grype.sarif', 'sarif'],
    ['trivy.json', 'trivy'],
    ['grype.json', 'grype'],
    ['npm-audit-v2.json', 'npm-audit'],
    ['npm-audit-v1.json', 'npm-audit'],
    ['npm-audit-error.json', 'npm-audit'],
    ['ecr-scan-basic.json', 'ecr-scan'],
    ['ecr-scan-enhanced.json', 'ecr-scan'],
  ])('%s is %s', async (name, format) => {
    const head = (await readFile(fixture(name), 'utf8')).slice(0, 4096);
    expect(detectFindingsFormat(head)).toBe(format);
  });
});

describe('Trivy JSON', () => {
  let findings: readonly Finding[];
  let report: Awaited<ReturnType<typeof readFindingsFile>>;
  beforeAll(async () => {
    report = await readFindingsFile(fixture('trivy.json'));
    findings = report.findings;
  });

  it('reads vulnerabilities per package, with the target they were found in', () => {
    const vulnerabilities = findings.filter((f) => f.kind === 'vulnerability' && !f.suppressed);
    expect(vulnerabilities.map(summary)).toEqual([
      ['CVE-2024-45337', 'golang.org/x/crypto', 'v0.21.0', 'critical'],
      ['CVE-2023-39325', 'golang.org/x/net', 'v0.15.0', 'high'],
      ['CVE-2024-9143', 'libcrypto3', '3.3.2-r0', 'low'],
      ['CVE-2024-9143', 'libssl3', '3.3.2-r0', 'low'],
      ['CVE-2025-0001', 'golang.org/x/net', 'v0.15.0', 'unknown'],
    ]);
    expect(vulnerabilities[0]).toMatchObject({
      tool: 'Trivy',
      location: { file: 'app/server' },
      package: { fixedVersion: '0.31.0' },
    });
    // The same CVE in two packages is two findings with two fingerprints.
    expect(vulnerabilities[2]!.fingerprint).not.toBe(vulnerabilities[3]!.fingerprint);
  });

  it('reads failed misconfigurations under their AVD id, not passed ones', () => {
    expect(findings.filter((f) => f.kind === 'misconfiguration')).toEqual([
      expect.objectContaining({
        id: 'DS-0002',
        severity: 'high',
        message: 'Specify at least 1 USER command in Dockerfile with non-root user as argument',
        location: { file: 'Dockerfile' },
      }),
    ]);
  });

  it('reads secrets with their line, never the match', () => {
    const [secret] = findings.filter((f) => f.kind === 'secret');
    expect(secret).toMatchObject({
      id: 'aws-access-key-id',
      severity: 'critical',
      message: 'AWS Access Key ID',
      location: { file: '/app/config/settings.py', line: 12 },
    });
    expect(JSON.stringify(secret)).not.toContain('AWS_ACCESS_KEY_ID');
  });

  it('returns the findings --show-suppressed lists as suppressed, with the statement', () => {
    expect(findings.filter((f) => f.suppressed)).toEqual([
      expect.objectContaining({
        id: 'CVE-2024-45338',
        severity: 'medium',
        suppressed: {
          justification: 'ignored: the SSH server is not used in this image (.trivyignore.yaml)',
        },
      }),
    ]);
    expect(report.counts).toEqual({
      critical: 2,
      high: 2,
      medium: 0,
      low: 2,
      negligible: 0,
      unknown: 1,
    });
    expect(report.suppressed).toBe(1);
  });
});

describe('Grype JSON', () => {
  it('reads matches and ignored matches with the reason of the rule that ignored them', async () => {
    const report = await readFindingsFile(fixture('grype.json'));
    expect(report.tools).toEqual(['Grype']);
    expect(report.findings.map(summary)).toEqual([
      ['CVE-2024-5535', 'libssl3', '3.3.1-r0', 'critical'],
      ['GHSA-35jh-r3h4-6jhm', 'lodash', '4.17.15', 'high'],
      ['CVE-2005-2541', 'tar', '1.34+dfsg-1.2+deb12u1', 'negligible'],
      ['CVE-2023-42363', 'busybox', '1.36.1-r29', 'medium'],
    ]);
    expect(report.findings[0]).toMatchObject({
      package: { fixedVersion: '3.3.1-r1' },
      location: { file: '/lib/apk/db/installed' },
    });
    // A wont-fix has no fixed version.
    expect(report.findings[2]!.package!.fixedVersion).toBeUndefined();
    expect(report.findings[3]!.suppressed).toEqual({
      justification: 'awk is not reachable from the service',
    });
    expect(report.counts).toMatchObject({ critical: 1, high: 1, medium: 0, negligible: 1 });
  });
});

describe('npm audit --json', () => {
  it('v2: one finding per advisory, none for the packages only vulnerable through another', async () => {
    const report = await readFindingsFile(fixture('npm-audit-v2.json'));
    expect(report.findings.map(summary)).toEqual([
      ['GHSA-xvch-5gv4-984h', 'minimist', '<0.2.4', 'critical'],
      ['GHSA-qwcr-r2fm-qrc7', 'body-parser', '<1.20.3', 'high'],
      ['GHSA-vh95-rmgr-6w4m', 'minimist', '<0.2.1', 'medium'],
      ['GHSA-qw6h-vgh9-j6wx', 'express', '<4.20.0', 'low'],
    ]);
    // The fix npm offers names express: it is express's fixed version, not body-parser's.
    expect(report.findings.find((f) => f.package?.name === 'express')!.package!.fixedVersion).toBe(
      '4.21.2',
    );
    expect(
      report.findings.find((f) => f.package?.name === 'body-parser')!.package!.fixedVersion,
    ).toBeUndefined();
  });

  it('v1 (npm 6): one finding per advisory and installed version', async () => {
    const report = await readFindingsFile(fixture('npm-audit-v1.json'));
    expect(report.findings).toEqual([
      expect.objectContaining({
        id: 'npm-1179',
        severity: 'low',
        message: 'Prototype Pollution',
        package: { name: 'minimist', version: '0.0.8', fixedVersion: '>=0.2.1 <1.0.0 || >=1.2.3' },
      }),
    ]);
  });

  it('fails on the error npm prints when it cannot reach the advisory endpoint (captured here)', async () => {
    await expect(readFindingsFile(fixture('npm-audit-error.json'))).rejects.toThrow(
      /npm-audit-error\.json: npm audit could not audit: 405 Method Not Allowed - POST https:\/\/registry\.npmjs\.org\/-\/npm\/v1\/security\/advisories\/bulk; the report has no findings to judge/,
    );
  });
});

describe("ecr-build-push's findings file", () => {
  it('basic scan: every page, severities in ECR words', async () => {
    const file = `${tmp.dir}/ecr-basic.json`;
    await writeEcrScanFile(file, BASIC_PAGES);
    const report = await readFindingsFile(file);
    expect(report.format).toBe('ecr-scan');
    expect(report.tools).toEqual(['Amazon ECR (basic)']);
    expect(report.findings.map(summary)).toEqual([
      ['CVE-2023-4911', 'glibc', '2.36-9+deb12u1', 'high'],
      ['CVE-2023-50495', 'ncurses', '6.4-4', 'medium'],
      ['CVE-2011-3374', 'apt', '2.6.1', 'negligible'],
    ]);
    expect(report.findings[0]!.location!.file).toBe(`shop/api@${DIGEST}`);
  });

  it('enhanced scan: UNTRIAGED (written as UNDEFINED) is unknown', async () => {
    const file = `${tmp.dir}/ecr-enhanced.json`;
    await writeEcrScanFile(file, ENHANCED_PAGES);
    const report = await readFindingsFile(file);
    expect(report.tools).toEqual(['Amazon ECR (enhanced)']);
    expect(report.findings.map(summary)).toEqual([
      ['CVE-2024-5535', 'openssl', '3.0.11', 'critical'],
      ['CVE-2022-37434', 'zlib1g', '1.2.13', 'unknown'],
    ]);
  });

  it('the committed samples are what the writer writes today', async () => {
    for (const [name, pages] of [
      ['ecr-scan-basic.json', BASIC_PAGES],
      ['ecr-scan-enhanced.json', ENHANCED_PAGES],
    ] as const) {
      const file = `${tmp.dir}/${name}`;
      await writeEcrScanFile(file, pages);
      expect(await readFile(file, 'utf8')).toBe(await readFile(fixture(name), 'utf8'));
    }
  });

  it('refuses a version it does not know', async () => {
    const text = (await readFile(fixture('ecr-scan-basic.json'), 'utf8')).replace(
      '"version": 1',
      '"version": 2',
    );
    const file = await tmp.write('ecr-v2.json', text);
    await expect(readFindingsFile(file)).rejects.toThrow(
      /ecr-v2\.json: an ECR scan report of version 2, this quality-gate reads version 1/,
    );
  });
});

describe('a stated format that does not fit the file', () => {
  it.each([
    ['grype.json', 'sarif', 'no "runs" at its root: not a SARIF 2.1.0 log'],
    ['grype.json', 'trivy', 'no "SchemaVersion" at its root: not Trivy\'s JSON report'],
    ['trivy.json', 'grype', 'no "matches" at its root: not Grype\'s JSON report'],
    [
      'ecr-scan-basic.json',
      'npm-audit',
      'no "vulnerabilities" or "advisories" at its root: not npm audit --json output',
    ],
  ] as const)('%s read as %s fails, never reads as nothing found', async (name, format, reason) => {
    await expect(readFindingsFile(fixture(name), { format })).rejects.toThrow(`${name}: ${reason}`);
  });
});

describe('readFindings', () => {
  it('reads each file in its own format, in order', async () => {
    const reports = await readFindings([fixture('grype.json'), fixture('eslint.sarif')]);
    expect(reports.map((r) => [r.format, r.tools])).toEqual([
      ['grype', ['Grype']],
      ['sarif', ['ESLint']],
    ]);
  });
});
