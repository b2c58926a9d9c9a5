import { describe, expect, it } from '@jest/globals';
import { answerHook, needsAnswer } from '../../../../src/ecs/deploy/hook-answers.ts';
import { awaitingPauseHook } from '../../../../src/ecs/deploy/rollback.ts';
import type { SmokeCheck } from '../../../../src/ecs/deploy/watch.ts';
import { awsError } from './fake-ecs.ts';
import { POLLING_DEFAULTS } from '../../../../src/ecs/deploy/poll-cadence.ts';
import { MINUTE, SECOND, START } from './virtual-time.ts';
import { type WatchSetUp, watchOn } from './watch-fixture.ts';

type Fixture = Awaited<ReturnType<typeof watchOn>>;

/** The first hook the fake deployment waits at, looking every 6 s. */
async function firstHook(f: Fixture) {
  for (let minutes = 0; ; minutes += 0.1) {
    const s = await f.seeAt(minutes);
    const hook = awaitingPauseHook(s);
    if (hook !== undefined) return { s, hook };
  }
}

/**
 * The gate before the canary's second shift: the first hook (seen at 12:01:30) held to the next
 * minute and answered at 12:02:01, the shift at 12:02:06, then 10 min at 10 %.
 */
async function secondGate(options: WatchSetUp = {}) {
  const f = await watchOn(options);
  const first = await firstHook(f);
  await answerHook(f.w, first.s, first.hook);
  f.time.now = f.w.state.hooks.hold!.until;
  await answerHook(f.w, first.s, first.hook);
  await f.seeAt(2.2);
  const s = await f.seeAt(12.2);
  return { f, s, hook: awaitingPauseHook(s)! };
}

/** ContinueServiceDeployment fails with `code` once the first hook is answered. */
const refusingAfterTheShift = (code: string): WatchSetUp => ({
  fake: {
    fault: (call, now) =>
      call === 'resolveHook' && now > START + 3 * MINUTE ? awsError(code, 400) : undefined,
  },
});

const calls = (f: Fixture) =>
  f.ecs.calls
    .filter((c) => c.name === 'resolveHook' || c.name === 'rollBack')
    .map((c) => c.detail ?? c.name);

describe('answerHook', () => {
  it('holds the first shift to just after the next CloudWatch minute, then continues', async () => {
    const f = await watchOn();
    const { s, hook } = await firstHook(f);
    expect(f.time.now).toBe(Date.parse('2026-03-01T12:01:30Z'));
    await answerHook(f.w, s, hook);
    // 30 s into a minute: held to the next one plus the 1 s lead, nothing sent to ECS.
    expect(calls(f)).toEqual([]);
    expect(f.w.state.hooks.hold).toEqual({
      hookId: hook.hookId,
      until: Date.parse('2026-03-01T12:02:01Z'),
    });
    expect(f.w.state.report.hooks).toEqual([
      {
        at: '2026-03-01T12:01:30.000Z',
        hookId: hook.hookId,
        stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT',
        action: 'hold',
        until: '2026-03-01T12:02:01.000Z',
        reason: 'aligning the first shift to the next CloudWatch minute: 31s',
      },
    ]);
    f.time.now = Date.parse('2026-03-01T12:02:00.999Z');
    await answerHook(f.w, s, hook);
    expect(calls(f)).toEqual([]);
    f.time.now = Date.parse('2026-03-01T12:02:01Z');
    await answerHook(f.w, s, hook);
    expect(calls(f)).toEqual([`${hook.hookId} CONTINUE`]);
    expect(f.w.state.hooks.hold).toBeUndefined();
    expect(f.w.state.report.hooks.at(-1)).toMatchObject({
      at: '2026-03-01T12:02:01.000Z',
      action: 'CONTINUE',
      reason: /nothing to judge; the first shift starts a CloudWatch minute/,
    });
    // The fake ECS moves the weights 5 s after the answer: the canary's first minute is 55 s.
    await f.seeAt(2.2);
    expect(f.ecs.ours.weights.find((x) => x.production > 0)).toEqual({
      at: Date.parse('2026-03-01T12:02:06Z'),
      production: 10,
    });
  });

  it('continues at once when the hold would end after the hook must be answered', async () => {
    const f = await watchOn({ request: { polling: { ...POLLING_DEFAULTS } } });
    const { s, hook } = await firstHook(f);
    // The hook must be answered by 12:01:50, before 12:02:01.
    f.w.request.polling.hookMarginMs = hook.expiresAt!.getTime() - f.time.now - 20 * SECOND;
    await answerHook(f.w, s, hook);
    expect(calls(f)).toEqual([`${hook.hookId} CONTINUE`]);
    expect(f.w.state.report.hooks.at(-1)?.reason).toMatch(
      /not aligning the first shift to the next CloudWatch minute \(31s: the hook must be answered before\)/,
    );
  });

  it('does not answer again while the hook still reads waiting', async () => {
    // A canary straight to 100 % has no baseline after its shift: nothing to align.
    const f = await watchOn({
      strategy: { kind: 'canary', canaryPercent: 100, canaryBakeMinutes: 0, bakeMinutes: 5 },
    });
    const { s, hook } = await firstHook(f);
    await answerHook(f.w, s, hook);
    expect(calls(f)).toEqual([`${hook.hookId} CONTINUE`]);
    expect(f.w.state.report.hooks.at(-1)?.reason).toBe(
      'no production traffic on the new revision yet: nothing to judge before the first shift',
    );
    expect(f.w.state.steering.actedAt).toBe(f.time.now);
    expect(needsAnswer(f.w, hook)).toBe(false);
    f.time.now += 31 * SECOND;
    expect(needsAnswer(f.w, hook)).toBe(true);
  });

  it('holds a gate whose window is shorter than an interval, and judges it when the hold ends', async () => {
    const { f, s, hook } = await secondGate();
    f.w.state.seen.weightSince = f.time.now - 20 * SECOND;
    await answerHook(f.w, s, hook);
    expect(f.w.state.hooks.hold).toEqual({ hookId: hook.hookId, until: f.time.now + 40 * SECOND });
    expect(f.w.state.report.hooks.at(-1)).toMatchObject({
      action: 'hold',
      reason: /watching the new revision at 10 % of production for 1m/,
    });
    await answerHook(f.w, s, hook);
    expect(f.w.state.report.hooks).toHaveLength(3);
    f.time.now += 40 * SECOND;
    await answerHook(f.w, s, hook);
    expect(f.w.state.hooks.hold).toBeUndefined();
    expect(f.w.state.report.analyses).toMatchObject([
      { kind: 'gate', verdict: 'pass', decision: { action: 'continue' } },
    ]);
    expect(calls(f).at(-1)).toBe(`${hook.hookId} CONTINUE`);
  });

  it('takes a refused answer as given, and loses track when it may not answer at all', async () => {
    const refused = await secondGate(refusingAfterTheShift('InvalidParameterException'));
    await answerHook(refused.f.w, refused.s, refused.hook);
    expect(needsAnswer(refused.f.w, refused.hook)).toBe(false);
    expect(refused.f.w.state.calls.lost).toBeUndefined();
    const denied = await secondGate(refusingAfterTheShift('AccessDeniedException'));
    await answerHook(denied.f.w, denied.s, denied.hook);
    expect(denied.f.w.state.calls.lost).toMatchObject({
      kind: 'fatal',
      call: 'ContinueServiceDeployment',
    });
  });

  it.each<[string, SmokeCheck]>([
    ['fails', async () => ({ ok: false, detail: '503' })],
    [
      'throws',
      async () => {
        throw new Error('ECONNREFUSED');
      },
    ],
  ])('rolls back through the hook when the smoke check %s', async (_name, smokeCheck) => {
    const f = await watchOn({ deps: { smokeCheck } });
    const { s, hook } = await firstHook(f);
    expect(s.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');
    await answerHook(f.w, s, hook);
    expect(calls(f)).toEqual([`${hook.hookId} ROLLBACK`]);
    expect(f.w.state.steering.decision).toMatchObject({
      decidedBy: 'smoke-check',
      reason: /before any production traffic moved/,
    });
    expect(f.events.find((e) => e.type === 'smoke-check')).toMatchObject({ ok: false });
  });

  it('rolls back through the hook, with no answer of its own, at a gate whose analysis cannot run', async () => {
    const { f, s, hook } = await secondGate();
    f.metrics.fault = () =>
      awsError('AccessDenied', 403, 'not authorized: cloudwatch:GetMetricData');
    await answerHook(f.w, s, hook);
    expect(calls(f).at(-1)).toBe(`${hook.hookId} ROLLBACK`);
    expect(f.w.state.steering.decision).toMatchObject({
      decidedBy: 'analysis',
      reason: /^Canary analysis cannot run at PRE_PRODUCTION_TRAFFIC_SHIFT: AccessDenied/,
    });
    expect(f.w.state.report.hooks.map((h) => h.action)).toEqual(['hold', 'CONTINUE']);
    expect(f.w.state.report.analyses).toEqual([]);
  });

  it('looks again at a gate whose metrics cannot be read, until the hook must be answered', async () => {
    const { f, s, hook } = await secondGate();
    f.metrics.fault = () => awsError('ServiceUnavailable', 503);
    await answerHook(f.w, s, hook);
    expect(f.w.state.report.hooks).toHaveLength(2);
    f.time.now = hook.expiresAt!.getTime() - f.w.request.polling.hookMarginMs;
    await answerHook(f.w, s, hook);
    expect(f.w.state.report.hooks.at(-1)).toMatchObject({
      action: 'ROLLBACK',
      reason: /could not read the metrics before the PAUSE hook expires/,
    });
    expect(calls(f).at(-1)).toBe(`${hook.hookId} ROLLBACK`);
  });
});
