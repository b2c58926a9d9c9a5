// Grype's JSON report: matches[] (and, when ignore rules applied, ignoredMatches[], each with
// the appliedIgnoreRules that set it aside), streamed one match at a time
// (reference/quality-gates.md, "Grype JSON"; anchore/grype:grype/presenter/models).
import {
  type Finding,
  type FindingsCollector,
  boundedMessage,
  isRecord,
  RootMembers,
  text,
  vulnerabilityFinding,
} from './model.ts';
import { type JsonChoice, type JsonPath, streamJson } from '../json-stream.ts';

type Json = Record<string, unknown>;

function matchFinding(match: Json): Finding | undefined {
  const vulnerability = isRecord(match['vulnerability']) ? match['vulnerability'] : undefined;
  const artifact = isRecord(match['artifact']) ? match['artifact'] : {};
  if (!vulnerability) return undefined;
  const fix = isRecord(vulnerability['fix']) ? vulnerability['fix'] : {};
  const fixedVersion =
    fix['state'] === 'fixed' && Array.isArray(fix['versions'])
      ? text(fix['versions'][0])
      : undefined;
  const locations = Array.isArray(artifact['locations']) ? artifact['locations'] : [];
  return vulnerabilityFinding({
    tool: 'Grype',
    id: text(vulnerability['id']) ?? 'unknown',
    severity: vulnerability['severity'],
    message: text(vulnerability['description']),
    file: isRecord(locations[0]) ? text(locations[0]['path']) : undefined,
    name: text(artifact['name']) ?? 'unknown',
    version: text(artifact['version']),
    fixedVersion,
  });
}

/** Why an ignored match was ignored: the rules' reasons, VEX status, or the rule itself. */
function ignoreJustification(match: Json): string {
  const rules = Array.isArray(match['appliedIgnoreRules']) ? match['appliedIgnoreRules'] : [];
  const reasons = rules.filter(isRecord).map((rule) => {
    const reason = text(rule['reason']) ?? text(rule['vex-justification']);
    const status = text(rule['vex-status']);
    if (reason) return status ? `${status}: ${reason}` : reason;
    if (status) return `VEX ${status}`;
    if (text(rule['fix-state'])) return `ignore rule on fix state ${String(rule['fix-state'])}`;
    return `ignore rule${text(rule['vulnerability']) ? ` for ${String(rule['vulnerability'])}` : ''}`;
  });
  return boundedMessage(reasons.length > 0 ? reasons.join('; ') : 'ignored by grype');
}

export async function parseGrype(file: string, collector: FindingsCollector): Promise<void> {
  collector.tools.add('Grype');
  const root = new RootMembers();
  const choose = (path: JsonPath): JsonChoice => {
    root.note(path);
    if (path.length === 0) return 'enter';
    if (path[0] !== 'matches' && path[0] !== 'ignoredMatches') return 'skip';
    return path.length === 1 ? 'enter' : 'take';
  };
  await streamJson(file, {
    choose,
    onValue(path, value) {
      if (!isRecord(value)) return;
      const finding = matchFinding(value);
      if (!finding) return;
      collector.add(
        path[0] === 'ignoredMatches'
          ? { ...finding, suppressed: { justification: ignoreJustification(value) } }
          : finding,
      );
    },
  });
  root.require(file, "Grype's JSON report", 'matches');
}
