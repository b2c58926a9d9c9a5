// Watches one service deployment to its final status and steers it: answers the PAUSE hooks
// (smoke check, analysis gates), judges the canary while it takes production traffic, rolls
// back on a failing verdict, a cancel or the timeout, and reports everything it saw.
// The loop is here; each job has its module, all sharing one Watch (watch-state.ts):
// watch-calls (polling, backoff), deployment-progress (what ECS reports), hook-answers,
// analysis-schedule and analysis-looks (judging the canary), rollback-decision (whether to roll
// back, at a gate or between gates), rollback-request, abandon (cancel, timeout, lost track) and
// result-assembly (the result, the trouble report).
import type { Clock, Sleep } from '../../lib/clock.ts';
import { abandon, lostTrack } from './abandon.ts';
import { lookBetweenGates } from './analysis-looks.ts';
import { lookDue, lookWithoutPolling, nextLookAt } from './analysis-schedule.ts';
import type { AnalysisSettings } from './continuous-analysis.ts';
import { observe } from './deployment-progress.ts';
import type { DeployEvent } from './events.ts';
import { answerHook, needsAnswer } from './hook-answers.ts';
import type { PollingSettings } from './poll-cadence.ts';
import {
  type DeploymentPort,
  type DeploymentSnapshot,
  FINAL_STATUSES,
  type LogsPort,
  type MetricsPort,
} from './ports.ts';
import { finish, gatherTroubleOnce } from './result-assembly.ts';
import type { DeployResult } from './result.ts';
import type { RevisionLookup } from './revisions.ts';
import { sendRollback } from './rollback-request.ts';
import { WINDING_DOWN, awaitingPauseHook } from './rollback.ts';
import type { Strategy } from './strategy.ts';
import { interrupted, nextDelay, pause, poll } from './watch-calls.ts';
import { type Watch, newWatch, now } from './watch-state.ts';

export type SmokeCheck = (signal: AbortSignal) => Promise<{ ok: boolean; detail: string }>;

export interface WatchRequest {
  cluster: string;
  service: string;
  serviceDeploymentArn: string;
  strategy: Strategy;
  attached: boolean;
  analysis?: AnalysisSettings | undefined;
  /** The service's two target groups (preflight), in case the revisions name only one. */
  targetGroupPair?: { targetGroupArn: string; alternateTargetGroupArn: string } | undefined;
  /** PAUSE hook timeout, for the hint when the engine cannot answer any more. */
  hookTimeoutMinutes: number;
  polling: PollingSettings;
  /** Clock time the engine started, and after which it gives up (Infinity for none). */
  startedAt: number;
  deadlineAt: number;
  timeoutMs?: number | undefined;
}

export interface WatchDeps {
  deployments: DeploymentPort;
  metrics?: MetricsPort | undefined;
  logs?: LogsPort | undefined;
  smokeCheck?: SmokeCheck | undefined;
  revisions: RevisionLookup;
  clock: Clock;
  sleep: Sleep;
  signal: AbortSignal;
  onEvent?: ((event: DeployEvent) => void) | undefined;
  /** A fresh signal for calls after the main one aborted (the rollback on cancel). */
  deadline: (ms: number) => AbortSignal;
}

export async function watchDeployment(
  request: WatchRequest,
  deps: WatchDeps,
): Promise<DeployResult> {
  const w = newWatch(request, deps);
  const { state } = w;
  for (;;) {
    if (interrupted(w)) return abandon(w);
    if (lookWithoutPolling(w)) {
      // Nothing is expected of ECS yet: judge on the snapshot in hand and save a describe.
      await lookBetweenGates(w, state.seen.snapshot!);
      if (state.calls.lost !== undefined) return lostTrack(w, state.calls.lost);
      if (!state.steering.rollbackPending && state.steering.decision === undefined) {
        // The poll stays due when it was; only the next look may come first.
        const next = Math.min(state.calls.pollDueAt, nextLookAt(state.looks) ?? Infinity);
        await pause(w, Math.max(next - now(w), 1000));
        continue;
      }
    }
    const snapshot = await poll(w);
    if (state.calls.lost !== undefined) return lostTrack(w, state.calls.lost);
    if (snapshot !== undefined) {
      observe(w, snapshot);
      if (FINAL_STATUSES.has(snapshot.status)) return finish(w, snapshot);
      if (WINDING_DOWN.has(snapshot.status)) {
        state.hooks.hold = undefined;
        await gatherTroubleOnce(w);
      } else {
        await steer(w, snapshot);
      }
      if (state.calls.lost !== undefined) return lostTrack(w, state.calls.lost);
    }
    if (interrupted(w)) return abandon(w);
    await pause(w, nextDelay(w));
  }
}

/** One step of steering: a rollback still to send, a hook to answer, or a look that is due. */
async function steer(w: Watch, s: DeploymentSnapshot): Promise<void> {
  const hook = awaitingPauseHook(s);
  if (w.state.steering.rollbackPending) {
    await sendRollback(w, hook?.hookId);
    return;
  }
  if (hook !== undefined && needsAnswer(w, hook)) {
    await answerHook(w, s, hook);
    return;
  }
  if (lookDue(w)) await lookBetweenGates(w, s);
}
