// Findings rules: any active finding at or above `fail-on` (fail-on), and findings the baseline
// did not have, by fingerprint (new-findings). A waiver matches a finding's id or fingerprint.
import { type Baseline, fromBaseline } from '../baseline.ts';
import type { GateFinding, GateFindingsReport } from '../ports.ts';
import { type GateFacts, type Offender, type RuleResult, rule } from '../result.ts';
import { SEVERITIES, type Severity, failingSeverities } from '../thresholds.ts';
import type { WaiverBook } from '../waivers.ts';

/** How many fingerprints a result keeps for the next run's baseline. */
const MAX_FINGERPRINTS = 10_000;

function offender(finding: GateFinding, report: string): Offender {
  const where = finding.location;
  return {
    message: `${finding.severity} ${finding.id} (${finding.tool}): ${finding.message}`,
    ...(where
      ? { file: where.file, ...(where.line !== undefined ? { line: where.line } : {}) }
      : { file: report }),
  };
}

export interface FindingsJudgement {
  readonly failOn: RuleResult;
  readonly newFindings: RuleResult;
  readonly facts: NonNullable<GateFacts['findings']>;
}

export function judgeFindings(
  reports: readonly GateFindingsReport[],
  failOn: Severity | 'none',
  baseline: Baseline | undefined,
  waivers: WaiverBook,
): FindingsJudgement {
  const failing = new Set(failingSeverities(failOn));
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const offenders: Offender[] = [];
  const active: { finding: GateFinding; report: string }[] = [];
  let unlisted = 0;
  let waived = 0;
  for (const report of reports) {
    for (const s of SEVERITIES) counts[s] += report.counts[s];
    for (const finding of report.findings) {
      if (finding.suppressed) continue;
      if (waivers.waives([finding.id, finding.fingerprint])) {
        counts[finding.severity] -= 1;
        waived += 1;
        continue;
      }
      active.push({ finding, report: report.file });
      if (failing.has(finding.severity)) offenders.push(offender(finding, report.file));
    }
    unlisted += report.omitted;
  }
  const failingCount = [...failing].reduce((sum, s) => sum + counts[s], 0);
  const figure =
    SEVERITIES.filter((s) => counts[s] > 0)
      .map((s) => `${counts[s]} ${s}`)
      .join(', ') || 'none';
  const threshold =
    failOn === 'none' ? 'off' : `no ${failOn}${failOn === 'critical' ? '' : ' or above'}`;
  const failOnRule = rule('fail-on', failOn !== 'none' && failingCount > 0 ? 'fail' : 'pass', {
    figure: `${figure}${waived ? ` (${waived} waived)` : ''}`,
    threshold,
    offenders: failingCount > 0 ? offenders : [],
    moreOffenders: Math.max(0, failingCount - offenders.length),
    ...(unlisted > 0 ? { note: `${unlisted} finding(s) counted without details` } : {}),
  });
  const fingerprints = [...new Set(active.map((a) => a.finding.fingerprint))]
    .sort()
    .slice(0, MAX_FINGERPRINTS);
  return {
    failOn: failOnRule,
    newFindings: newFindingsRule(active, failing, baseline),
    facts: { counts, fingerprints },
  };
}

function newFindingsRule(
  active: readonly { finding: GateFinding; report: string }[],
  failing: ReadonlySet<Severity>,
  baseline: Baseline | undefined,
): RuleResult {
  const threshold = 'no new finding';
  const found = fromBaseline('new-findings', baseline, (f) => f.findings, 'findings', {
    threshold,
  });
  if ('skipped' in found) return found.skipped;
  const before = found.before;
  const known = new Set(before.fingerprints);
  const fresh = active.filter((a) => !known.has(a.finding.fingerprint));
  // New findings below fail-on are reported but do not fail: the severity rule owns that choice.
  const blocking = failing.size === 0 ? [] : fresh.filter((a) => failing.has(a.finding.severity));
  return rule('new-findings', blocking.length > 0 ? 'fail' : 'pass', {
    figure: `${fresh.length} new`,
    threshold,
    baseline: `${before.fingerprints.length} known`,
    ...(fresh.length > blocking.length
      ? { note: `${fresh.length - blocking.length} new below the fail-on severity` }
      : {}),
    offenders: blocking.map((a) => offender(a.finding, a.report)),
  });
}
