// Watches one service deployment to its final status and steers it: answers the PAUSE hooks
// (smoke check, analysis gates), judges the canary while it takes production traffic, rolls
// back on a failing verdict, a cancel or the timeout, and reports everything it saw.
import { awsErrorFacts, classifyAwsError, describeAwsError } from '../../lib/aws-errors.ts';
import type { Verdict } from '../../canary/analysis/index.ts';
import type { Clock, Sleep } from '../../lib/clock.ts';
import { formatDuration } from '../../lib/durations.ts';
import { oneLine } from '../../lib/errors.ts';
import { abortKind } from './attach-or-start.ts';
import {
  type AnalysisSettings,
  type Judgement,
  type TargetGroups,
  judgeWindow,
  recentlyWorse,
  resolveTargetGroups,
} from './continuous-analysis.ts';
import type { DeployEvent, WatchErrorKind } from './events.ts';
import {
  type HookAnswer,
  answerBy,
  gateAnswer,
  observationHold,
  smokeCheckAnswer,
} from './hook-decisions.ts';
import {
  type PollingSettings,
  classifyWatchError,
  expectedTransitionAt,
  pollDelay,
  recoveredBackoff,
  throttledBackoff,
} from './poll-cadence.ts';
import {
  type DeploymentPort,
  type DeploymentSnapshot,
  type DeploymentStatus,
  type HookSnapshot,
  FINAL_STATUSES,
  type LogsPort,
  type MetricsPort,
} from './ports.ts';
import {
  type AnalysisRecord,
  type DeployOutcome,
  type DeployResult,
  type EngineDecision,
  type HookRecord,
  RESULT_VERSION,
  type TimelineEntry,
  type TrafficStep,
  analysisRecord,
  ecsDecider,
  finalOutcome,
  iso,
} from './result.ts';
import type { RevisionLookup } from './revisions.ts';
import { WINDING_DOWN, awaitingPauseHook, requestRollback } from './rollback.ts';
import type { Strategy } from './strategy.ts';
import { type TroubleReport, gatherTrouble } from './trouble-report.ts';

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

const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized/;

export function watchDeployment(request: WatchRequest, deps: WatchDeps): Promise<DeployResult> {
  return new DeploymentWatch(request, deps).run();
}

type Judged = Judgement & { groups: TargetGroups };

interface Failure {
  error: unknown;
  kind: WatchErrorKind;
  call: string;
}

class DeploymentWatch {
  readonly #request: WatchRequest;
  readonly #deps: WatchDeps;
  readonly #polling: PollingSettings;

  #snapshot: DeploymentSnapshot | undefined;
  /** When the previous DescribeServiceDeployments answered: a change seen now happened after it. */
  #lastPollAt: number | undefined;

  // What the deployment has done, for the report.
  readonly #timeline: TimelineEntry[] = [];
  readonly #traffic: TrafficStep[] = [];
  readonly #hooks: HookRecord[] = [];
  readonly #analyses: AnalysisRecord[] = [];
  #trouble: TroubleReport | undefined;
  #troubleGathered = false;

  // Progress, as estimates of the earliest each change can have happened.
  #status: DeploymentStatus | undefined;
  #stage: string | undefined;
  #stageSince: number | undefined;
  #weight = 0;
  #testWeight = 0;
  #weightSince: number | undefined;
  #exposureSince: number | undefined;
  #tasksKey = '';
  #monitorsKey = '';

  // Steering.
  readonly #answered = new Map<string, number>();
  #hold: { hookId: string; until: number } | undefined;
  /** When the next DescribeServiceDeployments is due; a look due earlier goes without one. */
  #pollDueAt = 0;
  #extensionsUsed = 0;
  /** Regular looks stay on a grid from the last shift, so late wake-ups do not add up. */
  #analysisGridAt: number | undefined;
  /** An earlier look: after a suspicious verdict or a failed metrics call. */
  #analysisSoonAt: number | undefined;
  #groups: TargetGroups | undefined;
  #decision: EngineDecision | undefined;
  #rollbackPending = false;
  #actedAt: number | undefined;

  // Errors.
  #consecutiveErrors = 0;
  #credentialErrors = 0;
  #analysisErrors = 0;
  #backoffMs = 0;
  #lost: Failure | undefined;

  constructor(request: WatchRequest, deps: WatchDeps) {
    this.#request = request;
    this.#deps = deps;
    this.#polling = request.polling;
  }

  async run(): Promise<DeployResult> {
    for (;;) {
      if (this.#interrupted()) return this.#abandon();
      if (this.#lookWithoutPolling()) {
        // Nothing is expected of ECS yet: judge on the snapshot in hand and save a describe.
        await this.#continuousAnalysis(this.#snapshot!);
        if (this.#lost !== undefined) return this.#lostTrack(this.#lost);
        if (!this.#rollbackPending && this.#decision === undefined) {
          // The poll stays due when it was; only the next look may come first.
          const next = Math.min(this.#pollDueAt, this.#nextAnalysisAt() ?? Infinity);
          await this.#pause(Math.max(next - this.#now(), 1000));
          continue;
        }
      }
      const snapshot = await this.#poll();
      if (this.#lost !== undefined) return this.#lostTrack(this.#lost);
      if (snapshot !== undefined) {
        this.#observe(snapshot);
        if (FINAL_STATUSES.has(snapshot.status)) return this.#finish(snapshot);
        if (WINDING_DOWN.has(snapshot.status)) await this.#windingDown();
        else await this.#steer(snapshot);
        if (this.#lost !== undefined) return this.#lostTrack(this.#lost);
      }
      if (this.#interrupted()) return this.#abandon();
      await this.#pause(this.#nextDelay());
    }
  }

  // ---- polling ---------------------------------------------------------------------------------

  #now(): number {
    return this.#deps.clock.now();
  }

  #interrupted(): boolean {
    return this.#deps.signal.aborted || this.#now() >= this.#request.deadlineAt;
  }

  async #poll(): Promise<DeploymentSnapshot | undefined> {
    try {
      const snapshot = await this.#deps.deployments.describe(
        this.#request.serviceDeploymentArn,
        this.#deps.signal,
      );
      this.#consecutiveErrors = 0;
      this.#credentialErrors = 0;
      this.#backoffMs = recoveredBackoff(this.#backoffMs, this.#polling);
      return snapshot;
    } catch (error) {
      this.#callFailed('DescribeServiceDeployments', error, true);
      return undefined;
    }
  }

  /**
   * Counts a failed call. Throttling and transient errors only slow the watch down; credential
   * errors get a few tries; `vital` calls (the watch's own eyes) lose track when errors persist.
   */
  #callFailed(call: string, error: unknown, vital: boolean): WatchErrorKind | undefined {
    if (this.#deps.signal.aborted) return undefined;
    const kind = classifyWatchError(error);
    if (vital) {
      this.#consecutiveErrors += 1;
      if (kind === 'credentials') this.#credentialErrors += 1;
      if (
        kind === 'fatal' ||
        this.#consecutiveErrors > this.#polling.maxConsecutiveErrors ||
        this.#credentialErrors > this.#polling.maxCredentialErrors
      ) {
        this.#lost = { error, kind, call };
        return kind;
      }
    }
    if (kind === 'throttled') this.#backoffMs = throttledBackoff(this.#backoffMs, this.#polling);
    this.#emit({
      type: 'call-error',
      at: iso(this.#now()),
      call,
      error: describeAwsError(error),
      kind,
      consecutive: this.#consecutiveErrors,
      retryInMs: Math.max(this.#backoffMs, this.#polling.intervalMs),
    });
    return kind;
  }

  #nextDelay(): number {
    const now = this.#now();
    const status = this.#status ?? 'PENDING';
    let wake =
      now +
      pollDelay(
        {
          now,
          status,
          stage: this.#stage,
          expectedAt: expectedTransitionAt({
            strategy: this.#request.strategy,
            productionWeight: this.#weight,
            weightSince: this.#weightSince,
            stage: this.#stage,
            stageSince: this.#stageSince,
          }),
          actedAt: this.#actedAt,
        },
        this.#polling,
      );
    if (this.#hold !== undefined) wake = Math.min(wake, this.#hold.until);
    const floor = now + Math.max(this.#backoffMs, 1000);
    this.#pollDueAt = Math.max(wake, floor);
    if (this.#hold === undefined && this.#analysing() && this.#nextAnalysisAt() !== undefined) {
      wake = Math.min(wake, this.#nextAnalysisAt()!);
    }
    return Math.max(wake, floor) - now;
  }

  /**
   * When the pre-production PAUSE hook of the next canary or linear shift is expected: the end of
   * the step's bake. Only while the new revision holds part of production.
   */
  #gateExpectedAt(): number | undefined {
    const { strategy } = this.#request;
    if (strategy.kind !== 'canary' && strategy.kind !== 'linear') return undefined;
    if (!(this.#weight > 0 && this.#weight < 100) || this.#stage === 'BAKE_TIME') return undefined;
    return expectedTransitionAt({
      strategy,
      productionWeight: this.#weight,
      weightSince: this.#weightSince,
      stage: this.#stage,
      stageSince: this.#stageSince,
    });
  }

  /** A regular look is due before the next poll, and the last snapshot had no hook to answer. */
  #lookWithoutPolling(): boolean {
    const s = this.#snapshot;
    const next = this.#nextAnalysisAt();
    return (
      s !== undefined &&
      this.#analysing() &&
      next !== undefined &&
      this.#now() >= next &&
      this.#now() < this.#pollDueAt &&
      awaitingPauseHook(s) === undefined
    );
  }

  async #pause(ms: number): Promise<void> {
    const wait = Math.min(ms, this.#request.deadlineAt - this.#now());
    if (wait <= 0) return;
    try {
      await this.#deps.sleep(wait, this.#deps.signal);
    } catch {
      // Aborted: run() sees it.
    }
  }

  // ---- what ECS reports ----------------------------------------------------------------------

  #observe(s: DeploymentSnapshot): void {
    const now = this.#now();
    const at = iso(now);
    // A change seen now happened after the previous look (or, attaching, after the deployment began).
    const since = this.#lastPollAt ?? Math.min(now, s.startedAt?.getTime() ?? now);
    this.#lastPollAt = now;
    this.#snapshot = s;

    if (s.status !== this.#status || s.lifecycleStage !== this.#stage) {
      if (s.lifecycleStage !== this.#stage) this.#stageSince = since;
      this.#status = s.status;
      this.#stage = s.lifecycleStage;
      this.#timeline.push({
        at,
        status: s.status,
        ...(s.lifecycleStage === undefined ? {} : { stage: s.lifecycleStage }),
      });
      const reason = s.status === 'IN_PROGRESS' ? undefined : s.statusReason;
      this.#emit({
        type: 'stage',
        at,
        status: s.status,
        ...(s.lifecycleStage === undefined ? {} : { stage: s.lifecycleStage }),
        ...(reason === undefined ? {} : { reason }),
      });
    }

    const production = s.target?.requestedProductionTrafficWeight;
    const test = s.target?.requestedTestTrafficWeight;
    if (production !== undefined || test !== undefined) {
      const p = production ?? 0;
      const t = test ?? 0;
      const first = this.#traffic.length === 0;
      if (first || p !== this.#weight || t !== this.#testWeight) {
        this.#traffic.push({ at, production: p, test: t });
        this.#emit({ type: 'traffic', at, production: p, test: t });
      }
      if (p !== this.#weight || (first && p > 0)) {
        this.#weightSince = since;
        // What the engine's answer set moving has moved: back to the pace the next step needs.
        if (!first) this.#actedAt = undefined;
        if (p > 0 && this.#exposureSince === undefined) this.#exposureSince = since;
        if (this.#request.analysis !== undefined) {
          this.#analysisGridAt = since + this.#request.analysis.intervalMs;
          this.#analysisSoonAt = undefined;
        }
      }
      this.#weight = p;
      this.#testWeight = t;
    }

    const counts = (revisions: DeploymentSnapshot['sources']) => ({
      requested: revisions.reduce((n, r) => n + r.requestedTaskCount, 0),
      running: revisions.reduce((n, r) => n + r.runningTaskCount, 0),
      pending: revisions.reduce((n, r) => n + r.pendingTaskCount, 0),
    });
    const target = counts(s.target ? [s.target] : []);
    const sources = counts(s.sources);
    const tasksKey = JSON.stringify([target, sources]);
    if (tasksKey !== this.#tasksKey) {
      this.#tasksKey = tasksKey;
      this.#emit({ type: 'tasks', at, target, sources });
    }

    const triggeredAlarms = s.alarms?.triggeredAlarmNames ?? [];
    const breaker = s.circuitBreaker;
    const monitorsKey = JSON.stringify([triggeredAlarms, breaker?.status, breaker?.failureCount]);
    if (monitorsKey !== this.#monitorsKey) {
      const quiet =
        this.#monitorsKey === '' && triggeredAlarms.length === 0 && !breaker?.failureCount;
      this.#monitorsKey = monitorsKey;
      if (!quiet) {
        this.#emit({
          type: 'monitors',
          at,
          triggeredAlarms: [...triggeredAlarms],
          ...(breaker === undefined ? {} : { circuitBreaker: { ...breaker } }),
        });
      }
    }
  }

  // ---- steering --------------------------------------------------------------------------------

  async #steer(s: DeploymentSnapshot): Promise<void> {
    const hook = awaitingPauseHook(s);
    if (this.#rollbackPending) {
      await this.#sendRollback(hook?.hookId);
      return;
    }
    if (hook !== undefined && this.#needsAnswer(hook)) {
      await this.#onHook(s, hook);
      return;
    }
    const next = this.#nextAnalysisAt();
    if (this.#analysing() && next !== undefined && this.#now() >= next) {
      await this.#continuousAnalysis(s);
    }
  }

  /** A hook answered moments ago can still read AWAITING_ACTION; answer again only if it stays so. */
  #needsAnswer(hook: HookSnapshot): boolean {
    const answeredAt = this.#answered.get(hook.hookId);
    return answeredAt === undefined || this.#now() - answeredAt > 3 * this.#polling.intervalMs;
  }

  #nextAnalysisAt(): number | undefined {
    const soon = this.#analysisSoonAt;
    const grid = this.#analysisGridAt;
    if (soon === undefined) return grid;
    return grid === undefined ? soon : Math.min(soon, grid);
  }

  #analysing(): boolean {
    return (
      this.#request.analysis !== undefined &&
      this.#weight > 0 &&
      this.#status === 'IN_PROGRESS' &&
      this.#stage !== 'CLEAN_UP' &&
      !this.#rollbackPending &&
      this.#decision === undefined
    );
  }

  async #onHook(s: DeploymentSnapshot, hook: HookSnapshot): Promise<void> {
    const now = this.#now();
    if (this.#hold?.hookId === hook.hookId && now < this.#hold.until) return;
    const stage = s.lifecycleStage ?? 'an unknown stage';
    const latest = answerBy(hook.expiresAt, this.#polling.hookMarginMs);
    let answer: HookAnswer | undefined;
    switch (stage) {
      case 'POST_TEST_TRAFFIC_SHIFT':
        answer = await this.#smokeCheck();
        break;
      case 'PRE_PRODUCTION_TRAFFIC_SHIFT':
        answer = await this.#gate(s, 'step', latest);
        break;
      case 'POST_PRODUCTION_TRAFFIC_SHIFT':
        answer = await this.#gate(s, 'final', latest);
        break;
      default:
        answer = { action: 'CONTINUE', reason: `the engine makes no decision at ${stage}` };
    }
    if (answer === undefined) return;
    const at = iso(this.#now());
    if (answer.action === 'hold') {
      this.#hold = { hookId: hook.hookId, until: answer.until };
      if (answer.extension !== undefined) this.#extensionsUsed = answer.extension;
      this.#record({
        at,
        hookId: hook.hookId,
        stage,
        action: 'hold',
        reason: answer.reason,
        until: iso(answer.until),
      });
      return;
    }
    this.#hold = undefined;
    this.#record({ at, hookId: hook.hookId, stage, action: answer.action, reason: answer.reason });
    if (answer.action === 'ROLLBACK') {
      this.#decide(answer.decidedBy, answer.reason);
      await this.#sendRollback(hook.hookId);
      return;
    }
    try {
      await this.#deps.deployments.resolveHook(
        this.#request.serviceDeploymentArn,
        hook.hookId,
        'CONTINUE',
        this.#deps.signal,
      );
      this.#answered.set(hook.hookId, this.#now());
      this.#actedAt = this.#now();
    } catch (error) {
      this.#callFailed('ContinueServiceDeployment', error, ACCESS_DENIED.test(code(error)));
      // A refused answer (the hook timed out or was answered elsewhere) shows in the next look.
      if (classifyAwsError(error) === 'client') this.#answered.set(hook.hookId, this.#now());
    }
  }

  #record(hook: HookRecord): void {
    this.#hooks.push(hook);
    this.#emit({ type: 'hook', ...hook });
  }

  async #smokeCheck(): Promise<HookAnswer | undefined> {
    const check = this.#deps.smokeCheck;
    if (check === undefined) return { action: 'CONTINUE', reason: 'no smoke check configured' };
    let outcome: { ok: boolean; detail: string };
    try {
      outcome = await check(this.#deps.signal);
    } catch (error) {
      if (this.#deps.signal.aborted) return undefined;
      outcome = { ok: false, detail: `the check threw: ${oneLine(error)}` };
    }
    this.#emit({ type: 'smoke-check', at: iso(this.#now()), ...outcome });
    return smokeCheckAnswer(outcome);
  }

  async #gate(
    s: DeploymentSnapshot,
    kind: 'step' | 'final',
    latest: number,
  ): Promise<HookAnswer | undefined> {
    const settings = this.#request.analysis;
    if (settings === undefined) {
      return { action: 'CONTINUE', reason: 'no canary analysis configured' };
    }
    const now = this.#now();
    const weight = this.#weight;
    if (kind === 'step' && weight === 0) {
      return {
        action: 'CONTINUE',
        reason:
          'no production traffic on the new revision yet: nothing to judge before the first shift',
      };
    }
    // Before a step: since the last shift. After the last: everything since the canary first took
    // production traffic, its longest window against the baseline.
    const windowStart = (kind === 'step' ? this.#weightSince : this.#exposureSince) ?? now;
    const hold = observationHold(now, windowStart, settings.intervalMs, latest);
    if (hold !== undefined) {
      return {
        action: 'hold',
        until: hold,
        reason: `watching the new revision at ${weight} % of production for ${formatDuration(hold - windowStart)} before judging it`,
      };
    }
    const where = kind === 'step' ? `at ${weight} % before the next shift` : 'after the last shift';
    const stage = s.lifecycleStage ?? '';
    const judged = await this.#judge(s, windowStart, 'gate', stage);
    if (judged === undefined) {
      if (this.#decision !== undefined) return undefined; // the analysis cannot run: rolling back
      if (this.#now() < latest) return undefined; // look again at the next poll
      return {
        action: 'ROLLBACK',
        reason: `Canary analysis could not read the metrics before the PAUSE hook expires ${where}`,
        decidedBy: 'analysis',
      };
    }
    const answer = gateAnswer({
      result: judged.result,
      policy: settings.policy,
      extensionsUsed: this.#extensionsUsed,
      now: this.#now(),
      intervalMs: settings.intervalMs,
      latest,
      where,
    });
    this.#recordAnalysis(judged, 'gate', stage, {
      action:
        answer.action === 'hold'
          ? 'extend'
          : answer.action === 'ROLLBACK'
            ? 'rollback'
            : 'continue',
      reason: answer.reason,
    });
    return answer;
  }

  async #continuousAnalysis(s: DeploymentSnapshot): Promise<void> {
    const settings = this.#request.analysis;
    if (settings === undefined) return;
    const start = this.#weightSince ?? this.#now();
    const now = this.#now();
    const gateAt = this.#gateExpectedAt();
    if (gateAt !== undefined && gateAt > now && gateAt - now <= settings.intervalMs / 2) {
      // The step's gate judges the same window in a moment: look then, unless the gate is late.
      this.#analysisGridAt = gateAt + settings.intervalMs / 2;
      this.#analysisSoonAt = undefined;
      return;
    }
    let grid = this.#analysisGridAt ?? now;
    while (grid <= now) grid += settings.intervalMs;
    this.#analysisGridAt = grid;
    this.#analysisSoonAt = undefined;
    const judged = await this.#judge(s, start, 'continuous', s.lifecycleStage ?? '');
    if (judged === undefined) {
      // Retry at the next poll rather than a whole interval later.
      if (this.#decision === undefined) {
        this.#analysisSoonAt = this.#now() + this.#polling.intervalMs;
      }
      return;
    }
    const { result } = judged;
    if (result.verdict !== 'fail') {
      // Something looks worse without being significant yet (over the window, or in its last
      // period): look again soon, so a regression that starts between two looks is caught
      // within one interval.
      const suspicious =
        (result.verdict === 'inconclusive' && result.cause === 'insufficient-evidence') ||
        recentlyWorse(judged.canary, judged.baseline, settings.config.tolerance);
      if (suspicious) this.#analysisSoonAt = this.#now() + quickLook(settings.intervalMs);
      this.#recordAnalysis(judged, 'continuous', s.lifecycleStage ?? '', {
        action: 'none',
        reason:
          result.verdict === 'pass'
            ? 'passing so far'
            : suspicious
              ? 'not significant yet: looking again sooner (only a failing verdict acts between gates)'
              : 'inconclusive so far (only a failing verdict acts between gates)',
      });
      return;
    }
    const reason = `Canary analysis failed at ${this.#weight} % of production: ${result.reasons.join('; ')}`;
    this.#recordAnalysis(judged, 'continuous', s.lifecycleStage ?? '', {
      action: 'rollback',
      reason,
    });
    this.#decide('analysis', reason);
    await this.#sendRollback(undefined);
  }

  /** Metrics for the canary and the baseline since `start`, judged; undefined when they could not be read. */
  async #judge(
    s: DeploymentSnapshot,
    start: number,
    kind: 'gate' | 'continuous',
    stage: string,
  ): Promise<Judged | undefined> {
    const settings = this.#request.analysis;
    const metrics = this.#deps.metrics;
    if (settings === undefined || metrics === undefined) return undefined;
    try {
      this.#groups ??= await resolveTargetGroups(
        s,
        this.#deps.revisions,
        this.#request.targetGroupPair,
        this.#deps.signal,
      );
      const judged = await judgeWindow(
        {
          groups: this.#groups,
          start,
          end: this.#now(),
          settings,
          withTargetHealth: kind === 'gate',
        },
        metrics,
        this.#deps.signal,
      );
      this.#analysisErrors = 0;
      return { ...judged, groups: this.#groups };
    } catch (error) {
      if (this.#deps.signal.aborted) return undefined;
      const call = this.#groups === undefined ? 'DescribeServiceRevisions' : 'GetMetricData';
      const kindOfError = this.#callFailed(call, error, false);
      this.#analysisErrors += 1;
      if (kindOfError === 'fatal' || this.#analysisErrors > this.#polling.maxConsecutiveErrors) {
        // Shifting more traffic to a canary nobody can judge is the one thing not to do.
        const reason = `Canary analysis cannot run${stage ? ` at ${stage}` : ''}: ${describeError(error)}`;
        this.#decide('analysis', reason);
        await this.#sendRollback(kind === 'gate' ? awaitingPauseHook(s)?.hookId : undefined);
      }
      return undefined;
    }
  }

  #recordAnalysis(
    judged: Judged,
    kind: 'gate' | 'continuous',
    stage: string,
    decision: AnalysisRecord['decision'],
  ): void {
    const record = analysisRecord(
      judged.result,
      {
        at: iso(this.#now()),
        kind,
        ...(stage ? { stage } : {}),
        productionWeight: this.#weight,
        window: { start: iso(judged.start), end: iso(judged.end) },
        canaryTargetGroup: judged.groups.canary,
        baselineTargetGroup: judged.groups.baseline,
        decision,
      },
      kind === 'gate' || decision.action === 'rollback',
    );
    this.#analyses.push(record);
    this.#emit({ type: 'analysis', analysis: record });
  }

  #decide(decidedBy: EngineDecision['decidedBy'], reason: string): void {
    if (this.#decision !== undefined) return;
    this.#decision = { decidedBy, reason, at: this.#now() };
    this.#rollbackPending = true;
  }

  /** Asks ECS to roll back; a refused or failed request is tried again at the next poll. */
  async #sendRollback(hookId: string | undefined): Promise<void> {
    const decision = this.#decision;
    if (decision === undefined) return;
    try {
      const via = await requestRollback(
        this.#request.serviceDeploymentArn,
        hookId,
        this.#deps.deployments,
        this.#deps.signal,
      );
      this.#rollbackPending = false;
      this.#actedAt = this.#now();
      if (hookId !== undefined) this.#answered.set(hookId, this.#now());
      this.#emit({
        type: 'rollback',
        at: iso(this.#now()),
        decidedBy: decision.decidedBy,
        reason: decision.reason,
        via,
      });
    } catch (error) {
      this.#callFailed('StopServiceDeployment', error, false);
    }
  }

  async #windingDown(): Promise<void> {
    this.#hold = undefined;
    await this.#gatherTrouble();
  }

  async #gatherTrouble(): Promise<void> {
    if (this.#troubleGathered) return;
    this.#troubleGathered = true;
    const started = this.#snapshot?.startedAt;
    try {
      this.#trouble = await gatherTrouble(
        {
          cluster: this.#request.cluster,
          service: this.#request.service,
          since: started,
        },
        { deployments: this.#deps.deployments, logs: this.#deps.logs },
        this.#deps.signal,
      );
      this.#emit({ type: 'trouble', at: iso(this.#now()), trouble: this.#trouble });
    } catch {
      // Best effort: gatherTrouble already reports what it could not fetch.
    }
  }

  // ---- endings ---------------------------------------------------------------------------------

  async #finish(s: DeploymentSnapshot): Promise<DeployResult> {
    const outcome = finalOutcome(s, this.#decision);
    if (outcome.outcome !== 'succeeded') await this.#gatherTrouble();
    return this.#result(outcome);
  }

  /** Cancelled or timed out: roll back on a deadline of its own, and leave without waiting. */
  async #abandon(): Promise<DeployResult> {
    const now = this.#now();
    const by = abortKind(this.#deps.signal, now >= this.#request.deadlineAt);
    const why =
      by === 'timeout'
        ? `The deployment did not finish within the timeout${this.#request.timeoutMs === undefined ? '' : ` (${formatDuration(this.#request.timeoutMs)})`}`
        : `The job was cancelled (${oneLine(this.#deps.signal.reason)})`;
    const s = this.#snapshot;
    if (s !== undefined && WINDING_DOWN.has(s.status)) {
      const decidedBy = this.#decision?.decidedBy ?? ecsDecider(s);
      return this.#result({
        outcome: 'rolled-back',
        decidedBy,
        reason: `${this.#decision?.reason ?? s.rollback?.reason ?? s.statusReason ?? 'ECS is rolling back'} (${lower(why)} while ECS was rolling back; it finishes without this job)`,
      });
    }
    this.#decision ??= { decidedBy: by, reason: why, at: now };
    try {
      const via = await requestRollback(
        this.#request.serviceDeploymentArn,
        awaitingPauseHook(s)?.hookId,
        this.#deps.deployments,
        this.#deps.deadline(this.#polling.rollbackDeadlineMs),
      );
      this.#emit({ type: 'rollback', at: iso(this.#now()), decidedBy: by, reason: why, via });
      return this.#result({
        outcome: 'rolled-back',
        decidedBy: by,
        reason: `${why}: rollback requested (${via === 'hook' ? 'ContinueServiceDeployment ROLLBACK' : 'StopServiceDeployment ROLLBACK'}); ECS completes it without this job.`,
      });
    } catch (error) {
      return this.#result({
        outcome: 'failed',
        reason: `${why}, and the rollback request failed: ${describeAwsError(error)}. ${this.#fallbackHint()}`,
      });
    }
  }

  /** The watch cannot see the deployment any more: try a rollback, and say what happens next. */
  async #lostTrack(failure: Failure): Promise<DeployResult> {
    const arn = this.#request.serviceDeploymentArn;
    const what =
      failure.kind === 'credentials'
        ? `The AWS credentials stopped working while deployment ${arn} was being watched (${describeAwsError(failure.error)}): they expired and were not refreshed. Give the role a session longer than the deploy (role-duration-seconds), or let the step refresh its credentials.`
        : failure.kind === 'fatal'
          ? `AWS refused ${failure.call} for deployment ${arn}: ${describeAwsError(failure.error)}.`
          : `Lost track of deployment ${arn}: ${this.#consecutiveErrors} ${failure.call} calls failed in a row, the last with ${describeAwsError(failure.error)}.`;
    const s = this.#snapshot;
    if (s !== undefined && WINDING_DOWN.has(s.status)) {
      return this.#result({
        outcome: 'failed',
        reason: `${what} ECS was already rolling it back.`,
      });
    }
    try {
      await requestRollback(
        arn,
        awaitingPauseHook(s)?.hookId,
        this.#deps.deployments,
        this.#deps.deadline(this.#polling.rollbackDeadlineMs),
      );
      return this.#result({ outcome: 'failed', reason: `${what} A rollback was requested.` });
    } catch (error) {
      return this.#result({
        outcome: 'failed',
        reason: `${what} The rollback request failed too (${describeAwsError(error)}). ${this.#fallbackHint()}`,
      });
    }
  }

  #fallbackHint(): string {
    const hooks = this.#request.strategy.kind !== 'rolling';
    return hooks
      ? `ECS rolls the deployment back on its own if it reaches a PAUSE hook nobody answers within ${this.#request.hookTimeoutMinutes} min; the post step also tries again.`
      : 'The post step tries the rollback again; check the service in the ECS console.';
  }

  #result(outcome: DeployOutcome): DeployResult {
    const s = this.#snapshot;
    const deciding =
      this.#decision?.decidedBy === 'analysis'
        ? this.#analyses.findLast((a) => a.decision.action === 'rollback')
        : undefined;
    // The analysis that decided, else the last gate's (continuous looks at 100 % often have no
    // baseline to compare), else the last look.
    const verdict: Verdict | undefined = (
      deciding ??
      this.#analyses.findLast((a) => a.kind === 'gate') ??
      this.#analyses.at(-1)
    )?.verdict;
    const rollbackReason =
      s?.rollback?.reason ?? (s?.status === 'SUCCESSFUL' ? undefined : s?.statusReason);
    return {
      ...outcome,
      resultVersion: RESULT_VERSION,
      serviceDeploymentArn: this.#request.serviceDeploymentArn,
      attached: this.#request.attached,
      ...(s === undefined ? {} : { status: s.status }),
      ...(verdict === undefined ? {} : { verdict }),
      ...(rollbackReason === undefined ? {} : { rollbackReason }),
      triggeredAlarms: [...(s?.alarms?.triggeredAlarmNames ?? [])],
      timeline: this.#timeline,
      trafficSteps: this.#traffic,
      hooks: this.#hooks,
      analyses: this.#analyses,
      ...(this.#trouble === undefined ? {} : { trouble: this.#trouble }),
      startedAt: iso(this.#request.startedAt),
      finishedAt: iso(this.#now()),
    };
  }

  #emit(event: DeployEvent): void {
    this.#deps.onEvent?.(event);
  }
}

/** The next look after a suspicious one: a quarter interval, at least 10 s. */
function quickLook(intervalMs: number): number {
  return Math.max(10_000, Math.round(intervalMs / 4));
}

function code(error: unknown): string {
  return awsErrorFacts(error).code;
}

function describeError(error: unknown): string {
  return error instanceof Error && error.name === 'UserError'
    ? error.message
    : describeAwsError(error);
}

function lower(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}
