import { describe, expect, it } from '@jest/globals';
import {
  type AnalysisResult,
  type MetricJudgement,
  validateAnalysisConfig,
  validateInconclusivePolicy,
} from '../../../../src/canary/analysis/index.ts';
import {
  OVERDUE_INTERVALS,
  SUSPICIOUS_P,
  alphaForLook,
  analysing,
  followPublication,
  gateJudged,
  isSuspicious,
  lookAgainSoon,
  lookWithoutPolling,
  nextLookAt,
  plannedExposureMs,
  takeLook,
} from '../../../../src/ecs/deploy/analysis-schedule.ts';
import { type PeriodSpec, windowOf } from '../../canary/analysis/windows.ts';
import { MINUTE, SECOND, START } from './virtual-time.ts';
import { ANALYSIS, watchOn } from './watch-fixture.ts';

/** On the fake canary: the first hook at 1.5 min, 10 % of production from 1.5 min, the next gate about 10 min later. */
async function atTenPercent() {
  const f = await watchOn();
  const hook = (await f.seeAt(1.5)).hooks[0]!;
  await f.ecs.resolveHook(f.w.request.serviceDeploymentArn, hook.hookId, 'CONTINUE');
  await f.seeAt(2);
  return f;
}

describe('nextLookAt', () => {
  it('is the earlier of the grid and an early look', () => {
    expect(nextLookAt({ gridAt: undefined, soonAt: undefined })).toBeUndefined();
    expect(nextLookAt({ gridAt: 100, soonAt: undefined })).toBe(100);
    expect(nextLookAt({ gridAt: undefined, soonAt: 50 })).toBe(50);
    expect(nextLookAt({ gridAt: 100, soonAt: 150 })).toBe(100);
  });
});

describe('the grid', () => {
  it('starts one interval after the earliest the shift can have happened', async () => {
    const f = await atTenPercent();
    // Seen at 2 min, after a look at 1.5 min: the shift happened after 1.5 min.
    expect(f.w.state.seen.weightSince).toBe(START + 1.5 * MINUTE);
    expect(f.w.state.looks.gridAt).toBe(START + 2.5 * MINUTE);
  });

  it('moves past now after a late wake-up without piling up missed looks', async () => {
    const f = await atTenPercent();
    f.time.now = START + 4.7 * MINUTE;
    expect(takeLook(f.w, MINUTE)).toBe(true);
    expect(f.w.state.looks.gridAt).toBe(START + 5.5 * MINUTE);
  });

  it('leaves the look to a gate due within half an interval, then looks half an interval after it', async () => {
    const f = await atTenPercent();
    const gateAt = START + 11.5 * MINUTE; // the 10 min canary bake from 1.5 min
    f.time.now = gateAt - 20 * SECOND;
    expect(takeLook(f.w, MINUTE)).toBe(false);
    expect(f.w.state.looks.gridAt).toBe(gateAt + 30 * SECOND);
    // The gate is late: look after all.
    f.time.now = gateAt + 30 * SECOND;
    expect(takeLook(f.w, MINUTE)).toBe(true);
  });

  it('clears an early look once it is taken', async () => {
    const f = await atTenPercent();
    f.time.now = START + 3 * MINUTE;
    lookAgainSoon(f.w, 'suspicious');
    expect(takeLook(f.w, MINUTE)).toBe(true);
    expect(f.w.state.looks.soonAt).toBeUndefined();
  });
});

describe('followPublication: looks when CloudWatch publishes', () => {
  it('puts the next look one interval after a look that read a new period', async () => {
    const f = await atTenPercent();
    f.time.now = START + 3.3 * MINUTE;
    followPublication(f.w, true);
    expect(f.w.state.looks.gridAt).toBe(START + 4.3 * MINUTE);
    expect(f.w.state.looks.soonAt).toBeUndefined();
    expect(f.w.state.looks.waitingSince).toBe(START + 3.3 * MINUTE);
  });

  it('looks again a quarter interval later while a period is overdue, then falls back to the grid', async () => {
    const f = await atTenPercent();
    // The shift (1.5 min) starts the wait for its first period.
    expect(f.w.state.looks.waitingSince).toBe(START + 1.5 * MINUTE);
    f.time.now = START + 2.5 * MINUTE;
    followPublication(f.w, false);
    expect(f.w.state.looks.soonAt).toBe(START + 2.75 * MINUTE);
    // An earlier look already due stays.
    f.w.state.looks.soonAt = START + 2.6 * MINUTE;
    followPublication(f.w, false);
    expect(f.w.state.looks.soonAt).toBe(START + 2.6 * MINUTE);
    // Three intervals after the shift with nothing published: one look per interval again.
    expect(OVERDUE_INTERVALS).toBe(3);
    f.w.state.looks.soonAt = undefined;
    f.time.now = START + 4.5 * MINUTE;
    followPublication(f.w, false);
    expect(f.w.state.looks.soonAt).toBeUndefined();
  });

  it('does not look again sooner while the period after the latest one read has not ended', async () => {
    const f = await atTenPercent();
    // Read through the period from 2 min (published at once, as some sources do): the next one
    // ends at 4 min, so nothing can be overdue at 3.5 min; at 4 min it is.
    f.w.state.looks.readThrough = START + 2 * MINUTE;
    f.time.now = START + 3.5 * MINUTE;
    followPublication(f.w, false);
    expect(f.w.state.looks.soonAt).toBeUndefined();
    f.time.now = START + 4 * MINUTE;
    followPublication(f.w, false);
    expect(f.w.state.looks.soonAt).toBe(START + 4.25 * MINUTE);
  });

  it('waits at least 10 s between looks for a short interval', async () => {
    const f = await atTenPercent();
    f.time.now = START + 2 * MINUTE;
    const w = {
      ...f.w,
      request: { ...f.w.request, analysis: { ...ANALYSIS, intervalMs: 20 * SECOND } },
    };
    followPublication(w, false);
    expect(w.state.looks.soonAt).toBe(START + 2 * MINUTE + 10 * SECOND);
  });
});

describe('alphaForLook: information time follows the data', () => {
  it('releases the budget for the exposure the periods read cover, whenever the look comes', async () => {
    const f = await atTenPercent();
    // Exposure from 1.5 min, 25 planned minutes (a 10-minute canary bake, a 15-minute bake).
    const planned = 25 * MINUTE;
    const released = (exposedMs: number) => 0.009 * Math.sqrt(exposedMs / planned);
    // Data through 3 min read at 3.2 min, or at 4.4 min: the same 1.5 minutes of exposure.
    f.time.now = START + 3.2 * MINUTE;
    expect(alphaForLook(f.w, START + 3 * MINUTE)).toBeCloseTo(released(1.5 * MINUTE), 15);
    expect(alphaForLook(f.w, START + 3 * MINUTE)).toBeCloseTo(0.00220454076850486, 15);
    f.time.now = START + 4.4 * MINUTE;
    expect(alphaForLook(f.w, START + 3 * MINUTE)).toBeCloseTo(0.00220454076850486, 15);
    // Less what earlier looks spent; never more than the clock allows; nothing before the data.
    f.w.state.looks.alphaSpent = 0.0005;
    expect(alphaForLook(f.w, START + 3 * MINUTE)).toBeCloseTo(0.00220454076850486 - 0.0005, 15);
    f.w.state.looks.alphaSpent = 0;
    f.time.now = START + 2 * MINUTE;
    expect(alphaForLook(f.w, START + 3 * MINUTE)).toBeCloseTo(released(0.5 * MINUTE), 15);
    expect(alphaForLook(f.w, START + MINUTE)).toBe(0);
  });

  it('front-loads the budget more (t^¼) when the user set an absolute limit', async () => {
    const f = await atTenPercent();
    const planned = 25 * MINUTE;
    const limited = {
      ...f.w,
      request: {
        ...f.w.request,
        analysis: {
          ...ANALYSIS,
          config: validateAnalysisConfig({ minRequests: 300, maxP95LatencySeconds: 2 }),
        },
      },
    };
    f.time.now = START + 3.2 * MINUTE;
    expect(alphaForLook(limited, START + 3 * MINUTE)).toBeCloseTo(
      0.009 * ((1.5 * MINUTE) / planned) ** 0.25,
      15,
    );
    expect(alphaForLook(f.w, START + 3 * MINUTE)).toBeCloseTo(
      0.009 * Math.sqrt((1.5 * MINUTE) / planned),
      15,
    );
  });
});

describe('gateJudged: a gate counts as a look', () => {
  it('puts the next look one interval after a gate that read a new period, not at the next poll', async () => {
    const f = await atTenPercent();
    f.time.now = START + 2.6 * MINUTE; // the grid's look (2.5 min) is overdue
    f.w.state.looks.soonAt = START + 2.55 * MINUTE;
    gateJudged(f.w, { readNew: true, suspicious: false });
    expect(f.w.state.looks.gridAt).toBe(START + 3.6 * MINUTE);
    expect(f.w.state.looks.soonAt).toBeUndefined();
  });

  it('moves the grid past now when the gate read nothing new, and looks soon after a suspicious gate', async () => {
    const f = await atTenPercent();
    f.time.now = START + 2.6 * MINUTE;
    f.w.state.looks.readThrough = f.time.now - MINUTE; // the next period is not due yet
    gateJudged(f.w, { readNew: false, suspicious: false });
    expect(f.w.state.looks.gridAt).toBe(START + 3.5 * MINUTE);
    expect(f.w.state.looks.soonAt).toBeUndefined();
    gateJudged(f.w, { readNew: true, suspicious: true });
    expect(f.w.state.looks.soonAt).toBe(f.time.now + 15 * SECOND);
  });
});

describe('lookAgainSoon', () => {
  it('looks at the next poll after a failed read, a quarter interval (10 s at least) after a suspicious look', async () => {
    const f = await atTenPercent();
    const now = f.time.now;
    lookAgainSoon(f.w, 'unreadable');
    expect(f.w.state.looks.soonAt).toBe(now + 10 * SECOND);
    lookAgainSoon(f.w, 'suspicious');
    expect(f.w.state.looks.soonAt).toBe(now + 15 * SECOND);
    const fast = await watchOn({
      request: { analysis: { ...f.w.request.analysis!, intervalMs: 20 * SECOND } },
    });
    lookAgainSoon(fast.w, 'suspicious');
    expect(fast.w.state.looks.soonAt).toBe(fast.time.now + 10 * SECOND);
  });
});

describe('when looks happen', () => {
  it('only while the canary takes production traffic and nothing is decided', async () => {
    const f = await watchOn();
    await f.seeAt(1);
    expect(analysing(f.w)).toBe(false); // no production traffic yet
    const g = await atTenPercent();
    expect(analysing(g.w)).toBe(true);
    g.w.state.steering.rollbackPending = true;
    expect(analysing(g.w)).toBe(false);
    const h = await atTenPercent();
    h.w.state.steering.decision = { decidedBy: 'cancelled', reason: 'x', at: h.time.now };
    expect(analysing(h.w)).toBe(false);
    const none = await watchOn({ request: { analysis: undefined } });
    await none.seeAt(1.5);
    expect(analysing(none.w)).toBe(false);
  });

  it('without a poll only when the poll is not due yet and no hook waits', async () => {
    const f = await atTenPercent();
    f.time.now = START + 2.5 * MINUTE;
    f.w.state.calls.pollDueAt = START + 3 * MINUTE;
    expect(lookWithoutPolling(f.w)).toBe(true);
    f.w.state.calls.pollDueAt = START + 2.5 * MINUTE;
    expect(lookWithoutPolling(f.w)).toBe(false);
    // The snapshot in hand shows a hook waiting: the next poll answers it first.
    const g = await watchOn();
    await g.seeAt(1.5);
    g.w.state.seen.weight = 10;
    g.w.state.looks.gridAt = g.time.now;
    g.w.state.calls.pollDueAt = g.time.now + MINUTE;
    expect(lookWithoutPolling(g.w)).toBe(false);
  });
});

describe('isSuspicious', () => {
  const traffic = { canaryRequests: 0, baselineRequests: 0, canaryPeriods: 0, baselinePeriods: 0 };
  const judgement = (
    result: AnalysisResult,
    canaryPeriods: PeriodSpec[] = [{ requests: 300 }],
  ) => ({
    result,
    start: 0,
    end: 0,
    canary: windowOf(canaryPeriods),
    baseline: windowOf([{ requests: 3000, target5xx: 6 }]),
  });

  it('flags evidence that is not significant yet, or a last period that is worse', () => {
    const base = { reasons: [], metrics: [], traffic };
    expect(isSuspicious(judgement({ verdict: 'pass', ...base }), 0.25)).toBe(false);
    expect(
      isSuspicious(
        judgement({ verdict: 'inconclusive', cause: 'insufficient-evidence', ...base }),
        0.25,
      ),
    ).toBe(true);
    expect(
      isSuspicious(
        judgement({ verdict: 'inconclusive', cause: 'too-few-requests', ...base }),
        0.25,
      ),
    ).toBe(false);
    expect(
      isSuspicious(
        judgement({ verdict: 'pass', ...base }, [
          { requests: 300 },
          { requests: 300, target5xx: 5 },
        ]),
        0.25,
      ),
    ).toBe(true);
  });
});

describe('isSuspicious below min-requests', () => {
  const traffic = {
    canaryRequests: 100,
    baselineRequests: 2700,
    canaryPeriods: 1,
    baselinePeriods: 1,
  };
  const limitCheck = (p: number): MetricJudgement => ({
    name: 'p95-latency',
    against: 'limit',
    outcome: 'inconclusive',
    canary: 2.5,
    baseline: null,
    limit: 2,
    test: { method: 'binomial-exact', p, effect: 2.4 },
    why: 'canary p95 latency: 12 of 100 requests (12 %) slower than max-p95-latency 2 s over 1 period, 5 % allowed; canary served 100 requests, fewer than min-requests 300: inconclusive',
  });
  const judgement = (p: number) => ({
    result: {
      verdict: 'inconclusive',
      cause: 'too-few-requests',
      reasons: [],
      metrics: [limitCheck(p)],
      traffic,
    } as AnalysisResult,
    start: 0,
    end: 0,
    canary: windowOf([{ requests: 100 }]),
    baseline: windowOf([{ requests: 2700, target5xx: 3 }]),
  });

  it('flags a check whose test is already below 0.05, so the next period is read as soon as it is published', () => {
    expect(SUSPICIOUS_P).toBe(0.05);
    expect(isSuspicious(judgement(0.0036), 0.25)).toBe(true);
    expect(isSuspicious(judgement(0.049), 0.25)).toBe(true);
    expect(isSuspicious(judgement(0.05), 0.25)).toBe(false);
    expect(isSuspicious(judgement(0.4), 0.25)).toBe(false);
  });
});

describe('plannedExposureMs: what the false-rollback budget is spent over', () => {
  const settings = (onInconclusive: 'continue' | 'extend', maxExtensions?: number) => ({
    ...ANALYSIS,
    policy: validateInconclusivePolicy({ onInconclusive, maxExtensions }),
  });

  it('adds the bake of every step and the final bake', () => {
    const canary = {
      kind: 'canary',
      canaryPercent: 10,
      canaryBakeMinutes: 10,
      bakeMinutes: 10,
    } as const;
    expect(plannedExposureMs(canary, settings('continue'))).toBe(20 * MINUTE);
    // 20, 40, 60, 80, then 100 %: four step bakes.
    const linear = {
      kind: 'linear',
      stepPercent: 20,
      stepBakeMinutes: 6,
      bakeMinutes: 10,
    } as const;
    expect(plannedExposureMs(linear, settings('continue'))).toBe((4 * 6 + 10) * MINUTE);
    expect(plannedExposureMs({ kind: 'blue-green', bakeMinutes: 15 }, settings('continue'))).toBe(
      15 * MINUTE,
    );
  });

  it('counts a step without a bake as the interval a gate watches, and the extensions', () => {
    const canary = {
      kind: 'canary',
      canaryPercent: 10,
      canaryBakeMinutes: 0,
      bakeMinutes: 0,
    } as const;
    expect(plannedExposureMs(canary, settings('continue'))).toBe(2 * MINUTE);
    expect(plannedExposureMs(canary, settings('extend', 3))).toBe(5 * MINUTE);
    const all = {
      kind: 'canary',
      canaryPercent: 100,
      canaryBakeMinutes: 10,
      bakeMinutes: 5,
    } as const;
    expect(plannedExposureMs(all, settings('continue'))).toBe(5 * MINUTE);
  });
});
