// Writes the findings file ecr-build-push writes (src/ecr/build-and-push.ts scanImage: the
// ScanReport of waitForScan, plus `image`), from DescribeImageScanFindings pages given here:
// the file quality-gate reads comes from the real writer's code, not a copy of its shape.
import { writeFile } from 'node:fs/promises';
import type { EcrPort, ScanFindingsPage } from '../../../../src/ecr/ports.ts';
import { waitForScan } from '../../../../src/ecr/scan.ts';

export const DIGEST = `sha256:${'ab12'.repeat(16)}`;

export async function writeEcrScanFile(file: string, pages: ScanFindingsPage[]): Promise<void> {
  let call = 0;
  const ecr = { scanFindings: async () => pages[call++]! } as unknown as EcrPort;
  const report = await waitForScan(
    {
      repository: 'shop/api',
      registryId: undefined,
      digest: DIGEST,
      scanOnPush: true,
      timeoutMs: 60_000,
      pollIntervalMs: 1_000,
      noScanGraceMs: 0,
    },
    { ecr, clock: { now: () => 0 }, sleep: async () => {} },
  );
  const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${DIGEST}`;
  await writeFile(file, `${JSON.stringify({ ...report, image }, null, 2)}\n`);
}

export const BASIC_PAGES: ScanFindingsPage[] = [
  {
    $metadata: {},
    imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
    imageScanFindings: {
      imageScanCompletedAt: new Date('2026-11-30T09:20:00Z'),
      findingSeverityCounts: { HIGH: 1, MEDIUM: 1, INFORMATIONAL: 1 },
      findings: [
        {
          name: 'CVE-2023-4911',
          description:
            'A buffer overflow was discovered in the GNU C Library dynamic loader ld.so.',
          uri: 'https://security-tracker.debian.org/tracker/CVE-2023-4911',
          severity: 'HIGH',
          attributes: [
            { key: 'package_version', value: '2.36-9+deb12u1' },
            { key: 'package_name', value: 'glibc' },
            { key: 'CVSS2_VECTOR', value: 'AV:L/AC:L/Au:N/C:C/I:C/A:C' },
            { key: 'CVSS2_SCORE', value: '7.2' },
          ],
        },
        {
          name: 'CVE-2023-50495',
          uri: 'https://security-tracker.debian.org/tracker/CVE-2023-50495',
          severity: 'MEDIUM',
          attributes: [
            { key: 'package_version', value: '6.4-4' },
            { key: 'package_name', value: 'ncurses' },
          ],
        },
      ],
    },
    nextToken: 'page-2',
  },
  {
    $metadata: {},
    imageScanStatus: { status: 'COMPLETE' },
    imageScanFindings: {
      findings: [
        {
          name: 'CVE-2011-3374',
          uri: 'https://security-tracker.debian.org/tracker/CVE-2011-3374',
          severity: 'INFORMATIONAL',
          attributes: [
            { key: 'package_version', value: '2.6.1' },
            { key: 'package_name', value: 'apt' },
          ],
        },
      ],
    },
  },
];

export const ENHANCED_PAGES: ScanFindingsPage[] = [
  {
    $metadata: {},
    imageScanStatus: { status: 'ACTIVE', description: 'Continuous scan is selected for image.' },
    imageScanFindings: {
      imageScanCompletedAt: new Date('2026-11-30T09:21:00Z'),
      // UNTRIAGED is outside the SDK's enum but ECR sends it (reference/quality-gates.md, "ECR").
      findingSeverityCounts: { CRITICAL: 1, UNTRIAGED: 1 } as Record<string, number>,
      enhancedFindings: [
        {
          awsAccountId: '123456789012',
          findingArn: 'arn:aws:inspector2:eu-west-1:123456789012:finding/0a1b2c3d4e5f',
          description:
            'Issue summary: Calling the OpenSSL API function SSL_select_next_proto with an empty supported client protocols buffer may cause a crash.',
          title: 'CVE-2024-5535 - openssl',
          type: 'PACKAGE_VULNERABILITY',
          severity: 'CRITICAL',
          score: 9.1,
          status: 'ACTIVE',
          packageVulnerabilityDetails: {
            vulnerabilityId: 'CVE-2024-5535',
            source: 'NVD',
            sourceUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2024-5535',
            vulnerablePackages: [
              {
                name: 'openssl',
                version: '3.0.11',
                release: '1~deb12u2',
                arch: 'X86_64',
                packageManager: 'OS',
                fixedInVersion: '3.0.14-1~deb12u1',
              },
            ],
          },
        },
        {
          awsAccountId: '123456789012',
          findingArn: 'arn:aws:inspector2:eu-west-1:123456789012:finding/9f8e7d6c5b4a',
          description: 'A flaw in the zlib inflateGetHeader function.',
          title: 'CVE-2022-37434 - zlib',
          type: 'PACKAGE_VULNERABILITY',
          severity: 'UNTRIAGED',
          status: 'ACTIVE',
          packageVulnerabilityDetails: {
            vulnerabilityId: 'CVE-2022-37434',
            source: 'DEBIAN_CVE',
            vulnerablePackages: [{ name: 'zlib1g', version: '1.2.13', packageManager: 'OS' }],
          },
        },
      ],
    },
  },
];
