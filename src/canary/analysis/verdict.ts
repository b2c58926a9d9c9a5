import { type AnalysisConfig, type AnalysisConfigInput, validateAnalysisConfig } from './config.ts';
import { betweenPeriodVariance, designEffect, effective, noiseBand } from './dispersion.ts';
import {
  type WindowLabel,
  judgeErrorRateLimit,
  judgeRateAgainstBaseline,
  proportion,
} from './error-checks.ts';
import { type PeriodPercentiles, enoughForExceedance } from './exceedance.ts';
import { judgeHealth } from './health-check.ts';
import { aboveLimitP, judgeLatencyAgainstBaseline, judgeLatencyLimit } from './latency-checks.ts';
import {
  judgeLatencyAgainstBaselineFromCounts,
  judgeLatencyLimitFromCounts,
  judgeP95AgainstBaselineFromCounts,
  smallestP95CountsP,
} from './latency-count-checks.ts';
import { smallestPossibleP as mannWhitneySmallestP } from './mann-whitney.ts';
import { type Proportion, fisherExactGreater, rate } from './proportions.ts';
import {
  type LatencyCounts,
  latencyCounts,
  limitCountP,
  smallestStratifiedP,
} from './slower-counts.ts';
import { type Draft, finish } from './metric-judgement.ts';
import type {
  AnalysisResult,
  ErrorControl,
  LookOptions,
  MetricJudgement,
  MetricName,
  TargetGroupWindow,
  TrafficSummary,
} from './types.ts';
import { type WindowTotals, windowTotals } from './window-totals.ts';

/**
 * Judges the canary against the baseline that ran over the same window and against the absolute
 * limits in `config`. Precedence:
 *
 * 1. Any check that fails, fails the canary. A request-based check fails when its test is
 *    significant at its level, at any count (the test accounts for the count; a severe failure
 *    decides at the first look that has the requests for it); an absolute limit fails on its
 *    own, without waiting for the comparison with the baseline. Unhealthy canary hosts fail it
 *    at any traffic.
 * 2. Fewer than `minRequests` canary requests and nothing failed: inconclusive, never a pass.
 * 3. Any check that could neither pass nor fail: inconclusive.
 * 4. No baseline traffic: only the absolute limits judge (and the reasons say so); with no limit
 *    set either, there is nothing to judge against: inconclusive, whatever the count (checked
 *    before 2). With `look.baselineAtShiftOnly` (blue/green) the comparisons only fail, and a
 *    comparison that did not is `skipped`: the same holds when no limit is set.
 * 5. Otherwise: pass.
 *
 * The level: without `look`, every check fails at 1 − confidence (one fixed-horizon judgement).
 * With `look` (one of a deployment's repeated looks, sequential.ts), the look's alpha is shared
 * equally among the request-based checks that can fail in it, so the looks of a deployment
 * together fail a healthy canary with at most the deployment's budget.
 */
export function judge(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  configInput: AnalysisConfigInput,
  look?: LookOptions,
): AnalysisResult {
  const validated = validateAnalysisConfig(configInput);
  if (canary.periodSeconds !== baseline.periodSeconds) {
    throw new RangeError(
      `canary and baseline windows need the same period, got ${canary.periodSeconds} s and ${baseline.periodSeconds} s`,
    );
  }
  if (look !== undefined && !(look.alpha >= 0 && look.alpha < 1)) {
    throw new RangeError(`a look's alpha must be in [0, 1), got ${look.alpha}`);
  }
  const c = windowTotals(canary);
  const b = windowTotals(baseline);
  // The comparisons use only the periods in which both groups served: a period of the canary
  // alone (at full traffic) has nothing beside it, and periods apart in time differ in time.
  const both = {
    ...concurrent(canary, baseline),
    history: historyTotals(baseline),
    paired: pairedPercentiles(canary, baseline),
    counts: latencyCounts(canary, baseline, {
      p95: validated.maxP95LatencySeconds,
      p99: validated.maxP99LatencySeconds,
    }),
  };
  const baselineServed = b.requests > 0;
  const enoughRequests = c.requests >= validated.minRequests;

  // Which checks can fail does not depend on the level: count them, then share the look's alpha.
  const planned = plannedChecks(c, both, recentWindow(canary, baseline), baselineServed, validated);
  let config: AnalysisConfig = validated;
  let errorControl: ErrorControl | undefined;
  let levels: readonly number[] | undefined;
  if (look !== undefined) {
    const sharing = sharingChecks(planned, look.alpha);
    levels = sharing.levels;
    const perShare = sharing.checks === 0 ? 0 : look.alpha / sharing.shares;
    config = { ...validated, failAlpha: perShare };
    errorControl = {
      lookAlpha: look.alpha,
      checks: sharing.checks,
      shares: sharing.shares,
      perCheckAlpha: perShare,
      spent: sharing.checks === 0 ? 0 : look.alpha,
    };
  }
  const drafts = planned.map((check, i) =>
    check.judge(levels === undefined ? config : { ...config, failAlpha: levels[i]! }),
  );

  const tooFew = `canary served ${c.requests} ${c.requests === 1 ? 'request' : 'requests'}, fewer than min-requests ${config.minRequests}`;
  // Below min-requests nothing passes; a check that fails at its level still fails.
  const belowMin = drafts.map((draft): Draft =>
    enoughRequests || draft.outcome === 'skipped' || draft.outcome === 'fail'
      ? draft
      : { ...draft, outcome: 'inconclusive', figures: `${draft.figures}; ${tooFew}` },
  );
  const shiftOnly = look?.baselineAtShiftOnly === true;
  const gated = shiftOnly ? belowMin.map(onlyFailAtShift) : belowMin;
  const metrics: MetricJudgement[] = [judgeHealth(canary, baseline, config), ...gated].map(finish);

  const traffic: TrafficSummary = {
    canaryRequests: c.requests,
    baselineRequests: b.requests,
    canaryPeriods: c.periodsWithRequests,
    baselinePeriods: b.periodsWithRequests,
  };
  const notes = baselineServed
    ? []
    : ['baseline served no requests in the window: judged against absolute limits only'];
  const atShift = shiftOnly && baselineServed ? shiftFindings(belowMin, gated) : undefined;
  const shiftNotes = atShift === undefined ? [] : [atShift.note];
  const whys = (outcome: MetricJudgement['outcome']): string[] =>
    metrics.filter((metric) => metric.outcome === outcome).map((metric) => metric.why);

  const control = errorControl === undefined ? {} : { errorControl };
  const failed = metrics
    .filter((metric) => metric.outcome === 'fail' && !toldByWholeWindow(metric, metrics, config))
    .map((metric) => metric.why);
  if (failed.length > 0) {
    return { verdict: 'fail', reasons: [...failed, ...notes], metrics, traffic, ...control };
  }
  if (gated.every((draft) => draft.outcome === 'skipped') || atShift?.unjudged === true) {
    // More requests cannot help: nothing is left that could judge them.
    return {
      verdict: 'inconclusive',
      cause: 'nothing-to-judge',
      reasons: [
        `${atShift === undefined ? 'baseline served no requests' : `${SHIFT_ONLY}, where ${atShift.undecided.join(', ')} did not decide,`} and no absolute limit is set (max-error-rate, max-p95-latency, max-p99-latency)${NOTHING_TO_JUDGE_ENDING}`,
      ],
      metrics,
      traffic,
      ...control,
    };
  }
  if (!enoughRequests) {
    // Every request-based check says the same; the health check cannot be inconclusive.
    return {
      verdict: 'inconclusive',
      cause: 'too-few-requests',
      reasons: [`${tooFew}: inconclusive`, ...notes, ...shiftNotes],
      metrics,
      traffic,
      ...control,
    };
  }
  const inconclusive = whys('inconclusive');
  if (inconclusive.length > 0) {
    return {
      verdict: 'inconclusive',
      cause: 'insufficient-evidence',
      reasons: [...inconclusive, ...notes, ...shiftNotes],
      metrics,
      traffic,
      ...control,
    };
  }
  return {
    verdict: 'pass',
    reasons: [...whys('pass'), ...notes, ...shiftNotes],
    metrics,
    traffic,
    ...control,
  };
}

/** How a `nothing-to-judge` verdict's reason ends: a gate that continues on it says the rest. */
export const NOTHING_TO_JUDGE_ENDING = ': nothing to judge the canary against: inconclusive';

/** Why a comparison with the baseline has only the minute of the shift (blue/green). */
const SHIFT_ONLY = 'the baseline served only in the minute of the shift';

const LIMIT_INPUTS: Partial<Record<MetricName, string>> = {
  'error-rate': 'max-error-rate',
  'recent-error-rate': 'max-error-rate',
  'p95-latency': 'max-p95-latency',
  'p99-latency': 'max-p99-latency',
};

/**
 * With `baselineAtShiftOnly`: the comparisons that did not decide on the minute of the shift,
 * and what judges the canary instead, as a note for the reasons. `unjudged`: some did not
 * decide and no absolute limit is set, so nothing will judge them (not a pass).
 */
function shiftFindings(
  before: readonly Draft[],
  after: readonly Draft[],
): { undecided: string[]; unjudged: boolean; note: string } {
  const undecided = after
    .filter((draft, i) => draft.outcome === 'skipped' && before[i]?.outcome !== 'skipped')
    .map((draft) => draft.name);
  const limits = [
    ...new Set(
      after.flatMap((draft) =>
        draft.against === 'limit' ? [LIMIT_INPUTS[draft.name] ?? draft.name] : [],
      ),
    ),
  ];
  const limited = limits.length > 0;
  const judges = limited
    ? `${limits.join(', ')} ${limits.length === 1 ? 'judges' : 'judge'} every period since`
    : 'no absolute limit is set';
  const open = undecided.length === 0 ? '' : ` (${undecided.join(', ')} did not decide there)`;
  return {
    undecided,
    unjudged: undecided.length > 0 && !limited,
    note: `${SHIFT_ONLY}: the comparisons with it can only fail${open}; ${judges}`,
  };
}

/**
 * With `baselineAtShiftOnly`, a comparison with the baseline that neither passed nor failed has
 * no say: the minute of the shift is all it will ever have, so "inconclusive" would wait for data
 * that never comes. A fail still fails (a severe failure shows in that minute).
 */
function onlyFailAtShift(draft: Draft): Draft {
  if (draft.against !== 'baseline' || draft.outcome !== 'inconclusive') return draft;
  return {
    ...draft,
    outcome: 'skipped',
    figures: `${draft.figures}; ${SHIFT_ONLY}: no more data will come to compare with`,
  };
}

/**
 * A recent window's failure that says what its whole-window check already says: that check failed
 * too, at about the same rate (the recent rate within the tolerance of the whole window's). A
 * failure that started late is worse in the recent window and is reported at that size.
 */
function toldByWholeWindow(
  metric: MetricJudgement,
  metrics: readonly MetricJudgement[],
  config: AnalysisConfig,
): boolean {
  if (!metric.name.startsWith('recent-')) return false;
  const whole = metrics.find((m) => m.name === metric.name.slice('recent-'.length));
  return (
    whole?.outcome === 'fail' &&
    (metric.canary ?? 0) <= (whole.canary ?? 0) * (1 + config.tolerance)
  );
}

/**
 * A user-set limit's shares of a look's alpha against one for each comparison with the baseline:
 * the user declared that breach a failure, and the comparisons' tolerance makes them slower to
 * decide anyway. Three shares took the absolute breach's first-period decisions from 84 % to 90 %
 * (bench/README.md, "Limits weigh more").
 */
export const LIMIT_SHARES = 3;

/** A request-based check: the smallest p-value its test can reach here, and the check itself. */
interface PlannedCheck {
  /** Given what the test conditions on (counts, periods, requests); 1: it cannot fail. */
  readonly smallest: number;
  /** Its shares of a look's alpha: LIMIT_SHARES for a limit the user set, 1 for a comparison. */
  readonly shares: number;
  readonly judge: (config: AnalysisConfig) => Draft;
}

/** The totals over the periods both groups served, and what the latency checks judge. */
interface Concurrent {
  canary: WindowTotals;
  baseline: WindowTotals;
  /** The baseline's periods before the window (`history`), if read. */
  history: WindowTotals | undefined;
  paired: PeriodPercentiles[];
  counts: LatencyCounts;
}

/** The request-based checks, before min-requests gates them, in the order they are reported. */
function plannedChecks(
  c: WindowTotals,
  both: Concurrent,
  recent: Recent | undefined,
  baselineServed: boolean,
  config: AnalysisConfig,
): PlannedCheck[] {
  const cc = both.canary;
  const b = both.baseline;
  const checks: PlannedCheck[] = [];
  const limitCheck = (totals: WindowTotals, window: WindowLabel): PlannedCheck | undefined => {
    const limit = config.maxErrorRate;
    if (limit === undefined) return undefined;
    const canary = proportion(totals.target5xx + totals.connectionErrors, totals.requests);
    return {
      shares: LIMIT_SHARES,
      smallest: canary.trials === 0 ? 1 : 0,
      judge: (at) => judgeErrorRateLimit(canary, limit, at, window),
    };
  };
  const rateChecks = (
    canaryTotals: WindowTotals,
    baselineTotals: WindowTotals,
    window: WindowLabel,
  ): PlannedCheck[] =>
    (['5xx-rate', 'connection-error-rate'] as const).map((name) => {
      const key = name === '5xx-rate' ? 'target5xx' : 'connectionErrors';
      const canary = proportion(canaryTotals[key], canaryTotals.requests);
      const baseline = proportion(baselineTotals[key], baselineTotals.requests);
      // At the baseline's rate over the whole window and the periods before it: a recent
      // window's, or a first period's, may be far off by chance.
      const h = both.history;
      const usual = rate(proportion(b[key] + (h?.[key] ?? 0), b.requests + (h?.requests ?? 0)));
      // How much more than binomially the rate moves between periods, from the baseline's
      // periods before and in the window (one rate: the canary's share barely moves it): a
      // failing canary cannot inflate it (and hide behind it).
      const variance = betweenPeriodVariance(
        [...(h?.periods ?? []), ...b.periods].map((p) => proportion(p[key], p.requests)),
      );
      const canaryPeriods = canaryTotals.periods.map((p) => p.requests);
      const baselinePeriods = baselineTotals.periods.map((p) => p.requests);
      const effects = {
        canary: designEffect(canaryPeriods, usual, variance),
        baseline: designEffect(baselinePeriods, usual, variance),
        noise: noiseBand(canaryPeriods, baselinePeriods, usual, variance),
      };
      return {
        shares: 1,
        smallest: smallestFisherP(
          effective(canary, effects.canary, true),
          effective(baseline, effects.baseline, false),
        ),
        judge: (at: AnalysisConfig) =>
          judgeRateAgainstBaseline(name, canary, baseline, at, effects, window),
      };
    });

  const limit = limitCheck(c, {});
  if (limit !== undefined) checks.push(limit);
  checks.push(...rateChecks(cc, b, {}));
  // Latency on request counts where CloudWatch returned them (percentile rank), else on the
  // per-period percentiles.
  const { relative, limits } = both.counts;
  for (const [name, key, limitSeconds, q, counted] of [
    ['p95-latency', 'p95Seconds', config.maxP95LatencySeconds, 0.95, limits.p95],
    ['p99-latency', 'p99Seconds', config.maxP99LatencySeconds, 0.99, limits.p99],
  ] as const) {
    const paired = name === 'p95-latency' ? both.paired : undefined;
    const exceedance = paired?.some(enoughForExceedance) ?? false;
    const strata =
      name === 'p95-latency'
        ? relative
        : (both.counts.relativeP99?.strata.length ?? 0) >= P99_COUNT_PERIODS
          ? both.counts.relativeP99
          : undefined;
    checks.push(
      strata !== undefined && name === 'p95-latency'
        ? {
            shares: 1,
            smallest: smallestP95CountsP(strata, both.counts.relativeP90),
            judge: (at) =>
              judgeP95AgainstBaselineFromCounts(
                cc[key],
                b[key],
                strata,
                both.counts.relativeP90,
                at,
              ),
          }
        : strata !== undefined
          ? {
              shares: 1,
              smallest: smallestStratifiedP(strata.tested),
              judge: (at) =>
                judgeLatencyAgainstBaselineFromCounts(
                  name,
                  cc[key],
                  b[key],
                  strata.strata,
                  strata.reference,
                  at,
                  strata.tested,
                ),
            }
          : {
              shares: 1,
              smallest:
                !baselineServed || cc[key].length === 0 || b[key].length === 0
                  ? 1
                  : exceedance
                    ? 0
                    : mannWhitneySmallestP(cc[key].length, b[key].length),
              judge: (at) =>
                judgeLatencyAgainstBaseline(name, cc[key], b[key], baselineServed, at, paired),
            },
    );
    if (limitSeconds !== undefined) {
      const requests = key === 'p95Seconds' ? c.p95Requests : c.p99Requests;
      const values = c[key];
      checks.push(
        counted !== undefined
          ? {
              shares: LIMIT_SHARES,
              smallest: limitCountP({ ...counted, slower: counted.requests }, q),
              judge: (at) => judgeLatencyLimitFromCounts(name, values, counted, limitSeconds, at),
            }
          : {
              shares: LIMIT_SHARES,
              smallest: values.length === 0 ? 1 : aboveLimitP(values.length, requests, q),
              judge: (at) => judgeLatencyLimit(name, values, limitSeconds, at, requests),
            },
      );
    }
  }
  if (recent !== undefined) {
    const window = { recent: recent.label };
    const recentLimit = limitCheck(recent.canary, window);
    if (recentLimit !== undefined) checks.push(recentLimit);
    if (recent.baseline.requests > 0 && recent.concurrent.requests > 0) {
      checks.push(...rateChecks(recent.concurrent, recent.baseline, window));
    }
  }
  return checks;
}

/** The smallest one-sided Fisher p given the total errors: all of them in the canary. */
function smallestFisherP(canary: Proportion, baseline: Proportion): number {
  const total = canary.events + baseline.events;
  if (total === 0 || canary.trials === 0 || baseline.trials === 0) return 1;
  const most = Math.min(total, canary.trials);
  return fisherExactGreater(
    { events: most, trials: canary.trials },
    { events: Math.min(total - most, baseline.trials), trials: baseline.trials },
  );
}

/**
 * The p99 comparison with the baseline judges counts from this many periods on, and the
 * per-period percentiles (which cannot fail on fewer) before: so it does not share the first
 * looks' alpha, which decide the clear regressions at p95 and the error rates.
 */
export const P99_COUNT_PERIODS = 4;

/** How many of the canary's latest periods the recent window judges beside the whole window. */
export const RECENT_PERIODS = 2;

interface Recent {
  label: string;
  /** The canary's last RECENT_PERIODS periods that served requests. */
  canary: WindowTotals;
  /** Of those, the canary's periods in which the baseline served too, and the baseline's. */
  concurrent: WindowTotals;
  baseline: WindowTotals;
}

/**
 * The canary's last RECENT_PERIODS periods with requests, when the window has more than that
 * (otherwise the recent window is the whole window and adds nothing).
 */
function recentWindow(canary: TargetGroupWindow, baseline: TargetGroupWindow): Recent | undefined {
  const served = canary.samples.filter((s) => s.requests > 0);
  if (served.length <= RECENT_PERIODS) return undefined;
  const last = served.slice(-RECENT_PERIODS);
  const recent = { ...canary, samples: last };
  const beside = concurrent(recent, baseline);
  return {
    label: `last ${RECENT_PERIODS} periods`,
    canary: windowTotals(recent),
    concurrent: beside.canary,
    baseline: beside.baseline,
  };
}

/** The baseline's periods before the window, as totals (none when not read). */
function historyTotals(baseline: TargetGroupWindow): WindowTotals | undefined {
  if (baseline.history === undefined) return undefined;
  const first = baseline.samples[0]?.timestamp.getTime() ?? Number.POSITIVE_INFINITY;
  return windowTotals({
    periodSeconds: baseline.periodSeconds,
    samples: baseline.history.filter((s) => s.timestamp.getTime() < first),
  });
}

/** Both windows' totals over the periods in which both groups served requests. */
function concurrent(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
): { canary: WindowTotals; baseline: WindowTotals } {
  const served = (window: TargetGroupWindow) =>
    new Set(window.samples.filter((s) => s.requests > 0).map((s) => s.timestamp.getTime()));
  const canaryServed = served(canary);
  const baselineServed = served(baseline);
  const only = (window: TargetGroupWindow, other: Set<number>): TargetGroupWindow => ({
    ...window,
    samples: window.samples.filter((s) => other.has(s.timestamp.getTime())),
  });
  return {
    canary: windowTotals(only(canary, baselineServed)),
    baseline: windowTotals(only(baseline, canaryServed)),
  };
}

/** The periods in which both groups have a p95 (and the baseline a p99), side by side. */
function pairedPercentiles(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
): PeriodPercentiles[] {
  const byTime = new Map(baseline.samples.map((s) => [s.timestamp.getTime(), s]));
  const paired: PeriodPercentiles[] = [];
  for (const c of canary.samples) {
    const b = byTime.get(c.timestamp.getTime());
    if (b === undefined || c.p95Seconds === undefined || b.p99Seconds === undefined) continue;
    if (c.requests === 0 || b.requests === 0) continue;
    paired.push({
      canaryRequests: c.requests,
      canaryP95: c.p95Seconds,
      canaryP99: c.p99Seconds,
      baselineRequests: b.requests,
      baselineP99: b.p99Seconds,
    });
  }
  return paired;
}

/**
 * How the look's alpha is shared: each check that can fail gets alpha·(its shares)/(all shares
 * of the checks that can fail); a user-set limit has LIMIT_SHARES, a comparison one. Taken in
 * order of smallest possible p-value per share (given what the tests condition on: counts,
 * periods, requests), a check shares when it could fail at the level it would get beside those
 * already sharing (all of alpha for the first). A check that does not share is judged at a level
 * no greater than its smallest possible p-value, so it cannot fail: the levels of the checks
 * that can fail sum to alpha (the union bound). A rate with no errors in either group, or a rank
 * test on too few periods, no longer thins everyone else's share. With one share each this is
 * the fewest k such that every other check's smallest p is at least alpha/k.
 */
export function sharingChecks(
  candidates: readonly { readonly smallest: number; readonly shares: number }[],
  alpha: number,
): { checks: number; shares: number; levels: number[] } {
  const order = candidates
    .map((candidate, index) => ({ ...candidate, index }))
    .sort((a, b) => a.smallest / a.shares - b.smallest / b.shares);
  const sharing = new Set<number>();
  let shares = 0;
  for (const candidate of order) {
    if (candidate.smallest >= (alpha * candidate.shares) / Math.max(shares, candidate.shares))
      break;
    sharing.add(candidate.index);
    shares += candidate.shares;
  }
  const levels = candidates.map((candidate, index) => {
    const level = shares === 0 ? 0 : (alpha * candidate.shares) / shares;
    return sharing.has(index) ? level : Math.min(level, candidate.smallest);
  });
  return { checks: sharing.size, shares, levels };
}
