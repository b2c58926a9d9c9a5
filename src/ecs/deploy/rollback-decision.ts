// Where the canary decides to roll back: one pure function for both places the analysis acts. At
// a gate (the PAUSE hook before a production step, or after the last) the verdict and
// on-inconclusive decide the hook's answer; between gates only a failing verdict acts. A canary
// whose metrics cannot be read goes back in both. The watch reads the metrics and sends the
// rollback; this says whether to.
import {
  type AnalysisResult,
  type InconclusivePolicy,
  NOTHING_TO_JUDGE_ENDING,
  decideAfterAnalysis,
} from '../../canary/analysis/index.ts';
import { formatDuration } from '../../lib/durations.ts';
import type { HookAnswer } from './hook-decisions.ts';

/** What the analysis found. */
export type Evidence =
  /** `suspicious`: worse without being significant yet (between gates: looked at again soon). */
  | { kind: 'verdict'; result: AnalysisResult; suspicious?: boolean }
  /** The metrics could not be read; `giveUp` when no retry can help or the errors persist. */
  | { kind: 'unreadable'; error: string; giveUp: boolean };

export type Place =
  /** A PAUSE hook, answered by `answerBy` at the latest: `step` before the next shift, `final` after the last. */
  | { at: 'gate'; gate: 'step' | 'final'; answerBy: number; extensionsUsed: number }
  | { at: 'between-gates' };

export interface RollbackQuestion {
  evidence: Evidence;
  policy: InconclusivePolicy;
  /** The analysis interval: how long an extension holds the hook. */
  intervalMs: number;
  place: Place;
  deployment: { now: number; productionWeight: number; stage: string };
}

export type RollbackDecision =
  | HookAnswer
  /** The metrics could not be read and there is time: look again at the next poll. */
  | { action: 'retry' };

export function decideRollback(question: RollbackQuestion): RollbackDecision {
  const { evidence, place, deployment } = question;
  const weight = deployment.productionWeight;
  const where =
    place.at === 'between-gates'
      ? `at ${weight} % of production`
      : place.gate === 'step'
        ? `at ${weight} % before the next shift`
        : 'after the last shift';
  if (evidence.kind === 'unreadable') {
    if (evidence.giveUp) {
      // Shifting more traffic to a canary nobody can judge is the one thing not to do.
      const at = deployment.stage ? ` at ${deployment.stage}` : '';
      return rollBack(`Canary analysis cannot run${at}: ${evidence.error}`);
    }
    if (place.at === 'gate' && deployment.now >= place.answerBy) {
      return rollBack(
        `Canary analysis could not read the metrics before the PAUSE hook expires ${where}`,
      );
    }
    return { action: 'retry' };
  }
  const { result } = evidence;
  if (place.at === 'gate') {
    return gateAnswer({
      result,
      policy: question.policy,
      extensionsUsed: place.extensionsUsed,
      now: deployment.now,
      intervalMs: question.intervalMs,
      latest: place.answerBy,
      where,
    });
  }
  return betweenGates(result, evidence.suspicious === true, where);
}

/** Between gates only a failing verdict acts: on-inconclusive is for the gates. */
function betweenGates(result: AnalysisResult, suspicious: boolean, where: string): HookAnswer {
  if (result.verdict === 'fail') {
    return rollBack(`Canary analysis failed ${where}: ${result.reasons.join('; ')}`);
  }
  return {
    action: 'CONTINUE',
    reason:
      result.verdict === 'pass'
        ? 'passing so far'
        : suspicious
          ? 'not significant yet: looking again sooner (only a failing verdict acts between gates)'
          : 'inconclusive so far (only a failing verdict acts between gates)',
  };
}

function rollBack(reason: string): HookAnswer {
  return { action: 'ROLLBACK', reason, decidedBy: 'analysis' };
}

export interface GateFacts {
  result: AnalysisResult;
  policy: InconclusivePolicy;
  extensionsUsed: number;
  now: number;
  intervalMs: number;
  /** answerBy() of the hook. */
  latest: number;
  /** "before the shift to 25 %", "after the last shift", for the reasons. */
  where: string;
}

/** The answer at a gate to a verdict: what decideRollback answers there. */
export function gateAnswer(facts: GateFacts): HookAnswer {
  const { result, policy } = facts;
  if (result.verdict === 'inconclusive' && result.cause === 'nothing-to-judge') {
    // Only at full traffic: no absolute limit is set, and the baseline serves nothing (or, in
    // blue/green, served only in the minute of the shift, where the comparisons did not decide).
    const reasons = result.reasons.join('; ');
    const why = reasons.endsWith(NOTHING_TO_JUDGE_ENDING)
      ? reasons.slice(0, -NOTHING_TO_JUDGE_ENDING.length)
      : reasons;
    return {
      action: 'CONTINUE',
      reason: `nothing to judge the canary against ${facts.where} (${why}): continuing`,
    };
  }
  const decision = decideAfterAnalysis(result.verdict, policy, facts.extensionsUsed);
  const figures = result.reasons.join('; ');
  switch (decision.action) {
    case 'continue':
      return { action: 'CONTINUE', reason: `${decision.reason} (${facts.where}): ${figures}` };
    case 'rollback':
      return rollBack(
        result.verdict === 'fail'
          ? `Canary analysis failed ${facts.where}: ${figures}`
          : `Canary analysis ${facts.where}: ${decision.reason}: ${figures}`,
      );
    case 'extend': {
      const until = facts.now + facts.intervalMs;
      if (until <= facts.latest) {
        return {
          action: 'hold',
          until,
          extension: decision.extension,
          reason: `${decision.reason} (${facts.where}): judging again in ${formatDuration(facts.intervalMs)}`,
        };
      }
      // No room for another interval before ECS's own timeout: do what spent extensions do.
      const then = policy.afterExtensions;
      const why = `analysis inconclusive ${facts.where} and the PAUSE hook expires before another ${formatDuration(facts.intervalMs)} extension`;
      return then === 'continue'
        ? { action: 'CONTINUE', reason: `${why}: continuing (after-extensions: continue)` }
        : rollBack(`Canary ${why}: rolling back (after-extensions: rollback): ${figures}`);
    }
  }
}
