import { describe, expect, it } from '@jest/globals';
import type { EcrPort, ScanFindingsPage } from '../../../src/ecr/ports.ts';
import { judgeFindings, waitForScan, type ScanRequest } from '../../../src/ecr/scan.ts';
import { UserError } from '../../../src/lib/errors.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const request: ScanRequest = {
  repository: 'web',
  registryId: undefined,
  digest: DIGEST,
  scanOnPush: true,
  timeoutMs: 60_000,
  pollIntervalMs: 5_000,
  noScanGraceMs: 20_000,
};

/** A port that answers DescribeImageScanFindings from a script, and a clock that sleeps move. */
function world(pages: (ScanFindingsPage | 'no-scan')[]) {
  let now = 0;
  const asked: (string | undefined)[] = [];
  const ecr = {
    async scanFindings(params: { nextToken?: string }) {
      asked.push(params.nextToken);
      const page = pages.length > 1 ? pages.shift()! : pages[0]!;
      return page;
    },
  } as unknown as EcrPort;
  return {
    asked,
    ports: {
      ecr,
      clock: { now: () => now },
      sleep: async (ms: number) => {
        now += ms;
      },
    },
    elapsed: () => now,
  };
}

const status = (s: string): ScanFindingsPage => ({
  $metadata: {},
  imageScanStatus: { status: s as 'COMPLETE' },
});

describe('waitForScan', () => {
  it('polls until the basic scan completes and gathers every page, most severe first', async () => {
    const w = world([
      status('IN_PROGRESS'),
      {
        $metadata: {},
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          findingSeverityCounts: { LOW: 1, CRITICAL: 1 },
          findings: [{ name: 'CVE-2', severity: 'LOW' }],
        },
        nextToken: 'p2',
      },
      {
        $metadata: {},
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          findings: [
            {
              name: 'CVE-1',
              severity: 'CRITICAL',
              attributes: [
                { key: 'package_name', value: 'openssl' },
                { key: 'package_version', value: '3.0.1' },
              ],
            },
          ],
        },
      },
    ]);
    const report = await waitForScan(request, w.ports);
    expect(w.elapsed()).toBe(5_000);
    expect(w.asked).toEqual([undefined, undefined, 'p2']);
    expect(report.scanType).toBe('BASIC');
    expect(report.severityCounts).toEqual({
      CRITICAL: 1,
      HIGH: 0,
      MEDIUM: 0,
      LOW: 1,
      INFORMATIONAL: 0,
      UNDEFINED: 0,
    });
    expect(report.findings.map((f) => [f.id, f.severity, f.package])).toEqual([
      ['CVE-1', 'CRITICAL', 'openssl'],
      ['CVE-2', 'LOW', undefined],
    ]);
  });

  it('reads enhanced findings once the status is ACTIVE', async () => {
    const w = world([
      status('PENDING'),
      {
        $metadata: {},
        imageScanStatus: { status: 'ACTIVE' },
        imageScanFindings: {
          findingSeverityCounts: { HIGH: 1 },
          enhancedFindings: [
            {
              severity: 'HIGH',
              packageVulnerabilityDetails: {
                vulnerabilityId: 'CVE-9',
                vulnerablePackages: [{ name: 'zlib', version: '1.2' }],
              },
            },
          ],
        },
      },
    ]);
    const report = await waitForScan(request, w.ports);
    expect(report).toMatchObject({
      scanType: 'ENHANCED',
      status: 'ACTIVE',
      findings: [{ id: 'CVE-9', package: 'zlib', version: '1.2' }],
    });
  });

  it('gives up at the timeout, on a failed scan, and when no scan ever appears', async () => {
    await expect(waitForScan(request, world([status('IN_PROGRESS')]).ports)).rejects.toThrow(
      `ECR's scan of web@${DIGEST} did not finish within 1m (last status IN_PROGRESS): raise scan-timeout, or set wait-for-scan: false.`,
    );
    await expect(
      waitForScan(
        request,
        world([
          {
            $metadata: {},
            imageScanStatus: { status: 'FAILED', description: 'UnsupportedImageError' },
          },
        ]).ports,
      ),
    ).rejects.toThrow(
      `ECR's scan of web@${DIGEST} ended with status FAILED: UnsupportedImageError.`,
    );
    const w = world(['no-scan']);
    await expect(waitForScan({ ...request, scanOnPush: false }, w.ports)).rejects.toThrow(
      /ECR has no scan of web@sha256:a+: the repository does not scan on push/,
    );
    expect(w.elapsed()).toBe(20_000);
  });
});

describe('judgeFindings', () => {
  const report = {
    version: 1 as const,
    repository: 'web',
    digest: DIGEST,
    scanType: 'BASIC' as const,
    status: 'COMPLETE',
    completedAt: undefined,
    severityCounts: { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 },
    findings: [
      {
        id: 'CVE-1',
        severity: 'CRITICAL' as const,
        package: 'openssl',
        version: '3.0.1',
        description: undefined,
        uri: undefined,
      },
      {
        id: 'CVE-2',
        severity: 'HIGH' as const,
        package: undefined,
        version: undefined,
        description: undefined,
        uri: 'https://x/CVE-2',
      },
      {
        id: 'CVE-3',
        severity: 'MEDIUM' as const,
        package: undefined,
        version: undefined,
        description: undefined,
        uri: undefined,
      },
    ],
  };

  it('passes below the threshold and fails at or above it, listing each offending finding', () => {
    expect(() => judgeFindings(report, undefined)).not.toThrow();
    let error: unknown;
    try {
      judgeFindings(report, 'HIGH');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `The scan of web@${DIGEST} found 2 findings at or above HIGH (fail-on-severity): CVE-1, CVE-2. Fix or upgrade the packages, or raise fail-on-severity.`,
    );
    expect((error as UserError).details).toEqual([
      '  CVE-1 (CRITICAL) in openssl 3.0.1',
      '  CVE-2 (HIGH) https://x/CVE-2',
    ]);
  });
});
