// Waits for ECR's scan of one digest (basic scanning: COMPLETE; enhanced scanning through
// Inspector: ACTIVE), gathers every finding across pages, and judges them against a severity
// threshold. The report is JSON that quality-gate reads.
import type { Clock, Sleep } from '../lib/clock.ts';
import { formatDuration } from '../lib/durations.ts';
import { UserError } from '../lib/errors.ts';
import type { EcrPort, ScanFindingsPage } from './ports.ts';

export const SEVERITIES = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  id: string;
  severity: Severity;
  package: string | undefined;
  version: string | undefined;
  description: string | undefined;
  uri: string | undefined;
}

export interface ScanReport {
  version: 1;
  repository: string;
  digest: string;
  scanType: 'BASIC' | 'ENHANCED';
  status: string;
  completedAt: string | undefined;
  severityCounts: Record<Severity, number>;
  findings: Finding[];
}

export interface ScanRequest {
  repository: string;
  registryId: string | undefined;
  digest: string;
  /** Whether the repository scans on push: without it, a missing scan is not worth waiting for. */
  scanOnPush: boolean;
  timeoutMs: number;
  pollIntervalMs: number;
  /** How long a scan may take to appear at all when the repository does not scan on push. */
  noScanGraceMs: number;
}

export type ScanEvent = { type: 'waiting'; status: string; elapsedMs: number };

export interface ScanPorts {
  ecr: EcrPort;
  clock: Clock;
  sleep: Sleep;
  signal?: AbortSignal;
  onEvent?: (event: ScanEvent) => void;
}

const DONE = new Set(['COMPLETE', 'ACTIVE']);
const PENDING = new Set(['IN_PROGRESS', 'PENDING', 'SCAN_ELIGIBILITY_EXPIRED_PENDING']);

export function isSeverity(text: string): text is Severity {
  return (SEVERITIES as readonly string[]).includes(text);
}

function severityOf(text: string | undefined): Severity {
  const upper = (text ?? '').toUpperCase();
  return isSeverity(upper) ? upper : 'UNDEFINED';
}

function findingsOf(page: ScanFindingsPage): Finding[] {
  const basic = (page.imageScanFindings?.findings ?? []).map((f) => {
    const attribute = (key: string) => f.attributes?.find((a) => a.key === key)?.value;
    return {
      id: f.name ?? '',
      severity: severityOf(f.severity),
      package: attribute('package_name'),
      version: attribute('package_version'),
      description: f.description,
      uri: f.uri,
    };
  });
  const enhanced = (page.imageScanFindings?.enhancedFindings ?? []).map((f) => {
    const pkg = f.packageVulnerabilityDetails?.vulnerablePackages?.[0];
    return {
      id: f.packageVulnerabilityDetails?.vulnerabilityId ?? f.title ?? f.findingArn ?? '',
      severity: severityOf(f.severity),
      package: pkg?.name,
      version: pkg?.version,
      description: f.description,
      uri: f.packageVulnerabilityDetails?.sourceUrl,
    };
  });
  return [...basic, ...enhanced];
}

export async function waitForScan(request: ScanRequest, ports: ScanPorts): Promise<ScanReport> {
  const started = ports.clock.now();
  const where = `${request.repository}@${request.digest}`;
  for (;;) {
    ports.signal?.throwIfAborted();
    const elapsedMs = ports.clock.now() - started;
    const page = await ports.ecr.scanFindings(
      { name: request.repository, registryId: request.registryId, digest: request.digest },
      ports.signal,
    );
    const status = page === 'no-scan' ? 'NOT_FOUND' : (page.imageScanStatus?.status ?? 'UNKNOWN');
    if (page !== 'no-scan' && DONE.has(status)) return collect(request, page, ports);
    if (page === 'no-scan' && !request.scanOnPush && elapsedMs >= request.noScanGraceMs) {
      throw new UserError(
        `ECR has no scan of ${where}: the repository does not scan on push and no enhanced scan appeared within ${formatDuration(request.noScanGraceMs)}; turn on scan on push or enhanced scanning, or set wait-for-scan: false.`,
      );
    }
    if (page !== 'no-scan' && !PENDING.has(status)) {
      throw new UserError(
        `ECR's scan of ${where} ended with status ${status}${page.imageScanStatus?.description ? `: ${page.imageScanStatus.description}` : ''}.`,
      );
    }
    if (elapsedMs + request.pollIntervalMs > request.timeoutMs) {
      throw new UserError(
        `ECR's scan of ${where} did not finish within ${formatDuration(request.timeoutMs)} (last status ${status}): raise scan-timeout, or set wait-for-scan: false.`,
      );
    }
    ports.onEvent?.({ type: 'waiting', status, elapsedMs });
    await ports.sleep(request.pollIntervalMs, ports.signal);
  }
}

async function collect(
  request: ScanRequest,
  first: ScanFindingsPage,
  ports: ScanPorts,
): Promise<ScanReport> {
  const findings = findingsOf(first);
  let token = first.nextToken;
  while (token) {
    const page = await ports.ecr.scanFindings(
      {
        name: request.repository,
        registryId: request.registryId,
        digest: request.digest,
        nextToken: token,
      },
      ports.signal,
    );
    if (page === 'no-scan') break;
    findings.push(...findingsOf(page));
    token = page.nextToken;
  }
  const severityCounts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<
    Severity,
    number
  >;
  for (const [severity, n] of Object.entries(
    first.imageScanFindings?.findingSeverityCounts ?? {},
  )) {
    severityCounts[severityOf(severity)] += n;
  }
  findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.id.localeCompare(b.id),
  );
  return {
    version: 1,
    repository: request.repository,
    digest: request.digest,
    scanType: first.imageScanFindings?.enhancedFindings ? 'ENHANCED' : 'BASIC',
    status: first.imageScanStatus?.status ?? 'COMPLETE',
    completedAt: first.imageScanFindings?.imageScanCompletedAt?.toISOString(),
    severityCounts,
    findings,
  };
}

/** Findings at or above the threshold, most severe first. */
export function findingsAtOrAbove(report: ScanReport, threshold: Severity): Finding[] {
  const limit = SEVERITIES.indexOf(threshold);
  return report.findings.filter((f) => SEVERITIES.indexOf(f.severity) <= limit);
}

export function describeFinding(finding: Finding): string {
  const pkg = finding.package
    ? ` in ${finding.package}${finding.version ? ` ${finding.version}` : ''}`
    : '';
  return `${finding.id} (${finding.severity})${pkg}${finding.uri ? ` ${finding.uri}` : ''}`;
}

/** Throws the step's failure when findings reach the threshold; lists every offending one. */
export function judgeFindings(report: ScanReport, threshold: Severity | undefined): void {
  if (threshold === undefined) return;
  const offending = findingsAtOrAbove(report, threshold);
  if (offending.length === 0) return;
  const shown = offending.slice(0, 5).map((f) => f.id);
  throw new UserError(
    `The scan of ${report.repository}@${report.digest} found ${offending.length} finding${offending.length === 1 ? '' : 's'} at or above ${threshold} (fail-on-severity): ${shown.join(', ')}${offending.length > shown.length ? `, and ${offending.length - shown.length} more` : ''}. Fix or upgrade the packages, or raise fail-on-severity.`,
    { details: offending.map((f) => `  ${describeFinding(f)}`) },
  );
}
