// Findings reports: read each file in its format (stated, or detected from its first bytes) into
// one model. See src/quality/README.md, "Findings and performance".
import { ReportError, sniff } from '../report-file.ts';
import { detectFindingsFormat } from './detect.ts';
import { parseEcrScan } from './ecr-scan.ts';
import { parseGrype } from './grype.ts';
import {
  DEFAULT_FINDINGS_LIMIT,
  type Finding,
  FindingsCollector,
  type FindingsFormat,
  type FindingsParser,
  type FindingsReport,
} from './model.ts';
import { parseNpmAudit } from './npm-audit.ts';
import { parseSarif } from './sarif.ts';
import { parseTrivy } from './trivy.ts';

export * from './model.ts';
export { detectFindingsFormat } from './detect.ts';
export { severityFromScore } from './sarif.ts';

const PARSERS: Record<FindingsFormat, FindingsParser> = {
  sarif: parseSarif,
  trivy: parseTrivy,
  grype: parseGrype,
  'npm-audit': parseNpmAudit,
  'ecr-scan': parseEcrScan,
};

export interface ReadFindingsOptions {
  /** The format of every file; detected from each file's content when absent. */
  format?: FindingsFormat;
  /** How many findings' details each report keeps (the rest are counted). */
  limit?: number;
  /** Sees every finding as it is read, kept or not (e.g. to compare all of them with a baseline). */
  onFinding?: (finding: Finding, file: string) => void;
}

/** Reads one findings report. Missing, empty, unrecognised or malformed: a ReportError. */
export async function readFindingsFile(
  file: string,
  options: ReadFindingsOptions = {},
): Promise<FindingsReport> {
  const head = await sniff(file);
  const format = options.format ?? detectFindingsFormat(head);
  if (format === undefined) {
    throw new ReportError(
      file,
      'not a findings report this reads (SARIF 2.1.0, Trivy JSON, Grype JSON, npm audit --json, ecr-build-push findings file): state its format if it is one of them',
    );
  }
  const { onFinding } = options;
  const collector = new FindingsCollector(
    options.limit ?? DEFAULT_FINDINGS_LIMIT,
    onFinding && ((finding) => onFinding(finding, file)),
  );
  await PARSERS[format](file, collector);
  return collector.report(file, format);
}

/** Reads every file, one after the other (one large report in memory at a time). */
export async function readFindings(
  files: readonly string[],
  options: ReadFindingsOptions = {},
): Promise<FindingsReport[]> {
  const reports: FindingsReport[] = [];
  for (const file of files) reports.push(await readFindingsFile(file, options));
  return reports;
}
