// A look at the canary: its metrics and the baseline's read and judged, decideRollback asked what
// that means where the deployment is, the analysis recorded. Between gates, the look the schedule
// calls for; at a gate, the judgement behind the hook's answer (hook-answers.ts).
import { describeAwsError } from '../../lib/aws-errors.ts';
import {
  alphaForLook,
  followPublication,
  isSuspicious,
  lookAgainSoon,
  takeLook,
} from './analysis-schedule.ts';
import {
  type AnalysisSettings,
  type Judgement,
  type TargetGroups,
  dataKey,
  judgeWindow,
  latestServed,
  periodStart,
  periodsServedSince,
  resolveTargetGroups,
} from './continuous-analysis.ts';
import { type FinalGateWaitFacts, type HookAnswer, finalGateWait } from './hook-decisions.ts';
import type { DeploymentSnapshot } from './ports.ts';
import { type AnalysisRecord, analysisRecord, iso } from './result.ts';
import {
  type Evidence,
  type Place,
  type RollbackDecision,
  decideRollback,
} from './rollback-decision.ts';
import { rollBack } from './rollback-request.ts';
import { awaitingPauseHook } from './rollback.ts';
import { callFailed } from './watch-calls.ts';
import { type Watch, emit, now } from './watch-state.ts';

type Judged = Judgement & { groups: TargetGroups };

/** The look between gates that the schedule calls for; only a failing verdict acts. */
export async function lookBetweenGates(w: Watch, s: DeploymentSnapshot): Promise<void> {
  const settings = w.request.analysis;
  if (settings === undefined) return;
  // Every look judges the new revision since it first took traffic: evidence from earlier steps
  // of a linear rollout counts (the comparisons use the periods both groups served, each period
  // side by side). At full traffic the baseline serves nothing: the absolute limits judge (the
  // comparisons were made while it served, and the final gate makes them again).
  const { weight, weightSince, exposureSince } = w.state.seen;
  const full = weight >= 100;
  const start = exposureSince ?? weightSince ?? now(w);
  if (!takeLook(w, settings.intervalMs)) return;
  const look = await judgeCanary(w, settings, s, start, { at: 'between-gates' }, !full);
  if (look === undefined) return;
  const { decision } = look;
  if (decision.action === 'ROLLBACK') {
    await rollBack(w, 'analysis', decision.reason, undefined);
  } else if (decision.action === 'retry') {
    lookAgainSoon(w, 'unreadable');
  } else {
    if (look.suspicious) lookAgainSoon(w, 'suspicious');
    followPublication(w, look.readNew);
  }
}

/**
 * Judges the canary's metrics since `from` and asks decideRollback what to do at `place`; records
 * the analysis. A canary whose metrics cannot be read at all is rolled back here and then, through
 * the hook that waits if any: then undefined.
 */
export async function judgeCanary(
  w: Watch,
  settings: AnalysisSettings,
  s: DeploymentSnapshot,
  from: number,
  place: Place,
  compare = true,
): Promise<
  | {
      decision: RollbackDecision;
      suspicious: boolean;
      readNew: boolean;
      /** The final gate waits for data (hook-decisions.ts `finalGateWait`): not a judgement. */
      waiting?: true;
    }
  | undefined
> {
  const stage = s.lifecycleStage ?? '';
  const decide = (evidence: Evidence) =>
    decideRollback({
      evidence,
      policy: settings.policy,
      intervalMs: settings.intervalMs,
      place,
      deployment: { now: now(w), productionWeight: w.state.seen.weight, stage },
    });
  const reading = await readMetrics(w, settings, s, from, place.at === 'gate', compare);
  if (reading.kind === 'unreadable') {
    const decision = decide(reading);
    if (!reading.giveUp || decision.action !== 'ROLLBACK') {
      return { decision, suspicious: false, readNew: false };
    }
    const hookId = place.at === 'gate' ? awaitingPauseHook(s)?.hookId : undefined;
    await rollBack(w, 'analysis', decision.reason, hookId);
    return undefined;
  }
  const { judged, readNew } = reading;
  const wait =
    place.at === 'gate' && place.gate === 'final'
      ? finalGateWait(waitFacts(w, judged, settings, place.answerBy))
      : undefined;
  if (wait !== undefined) {
    // CloudWatch publishes a period a minute or more after it ends: short of a verdict, the gate
    // after the last shift waits for the shift's period, and blue/green's for the evidence its
    // absolute limits need (hook-decisions.ts).
    return { decision: wait, suspicious: false, readNew, waiting: true };
  }
  const suspicious = isSuspicious(judged, settings.config.tolerance);
  const decision = decide({ kind: 'verdict', result: judged.result, suspicious });
  if (decision.action !== 'retry') recordAnalysis(w, judged, place, stage, decision);
  return { decision, suspicious, readNew };
}

/** What the final gate's wait is decided on: the verdict and the periods read since the shift. */
function waitFacts(
  w: Watch,
  judged: Judged,
  settings: AnalysisSettings,
  answerBy: number,
): FinalGateWaitFacts {
  const { result } = judged;
  const shiftSince = w.state.seen.weightSince ?? now(w);
  const shiftPeriod = periodStart(shiftSince, settings.periodSeconds);
  return {
    now: now(w),
    latest: answerBy,
    pollIntervalMs: w.request.polling.intervalMs,
    intervalMs: settings.intervalMs,
    periodMs: settings.periodSeconds * 1000,
    shiftSince,
    baselineAtShiftOnly: baselineAtShiftOnly(w),
    periodsSinceShift: periodsServedSince(judged.canary, shiftPeriod),
    verdict: result.verdict,
    cause: result.verdict === 'inconclusive' ? result.cause : undefined,
    reasons: result.reasons,
  };
}

/**
 * The new revision took all production traffic in one shift (blue/green): the old one served
 * beside it only in that minute.
 */
function baselineAtShiftOnly(w: Watch): boolean {
  return w.request.strategy.kind === 'blue-green';
}

type Reading =
  /** `readNew`: a period of either group no look had read before (just published). */
  { kind: 'judged'; judged: Judged; readNew: boolean } | Extract<Evidence, { kind: 'unreadable' }>;

/** The canary's and the baseline's metrics since `start`, judged; a failed read is counted. */
async function readMetrics(
  w: Watch,
  settings: AnalysisSettings,
  s: DeploymentSnapshot,
  start: number,
  withTargetHealth: boolean,
  compare: boolean,
): Promise<Reading> {
  const { metrics, signal } = w.deps;
  if (metrics === undefined) return { kind: 'unreadable', error: 'no metrics', giveUp: false };
  const looks = w.state.looks;
  try {
    looks.groups ??= await resolveTargetGroups(
      s,
      w.deps.revisions,
      w.request.targetGroupPair,
      signal,
    );
    const judgement = await judgeWindow(
      {
        groups: looks.groups,
        start,
        end: now(w),
        settings,
        withTargetHealth,
        compare,
        baselineAtShiftOnly: baselineAtShiftOnly(w),
        // A look that reads what the last one read (nothing published since) spends nothing.
        alphaFor: (canary, baseline) => {
          const key = dataKey(periodStart(start, settings.periodSeconds), canary, baseline);
          if (key === looks.lastDataKey) return 0;
          looks.lastDataKey = key;
          const latest = latestServed(canary, baseline);
          const dataThrough = latest === undefined ? start : latest + settings.periodSeconds * 1000;
          return alphaForLook(w, dataThrough) ?? 0;
        },
      },
      metrics,
      signal,
    );
    looks.errors = 0;
    looks.alphaSpent += judgement.result.errorControl?.spent ?? 0;
    const latest = latestServed(judgement.canary, judgement.baseline);
    const readNew =
      latest !== undefined && (looks.readThrough === undefined || latest > looks.readThrough);
    if (readNew) looks.readThrough = latest;
    return { kind: 'judged', judged: { ...judgement, groups: looks.groups }, readNew };
  } catch (error) {
    if (signal.aborted) return { kind: 'unreadable', error: 'aborted', giveUp: false };
    const call = looks.groups === undefined ? 'DescribeServiceRevisions' : 'GetMetricData';
    const kind = callFailed(w, call, error, false);
    looks.errors += 1;
    return {
      kind: 'unreadable',
      error: describeError(error),
      giveUp: kind === 'fatal' || looks.errors > w.request.polling.maxConsecutiveErrors,
    };
  }
}

function recordAnalysis(
  w: Watch,
  judged: Judged,
  place: Place,
  stage: string,
  decision: HookAnswer,
): void {
  const kind = place.at === 'gate' ? 'gate' : 'continuous';
  const action: AnalysisRecord['decision']['action'] =
    decision.action === 'ROLLBACK'
      ? 'rollback'
      : decision.action === 'hold'
        ? 'extend'
        : kind === 'gate'
          ? 'continue'
          : 'none';
  const record = analysisRecord(
    judged.result,
    {
      at: iso(now(w)),
      kind,
      ...(stage ? { stage } : {}),
      productionWeight: w.state.seen.weight,
      window: { start: iso(judged.start), end: iso(judged.end) },
      canaryTargetGroup: judged.groups.canary,
      baselineTargetGroup: judged.groups.baseline,
      decision: { action, reason: decision.reason },
    },
    kind === 'gate' || action === 'rollback',
  );
  w.state.report.analyses.push(record);
  emit(w, { type: 'analysis', analysis: record });
}

/** A UserError (the target groups cannot be told apart) says it best itself. */
function describeError(error: unknown): string {
  return error instanceof Error && error.name === 'UserError'
    ? error.message
    : describeAwsError(error);
}
