// When the canary is judged between gates: following CloudWatch's publication (one interval after
// a look that read a new period, a quarter interval after one that read nothing new while a period
// is overdue), sooner after a suspicious look or a failed metrics read, and not just before a gate
// that judges the same window. Only while the new revision takes production traffic and nothing
// is decided.
import { lookAlpha, spendingPower } from '../../canary/analysis/index.ts';
import { type AnalysisSettings, type Judgement, recentlyWorse } from './continuous-analysis.ts';
import { expectedTransitionAt } from './poll-cadence.ts';
import { awaitingPauseHook } from './rollback.ts';
import { type Strategy, productionSteps } from './strategy.ts';
import { type Watch, now } from './watch-state.ts';

export function nextLookAt(looks: {
  gridAt: number | undefined;
  soonAt: number | undefined;
}): number | undefined {
  const { soonAt, gridAt } = looks;
  if (soonAt === undefined) return gridAt;
  return gridAt === undefined ? soonAt : Math.min(soonAt, gridAt);
}

/** Looks happen while the canary takes production traffic, until something is decided. */
export function analysing(w: Watch): boolean {
  const { seen, steering } = w.state;
  return (
    w.request.analysis !== undefined &&
    seen.weight > 0 &&
    seen.status === 'IN_PROGRESS' &&
    seen.stage !== 'CLEAN_UP' &&
    !steering.rollbackPending &&
    steering.decision === undefined
  );
}

export function lookDue(w: Watch): boolean {
  const next = nextLookAt(w.state.looks);
  return analysing(w) && next !== undefined && now(w) >= next;
}

/** A look is due before the next poll, and the last snapshot had no hook to answer. */
export function lookWithoutPolling(w: Watch): boolean {
  const { snapshot } = w.state.seen;
  return (
    snapshot !== undefined &&
    lookDue(w) &&
    now(w) < w.state.calls.pollDueAt &&
    awaitingPauseHook(snapshot) === undefined
  );
}

/**
 * When the pre-production PAUSE hook of the next canary or linear shift is expected: the end of
 * the step's bake. Only while the new revision holds part of production.
 */
export function gateExpectedAt(w: Watch): number | undefined {
  const { strategy } = w.request;
  const { weight, weightSince, stage, stageSince } = w.state.seen;
  if (strategy.kind !== 'canary' && strategy.kind !== 'linear') return undefined;
  if (!(weight > 0 && weight < 100) || stage === 'BAKE_TIME') return undefined;
  return expectedTransitionAt({
    strategy,
    productionWeight: weight,
    weightSince,
    stage,
    stageSince,
  });
}

/** A shift starts the grid afresh: the first look one interval after it. */
export function restartLooks(w: Watch, since: number): void {
  if (w.request.analysis === undefined) return;
  w.state.looks.gridAt = since + w.request.analysis.intervalMs;
  w.state.looks.soonAt = undefined;
  w.state.looks.waitingSince = since;
}

/**
 * How long the looks keep coming every quarter interval for a period that is not published yet,
 * in intervals since the last new one (or the shift): a period is published a minute or more
 * after it ends, so the first one that holds a shift's traffic can take 2.5 intervals; past that
 * (no traffic at all) the looks fall back to one per interval.
 */
export const OVERDUE_INTERVALS = 3;

/**
 * Looks follow publication. A look that read a new period puts the next one interval later: the
 * next period is expected then, its publication delay about the same. A look that read nothing
 * new looks again a quarter interval (at least 10 s) later while a period is overdue (the period
 * after the latest one read has ended), so a period is judged within about a quarter interval of
 * being published at about one look per period with data. Looks that read nothing new spend
 * none of the budget (`dataKey`).
 */
export function followPublication(w: Watch, readNew: boolean): void {
  const settings = w.request.analysis;
  if (settings === undefined) return;
  const interval = settings.intervalMs;
  const looks = w.state.looks;
  const at = now(w);
  if (readNew) {
    looks.waitingSince = at;
    looks.gridAt = at + interval;
    return;
  }
  const period = settings.periodSeconds * 1000;
  const overdue = looks.readThrough === undefined || at >= looks.readThrough + 2 * period;
  const since = looks.waitingSince ?? at;
  if (overdue && at - since < OVERDUE_INTERVALS * interval) {
    const soon = at + Math.max(10_000, Math.round(interval / 4));
    looks.soonAt = looks.soonAt === undefined ? soon : Math.min(looks.soonAt, soon);
  }
}

/**
 * Moves the grid past now for the look that is due, and says whether to judge now: not when the
 * step's gate judges the same window in a moment (then the next look comes half an interval
 * after the gate, unless the gate is late).
 */
export function takeLook(w: Watch, intervalMs: number): boolean {
  const at = now(w);
  const looks = w.state.looks;
  const gateAt = gateExpectedAt(w);
  looks.soonAt = undefined;
  if (gateAt !== undefined && gateAt > at && gateAt - at <= intervalMs / 2) {
    looks.gridAt = gateAt + intervalMs / 2;
    return false;
  }
  let grid = looks.gridAt ?? at;
  while (grid <= at) grid += intervalMs;
  looks.gridAt = grid;
  return true;
}

/**
 * A gate's judgement counts as a look: the next one between gates follows it as it would follow
 * a look (one interval later when it read a new period, sooner when it was suspicious), rather
 * than re-reading the window the gate read moments before (the final gate, with the bake after
 * it at the same weight, left the grid where the shift had put it).
 */
export function gateJudged(w: Watch, look: { readNew: boolean; suspicious: boolean }): void {
  const settings = w.request.analysis;
  if (settings === undefined) return;
  const at = now(w);
  const looks = w.state.looks;
  looks.soonAt = undefined;
  let grid = looks.gridAt ?? at;
  while (grid <= at) grid += settings.intervalMs;
  looks.gridAt = grid;
  if (look.suspicious) lookAgainSoon(w, 'suspicious');
  followPublication(w, look.readNew);
}

/**
 * An early look: at the next poll after the metrics could not be read, a quarter interval (at
 * least 10 s) after a suspicious one, so a regression that starts between two looks is caught
 * within one interval.
 */
export function lookAgainSoon(w: Watch, after: 'unreadable' | 'suspicious'): void {
  const interval = w.request.analysis?.intervalMs ?? 0;
  w.state.looks.soonAt =
    now(w) +
    (after === 'unreadable'
      ? w.request.polling.intervalMs
      : Math.max(10_000, Math.round(interval / 4)));
}

/**
 * Below min-requests, a check whose test already points at a regression at this nominal level
 * (never a level anything fails at): the next published period may decide it.
 */
export const SUSPICIOUS_P = 0.05;

/**
 * Worse without being significant yet, over the window or in its last period; or too few
 * requests for a pass with a check's test already below SUSPICIOUS_P (the first published period
 * of an absolute latency breach: 12 of 100 canary requests slower than the limit, binomial
 * p = 0.003, far from the look's 4·10⁻⁴).
 */
export function isSuspicious(judgement: Judgement, tolerance: number): boolean {
  const { result } = judgement;
  return (
    (result.verdict === 'inconclusive' && result.cause === 'insufficient-evidence') ||
    (result.verdict === 'inconclusive' &&
      result.cause === 'too-few-requests' &&
      result.metrics.some((m) => m.test.p !== null && m.test.p < SUSPICIOUS_P)) ||
    recentlyWorse(judgement.canary, judgement.baseline, tolerance)
  );
}

/**
 * How long the new revision is planned to take production traffic: the bake of every step and
 * the final bake (each at least one analysis interval, which a gate watches before it judges),
 * and the extensions on-inconclusive may add. The false-rollback budget is spent over it.
 */
export function plannedExposureMs(strategy: Strategy, settings: AnalysisSettings): number {
  const interval = settings.intervalMs;
  const bake = (minutes: number) => Math.max(minutes * 60_000, interval);
  const extensions =
    settings.policy.onInconclusive === 'extend' ? settings.policy.maxExtensions * interval : 0;
  switch (strategy.kind) {
    case 'canary':
      return (
        (productionSteps(strategy).length > 1 ? bake(strategy.canaryBakeMinutes) : 0) +
        bake(strategy.bakeMinutes) +
        extensions
      );
    case 'linear':
      return (
        (productionSteps(strategy).length - 1) * bake(strategy.stepBakeMinutes) +
        bake(strategy.bakeMinutes) +
        extensions
      );
    case 'blue-green':
      return bake(strategy.bakeMinutes) + extensions;
    case 'rolling':
      return bake(0) + extensions;
  }
}

/**
 * What a look may spend of the deployment's false-rollback budget: what the spending function has
 * released for the exposure its data covers (from when the new revision first took production
 * traffic to the end of the latest period read, `dataThrough`), less what earlier looks spent.
 * Information time follows the data, not the clock: a look that reads a period the moment it is
 * published gets what a later look at the same periods would, and looking more often buys
 * nothing and costs nothing.
 */
export function alphaForLook(w: Watch, dataThrough: number): number | undefined {
  const settings = w.request.analysis;
  if (settings === undefined) return undefined;
  const since = w.state.seen.exposureSince ?? now(w);
  return lookAlpha(
    {
      alpha: settings.config.falseRollbackRate,
      plannedExposureMs: plannedExposureMs(w.request.strategy, settings),
      power: spendingPower(settings.config),
    },
    Math.max(0, Math.min(now(w), dataThrough) - since),
    w.state.looks.alphaSpent,
  );
}
