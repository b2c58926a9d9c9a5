import { type AnalysisConfigInput, validateAnalysisConfig } from './config.ts';
import { judgeErrorRateLimit, judgeRateAgainstBaseline, proportion } from './error-checks.ts';
import { judgeHealth } from './health-check.ts';
import { judgeLatencyAgainstBaseline, judgeLatencyLimit } from './latency-checks.ts';
import { type Draft, finish } from './metric-judgement.ts';
import type {
  AnalysisResult,
  MetricJudgement,
  TargetGroupWindow,
  TrafficSummary,
} from './types.ts';
import { windowTotals } from './window-totals.ts';

/**
 * Judges the canary against the baseline that ran over the same window and against the absolute
 * limits in `config`. Precedence:
 *
 * 1. Any check that fails, fails the canary. A request-based check can fail only once the canary
 *    served `minRequests`; an absolute limit fails on its own, without waiting for the
 *    comparison with the baseline. Unhealthy canary hosts fail it at any traffic.
 * 2. Fewer than `minRequests` canary requests: inconclusive, never pass and never fail on them.
 * 3. Any check that could neither pass nor fail: inconclusive.
 * 4. No baseline traffic: only the absolute limits judge (and the reasons say so); with no limit
 *    set either, there is nothing to judge against: inconclusive.
 * 5. Otherwise: pass.
 */
export function judge(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  configInput: AnalysisConfigInput,
): AnalysisResult {
  const config = validateAnalysisConfig(configInput);
  if (canary.periodSeconds !== baseline.periodSeconds) {
    throw new RangeError(
      `canary and baseline windows need the same period, got ${canary.periodSeconds} s and ${baseline.periodSeconds} s`,
    );
  }
  const c = windowTotals(canary);
  const b = windowTotals(baseline);
  const baselineServed = b.requests > 0;
  const enoughRequests = c.requests >= config.minRequests;

  const requestChecks: Draft[] = [];
  if (config.maxErrorRate !== undefined) {
    requestChecks.push(
      judgeErrorRateLimit(
        proportion(c.target5xx + c.connectionErrors, c.requests),
        config.maxErrorRate,
        config,
      ),
    );
  }
  requestChecks.push(
    judgeRateAgainstBaseline(
      '5xx-rate',
      proportion(c.target5xx, c.requests),
      proportion(b.target5xx, b.requests),
      config,
    ),
    judgeRateAgainstBaseline(
      'connection-error-rate',
      proportion(c.connectionErrors, c.requests),
      proportion(b.connectionErrors, b.requests),
      config,
    ),
  );
  for (const [name, canaryValues, baselineValues, limit] of [
    ['p95-latency', c.p95Seconds, b.p95Seconds, config.maxP95LatencySeconds],
    ['p99-latency', c.p99Seconds, b.p99Seconds, config.maxP99LatencySeconds],
  ] as const) {
    requestChecks.push(
      judgeLatencyAgainstBaseline(name, canaryValues, baselineValues, baselineServed, config),
    );
    if (limit !== undefined) {
      requestChecks.push(judgeLatencyLimit(name, canaryValues, limit, config));
    }
  }

  const tooFew = `canary served ${c.requests} ${c.requests === 1 ? 'request' : 'requests'}, fewer than min-requests ${config.minRequests}`;
  const gated = requestChecks.map((draft): Draft =>
    enoughRequests || draft.outcome === 'skipped'
      ? draft
      : { ...draft, outcome: 'inconclusive', figures: `${draft.figures}; ${tooFew}` },
  );
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
  const whys = (outcome: MetricJudgement['outcome']): string[] =>
    metrics.filter((metric) => metric.outcome === outcome).map((metric) => metric.why);

  const failed = whys('fail');
  if (failed.length > 0) {
    return { verdict: 'fail', reasons: [...failed, ...notes], metrics, traffic };
  }
  if (!enoughRequests) {
    // Every request-based check says the same; the health check cannot be inconclusive.
    return {
      verdict: 'inconclusive',
      cause: 'too-few-requests',
      reasons: [`${tooFew}: inconclusive`, ...notes],
      metrics,
      traffic,
    };
  }
  const inconclusive = whys('inconclusive');
  if (inconclusive.length > 0) {
    return {
      verdict: 'inconclusive',
      cause: 'insufficient-evidence',
      reasons: [...inconclusive, ...notes],
      metrics,
      traffic,
    };
  }
  if (gated.every((draft) => draft.outcome === 'skipped')) {
    return {
      verdict: 'inconclusive',
      cause: 'nothing-to-judge',
      reasons: [
        'baseline served no requests and no absolute limit is set (max-error-rate, max-p95-latency, max-p99-latency): nothing to judge the canary against: inconclusive',
      ],
      metrics,
      traffic,
    };
  }
  return { verdict: 'pass', reasons: [...whys('pass'), ...notes], metrics, traffic };
}
