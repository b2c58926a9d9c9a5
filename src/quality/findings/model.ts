// One model for every findings report (SARIF, Trivy, Grype, npm audit, ECR's scan): what the
// policy judges, counts and compares with a baseline. A report keeps the details of a bounded
// number of findings, the most severe first, and counts all of them.
import { hash } from 'node:crypto';
import { ReportError } from '../report-file.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const FINDINGS_FORMATS = ['sarif', 'trivy', 'grype', 'npm-audit', 'ecr-scan'] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

export type FindingKind = 'code' | 'vulnerability' | 'misconfiguration' | 'secret';

export interface Finding {
  /** The tool that reported it: SARIF's `tool.driver.name`, `Trivy`, `Grype`, `npm audit`, `Amazon ECR (basic)`. */
  readonly tool: string;
  readonly kind: FindingKind;
  /** The rule id (SARIF, misconfigurations, secrets) or the vulnerability id (CVE, GHSA, …). */
  readonly id: string;
  readonly severity: Severity;
  /** The tool's own word for it (`error`, `HIGH`, `moderate`, `8.8`), for the report. */
  readonly toolSeverity: string;
  /** At most MESSAGE_CHARACTERS characters, on one line. */
  readonly message: string;
  readonly location?: { readonly file: string; readonly line?: number };
  readonly package?: {
    readonly name: string;
    /** Installed version; npm audit gives the vulnerable range instead. */
    readonly version?: string;
    readonly fixedVersion?: string;
  };
  /** Present when the tool reports the finding as suppressed (SARIF `suppressions`, Trivy, Grype ignore rules). */
  readonly suppressed?: { readonly justification: string };
  /**
   * The same finding in another run of the same tool has the same fingerprint (see README). A
   * getter: computed when read, as most findings of a large report are only counted.
   */
  readonly fingerprint: string;
}

export interface FindingsReport {
  readonly file: string;
  readonly format: FindingsFormat;
  /** Every tool seen in the report (SARIF: one per run). */
  readonly tools: readonly string[];
  /** Details kept: at most `limit`, active ones before suppressed, the most severe first. */
  readonly findings: readonly Finding[];
  /** Every active (not suppressed) finding by severity, kept or not. */
  readonly counts: Readonly<Record<Severity, number>>;
  readonly suppressed: number;
  /** Findings counted but whose details were not kept. */
  readonly omitted: number;
}

/** How much of a message a finding keeps. */
export const MESSAGE_CHARACTERS = 300;
/** How many findings' details a report keeps unless told. */
export const DEFAULT_FINDINGS_LIMIT = 1000;

/** A message on one line, cut to MESSAGE_CHARACTERS. */
export function boundedMessage(text: unknown): string {
  if (typeof text !== 'string') return '';
  const line = /\s\s|[^\S ]/.test(text) ? text.replace(/\s+/g, ' ').trim() : text.trim();
  return line.length <= MESSAGE_CHARACTERS ? line : `${line.slice(0, MESSAGE_CHARACTERS - 1)}…`;
}

/** A short stable hash of the parts that identify a finding. */
export function fingerprintOf(...parts: readonly (string | number | undefined)[]): string {
  return hash('sha256', parts.map((p) => String(p ?? '')).join('\u0000')).slice(0, 24);
}

/** The severity words most tools share (Trivy, Grype, ECR, npm audit), case-insensitive. */
export function severityFromWord(word: unknown): Severity {
  switch (typeof word === 'string' ? word.toLowerCase() : '') {
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case 'negligible':
    case 'informational':
    case 'info':
      return 'negligible';
    default:
      return 'unknown';
  }
}

const RANK: Record<Severity, number> = Object.fromEntries(
  SEVERITIES.map((s, i) => [s, i]),
) as Record<Severity, number>;

/**
 * Collects one report's findings: counts every one, keeps the details of at most `limit`,
 * dropping the least severe (suppressed ones first) when over.
 */
export class FindingsCollector {
  readonly counts: Record<Severity, number> = Object.fromEntries(
    SEVERITIES.map((s) => [s, 0]),
  ) as Record<Severity, number>;
  suppressed = 0;
  omitted = 0;
  readonly tools = new Set<string>();
  /** Kept details by rank: active severities 0..5, suppressed 6. */
  private readonly kept: Finding[][] = SEVERITIES.map(() => []).concat([[]]);
  private size = 0;

  private readonly limit: number;
  private readonly onFinding: ((finding: Finding) => void) | undefined;

  constructor(limit: number, onFinding?: (finding: Finding) => void) {
    this.limit = limit;
    this.onFinding = onFinding;
  }

  add(finding: Finding): void {
    this.onFinding?.(finding);
    this.tools.add(finding.tool);
    if (finding.suppressed) this.suppressed++;
    else this.counts[finding.severity]++;
    const rank = finding.suppressed ? SEVERITIES.length : RANK[finding.severity];
    if (this.size < this.limit) {
      this.kept[rank]!.push(finding);
      this.size++;
      return;
    }
    this.omitted++;
    const worst = this.kept.findLastIndex((bucket) => bucket.length > 0);
    if (worst <= rank) return;
    this.kept[worst]!.pop();
    this.kept[rank]!.push(finding);
  }

  report(file: string, format: FindingsFormat): FindingsReport {
    return {
      file,
      format,
      tools: [...this.tools],
      findings: this.kept.flat(),
      counts: { ...this.counts },
      suppressed: this.suppressed,
      omitted: this.omitted,
    };
  }
}

/** What a scanner says about one vulnerable package, in its own words. */
export interface VulnerabilityFacts {
  readonly tool: string;
  readonly id: string;
  /** The scanner's severity word (`HIGH`, `Negligible`, `moderate`, `UNDEFINED`). */
  readonly severity: unknown;
  readonly message: string | undefined;
  /** Where it was found: Trivy's target, Grype's first location, the ECR image. */
  readonly file?: string | undefined;
  readonly name: string | undefined;
  readonly version?: string | undefined;
  readonly fixedVersion?: string | undefined;
}

/** A vulnerability as a finding; its fingerprint is id + package + version. */
export function vulnerabilityFinding(v: VulnerabilityFacts): Finding {
  const { id, name, version, fixedVersion } = v;
  return {
    tool: v.tool,
    kind: 'vulnerability',
    id,
    severity: severityFromWord(v.severity),
    toolSeverity: text(v.severity) ?? 'unknown',
    message: boundedMessage(v.message ?? id),
    ...(v.file ? { location: { file: v.file } } : {}),
    ...(name
      ? {
          package: {
            name,
            ...(version ? { version } : {}),
            ...(fixedVersion ? { fixedVersion } : {}),
          },
        }
      : {}),
    get fingerprint() {
      return fingerprintOf('vulnerability', id, name, version);
    },
  };
}

/**
 * The names at a report's root, for the check that it has the member its format always writes:
 * a stated format that does not fit the file is a ReportError, never an empty report.
 */
export class RootMembers {
  private readonly seen = new Set<string | number>();
  note(path: readonly (string | number)[]): void {
    if (path.length === 1) this.seen.add(path[0]!);
  }
  require(file: string, what: string, ...members: string[]): void {
    if (members.some((m) => this.seen.has(m))) return;
    throw new ReportError(
      file,
      `no ${members.map((m) => `"${m}"`).join(' or ')} at its root: not ${what}`,
    );
  }
}

/** A parser: reads one file, adding each finding to the collector. */
export type FindingsParser = (file: string, collector: FindingsCollector) => Promise<void>;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export const positiveInteger = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
