import { describe, expect, it } from '@jest/globals';
import { alignSeries } from '../../../../src/canary/analysis/align-series.ts';
import type { AnalysisConfigInput } from '../../../../src/canary/analysis/config.ts';
import type {
  AnalysisResult,
  MetricJudgement,
  MetricName,
} from '../../../../src/canary/analysis/types.ts';
import { LIMIT_SHARES, judge, sharingChecks } from '../../../../src/canary/analysis/verdict.ts';
import { UserError } from '../../../../src/lib/errors.ts';
import { BASELINE_P95, BASELINE_P99, START, scaled, steady, windowOf } from './windows.ts';

const baseline = steady({ requests: 10_000, target5xx: 30, p95: BASELINE_P95, p99: BASELINE_P99 });
const config: AnalysisConfigInput = { minRequests: 300 };

function check(
  result: AnalysisResult,
  name: MetricName,
  against: MetricJudgement['against'] = 'baseline',
): MetricJudgement {
  const found = result.metrics.find((m) => m.name === name && m.against === against);
  if (found === undefined) throw new Error(`no ${name} check against the ${against}`);
  return found;
}

describe('judge: too few canary requests', () => {
  it('is inconclusive on 50 requests without errors when min-requests is 300', () => {
    const canary = steady({ requests: 50, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, baseline, { minRequests: 300, maxErrorRate: 0.01 });
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'too-few-requests' });
    expect(result.reasons).toEqual([
      'canary served 50 requests, fewer than min-requests 300: inconclusive',
    ]);
    expect(check(result, 'error-rate', 'limit').why).toBe(
      'canary error rate (5xx + connection errors) 0 % (0/50): 98 % upper bound 7.5 % is above max-error-rate 1 %, which needs 390 requests without errors; canary served 50 requests, fewer than min-requests 300: inconclusive',
    );
  });

  it('fails a severe failure below min-requests: the test accounts for the count', () => {
    // Changed: min-requests used to hold back every fail. 60 of 100 against 30 of 10,000:
    // Fisher p = 4.49e-107 (exact hypergeometric sum, computed independently with Python's
    // math.comb), far below any level.
    const canary = steady({ requests: 100, target5xx: 60, p95: scaled(BASELINE_P95, 3) });
    const result = judge(canary, baseline, { minRequests: 300, maxErrorRate: 0.01 });
    expect(result.verdict).toBe('fail');
    expect(check(result, '5xx-rate').test.p).toBeCloseTo(4.489590330968835e-107, 110);
    expect(check(result, '5xx-rate').outcome).toBe('fail');
  });

  it('never passes, and never fails on a few requests that only look bad', () => {
    // 1 of 50 against 30 of 10,000: 6.7× the baseline, but p = 0.1435 (independent reference).
    const canary = steady({ requests: 50, target5xx: 1, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, baseline, config);
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'too-few-requests' });
    expect(check(result, '5xx-rate').test.p).toBeCloseTo(0.14345258216972853, 10);
    expect(result.metrics.filter((m) => m.outcome === 'fail')).toEqual([]);
  });

  it('judges once the canary reaches min-requests', () => {
    const canary = steady({ requests: 300, target5xx: 1, p95: BASELINE_P95, p99: BASELINE_P99 });
    expect(judge(canary, baseline, config).verdict).toBe('pass');
  });
});

describe('judge: 5xx and connection errors against the baseline', () => {
  it('fails a 5xx spike, with the figures in one line', () => {
    const canary = steady({ requests: 2000, target5xx: 82, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      'canary 5xx rate 4.1 % (82/2000) vs baseline 0.3 % (30/10000): 13.7× baseline, over the 1.25× and +0.2 points allowed, Fisher p=3.3e-40 < 0.02: fail',
    ]);
    expect(check(result, '5xx-rate')).toMatchObject({
      canary: 0.041,
      baseline: 0.003,
      limit: null,
      test: { method: 'fisher-exact', effect: expect.closeTo(13.667, 3) },
      outcome: 'fail',
    });
  });

  it('passes a canary within the tolerance of the baseline', () => {
    const canary = steady({ requests: 2000, target5xx: 7, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('pass');
    expect(check(result, '5xx-rate').why).toBe(
      'canary 5xx rate 0.35 % (7/2000) vs baseline 0.3 % (30/10000): 1.17× baseline, within the 1.25× allowed: pass',
    );
  });

  it('is inconclusive when worse than the tolerance but not significantly so', () => {
    const canary = steady({ requests: 500, target5xx: 3, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, baseline, config);
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'insufficient-evidence' });
    expect(result.reasons).toEqual([
      'canary 5xx rate 0.6 % (3/500) vs baseline 0.3 % (30/10000): 2× baseline, over the 1.25× and +0.2 points allowed, but Fisher p=0.21 ≥ 0.02: inconclusive',
    ]);
  });

  it('fails connection errors that the baseline does not have', () => {
    const canary = steady({
      requests: 2000,
      connectionErrors: 12,
      p95: BASELINE_P95,
      p99: BASELINE_P99,
    });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('fail');
    expect(check(result, 'connection-error-rate')).toMatchObject({
      outcome: 'fail',
      test: { effect: null },
    });
    expect(result.reasons[0]).toMatch(
      /^canary connection error rate 0\.6 % \(12\/2000\) vs baseline 0 % \(0\/10000\): above a baseline of zero, over the \+0\.2 points allowed, Fisher p=.+ < 0\.02: fail$/,
    );
  });

  it('passes when neither group has errors', () => {
    const clean = steady({ requests: 10_000, p95: BASELINE_P95, p99: BASELINE_P99 });
    const canary = steady({ requests: 2000, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, clean, config);
    expect(result.verdict).toBe('pass');
    expect(check(result, '5xx-rate').why).toBe(
      'canary 5xx rate 0 % (0/2000) vs baseline 0 % (0/10000): none in either group: pass',
    );
  });
});

describe('judge: the absolute error-rate limit', () => {
  const limited = { minRequests: 300, maxErrorRate: 0.01 };

  it('passes once the upper bound is within max-error-rate', () => {
    const canary = steady({ requests: 3000, target5xx: 3, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, baseline, limited);
    expect(result.verdict).toBe('pass');
    expect(check(result, 'error-rate', 'limit').why).toBe(
      'canary error rate (5xx + connection errors) 0.1 % (3/3000) ≤ max-error-rate 1 %: 98 % upper bound 0.3 %: pass',
    );
  });

  it('fails a breach at once, even when the baseline is as bad', () => {
    const bad = steady({ requests: 10_000, target5xx: 400, p95: BASELINE_P95, p99: BASELINE_P99 });
    const canary = steady({ requests: 2000, target5xx: 82, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, bad, limited);
    expect(result.verdict).toBe('fail');
    expect(check(result, '5xx-rate').outcome).toBe('pass');
    expect(result.reasons).toEqual([
      'canary error rate (5xx + connection errors) 4.1 % (82/2000) > max-error-rate 1 %: 98 % lower bound 3.2 %, p=1e-25 < 0.02: fail',
    ]);
  });

  it('counts connection errors with the 5xx', () => {
    const canary = steady({
      requests: 2000,
      target5xx: 10,
      connectionErrors: 30,
      p95: BASELINE_P95,
      p99: BASELINE_P99,
    });
    const result = judge(canary, baseline, { minRequests: 300, maxErrorRate: 0.01 });
    expect(check(result, 'error-rate', 'limit')).toMatchObject({ canary: 0.02, outcome: 'fail' });
  });

  it('needs about 3.9/x requests without errors at 98 % (the rule of three at 95 %)', () => {
    const at = (requests: number) =>
      judge(steady({ requests, p95: BASELINE_P95, p99: BASELINE_P99 }), baseline, limited);
    const short = at(300);
    expect(short).toMatchObject({ verdict: 'inconclusive', cause: 'insufficient-evidence' });
    expect(short.reasons).toEqual([
      'canary error rate (5xx + connection errors) 0 % (0/300): 98 % upper bound 1.3 % is above max-error-rate 1 %, which needs 390 requests without errors: inconclusive',
    ]);
    expect(at(390).verdict).toBe('pass');
    const at95 = judge(steady({ requests: 300, p95: BASELINE_P95, p99: BASELINE_P99 }), baseline, {
      ...limited,
      confidence: 0.95,
    });
    expect(at95.verdict).toBe('pass');
  });

  it('is inconclusive while the bounds straddle the limit', () => {
    const canary = steady({ requests: 500, target5xx: 6, p95: BASELINE_P95, p99: BASELINE_P99 });
    const worse = steady({
      requests: 10_000,
      target5xx: 120,
      p95: BASELINE_P95,
      p99: BASELINE_P99,
    });
    const result = judge(canary, worse, limited);
    expect(result.verdict).toBe('inconclusive');
    expect(check(result, 'error-rate', 'limit').why).toBe(
      'canary error rate (5xx + connection errors) 1.2 % (6/500): 98 % bounds 0.42 %–2.7 % straddle max-error-rate 1 %: inconclusive',
    );
  });
});

describe('judge: latency against the baseline', () => {
  it('fails a regression beyond the tolerance', () => {
    const canary = steady({
      requests: 2000,
      target5xx: 6,
      p95: scaled(BASELINE_P95, 1.6),
      p99: BASELINE_P99,
    });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      "canary p95 latency 402 ms (median of 10 periods) vs baseline 252 ms (10 periods): 1.6× baseline, over the 1.25× allowed, Mann–Whitney p=5.4e-6 and exceedance p=1 (0 canary requests above the baseline's p99), the smaller doubled: p=1.1e-5 < 0.02: fail",
    ]);
    expect(check(result, 'p95-latency').test).toEqual({
      method: 'mann-whitney',
      // Mann–Whitney's exact 1/C(20, 10), doubled beside the exceedance test.
      p: expect.closeTo(2 / 184_756, 12),
      effect: expect.closeTo(1.6, 12),
    });
  });

  it('passes a significant slowdown that stays within the tolerance', () => {
    const canary = steady({
      requests: 2000,
      target5xx: 6,
      p95: scaled(BASELINE_P95, 1.1),
      p99: BASELINE_P99,
    });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('pass');
    const p95 = check(result, 'p95-latency');
    expect(p95.test.p).toBeLessThan(0.02);
    expect(p95.why).toBe(
      'canary p95 latency 277 ms (median of 10 periods) vs baseline 252 ms (10 periods): 1.1× baseline, within the 1.25× allowed: pass',
    );
  });

  it('fails on p99 as well', () => {
    const canary = steady({
      requests: 2000,
      target5xx: 6,
      p95: BASELINE_P95,
      p99: scaled(BASELINE_P99, 2),
    });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('fail');
    expect(check(result, 'p99-latency').outcome).toBe('fail');
  });

  it('is inconclusive when too few periods could ever show the difference', () => {
    const canary = steady({ count: 3, requests: 2000, p95: scaled(BASELINE_P95, 1.6) });
    const base = steady({ count: 3, requests: 10_000, p95: BASELINE_P95 });
    const result = judge(canary, base, config);
    expect(result.verdict).toBe('inconclusive');
    expect(result.reasons).toEqual([
      'canary p95 latency 400 ms (median of 3 periods) vs baseline 250 ms (3 periods): 1.6× baseline, over the 1.25× allowed, but Mann–Whitney p=0.05 ≥ 0.02; 3 and 3 periods can never reach p < 0.02: inconclusive',
    ]);
    // p99 was not fetched for either group: not judged, and not held against the canary.
    expect(check(result, 'p99-latency')).toMatchObject({ outcome: 'skipped' });
  });

  it('is inconclusive when the canary has traffic but no latency data', () => {
    const canary = steady({ requests: 2000, p99: BASELINE_P99 });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('inconclusive');
    expect(result.reasons).toEqual([
      'no p95 latency data for the canary in the window: inconclusive',
    ]);
  });
});

describe('judge: the absolute latency limit', () => {
  const limited = { minRequests: 300, maxP95LatencySeconds: 0.5 };

  it('passes when the median period is within the limit', () => {
    const canary = steady({ requests: 2000, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, baseline, limited);
    expect(result.verdict).toBe('pass');
    expect(check(result, 'p95-latency', 'limit').why).toBe(
      'canary p95 latency 252 ms (median of 10 periods) ≤ max-p95-latency 500 ms, above it in 0 of 10 periods: pass',
    );
  });

  it('fails when most periods are significantly above it, even against a slow baseline', () => {
    const slow = steady({ requests: 10_000, p95: scaled(BASELINE_P95, 2.4), p99: BASELINE_P99 });
    const canary = steady({ requests: 2000, p95: scaled(BASELINE_P95, 2.4), p99: BASELINE_P99 });
    const result = judge(canary, slow, limited);
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      'canary p95 latency 604 ms (median of 10 periods) > max-p95-latency 500 ms, above it in 10 of 10 periods, sign test p=0.00016 < 0.02: fail',
    ]);
  });

  it('does not fail on one slow period', () => {
    const values = [...BASELINE_P95.slice(0, 9), 1.5];
    const canary = steady({ requests: 2000, p95: values, p99: BASELINE_P99 });
    const result = judge(canary, baseline, limited);
    expect(check(result, 'p95-latency', 'limit').outcome).toBe('pass');
  });

  it('is inconclusive when the median is above it but the periods are too few', () => {
    const canary = steady({ count: 4, requests: 2000, p95: [0.52, 0.55, 0.49, 0.6] });
    const base = steady({ count: 4, requests: 10_000, p95: [0.5, 0.51, 0.49, 0.52] });
    const result = judge(canary, base, limited);
    expect(check(result, 'p95-latency', 'limit').why).toBe(
      'canary p95 latency 535 ms (median of 4 periods) > max-p95-latency 500 ms, above it in 3 of 4 periods, but sign test p=0.24 ≥ 0.02: inconclusive',
    );
  });

  it('judges p99 against max-p99-latency', () => {
    const canary = steady({ requests: 2000, p95: BASELINE_P95, p99: scaled(BASELINE_P99, 1.1) });
    const result = judge(canary, baseline, { minRequests: 300, maxP99LatencySeconds: 0.4 });
    expect(check(result, 'p99-latency', 'limit')).toMatchObject({ outcome: 'fail', limit: 0.4 });
  });
});

describe('judge: unhealthy hosts', () => {
  it('fails when the canary has unhealthy hosts and the baseline none, at any traffic', () => {
    const canary = steady({ count: 4, requests: 40, unhealthy: [0, 0, 1, 1] });
    const result = judge(canary, baseline, config);
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      'canary had unhealthy hosts (up to 1 of 4) while the baseline had none in 2 of 4 periods, unhealthy-periods-to-fail 1: fail',
    ]);
  });

  it('passes below unhealthy-periods-to-fail', () => {
    const canary = steady({ requests: 2000, p95: BASELINE_P95, p99: BASELINE_P99, unhealthy: [1] });
    const result = judge(canary, baseline, { ...config, unhealthyPeriodsToFail: 2 });
    expect(result.verdict).toBe('pass');
    expect(check(result, 'unhealthy-hosts').why).toBe(
      'canary had unhealthy hosts (up to 1 of 4) while the baseline had none in 1 of 10 periods, below unhealthy-periods-to-fail 2: pass',
    );
  });

  it('does not blame the canary for hosts unhealthy in both groups', () => {
    const sick = steady({
      requests: 10_000,
      target5xx: 30,
      p95: BASELINE_P95,
      p99: BASELINE_P99,
      unhealthy: [0, 2, 1],
    });
    const canary = steady({
      requests: 2000,
      p95: BASELINE_P95,
      p99: BASELINE_P99,
      unhealthy: [0, 1, 1],
    });
    const result = judge(canary, sick, config);
    expect(result.verdict).toBe('pass');
    expect(check(result, 'unhealthy-hosts')).toMatchObject({
      canary: 1,
      baseline: 2,
      outcome: 'pass',
      why: 'canary and baseline both had unhealthy hosts in 2 of 10 periods, which points at something they share: pass',
    });
  });

  it('counts the latest target-health check as one more observation', () => {
    const canary = windowOf([{ requests: 20 }, { requests: 20 }], { healthy: 2, unhealthy: 1 });
    const base = windowOf([{ requests: 400 }, { requests: 400 }], { healthy: 3, unhealthy: 0 });
    const result = judge(canary, base, config);
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      'canary had unhealthy hosts (up to 1 of 3) while the baseline had none in 1 of 3 observations (2 periods and the latest target-health check), unhealthy-periods-to-fail 1: fail',
    ]);
  });
});

describe('judge: no baseline traffic', () => {
  const idle = steady({ requests: 0 });

  it('judges against the absolute limits only, and says so', () => {
    const canary = steady({ requests: 2000, target5xx: 1, p95: scaled(BASELINE_P95, 1.6) });
    const result = judge(canary, idle, {
      minRequests: 300,
      maxErrorRate: 0.01,
      maxP95LatencySeconds: 0.5,
    });
    expect(result.verdict).toBe('pass');
    expect(result.reasons.at(-1)).toBe(
      'baseline served no requests in the window: judged against absolute limits only',
    );
    for (const name of ['5xx-rate', 'connection-error-rate', 'p95-latency'] as const) {
      expect(check(result, name).outcome).toBe('skipped');
    }
  });

  it('still fails on an absolute limit', () => {
    const canary = steady({ requests: 2000, target5xx: 82 });
    const result = judge(canary, idle, { minRequests: 300, maxErrorRate: 0.01 });
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toHaveLength(2);
    expect(result.reasons[1]).toMatch(/judged against absolute limits only$/);
  });

  it('is inconclusive with no limit to judge against', () => {
    const canary = steady({ requests: 2000, p95: BASELINE_P95 });
    const result = judge(canary, idle, config);
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'nothing-to-judge' });
    expect(result.reasons).toEqual([
      'baseline served no requests and no absolute limit is set (max-error-rate, max-p95-latency, max-p99-latency): nothing to judge the canary against: inconclusive',
    ]);
  });
});

describe('judge: data as CloudWatch reports it', () => {
  const grid = {
    start: new Date(START),
    end: new Date(START + 10 * 60_000),
    periodSeconds: 60,
  };
  const at = (minute: number) => new Date(START + minute * 60_000);
  const every = (value: (minute: number) => number) => ({
    Timestamps: Array.from({ length: 10 }, (_, i) => at(9 - i)),
    Values: Array.from({ length: 10 }, (_, i) => value(9 - i)),
  });

  it('treats missing counts as zero', () => {
    const canary = alignSeries(
      {
        requests: every(() => 200),
        // 5xx reported in two periods only; TargetConnectionErrorCount never.
        target5xx: { Timestamps: [at(7), at(2)], Values: [2, 1] },
        p95Seconds: every((m) => BASELINE_P95[m] as number),
        p99Seconds: every((m) => BASELINE_P99[m] as number),
        healthyHosts: every(() => 3),
      },
      grid,
    );
    const base = alignSeries(
      {
        requests: every(() => 1000),
        target5xx: { Timestamps: [at(1), at(4), at(8)], Values: [10, 10, 10] },
        p95Seconds: every((m) => BASELINE_P95[m] as number),
        p99Seconds: every((m) => BASELINE_P99[m] as number),
      },
      grid,
    );
    const result = judge(canary, base, config);
    expect(result.verdict).toBe('pass');
    expect(result.traffic).toEqual({
      canaryRequests: 2000,
      baselineRequests: 10_000,
      canaryPeriods: 10,
      baselinePeriods: 10,
    });
    expect(check(result, '5xx-rate').why).toBe(
      'canary 5xx rate 0.15 % (3/2000) vs baseline 0.3 % (30/10000): 0.5× baseline, within the 1.25× allowed: pass',
    );
    expect(check(result, 'connection-error-rate').canary).toBe(0);
  });

  it('leaves latency out of periods without requests', () => {
    const canary = alignSeries(
      {
        requests: { Timestamps: [at(0), at(1), at(5)], Values: [150, 150, 150] },
        p95Seconds: { Timestamps: [at(0), at(1), at(5)], Values: [0.25, 0.26, 0.24] },
      },
      grid,
    );
    const result = judge(canary, baseline, config);
    expect(result.traffic.canaryPeriods).toBe(3);
    expect(check(result, 'p95-latency').why).toMatch(/\(median of 3 periods\)/);
  });
});

describe('judge: identical groups', () => {
  it('passes a canary that behaves exactly like the baseline', () => {
    const same = steady({ requests: 5000, target5xx: 15, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(same, same, {
      minRequests: 300,
      maxErrorRate: 0.01,
      maxP95LatencySeconds: 1,
    });
    expect(result.verdict).toBe('pass');
    expect(result.metrics.every((m) => m.outcome === 'pass')).toBe(true);
    expect(check(result, 'p95-latency').test).toMatchObject({ effect: 1 });
    expect(check(result, 'p95-latency').test.p).toBeGreaterThan(0.4);
  });

  it('passes when every latency ties', () => {
    const flat = steady({ requests: 5000, p95: [0.2], p99: [0.4] });
    const result = judge(flat, flat, config);
    expect(result.verdict).toBe('pass');
    expect(check(result, 'p95-latency').test).toEqual({ method: 'mann-whitney', p: 1, effect: 1 });
  });

  it('handles a single period each', () => {
    const one = steady({ count: 1, requests: 5000, p95: [0.2], p99: [0.4] });
    expect(judge(one, one, config).verdict).toBe('pass');
  });
});

describe('judge: a 5 % canary', () => {
  it('passes a healthy canary on noisy per-period latencies', () => {
    const jitter = [1.18, 0.86, 1.05, 0.93, 1.21, 0.9, 1.02, 0.84, 1.12, 0.97];
    const canary = steady({
      requests: 200,
      p95: BASELINE_P95.map((value, i) => value * (jitter[i] as number)),
      p99: BASELINE_P99.map((value, i) => value * (jitter[9 - i] as number)),
    });
    const big = steady({ requests: 38_000, target5xx: 40, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, big, { minRequests: 150, maxErrorRate: 0.05 });
    expect(result.verdict).toBe('pass');
    expect(check(result, 'error-rate', 'limit').why).toBe(
      'canary error rate (5xx + connection errors) 0 % (0/200) ≤ max-error-rate 5 %: 98 % upper bound 1.9 %: pass',
    );
  });
});

describe('judge: configuration', () => {
  it('refuses nonsense with a UserError before judging', () => {
    expect(() => judge(baseline, baseline, { minRequests: 300, confidence: 1.2 })).toThrow(
      UserError,
    );
  });

  it('refuses windows of different periods', () => {
    expect(() => judge({ ...baseline, periodSeconds: 300 }, baseline, config)).toThrow(
      'canary and baseline windows need the same period, got 300 s and 60 s',
    );
  });

  it('refuses windows with impossible counts', () => {
    const broken = windowOf([{ requests: -1 }]);
    expect(() => judge(broken, baseline, config)).toThrow(RangeError);
  });
});

describe('judge: an absolute floor beside the relative tolerance', () => {
  it('passes a 5xx rate made of a handful of errors within 0.2 points of the baseline', () => {
    // The issue's healthy canary: 5 of 3,082 against 32 of 28,034 (1.42× over 1.25×, p = 0.302).
    const canary = steady({ requests: 3082, target5xx: 5, p95: BASELINE_P95, p99: BASELINE_P99 });
    const base = steady({ requests: 28_034, target5xx: 32, p95: BASELINE_P95, p99: BASELINE_P99 });
    const result = judge(canary, base, config);
    expect(result.verdict).toBe('pass');
    expect(check(result, '5xx-rate').why).toBe(
      'canary 5xx rate 0.16 % (5/3082) vs baseline 0.11 % (32/28034): 1.42× baseline, within the +0.2 points allowed (absolute-tolerance): pass',
    );
    expect(check(result, '5xx-rate').test.p).toBeCloseTo(0.3022979573904865, 10);
    // Without the floor it is the inconclusive verdict the issue saw.
    expect(judge(canary, base, { ...config, absoluteTolerance: 0 }).verdict).toBe('inconclusive');
  });

  it('still fails a regression beyond the floor and the ratio', () => {
    const canary = steady({ requests: 3000, target5xx: 66, p95: BASELINE_P95, p99: BASELINE_P99 });
    const base = steady({ requests: 27_000, target5xx: 27, p95: BASELINE_P95, p99: BASELINE_P99 });
    expect(judge(canary, base, config).verdict).toBe('fail');
  });
});

describe('judge: one look of a sequential design', () => {
  // The issue's false rollback: 3 of 753 against 4 of 7,894, Fisher p = 0.01763 (independent
  // reference). At a fixed 0.02 it fails; as one look of a deployment it must reach its share.
  const canary = steady({ requests: 753, target5xx: 3, p95: BASELINE_P95, p99: BASELINE_P99 });
  const base = steady({ requests: 7894, target5xx: 4, p95: BASELINE_P95, p99: BASELINE_P99 });

  it('fails at a fixed horizon of 0.02', () => {
    const result = judge(canary, base, config);
    expect(result.verdict).toBe('fail');
    expect(check(result, '5xx-rate').test.p).toBeCloseTo(0.01762858499910459, 10);
    expect(result).not.toHaveProperty('errorControl');
  });

  it("shares the look's alpha among the checks that can fail, and fails only at that level", () => {
    const result = judge(canary, base, config, { alpha: 0.004 });
    // 5xx, p95 and p99 share it; connection errors (none in either group) cannot fail.
    expect(result.errorControl).toEqual({
      lookAlpha: 0.004,
      checks: 3,
      shares: 3,
      perCheckAlpha: 0.004 / 3,
      spent: 0.004,
    });
    expect(result.verdict).toBe('inconclusive');
    expect(check(result, '5xx-rate').why).toBe(
      'canary 5xx rate 0.4 % (3/753) vs baseline 0.051 % (4/7894): 7.86× baseline, over the 1.25× and +0.2 points allowed, but Fisher p=0.018 ≥ 0.00133333: inconclusive',
    );
    expect(judge(canary, base, config, { alpha: 0.08 }).verdict).toBe('fail');
  });

  it('spends nothing when no check can fail (no baseline traffic, no limit)', () => {
    const none = steady({ requests: 0 });
    const result = judge(canary, none, config, { alpha: 0.004 });
    expect(result.errorControl).toEqual({
      lookAlpha: 0.004,
      checks: 0,
      shares: 0,
      perCheckAlpha: 0,
      spent: 0,
    });
    const limited = judge(canary, none, { ...config, maxErrorRate: 0.01 }, { alpha: 0.004 });
    // The limit over the whole window and over the last two periods, three shares each.
    expect(limited.errorControl).toMatchObject({
      checks: 2,
      shares: 2 * LIMIT_SHARES,
      perCheckAlpha: 0.004 / 6,
      spent: 0.004,
    });
  });

  it('compares only the periods in which both groups served', () => {
    // Ten periods side by side (1,000 requests in all each), then ten of the canary alone at
    // 0.8 % 5xx: judged together they would be 0.75 % against 0.3 %.
    const both = steady({ requests: 1000, target5xx: 3, p95: BASELINE_P95, p99: BASELINE_P99 });
    const alone = windowOf([
      ...both.samples.map((s) => ({
        requests: s.requests,
        target5xx: s.target5xx,
        p95: s.p95Seconds!,
      })),
      ...Array.from({ length: 10 }, () => ({ requests: 1000, target5xx: 8, p95: 0.3 })),
    ]);
    const result = judge(alone, both, config);
    expect(check(result, '5xx-rate')).toMatchObject({
      canary: 0.003,
      baseline: 0.003,
      outcome: 'pass',
    });
    expect(result.traffic.canaryRequests).toBe(11_000);
  });
});

describe('judge: a large latency regression decides on its first periods', () => {
  it('fails a canary p95 above the baseline p99 in two periods, which Mann–Whitney cannot', () => {
    const canary = windowOf([
      { requests: 300, p95: 0.5, p99: 0.7 },
      { requests: 300, p95: 0.52, p99: 0.75 },
    ]);
    const base = windowOf([
      { requests: 2700, p95: 0.25, p99: 0.4 },
      { requests: 2700, p95: 0.26, p99: 0.41 },
    ]);
    const result = judge(canary, base, config, { alpha: 0.001 });
    const p95 = check(result, 'p95-latency');
    expect(p95.outcome).toBe('fail');
    // Mann–Whitney on 2 and 2 periods: 1/6 at best; the exceedance test: 32 requests above the
    // baseline's p99 where about 6 are expected (exact tail, exceedance.test.ts), doubled.
    expect(p95.why).toMatch(
      /^canary p95 latency 510 ms \(median of 2 periods\) vs baseline 255 ms \(2 periods\): 2× baseline, over the 1\.25× allowed, Mann–Whitney p=0\.17 and exceedance p=.+ \(32 canary requests above the baseline's p99\), the smaller doubled: p=.+ < 0\.001: fail$/,
    );
    expect(p95.test.p).toBeLessThan(1e-8);
  });

  it('does not use it for p99, nor without request counts on both sides', () => {
    const canary = windowOf([
      { requests: 10, p95: 0.5, p99: 0.7 },
      { requests: 10, p95: 0.5, p99: 0.7 },
    ]);
    const base = windowOf([
      { requests: 2700, p95: 0.25, p99: 0.4 },
      { requests: 2700, p95: 0.25, p99: 0.4 },
    ]);
    const p95 = check(judge(canary, base, config), 'p95-latency');
    expect(p95.why).not.toContain('exceedance');
    expect(check(judge(canary, base, config), 'p99-latency').why).not.toContain('exceedance');
  });
});

describe('sharingChecks: the checks that share a look', () => {
  const one = (smallest: number[]) => smallest.map((p) => ({ smallest: p, shares: 1 }));

  /** Whatever the shares: the levels of the checks that can fail sum to alpha, no more. */
  function expectUnionBound(
    candidates: readonly { smallest: number; shares: number }[],
    alpha: number,
    levels: readonly number[],
  ): void {
    const canFail = levels.filter((level, i) => candidates[i]!.smallest < level);
    const total = canFail.reduce((sum, level) => sum + level, 0);
    expect(total).toBeLessThanOrEqual(alpha * (1 + 1e-12));
  }

  it.each<[number[], number, number]>([
    [[0.5, 1e-9, 1e-12], 0.001, 2],
    [[1, 1, 0], 0.001, 1],
    [[0, 0, 0, 0], 0.004, 4],
    [[1, 1], 0.004, 0],
    [[0.01, 0.02], 0.004, 0],
    // 0.0015 can fail at 0.004/2, so all three share; 0.0025 cannot, so two do.
    [[0, 0, 0.0015], 0.004, 3],
    [[0, 0, 0.0025], 0.004, 2],
  ])(
    'one share each: smallest possible p %p at a look of %p: %p share',
    (smallest, alpha, expected) => {
      const sharing = sharingChecks(one(smallest), alpha);
      expect(sharing).toMatchObject({ checks: expected, shares: expected });
      expectUnionBound(one(smallest), alpha, sharing.levels);
      // Whatever is left out cannot fail at the level it is judged at.
      const k = expected;
      const left = [...smallest].sort((a, b) => a - b).slice(k);
      for (const p of left) expect(p).toBeGreaterThanOrEqual(k === 0 ? alpha : alpha / k);
    },
  );

  it('gives a user-set limit three shares against one for each comparison', () => {
    const limit = { smallest: 0, shares: LIMIT_SHARES };
    const comparison = { smallest: 0, shares: 1 };
    const sharing = sharingChecks([comparison, limit, comparison], 0.005);
    expect(sharing).toMatchObject({ checks: 3, shares: 5 });
    expect(sharing.levels[0]).toBeCloseTo(0.001, 15);
    expect(sharing.levels[1]).toBeCloseTo(0.003, 15);
    expect(sharing.levels[2]).toBeCloseTo(0.001, 15);
  });

  it('judges a check left out at a level it cannot reach, shares or not', () => {
    // The limit cannot fail even with all of alpha; the comparison after it could have failed at
    // the first comparison's level, so it must not be judged there.
    const candidates = [
      { smallest: 0, shares: 1 },
      { smallest: 0.006, shares: LIMIT_SHARES },
      { smallest: 0.003, shares: 1 },
    ];
    const sharing = sharingChecks(candidates, 0.005);
    expect(sharing).toMatchObject({ checks: 1, shares: 1 });
    expect(sharing.levels[0]).toBeCloseTo(0.005, 15);
    expect(sharing.levels[1]!).toBeLessThanOrEqual(0.006);
    expect(sharing.levels[2]!).toBeLessThanOrEqual(0.003);
    expectUnionBound(candidates, 0.005, sharing.levels);
  });

  it('keeps the union bound over many random mixes of limits and comparisons', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let run = 0; run < 2000; run++) {
      const candidates = Array.from({ length: 1 + Math.floor(random() * 6) }, () => ({
        smallest: random() < 0.3 ? 0 : random() * 0.01,
        shares: random() < 0.3 ? LIMIT_SHARES : 1,
      }));
      const sharing = sharingChecks(candidates, 0.004);
      expectUnionBound(candidates, 0.004, sharing.levels);
      const shares = candidates
        .filter((c, i) => c.smallest < sharing.levels[i]!)
        .reduce((sum, c) => sum + c.shares, 0);
      expect(shares).toBeLessThanOrEqual(sharing.shares);
    }
  });
});

describe('judge: the recent window beside the whole window', () => {
  const calm = steady({ requests: 27_000, target5xx: 27 });
  const lateFailure = windowOf(
    Array.from({ length: 10 }, (_, i) => ({ requests: 300, target5xx: i < 8 ? 0 : 60 })),
  );

  it('reports a failure that starts late at its own size', () => {
    const result = judge(lateFailure, calm, config);
    expect(result.verdict).toBe('fail');
    expect(check(result, 'recent-5xx-rate')).toMatchObject({ canary: 0.2, outcome: 'fail' });
    expect(check(result, '5xx-rate')).toMatchObject({ canary: 0.04, outcome: 'fail' });
    expect(result.reasons).toEqual([
      expect.stringMatching(/^canary 5xx rate 4 % \(120\/3000\) vs baseline 0.1 %/),
      expect.stringMatching(
        /^canary 5xx rate in the last 2 periods 20 % \(120\/600\) vs baseline 0.11 % \(6\/5400\): 180× baseline, .* Fisher p=.* < 0.02: fail$/,
      ),
    ]);
  });

  it('fails a late failure the whole window cannot yet prove, within the one budget', () => {
    // 12 of 600 in the last two minutes after 18 clean ones: the whole window is 0.22 %.
    const quietThenBad = windowOf(
      Array.from({ length: 20 }, (_, i) => ({ requests: 300, target5xx: i < 18 ? 0 : 6 })),
    );
    const baseline20 = steady({ count: 20, requests: 54_000, target5xx: 54 });
    const result = judge(quietThenBad, baseline20, config, { alpha: 0.004 });
    expect(check(result, '5xx-rate').outcome).not.toBe('fail');
    expect(check(result, 'recent-5xx-rate').outcome).toBe('fail');
    // The whole window's and the recent window's 5xx checks share the look's alpha.
    expect(result.errorControl).toMatchObject({ checks: 2, perCheckAlpha: 0.002 });
  });

  it('has no say short of significant: a healthy canary is not made inconclusive by two periods', () => {
    const canary = windowOf(
      Array.from({ length: 10 }, (_, i) => ({ requests: 1000, target5xx: i < 8 ? 3 : 6 })),
    );
    const baseline10 = steady({ requests: 10_000, target5xx: 30 });
    const result = judge(canary, baseline10, config);
    expect(result.verdict).toBe('pass');
    expect(check(result, 'recent-5xx-rate').outcome).toBe('skipped');
    expect(check(result, 'recent-5xx-rate').why).toMatch(/the whole window decides: skipped$/);
  });

  it('is not judged while the window is no longer than the recent window', () => {
    const short = steady({ count: 2, requests: 300, target5xx: 60 });
    const result = judge(short, steady({ count: 2, requests: 2700, target5xx: 3 }), config);
    expect(result.metrics.some((m) => m.name.startsWith('recent-'))).toBe(false);
  });
});

describe('judge: a baseline whose error rate moves from minute to minute', () => {
  // 1 and 19 errors of 2,700 in turn: far more variation than binomial.
  const noisy = windowOf(
    Array.from({ length: 10 }, (_, i) => ({ requests: 2700, target5xx: i % 2 === 0 ? 1 : 19 })),
  );
  const calm = steady({ requests: 27_000, target5xx: 100 });

  it('tests the counts divided by the design effect, so a canary within that noise is not failed', () => {
    const canary = steady({ requests: 3000, target5xx: 28 });
    expect(judge(canary, calm, config).verdict).toBe('fail');
    const result = judge(canary, noisy, config);
    expect(result.verdict).toBe('inconclusive');
    expect(check(result, '5xx-rate').why).toBe(
      'canary 5xx rate 0.93 % (28/3000) vs baseline 0.37 % (100/27000): 2.52× baseline, over the 1.25× and +0.5 points allowed, but Fisher on counts ÷ 1.9 canary, ÷ 9.0 baseline (between-period overdispersion) p=0.023 ≥ 0.02: inconclusive',
    );
  });

  it('allows the noise of the two groups’ rates on top of absolute-tolerance', () => {
    // V = 0.80 about 0.37 %, ten periods on each side: the rates over the window move apart by
    // 2 · 0.37 % · √(0.80 · (1/10 + 1/10)) = 0.30 points by the noise alone.
    const canary = steady({ requests: 3000, target5xx: 24 });
    expect(judge(canary, calm, config).verdict).toBe('fail');
    const result = judge(canary, noisy, config);
    expect(result.verdict).toBe('pass');
    expect(check(result, '5xx-rate').why).toBe(
      'canary 5xx rate 0.8 % (24/3000) vs baseline 0.37 % (100/27000): 2.16× baseline, within the +0.5 points allowed (absolute-tolerance + 0.3 points of minute-to-minute noise): pass',
    );
  });

  it('still fails a clear regression', () => {
    expect(judge(steady({ requests: 3000, target5xx: 45 }), noisy, config).verdict).toBe('fail');
  });

  it("knows the noise at the first look from the baseline's minutes before the window", () => {
    // One canary period, 6 errors of 280, against the baseline's 1 of 2,725 (a quiet minute of a
    // noisy baseline): Fisher p = 4.0·10⁻⁶. Its ten minutes before, 2–15 errors of 3,000, and the
    // window's minute: Pearson's X² = 44.5 on 10 degrees, V = 0.548 about 0.211 %: the canary
    // is judged as 4/211, the baseline as 0/656, p = 0.0034: even all 4 errors in the canary could
    // not reach the look's 0.002, so the check cannot fail and takes no share (level 0).
    const canary = windowOf([{ requests: 280, target5xx: 6 }]);
    const first = windowOf([{ requests: 2725, target5xx: 1 }]);
    const history = windowOf(
      [2, 14, 3, 12, 6, 1, 15, 4, 9, 2].map((target5xx) => ({ requests: 3000, target5xx })),
    ).samples.map((sample, i) => ({ ...sample, timestamp: new Date(START - (10 - i) * 60_000) }));
    const look = { alpha: 0.002 };
    const alone = judge(canary, first, config, look);
    expect(alone.verdict).toBe('fail');
    expect(check(alone, '5xx-rate').why).toMatch(/, Fisher p=4e-6 < 0\.002: fail$/);
    const result = judge(canary, { ...first, history }, config, look);
    expect(check(result, '5xx-rate').outcome).toBe('inconclusive');
    expect(check(result, '5xx-rate').why).toMatch(
      /^canary 5xx rate 2\.1 % \(6\/280\) vs baseline 0\.037 % \(1\/2725\): .* but Fisher on counts ÷ 1\.3 canary, ÷ 4\.2 baseline \(between-period overdispersion\) p=0\.0034 ≥ 0; canary served 280 requests/,
    );
    // Minutes before as steady as binomial: the plain test, which fails.
    const calmBefore = history.map((sample) => ({ ...sample, target5xx: 6 }));
    expect(judge(canary, { ...first, history: calmBefore }, config, look).verdict).toBe('fail');
  });
});

describe('judge: blue/green, the baseline beside the canary only in the minute of the shift', () => {
  // A healthy blue/green gate in the bench (seed 26): the shift's minute held 957 requests of the
  // new revision with 2 errors against 2,044 of the old one with none, Fisher p = 0.1; then two
  // whole minutes of the new revision alone.
  const shift = { requests: 957, target5xx: 2, p95: 0.25, p99: 0.45 };
  const canary = windowOf([shift, { requests: 3000, target5xx: 3, p95: 0.25, p99: 0.45 }]);
  const old = windowOf([{ requests: 2044, p95: 0.25, p99: 0.45 }, { requests: 0 }]);
  const limits = { minRequests: 300, maxErrorRate: 0.01 };
  const look = { alpha: 0.001, baselineAtShiftOnly: true };
  const SKIPPED_5XX =
    'canary 5xx rate 0.21 % (2/957) vs baseline 0 % (0/2044): above a baseline of zero, over the +0.2 points allowed, but Fisher p=0.1 ≥ 0.00025; the baseline served only in the minute of the shift: no more data will come to compare with: skipped';

  it('was inconclusive on the comparison that can get no more data', () => {
    const result = judge(canary, old, limits, { alpha: 0.001 });
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'insufficient-evidence' });
    expect(check(result, '5xx-rate').outcome).toBe('inconclusive');
  });

  it('skips a comparison that did not decide, says why, and lets the absolute limit judge', () => {
    const result = judge(canary, old, limits, look);
    expect(result.verdict).toBe('pass');
    expect(check(result, '5xx-rate').why).toBe(SKIPPED_5XX);
    expect(check(result, 'error-rate', 'limit').outcome).toBe('pass');
    expect(result.reasons.at(-1)).toBe(
      'the baseline served only in the minute of the shift: the comparisons with it can only fail (5xx-rate did not decide there); max-error-rate judges every period since',
    );
    // Both 5xx-rate and error-rate could fail: they share the look's alpha as before, the
    // user-set limit with three shares against the comparison's one.
    expect(result.errorControl).toMatchObject({ checks: 2, shares: 4, perCheckAlpha: 0.00025 });
  });

  it('still fails on the minute of the shift', () => {
    const bad = windowOf([{ requests: 300, target5xx: 30 }]);
    const result = judge(bad, windowOf([{ requests: 2700, target5xx: 3 }]), config, look);
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      'canary 5xx rate 10 % (30/300) vs baseline 0.11 % (3/2700): 90× baseline, over the 1.25× and +0.2 points allowed, Fisher p=1.1e-27 < 0.001: fail',
    ]);
  });

  it('is nothing to judge when a comparison did not decide and no limit is set', () => {
    const result = judge(canary, old, config, look);
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'nothing-to-judge' });
    expect(result.reasons).toEqual([
      'the baseline served only in the minute of the shift, where 5xx-rate did not decide, and no absolute limit is set (max-error-rate, max-p95-latency, max-p99-latency): nothing to judge the canary against: inconclusive',
    ]);
    // The 5xx comparison alone could fail: it had the look's whole alpha.
    expect(check(result, '5xx-rate').why).toBe(SKIPPED_5XX.replace('0.00025', '0.001'));
  });

  it('passes on comparisons that passed when no limit is set', () => {
    const clean = windowOf([
      { ...shift, target5xx: 0 },
      { requests: 3000, p95: 0.25 },
    ]);
    const result = judge(clean, old, config, look);
    expect(result.verdict).toBe('pass');
    expect(result.reasons.at(-1)).toBe(
      'the baseline served only in the minute of the shift: the comparisons with it can only fail; no absolute limit is set',
    );
  });

  it('below min-requests: the limit cannot pass yet, the comparisons have no say', () => {
    const first = windowOf([{ requests: 120, target5xx: 1, p95: 0.25 }]);
    const result = judge(first, old, limits, look);
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'too-few-requests' });
    expect(result.reasons).toEqual([
      'canary served 120 requests, fewer than min-requests 300: inconclusive',
      'the baseline served only in the minute of the shift: the comparisons with it can only fail (5xx-rate, connection-error-rate, p95-latency, p99-latency did not decide there); max-error-rate judges every period since',
    ]);
    expect(check(result, 'error-rate', 'limit').outcome).toBe('inconclusive');
  });

  it('no baseline traffic and no limit is nothing to judge whatever the count (too few before)', () => {
    const result = judge(steady({ requests: 100 }), steady({ requests: 0 }), config);
    expect(result).toMatchObject({ verdict: 'inconclusive', cause: 'nothing-to-judge' });
  });
});
