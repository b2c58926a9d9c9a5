// Trivy's JSON report (SchemaVersion 2): Results[] with Vulnerabilities, Misconfigurations and
// Secrets (reference/quality-gates.md, "Trivy JSON"), each finding streamed alone. With
// --show-suppressed, ExperimentalModifiedFindings[] holds the ones an ignore file or VEX
// statement set aside: they come back as suppressed, with the statement as justification.
import {
  type Finding,
  type FindingKind,
  type FindingsCollector,
  boundedMessage,
  fingerprintOf,
  isRecord,
  positiveInteger,
  RootMembers,
  severityFromWord,
  text,
  vulnerabilityFinding,
} from './model.ts';
import { type JsonChoice, type JsonPath, streamJson } from '../json-stream.ts';

type Json = Record<string, unknown>;

const LISTS: Record<string, FindingKind> = {
  Vulnerabilities: 'vulnerability',
  Misconfigurations: 'misconfiguration',
  Secrets: 'secret',
};

function vulnerability(v: Json, target: string | undefined): Finding {
  return vulnerabilityFinding({
    tool: 'Trivy',
    id: text(v['VulnerabilityID']) ?? 'unknown',
    severity: v['Severity'],
    message: text(v['Title']) ?? text(v['Description']),
    file: target,
    name: text(v['PkgName']) ?? 'unknown',
    version: text(v['InstalledVersion']),
    fixedVersion: text(v['FixedVersion']),
  });
}

/** trivy-checks v2 renamed `DS002` (AVDID `AVD-DS-0002`) to `DS-0002`; the AVD id is the one both share. */
function misconfiguration(m: Json, target: string | undefined): Finding | undefined {
  if (m['Status'] === 'PASS') return undefined;
  const id = text(m['AVDID'])?.replace(/^AVD-/, '') ?? text(m['ID']) ?? 'unknown';
  const cause = isRecord(m['CauseMetadata']) ? m['CauseMetadata'] : {};
  const line = positiveInteger(cause['StartLine']);
  const file = target ?? text(cause['Resource']);
  return {
    tool: 'Trivy',
    kind: 'misconfiguration',
    id,
    severity: severityFromWord(m['Severity']),
    toolSeverity: text(m['Severity']) ?? 'UNKNOWN',
    message: boundedMessage(text(m['Message']) ?? text(m['Title']) ?? id),
    ...(file ? { location: { file, ...(line ? { line } : {}) } } : {}),
    get fingerprint() {
      return fingerprintOf('misconfiguration', id, file, text(m['Message']));
    },
  };
}

function secret(s: Json, target: string | undefined): Finding {
  const id = text(s['RuleID']) ?? 'unknown';
  const line = positiveInteger(s['StartLine']);
  return {
    tool: 'Trivy',
    kind: 'secret',
    id,
    severity: severityFromWord(s['Severity']),
    toolSeverity: text(s['Severity']) ?? 'UNKNOWN',
    // Match holds the secret (redacted by Trivy); the title says what it is without it.
    message: boundedMessage(text(s['Title']) ?? id),
    ...(target ? { location: { file: target, ...(line ? { line } : {}) } } : {}),
    get fingerprint() {
      return fingerprintOf('secret', id, target, text(s['Match']));
    },
  };
}

function findingOf(kind: FindingKind, value: Json, target: string | undefined) {
  if (kind === 'vulnerability') return vulnerability(value, target);
  if (kind === 'misconfiguration') return misconfiguration(value, target);
  return secret(value, target);
}

/** `Type` of a modified finding (aquasecurity/trivy:pkg/types FindingType): vulnerability, misconfiguration, secret, license. */
const MODIFIED_KIND: Record<string, FindingKind> = {
  vulnerability: 'vulnerability',
  misconfiguration: 'misconfiguration',
  secret: 'secret',
};

export async function parseTrivy(file: string, collector: FindingsCollector): Promise<void> {
  collector.tools.add('Trivy');
  const targets: (string | undefined)[] = [];
  const root = new RootMembers();
  const choose = (path: JsonPath): JsonChoice => {
    root.note(path);
    if (path.length === 0) return 'enter';
    if (path[0] !== 'Results') return 'skip';
    if (path.length <= 2) return 'enter';
    const key = path[2] as string;
    if (path.length === 3) {
      if (key === 'Target') return 'take';
      return key in LISTS || key === 'ExperimentalModifiedFindings' ? 'enter' : 'skip';
    }
    return 'take';
  };
  await streamJson(file, {
    choose,
    onValue(path, value) {
      const result = path[1] as number;
      const key = path[2] as string;
      if (key === 'Target') {
        targets[result] = text(value);
        return;
      }
      if (!isRecord(value)) return;
      const target = targets[result];
      if (key !== 'ExperimentalModifiedFindings') {
        const finding = findingOf(LISTS[key]!, value, target);
        if (finding) collector.add(finding);
        return;
      }
      const kind = MODIFIED_KIND[text(value['Type']) ?? ''];
      if (kind === undefined || !isRecord(value['Finding'])) return;
      const finding = findingOf(kind, value['Finding'], target);
      if (!finding) return;
      const status = text(value['Status']) ?? 'ignored';
      const statement = text(value['Statement']);
      const source = text(value['Source']);
      collector.add({
        ...finding,
        suppressed: {
          justification: boundedMessage(
            `${status}${statement ? `: ${statement}` : ''}${source ? ` (${source})` : ''}`,
          ),
        },
      });
    },
  });
  root.require(file, "Trivy's JSON report", 'SchemaVersion');
}
