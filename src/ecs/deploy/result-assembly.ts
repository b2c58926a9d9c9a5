// What the watch hands back: the outcome with everything it saw, and, when the deployment went
// wrong, the trouble report (service events, stopped tasks, log tails), gathered once.
import type { DeploymentSnapshot } from './ports.ts';
import {
  type DeployOutcome,
  type DeployResult,
  RESULT_VERSION,
  finalOutcome,
  iso,
  reportedVerdict,
} from './result.ts';
import { gatherTrouble } from './trouble-report.ts';
import { type Watch, emit, now } from './watch-state.ts';

/** The deployment reached a final status. */
export async function finish(w: Watch, s: DeploymentSnapshot): Promise<DeployResult> {
  const outcome = finalOutcome(s, w.state.steering.decision);
  if (outcome.outcome !== 'succeeded') await gatherTroubleOnce(w);
  return resultOf(w, outcome);
}

export async function gatherTroubleOnce(w: Watch): Promise<void> {
  const report = w.state.report;
  if (report.troubleGathered) return;
  report.troubleGathered = true;
  try {
    report.trouble = await gatherTrouble(
      {
        cluster: w.request.cluster,
        service: w.request.service,
        since: w.state.seen.snapshot?.startedAt,
      },
      { deployments: w.deps.deployments, logs: w.deps.logs },
      w.deps.signal,
    );
    emit(w, { type: 'trouble', at: iso(now(w)), trouble: report.trouble });
  } catch {
    // Best effort: gatherTrouble already reports what it could not fetch.
  }
}

export function resultOf(w: Watch, outcome: DeployOutcome): DeployResult {
  const s = w.state.seen.snapshot;
  const { report } = w.state;
  const verdict = reportedVerdict(report.analyses, w.state.steering.decision?.decidedBy);
  const rollbackReason =
    s?.rollback?.reason ?? (s?.status === 'SUCCESSFUL' ? undefined : s?.statusReason);
  return {
    ...outcome,
    resultVersion: RESULT_VERSION,
    serviceDeploymentArn: w.request.serviceDeploymentArn,
    attached: w.request.attached,
    ...(s === undefined ? {} : { status: s.status }),
    ...(verdict === undefined ? {} : { verdict }),
    ...(rollbackReason === undefined ? {} : { rollbackReason }),
    triggeredAlarms: [...(s?.alarms?.triggeredAlarmNames ?? [])],
    timeline: report.timeline,
    trafficSteps: report.traffic,
    hooks: report.hooks,
    analyses: report.analyses,
    ...(report.trouble === undefined ? {} : { trouble: report.trouble }),
    startedAt: iso(w.request.startedAt),
    finishedAt: iso(now(w)),
  };
}
