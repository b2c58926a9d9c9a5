// Answering the PAUSE hook a deployment waits at: the smoke check after the test traffic shift,
// the canary's gates before a production step and after the last one, CONTINUE elsewhere. A held
// hook is looked at again when its hold ends; every answer is recorded.
import { awsErrorFacts, classifyAwsError } from '../../lib/aws-errors.ts';
import { oneLine } from '../../lib/errors.ts';
import { gateJudged } from './analysis-schedule.ts';
import { judgeCanary } from './analysis-looks.ts';
import { alignsFirstShift } from './first-shift.ts';
import { type HookAnswer, answerBy, gateWindow, smokeCheckAnswer } from './hook-decisions.ts';
import type { DeploymentSnapshot, HookSnapshot } from './ports.ts';
import { type HookRecord, iso } from './result.ts';
import { rollBack } from './rollback-request.ts';
import { callFailed } from './watch-calls.ts';
import { type Watch, emit, now } from './watch-state.ts';

const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized/;

/** A hook answered moments ago can still read AWAITING_ACTION; answer again only if it stays so. */
export function needsAnswer(w: Watch, hook: HookSnapshot): boolean {
  const answeredAt = w.state.hooks.answered.get(hook.hookId);
  return answeredAt === undefined || now(w) - answeredAt > 3 * w.request.polling.intervalMs;
}

export async function answerHook(
  w: Watch,
  s: DeploymentSnapshot,
  hook: HookSnapshot,
): Promise<void> {
  const hooks = w.state.hooks;
  if (hooks.hold?.hookId === hook.hookId && now(w) < hooks.hold.until) return;
  const stage = s.lifecycleStage ?? 'an unknown stage';
  const answer = await answerAt(
    w,
    s,
    hook,
    stage,
    answerBy(hook.expiresAt, w.request.polling.hookMarginMs),
  );
  if (answer === undefined) return;
  const at = iso(now(w));
  if (answer.action === 'hold') {
    // A hook the engine has not answered before is ECS's next step: it has moved on from the
    // engine's last answer, so the fast pace after acting ends (the hold's end wakes the watch).
    if (!hooks.answered.has(hook.hookId) && w.state.steering.decision === undefined) {
      w.state.steering.actedAt = undefined;
    }
    hooks.hold = { hookId: hook.hookId, until: answer.until };
    if (answer.extension !== undefined) hooks.extensionsUsed = answer.extension;
    const until = iso(answer.until);
    // A hold that says what the last one said (no new period read) is not reported again.
    const last = w.state.report.hooks.at(-1);
    if (last?.hookId === hook.hookId && last.action === 'hold' && last.reason === answer.reason) {
      return;
    }
    record(w, { at, hookId: hook.hookId, stage, action: 'hold', reason: answer.reason, until });
    return;
  }
  hooks.hold = undefined;
  record(w, { at, hookId: hook.hookId, stage, action: answer.action, reason: answer.reason });
  if (answer.action === 'ROLLBACK') {
    await rollBack(w, answer.decidedBy, answer.reason, hook.hookId);
    return;
  }
  await continueHook(w, hook.hookId);
}

/** What to answer at `stage`; undefined to look again at the next poll. */
async function answerAt(
  w: Watch,
  s: DeploymentSnapshot,
  hook: HookSnapshot,
  stage: string,
  latest: number,
): Promise<HookAnswer | undefined> {
  switch (stage) {
    case 'POST_TEST_TRAFFIC_SHIFT':
      return smokeCheck(w);
    case 'PRE_PRODUCTION_TRAFFIC_SHIFT':
      return canaryGate(w, s, hook, 'step', latest);
    case 'POST_PRODUCTION_TRAFFIC_SHIFT':
      return canaryGate(w, s, hook, 'final', latest);
    default:
      return { action: 'CONTINUE', reason: `the engine makes no decision at ${stage}` };
  }
}

async function continueHook(w: Watch, hookId: string): Promise<void> {
  const { answered } = w.state.hooks;
  try {
    await w.deps.deployments.resolveHook(
      w.request.serviceDeploymentArn,
      hookId,
      'CONTINUE',
      w.deps.signal,
    );
    answered.set(hookId, now(w));
    w.state.steering.actedAt = now(w);
  } catch (error) {
    const denied = ACCESS_DENIED.test(awsErrorFacts(error).code);
    callFailed(w, 'ContinueServiceDeployment', error, denied);
    // A refused answer (the hook timed out or was answered elsewhere) shows in the next look.
    if (classifyAwsError(error) === 'client') answered.set(hookId, now(w));
  }
}

function record(w: Watch, hook: HookRecord): void {
  w.state.report.hooks.push(hook);
  emit(w, { type: 'hook', ...hook });
}

async function smokeCheck(w: Watch): Promise<HookAnswer | undefined> {
  const check = w.deps.smokeCheck;
  if (check === undefined) return { action: 'CONTINUE', reason: 'no smoke check configured' };
  let outcome: { ok: boolean; detail: string };
  try {
    outcome = await check(w.deps.signal);
  } catch (error) {
    if (w.deps.signal.aborted) return undefined;
    outcome = { ok: false, detail: `the check threw: ${oneLine(error)}` };
  }
  emit(w, { type: 'smoke-check', at: iso(now(w)), ...outcome });
  return smokeCheckAnswer(outcome);
}

/** A canary gate: judged once its window spans an interval; decideRollback answers. */
async function canaryGate(
  w: Watch,
  s: DeploymentSnapshot,
  hook: HookSnapshot,
  gate: 'step' | 'final',
  latest: number,
): Promise<HookAnswer | undefined> {
  const settings = w.request.analysis;
  if (settings === undefined) {
    return { action: 'CONTINUE', reason: 'no canary analysis configured' };
  }
  const { seen, hooks } = w.state;
  const window = gateWindow({
    gate,
    now: now(w),
    productionWeight: seen.weight,
    weightSince: seen.weightSince,
    exposureSince: seen.exposureSince,
    intervalMs: settings.intervalMs,
    latest,
    firstShift: {
      aligns: alignsFirstShift(w.request.strategy),
      periodSeconds: settings.periodSeconds,
      // The hold before the first shift is its alignment: once it has ended, the shift goes.
      heldUntil: hooks.hold?.hookId === hook.hookId ? hooks.hold.until : undefined,
    },
  });
  if (window.action !== 'judge') return window;
  // The gate waits for an interval since the last shift, then judges everything since the first:
  // what earlier steps showed about the same revision counts.
  const from = seen.exposureSince ?? window.from;
  const look = await judgeCanary(w, settings, s, from, {
    at: 'gate',
    gate,
    answerBy: latest,
    extensionsUsed: hooks.extensionsUsed,
  });
  if (look !== undefined && look.decision.action !== 'retry' && look.waiting !== true) {
    gateJudged(w, look);
  }
  // Undefined: rolled back already (the analysis cannot run); retry: at the next poll.
  return look === undefined || look.decision.action === 'retry' ? undefined : look.decision;
}
