import { describe, expect, it } from '@jest/globals';
import type {
  AnalysisResult,
  LatencyReference,
  MetricJudgement,
  TargetGroupWindow,
} from '../../../../src/canary/analysis/types.ts';
import { P99_COUNT_PERIODS, judge } from '../../../../src/canary/analysis/verdict.ts';
import { START, windowOf } from './windows.ts';

interface Period {
  requests: number;
  p95: number;
  p99?: number;
  target5xx?: number;
  /** threshold → requests slower than it */
  slower?: Record<number, number>;
}

function window(periods: readonly Period[]): TargetGroupWindow {
  const base = windowOf(
    periods.map((p) => ({
      requests: p.requests,
      p95: p.p95,
      p99: p.p99 ?? p.p95 * 1.5,
      target5xx: p.target5xx ?? 0,
    })),
  );
  return {
    ...base,
    samples: base.samples.map((sample, i) => {
      const slower = periods[i]!.slower;
      if (slower === undefined) return sample;
      return {
        ...sample,
        slower: Object.entries(slower).map(([threshold, count]) => ({
          thresholdSeconds: Number(threshold),
          slower: count,
          requests: sample.requests,
        })),
      };
    }),
  };
}

function p95(result: AnalysisResult, against: MetricJudgement['against']): MetricJudgement {
  const found = result.metrics.find((m) => m.name === 'p95-latency' && m.against === against);
  if (found === undefined) throw new Error(`no p95 check against the ${against}`);
  return found;
}

/** The baseline's p95 of 200 ms in the minute before the window; the canary's threshold 1.25× it. */
const P95_200_MS = {
  baselineSeconds: 0.2,
  canarySeconds: 0.25,
  period: new Date(START - 60_000),
} as const;

const limitConfig = { minRequests: 300, maxP95LatencySeconds: 2 };
/** The baseline is as slow as the limit (only the limit can see a breach). */
const slowBaseline = window([
  { requests: 2700, p95: 1.9 },
  { requests: 2700, p95: 1.9 },
]);

describe('max-p95-latency on request counts', () => {
  it('fails a breach on one period: 40 of 300 requests slower than the limit', () => {
    const canary = window([{ requests: 300, p95: 2.4, slower: { 2: 40 } }]);
    const result = judge(canary, slowBaseline, limitConfig, { alpha: 0.0005 });
    expect(result.verdict).toBe('fail');
    const limit = p95(result, 'limit');
    expect(limit.test.method).toBe('binomial-exact');
    expect(limit.test.p).toBeLessThan(1e-6);
    expect(limit.why).toMatch(
      /^canary p95 latency: 40 of 300 requests \(13\.3 %\) slower than max-p95-latency 2 s over 1 period, 5 % allowed, binomial p=\S+ < \S+: fail$/,
    );
  });

  it('judges the limit at three shares of the look against one for a comparison', () => {
    // 28 of 300 slower than 2 s: binomial p = 0.00127. Two comparisons can fail too (the 5xx
    // rate, 2 errors against 3, and the p95 comparison, whose exceedance test can fail on one
    // period): the limit has three of five shares of the look's 0.0025 (0.0015), each comparison
    // one (0.0005). At equal shares (0.00083 each) this breach would wait for another period.
    const canary = window([{ requests: 300, p95: 2.4, slower: { 2: 28 }, target5xx: 2 }]);
    const baseline = window([
      { requests: 2700, p95: 1.9, target5xx: 3 },
      { requests: 2700, p95: 1.9, target5xx: 3 },
    ]);
    const result = judge(canary, baseline, limitConfig, { alpha: 0.0025 });
    expect(result.errorControl).toMatchObject({ checks: 3, shares: 5, perCheckAlpha: 0.0005 });
    const limit = p95(result, 'limit');
    expect(limit.test.p).toBeCloseTo(0.0012743178929044841, 12);
    expect(limit.outcome).toBe('fail');
    expect(limit.why).toMatch(/binomial p=0\.0013 < 0\.0015: fail$/);
    expect(result.metrics.find((m) => m.name === '5xx-rate')?.why).toMatch(/≥ 0\.0005/);
  });

  it('the per-period sign test cannot fail the same period (the fallback without counts)', () => {
    const canary = window([{ requests: 300, p95: 2.4 }]);
    const limit = p95(judge(canary, slowBaseline, limitConfig, { alpha: 0.0005 }), 'limit');
    expect(limit.test.method).toBe('sign-test');
    expect(limit.outcome).toBe('inconclusive');
  });

  it('passes when at most 5 % of the requests were slower, and is inconclusive just above', () => {
    const within = window([
      { requests: 300, p95: 1.9, slower: { 2: 10 } },
      { requests: 300, p95: 1.95, slower: { 2: 12 } },
    ]);
    expect(p95(judge(within, slowBaseline, limitConfig), 'limit').outcome).toBe('pass');
    const close = window([{ requests: 300, p95: 2.05, slower: { 2: 18 } }]);
    const judged = p95(judge(close, slowBaseline, limitConfig), 'limit');
    expect(judged.outcome).toBe('inconclusive');
    expect(judged.why).toMatch(/18 of 300 requests \(6 %\).*but binomial p=0\.\d+ ≥ 0\.02/);
  });

  it('judges max-p99-latency the same way at 1 %', () => {
    const canary = window([{ requests: 300, p95: 0.8, p99: 1.4, slower: { 1: 12 } }]);
    const result = judge(canary, slowBaseline, { minRequests: 300, maxP99LatencySeconds: 1 });
    const limit = result.metrics.find((m) => m.name === 'p99-latency' && m.against === 'limit')!;
    expect(limit.outcome).toBe('fail');
    expect(limit.why).toMatch(
      /12 of 300 requests \(4 %\) slower than max-p99-latency 1 s over 1 period, 1 % allowed/,
    );
  });

  it('counts only the periods that have the statistic', () => {
    const canary = window([
      { requests: 300, p95: 2.4, slower: { 2: 40 } },
      { requests: 300, p95: 2.5 },
    ]);
    expect(p95(judge(canary, slowBaseline, limitConfig), 'limit').why).toMatch(
      /40 of 300 requests .* over 1 period/,
    );
  });
});

describe('p95 against the baseline on request counts', () => {
  const reference: LatencyReference = P95_200_MS;
  const baseline = window([
    { requests: 2700, p95: 0.2, slower: { 0.2: 135 } },
    { requests: 2700, p95: 0.21, slower: { 0.2: 140 } },
  ]);
  const canaryWith = (slower: number[]): TargetGroupWindow => ({
    ...window(slower.map((count) => ({ requests: 300, p95: 0.3, slower: { 0.25: count } }))),
    latencyReference: reference,
  });

  it('fails a canary twice as often slower than 1.25× the baseline’s p95 on two periods', () => {
    const result = judge(canaryWith([27, 30]), baseline, { minRequests: 300 }, { alpha: 0.0005 });
    expect(result.verdict).toBe('fail');
    const check = p95(result, 'baseline');
    expect(check.test.method).toBe('stratified-exact');
    expect(check.why).toMatch(
      /^canary p95 latency: 57 of 600 requests \(9\.5 %\) slower than 1\.25× the baseline's p95 200 ms \(250 ms\) vs baseline 275 of 5400 requests \(5\.1 %\) slower than it, over 2 periods, stratified exact p=\S+ < \S+: fail$/,
    );
  });

  it('judges the counts divided by the noise the baseline showed in the minutes before the window', () => {
    // The baseline's shares slower than 0.2 s before the window (60, 250, 90, 300 of 3000) and in
    // it (135, 140 of 2700): V = 0.314 about 5.6 %, design effects 6.59 (canary periods of 300)
    // and 51.3 (baseline periods of 2700): each canary period is judged as 4/45, each baseline
    // period as 3/53.
    const history = window(
      [60, 250, 90, 300].map((count) => ({ requests: 3000, p95: 0.2, slower: { 0.2: count } })),
    ).samples.map((sample, i) => ({ ...sample, timestamp: new Date(START - (5 - i) * 60_000) }));
    const noisy = { ...baseline, history };
    const result = judge(canaryWith([27, 30]), noisy, { minRequests: 300 }, { alpha: 0.0005 });
    const check = p95(result, 'baseline');
    expect(check.outcome).toBe('inconclusive');
    expect(check.why).toMatch(
      /vs baseline 275 of 5400 requests \(5\.1 %\) slower than it, over 2 periods, but stratified exact on counts ÷ 6\.7 canary, ÷ 50\.9 baseline \(between-period overdispersion\) p=\S+ ≥ \S+: inconclusive$/,
    );
    // A baseline as steady as binomial before the window leaves the counts as they are.
    const steady = window(
      [150, 140, 160, 150].map((count) => ({ requests: 3000, p95: 0.2, slower: { 0.2: count } })),
    ).samples.map((sample, i) => ({ ...sample, timestamp: new Date(START - (5 - i) * 60_000) }));
    const same = judge(
      canaryWith([27, 30]),
      { ...baseline, history: steady },
      { minRequests: 300 },
      { alpha: 0.0005 },
    );
    expect(same.verdict).toBe('fail');
    expect(p95(same, 'baseline').why).toMatch(/stratified exact p=/);
  });

  it('passes a canary no more often slower than 1.25× than the baseline is slower than its p95', () => {
    const check = p95(judge(canaryWith([6, 9]), baseline, { minRequests: 300 }), 'baseline');
    expect(check.outcome).toBe('pass');
    expect(check.why).toMatch(/within the tolerance: pass$/);
  });

  it('is inconclusive when more often slower but not significantly so', () => {
    const check = p95(judge(canaryWith([18]), baseline, { minRequests: 300 }), 'baseline');
    expect(check.outcome).toBe('inconclusive');
  });

  it('falls back to the per-period tests without a reference', () => {
    const canary = window([
      { requests: 300, p95: 0.3, slower: { 0.25: 27 } },
      { requests: 300, p95: 0.3, slower: { 0.25: 30 } },
    ]);
    expect(p95(judge(canary, baseline, { minRequests: 300 }), 'baseline').test.method).toBe(
      'mann-whitney',
    );
  });
});

describe('p95 against the baseline at two thresholds: its p95 and its p90', () => {
  const reference: LatencyReference = {
    ...P95_200_MS,
    p90: { baselineSeconds: 0.15, canarySeconds: 0.1875 },
  };
  /** About 5 % of the baseline slower than 0.2 s, about 10 % slower than 0.15 s. */
  const baseline = window([
    { requests: 2700, p95: 0.2, slower: { 0.2: 135, 0.15: 270 } },
    { requests: 2700, p95: 0.21, slower: { 0.2: 140, 0.15: 275 } },
  ]);
  /** Two canary periods of 300: slower than 1.25× the p95 and slower than 1.25× the p90. */
  const canaryWith = (atP95: readonly number[], atP90: readonly number[]): TargetGroupWindow => ({
    ...window(
      atP95.map((count, i) => ({
        requests: 300,
        p95: 0.3,
        slower: { 0.25: count, 0.1875: atP90[i]! },
      })),
    ),
    latencyReference: reference,
  });
  // One check can fail in these looks (no errors, Mann–Whitney on two periods cannot): it has
  // the look's whole alpha, each threshold half of it.
  const look = { alpha: 0.0004 };

  it('fails on the p90 when its share shows the slowdown the p95 cannot prove yet, naming it', () => {
    // p95: 39 of 600 (6.5 %) against 5.1 %, p = 0.0878; p90: 94 of 600 (15.7 %) against
    // 10.1 %, p = 4.174·10⁻⁵, doubled 8.35·10⁻⁵ < 0.0004.
    const result = judge(canaryWith([18, 21], [47, 47]), baseline, { minRequests: 300 }, look);
    expect(result.verdict).toBe('fail');
    expect(result.errorControl).toMatchObject({ checks: 1, perCheckAlpha: 0.0004 });
    const check = p95(result, 'baseline');
    expect(check.test.method).toBe('stratified-exact');
    expect(check.test.p).toBeCloseTo(2 * 0.000041739715250075396, 12);
    expect(check.test.effect).toBeCloseTo(94 / 600 / (545 / 5400), 12);
    expect(check.why).toBe(
      "canary p95 latency: 94 of 600 requests (15.7 %) slower than 1.25× the baseline's p90 150 ms (188 ms) vs baseline 545 of 5400 requests (10.1 %) slower than it, over 2 periods, stratified exact p=4.2e-5, doubled (two thresholds): p=8.3e-5 < 0.0004: fail",
    );
  });

  it('fails each threshold at half the level: a p90 test below the level but not below half is not a fail', () => {
    // p90: 90 of 600, p = 2.46·10⁻⁴ < 0.0004, doubled 4.92·10⁻⁴ ≥ 0.0004. The p95's rule
    // decides what is not a fail: 6.5 % against 5.1 % is more than 0.2 points above, not proven.
    const result = judge(canaryWith([18, 21], [45, 45]), baseline, { minRequests: 300 }, look);
    const check = p95(result, 'baseline');
    expect(check.outcome).toBe('inconclusive');
    expect(check.test.p).toBeCloseTo(2 * 0.08781352483486474, 12);
    expect(check.why).toMatch(
      /^canary p95 latency: 39 of 600 requests \(6\.5 %\) slower than 1\.25× the baseline's p95 200 ms \(250 ms\) .*, but stratified exact p=0\.088, doubled \(two thresholds\): p=0\.18 ≥ 0\.0004: inconclusive$/,
    );
  });

  it('still fails on the p95 when that threshold proves it, at half the level', () => {
    // p95: 57 of 600, p = 2.33·10⁻⁵, doubled 4.66·10⁻⁵; p90 at the baseline's share.
    const result = judge(canaryWith([27, 30], [30, 31]), baseline, { minRequests: 300 }, look);
    expect(result.verdict).toBe('fail');
    const check = p95(result, 'baseline');
    expect(check.test.p).toBeCloseTo(2 * 0.000023312398018247775, 12);
    expect(check.why).toMatch(/slower than 1\.25× the baseline's p95 200 ms \(250 ms\)/);
  });

  it('passes by the p95’s rule: a p90 share above the baseline’s but not proven does not hold a pass', () => {
    // p95: 15 of 600 (2.5 %), within the tolerance; p90: 72 of 600 (12 %) against 10.1 %, p = 0.084.
    const check = p95(
      judge(canaryWith([6, 9], [36, 36]), baseline, { minRequests: 300 }, look),
      'baseline',
    );
    expect(check.outcome).toBe('pass');
    expect(check.why).toMatch(/the baseline's p95 .*: within the tolerance: pass$/);
  });

  it('is inconclusive by the p95’s rule even when the p90 share is within the tolerance', () => {
    const check = p95(
      judge(canaryWith([18, 21], [30, 33]), baseline, { minRequests: 300 }, look),
      'baseline',
    );
    expect(check.outcome).toBe('inconclusive');
  });

  it('shares a look’s alpha when either threshold could fail at half of it', () => {
    // With every slower request of a period the canary's, the smallest p of each threshold
    // is far below any level here: the check shares, and its counts are judged.
    const result = judge(canaryWith([0, 0], [0, 0]), baseline, { minRequests: 300 }, look);
    expect(result.errorControl?.checks).toBe(1);
    expect(p95(result, 'baseline').outcome).toBe('pass');
  });

  it('is the p95’s test alone without a p90 in the reference', () => {
    const p95Only: LatencyReference = {
      baselineSeconds: reference.baselineSeconds,
      canarySeconds: reference.canarySeconds,
      period: reference.period,
    };
    const result = judge(
      { ...canaryWith([27, 30], [47, 47]), latencyReference: p95Only },
      baseline,
      { minRequests: 300 },
      look,
    );
    const check = p95(result, 'baseline');
    expect(check.test.p).toBeCloseTo(0.000023312398018247775, 12);
    expect(check.why).toMatch(/stratified exact p=\S+ < 0\.0004: fail$/);
    expect(check.why).not.toMatch(/doubled/);
  });
});

describe('p99 against the baseline on request counts', () => {
  const reference: LatencyReference = {
    ...P95_200_MS,
    p99: { baselineSeconds: 0.8, canarySeconds: 1 },
  };
  /** The baseline: 27 of 2,700 requests a minute slower than its p99 0.8 s (1 %). */
  const baseline = (periods: number): TargetGroupWindow =>
    window(
      Array.from({ length: periods }, () => ({
        requests: 2700,
        p95: 0.2,
        p99: 0.8,
        slower: { 0.2: 135, 0.8: 27 },
      })),
    );
  const canaryWith = (slowerThanOneSecond: readonly number[]): TargetGroupWindow => ({
    ...window(
      slowerThanOneSecond.map((count) => ({
        requests: 300,
        p95: 0.2,
        p99: 0.9,
        slower: { 0.25: 12, 1: count },
      })),
    ),
    latencyReference: reference,
  });
  const p99 = (result: AnalysisResult): MetricJudgement => {
    const found = result.metrics.find((m) => m.name === 'p99-latency');
    if (found === undefined) throw new Error('no p99 check');
    return found;
  };

  it('counts from the fourth period on: before, the per-period p99s (which cannot fail on fewer)', () => {
    expect(P99_COUNT_PERIODS).toBe(4);
    const three = judge(canaryWith([3, 3, 3]), baseline(3), { minRequests: 300 });
    expect(p99(three).test.method).toBe('mann-whitney');
    const four = judge(canaryWith([3, 3, 3, 3]), baseline(4), { minRequests: 300 });
    expect(p99(four).test.method).toBe('stratified-exact');
  });

  it('fails a canary slower than 1.25× the baseline’s p99 four times as often', () => {
    // 48 of 1,200 (4 %) slower than 1 s against 108 of 10,800 (1 %) slower than 0.8 s.
    const result = judge(
      canaryWith([12, 12, 12, 12]),
      baseline(4),
      { minRequests: 300 },
      {
        alpha: 0.0005,
      },
    );
    expect(result.verdict).toBe('fail');
    expect(p99(result).why).toMatch(
      /^canary p99 latency: 48 of 1200 requests \(4 %\) slower than 1\.25× the baseline's p99 800 ms \(1 s\) vs baseline 108 of 10800 requests \(1 %\) slower than it, over 4 periods, stratified exact p=\S+ < \S+: fail$/,
    );
  });

  it('passes a canary at most 0.2 points of requests above the baseline’s share (absoluteTolerance)', () => {
    // 14 of 1,200 (1.2 %) against 1 %: above the baseline's share, within 0.2 points of it.
    const within = p99(judge(canaryWith([4, 4, 3, 3]), baseline(4), { minRequests: 300 }));
    expect(within.outcome).toBe('pass');
    expect(within.why).toBe(
      "canary p99 latency: 14 of 1200 requests (1.2 %) slower than 1.25× the baseline's p99 800 ms (1 s) vs baseline 108 of 10800 requests (1 %) slower than it, over 4 periods: within 0.2 points of the baseline's share: pass",
    );
    // 15 of 1,200 (1.25 %) is 0.25 points above: neither within nor significantly worse.
    const above = p99(judge(canaryWith([4, 4, 4, 3]), baseline(4), { minRequests: 300 }));
    expect(above.outcome).toBe('inconclusive');
    // Without the floor, the same 14 is inconclusive.
    const strict = p99(
      judge(canaryWith([4, 4, 3, 3]), baseline(4), { minRequests: 300, absoluteTolerance: 0 }),
    );
    expect(strict.outcome).toBe('inconclusive');
  });
});
