// `npm audit --json`: npm 7+ writes `auditReportVersion: 2` with `vulnerabilities` keyed by
// package, whose `via` mixes advisory objects (about that package) and names of the packages it
// is vulnerable through; npm 6 writes `advisories` keyed by id (reference/quality-gates.md,
// "npm audit v2"). One finding per advisory and package; the names in `via` are not findings of
// their own (the package they name has its advisory). npm writes `{"error": …}` when it could
// not audit (no advisory endpoint): that is a ReportError, never an empty pass.
import { ReportError } from '../report-file.ts';
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

/** The advisory's id: its GHSA id (the URL's last part) when there is one, else npm's number. */
function advisoryId(advisory: Json): string {
  const ghsa =
    /\/(GHSA-[\w-]+)\/?$/i.exec(text(advisory['url']) ?? '')?.[1] ??
    text(advisory['github_advisory_id']);
  if (ghsa) return ghsa;
  const number = advisory['source'] ?? advisory['id'];
  if (typeof number === 'number' || typeof number === 'string') return `npm-${number}`;
  return text(advisory['title']) ?? 'unknown';
}

function finding(
  advisory: Json,
  name: string,
  version: string | undefined,
  fixedVersion: string | undefined,
): Finding {
  return vulnerabilityFinding({
    tool: 'npm audit',
    id: advisoryId(advisory),
    severity: advisory['severity'],
    message: text(advisory['title']),
    name,
    version,
    fixedVersion,
  });
}

/** v2: a package entry. npm gives the vulnerable range, not the installed version. */
function packageFindings(entry: Json, key: string): Finding[] {
  const name = text(entry['name']) ?? key;
  const fix = entry['fixAvailable'];
  const fixedVersion = isRecord(fix) && fix['name'] === name ? text(fix['version']) : undefined;
  const via = Array.isArray(entry['via']) ? entry['via'] : [];
  return via
    .filter(isRecord)
    .map((advisory) =>
      finding(advisory, name, text(advisory['range']) ?? text(entry['range']), fixedVersion),
    );
}

/** v1: an advisory with the installed versions it was found in. */
function advisoryFindings(advisory: Json): Finding[] {
  const name = text(advisory['module_name']) ?? 'unknown';
  const patched = text(advisory['patched_versions']);
  const versions = (Array.isArray(advisory['findings']) ? advisory['findings'] : [])
    .filter(isRecord)
    .map((f) => text(f['version']));
  return (versions.length > 0 ? versions : [undefined]).map((version) =>
    finding(advisory, name, version, patched === '<0.0.0' ? undefined : patched),
  );
}

export async function parseNpmAudit(file: string, collector: FindingsCollector): Promise<void> {
  collector.tools.add('npm audit');
  let failure: string | undefined;
  const root = new RootMembers();
  const choose = (path: JsonPath): JsonChoice => {
    root.note(path);
    if (path.length === 0) return 'enter';
    const top = path[0];
    if (top === 'error' || top === 'message') return path.length === 1 ? 'take' : 'skip';
    if (top !== 'vulnerabilities' && top !== 'advisories') return 'skip';
    return path.length === 1 ? 'enter' : 'take';
  };
  await streamJson(file, {
    choose,
    onValue(path, value) {
      const top = path[0];
      if (top === 'error') {
        const summary = isRecord(value)
          ? (text(value['summary']) ?? text(value['code']))
          : undefined;
        failure ??= summary ?? 'npm audit reported an error';
        return;
      }
      if (top === 'message') {
        failure = text(value) ?? failure;
        return;
      }
      if (!isRecord(value)) return;
      const found =
        top === 'vulnerabilities'
          ? packageFindings(value, String(path[1]))
          : advisoryFindings(value);
      for (const f of found) collector.add(f);
    },
  });
  if (failure !== undefined) {
    throw new ReportError(
      file,
      `npm audit could not audit: ${boundedMessage(failure)}; the report has no findings to judge (rerun npm audit where it reaches the registry's advisory endpoint)`,
    );
  }
  root.require(file, 'npm audit --json output', 'vulnerabilities', 'advisories');
}
