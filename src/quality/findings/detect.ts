// Which findings format a report is, from its first bytes (`sniff`): each tool's own marks.
import type { FindingsFormat } from './model.ts';

const MARKS: readonly [FindingsFormat, (head: string) => boolean][] = [
  // SARIF: `runs` and the 2.1.0 version or the schema's name.
  [
    'sarif',
    (h) => /"runs"\s*:/.test(h) && (/"version"\s*:\s*"2\.1\.0"/.test(h) || /sarif/i.test(h)),
  ],
  // Trivy: SchemaVersion 2 with ArtifactName (pkg/types/report.go's first fields).
  ['trivy', (h) => /"SchemaVersion"\s*:\s*2\b/.test(h) && /"(ArtifactName|Results)"\s*:/.test(h)],
  // Grype: the report opens with matches; its descriptor names grype.
  [
    'grype',
    (h) =>
      /^\s*\{\s*"matches"\s*:/.test(h) || /"descriptor"\s*:\s*\{\s*"name"\s*:\s*"grype"/.test(h),
  ],
  // npm audit: v2's auditReportVersion, v1's advisories/actions, or npm's own error object.
  [
    'npm-audit',
    (h) =>
      /"auditReportVersion"\s*:/.test(h) ||
      (/"advisories"\s*:\s*\{/.test(h) && /"(actions|muted|metadata)"\s*:/.test(h)) ||
      /"uri"\s*:\s*"[^"]*\/-\/npm\/v1\/security\//.test(h),
  ],
  // ecr-build-push's findings file.
  ['ecr-scan', (h) => /"scanType"\s*:\s*"(BASIC|ENHANCED)"/.test(h) && /"digest"\s*:/.test(h)],
];

export function detectFindingsFormat(head: string): FindingsFormat | undefined {
  return MARKS.find(([, matches]) => matches(head))?.[0];
}
