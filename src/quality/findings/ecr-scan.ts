// The findings file ecr-build-push writes from ECR's scan (src/ecr/scan.ts `ScanReport`, written
// by src/ecr/build-and-push.ts as `ecr-scan-<digest>.json`, its path the `findings-file` output):
// `version: 1`, `scanType` BASIC or ENHANCED, and `findings[]` already gathered across pages,
// severities in ECR's words (CRITICAL…INFORMATIONAL, UNDEFINED; enhanced scanning's UNTRIAGED is
// written as UNDEFINED).
import type { Finding as EcrFinding, ScanReport } from '../../ecr/scan.ts';
import { ReportError } from '../report-file.ts';
import { type FindingsCollector, isRecord, text, vulnerabilityFinding } from './model.ts';
import { type JsonChoice, type JsonPath, streamJson } from '../json-stream.ts';

/** The version of ScanReport this reader knows. */
const ECR_SCAN_VERSION: ScanReport['version'] = 1;

// `image` is written after the findings; repository and digest, which name the same image, before.
const HEADER = new Set(['version', 'scanType', 'repository', 'digest']);

export async function parseEcrScan(file: string, collector: FindingsCollector): Promise<void> {
  const header: Record<string, unknown> = {};
  const pending: Partial<EcrFinding>[] = [];
  const choose = (path: JsonPath): JsonChoice => {
    if (path.length === 0) return 'enter';
    if (path.length === 1) {
      if (HEADER.has(path[0] as string)) return 'take';
      return path[0] === 'findings' ? 'enter' : 'skip';
    }
    return 'take';
  };
  const image = () =>
    text(header['repository']) && text(header['digest'])
      ? `${String(header['repository'])}@${String(header['digest'])}`
      : undefined;
  const tool = () => `Amazon ECR (${header['scanType'] === 'ENHANCED' ? 'enhanced' : 'basic'})`;
  const add = (f: Partial<EcrFinding>) =>
    collector.add(
      vulnerabilityFinding({
        tool: tool(),
        id: text(f.id) ?? 'unknown',
        severity: f.severity,
        message: text(f.description),
        file: image(),
        name: text(f.package),
        version: text(f.version),
      }),
    );
  await streamJson(file, {
    choose,
    onValue(path, value) {
      if (path.length === 1) {
        header[path[0] as string] = value;
        return;
      }
      if (!isRecord(value)) return;
      // scanType comes before findings in what ecr-build-push writes; held only if it did not.
      if (header['scanType'] === undefined) pending.push(value);
      else add(value);
    },
  });
  const version = Number(header['version']);
  if (version !== ECR_SCAN_VERSION) {
    throw new ReportError(
      file,
      `an ECR scan report of version ${String(header['version'])}, this quality-gate reads version ${ECR_SCAN_VERSION}: use the same release of the suite for ecr-build-push and quality-gate`,
    );
  }
  collector.tools.add(tool());
  for (const f of pending) add(f);
}
