// One service deployment of an ECS-controlled service, from PENDING to a final status: the
// lifecycle stages, traffic shifts, lifecycle hooks, alarm and circuit-breaker monitoring, and
// rollback.
import type {
  DeploymentConfiguration,
  DeploymentLifecycleHook,
  DeploymentLifecycleHookAction,
  DeploymentLifecycleHookDetail,
  DeploymentLifecycleHookStatus,
  ServiceDeployment,
  ServiceDeploymentBrief,
  ServiceDeploymentLifecycleStage,
  ServiceDeploymentRollbackMonitorsStatus,
  ServiceDeploymentStatus,
  ServiceRevisionSummary,
} from '@aws-sdk/client-ecs';
import type { ForwardWeight } from '../world.ts';
import {
  DEFAULT_HOOK_TIMEOUT_MINUTES,
  failureThreshold,
  HOOK_STAGES,
  hooksAt,
  productionSteps,
  shiftsTraffic,
  stepBakeMinutes,
  strategyOf,
  type HookStage,
  type Strategy,
} from './configuration.ts';
import { lambdaHookId, pauseHookId } from './ids.ts';
import { addEvent, type EcsContext, type RevisionState, type ServiceState } from './model.ts';
import type { TaskFleet, TaskObserver, TaskState } from './tasks.ts';
import { EmulatorClosed, MINUTE, SECOND } from './timers.ts';

type Stage = ServiceDeploymentLifecycleStage | 'PRE_PRODUCTION_TRAFFIC_SHIFT';
type MonitorStatus = ServiceDeploymentRollbackMonitorsStatus;

/** A stage may last this long before ECS fails the deployment and rolls back. */
const STAGE_LIMIT_MS = 24 * 60 * MINUTE;

const TERMINAL: readonly ServiceDeploymentStatus[] = [
  'SUCCESSFUL',
  'STOPPED',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
];

/** Why the forward flow stopped early. Thrown through the flow's waits as the abort reason. */
class Interrupt extends Error {
  readonly kind: 'rollback' | 'stop' | 'superseded';
  readonly byUser: boolean;

  constructor(kind: Interrupt['kind'], reason: string, byUser = false) {
    super(reason);
    this.kind = kind;
    this.byUser = byUser;
  }
}

export interface HookExecution {
  readonly hookId: string;
  readonly stage: HookStage;
  readonly targetType: 'PAUSE' | 'AWS_LAMBDA';
  readonly targetArn: string | undefined;
  status: DeploymentLifecycleHookStatus;
  readonly expiresAt: Date;
  readonly timeoutAction: DeploymentLifecycleHookAction;
  readonly decided: Promise<void>;
  decide(action: DeploymentLifecycleHookAction, timedOut: boolean): void;
}

export interface DeploymentParts {
  readonly ecs: EcsContext;
  readonly fleet: TaskFleet;
  readonly arn: string;
  readonly service: ServiceState;
  readonly target: RevisionState;
}

/** Wakes waiters whenever something they might be waiting for changed. */
class Changes {
  #waiters: (() => void)[] = [];

  next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  notify(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

export class ServiceDeploymentRun {
  readonly arn: string;
  readonly service: ServiceState;
  readonly target: RevisionState;
  readonly configuration: DeploymentConfiguration;
  readonly strategy: Strategy;
  readonly createdAt: Date;
  /** Settles when the deployment reaches a final status (or the emulator closes). */
  done: Promise<void> = Promise.resolve();

  status: ServiceDeploymentStatus = 'PENDING';
  statusReason: string | undefined;
  lifecycleStage: Stage | undefined;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  stoppedAt: Date | undefined;
  updatedAt: Date;
  rollback: { reason: string; startedAt: Date; serviceRevisionArn: string | undefined } | undefined;
  /** Every lifecycle stage entered, in order (for tests: polling can miss short stages). */
  readonly stageHistory: { readonly stage: Stage; readonly at: Date }[] = [];

  readonly #ecs: EcsContext;
  readonly #fleet: TaskFleet;
  readonly #hooks: HookExecution[] = [];
  readonly #flow = new AbortController();
  readonly #changes = new Changes();
  /** The revision serving production when the deployment started: what a rollback returns to. */
  #stable: RevisionState | undefined;
  /** Revisions left running by interrupted deployments, reconciled away first. */
  #leftovers: RevisionState[] = [];
  #sources: RevisionState[] = [];
  #committed = false;
  #targetRequested = 0;
  #sourceRequested = 0;
  #productionWeight = 0;
  #testWeight = 0;
  #failureCount = 0;
  /** SCALE_UP is over: from here on the scheduler replaces a target task that stops. */
  #scaledUp = false;
  readonly #observer: TaskObserver = {
    healthy: () => this.#taskHealthy(),
    failed: (task) => this.#taskFailed(task),
  };
  #breakerStatus: MonitorStatus;
  #alarmStatus: MonitorStatus;
  #triggeredAlarms: string[] = [];
  #final: { sources: ServiceRevisionSummary[]; target: ServiceRevisionSummary } | undefined;

  constructor(parts: DeploymentParts) {
    this.#ecs = parts.ecs;
    this.#fleet = parts.fleet;
    this.arn = parts.arn;
    this.service = parts.service;
    this.target = parts.target;
    this.configuration = structuredClone(parts.service.deploymentConfiguration);
    this.strategy = strategyOf(this.configuration);
    this.createdAt = this.#now();
    this.updatedAt = this.createdAt;
    this.#stable = parts.service.stable;
    this.#sources = this.#stable === undefined ? [] : [this.#stable];
    this.#sourceRequested = this.#stable === undefined ? 0 : parts.service.desiredCount;
    this.#breakerStatus = this.configuration.deploymentCircuitBreaker?.enable
      ? 'MONITORING'
      : 'DISABLED';
    this.#alarmStatus = this.configuration.alarms?.enable ? 'MONITORING' : 'DISABLED';
  }

  get terminal(): boolean {
    return TERMINAL.includes(this.status);
  }

  /** Runs the deployment once `previous` has finished. */
  begin(previous: Promise<void>): void {
    this.done = previous
      .then(() => this.#run())
      .catch((error: unknown) => {
        if (!(error instanceof EmulatorClosed))
          console.error('emulator: ECS deployment failed', error);
      });
  }

  /** A newer deployment started: this one stops where it is (unless it is cleaning up). */
  supersede(): void {
    this.#interrupt(new Interrupt('superseded', 'A new service deployment was started.'));
  }

  /** StopServiceDeployment ROLLBACK. Returns false when the deployment is already cleaning up. */
  requestRollback(): boolean {
    if (this.status === 'ROLLBACK_REQUESTED' || this.status === 'ROLLBACK_IN_PROGRESS') return true;
    if (this.status === 'STOP_REQUESTED') return true;
    if (this.#committed) return false;
    return this.#interrupt(
      new Interrupt(
        'rollback',
        'Service deployment rolled back because of a StopServiceDeployment request.',
        true,
      ),
    );
  }

  hook(hookId: string): HookExecution | undefined {
    return this.#hooks.find((h) => h.hookId === hookId);
  }

  describe(): ServiceDeployment {
    const summaries = this.#final ?? this.#summaries();
    const alarms = this.configuration.alarms;
    return {
      serviceDeploymentArn: this.arn,
      serviceArn: this.service.arn,
      clusterArn: this.service.cluster.arn,
      createdAt: this.createdAt,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      stoppedAt: this.stoppedAt,
      updatedAt: this.updatedAt,
      sourceServiceRevisions: summaries.sources,
      targetServiceRevision: summaries.target,
      status: this.status,
      statusReason: this.statusReason,
      lifecycleStage: this.lifecycleStage as ServiceDeploymentLifecycleStage | undefined,
      lifecycleHookDetails: this.#hooks.map((h): DeploymentLifecycleHookDetail => ({
        hookId: h.hookId,
        targetType: h.targetType,
        targetArn: h.targetArn,
        status: h.status,
        expiresAt: h.expiresAt,
        timeoutAction: h.timeoutAction,
      })),
      deploymentConfiguration: this.configuration,
      rollback: this.rollback,
      deploymentCircuitBreaker:
        this.#breakerStatus === 'DISABLED'
          ? { status: 'DISABLED' }
          : {
              status: this.#breakerStatus,
              failureCount: this.#failureCount,
              threshold: failureThreshold(this.configuration, this.service.desiredCount),
            },
      alarms:
        this.#alarmStatus === 'DISABLED'
          ? { status: 'DISABLED' }
          : {
              status: this.#alarmStatus,
              alarmNames: alarms?.alarmNames ?? [],
              triggeredAlarmNames: this.#triggeredAlarms,
            },
    };
  }

  brief(): ServiceDeploymentBrief {
    return {
      serviceDeploymentArn: this.arn,
      serviceArn: this.service.arn,
      clusterArn: this.service.cluster.arn,
      startedAt: this.startedAt,
      createdAt: this.createdAt,
      finishedAt: this.finishedAt,
      targetServiceRevisionArn: this.target.arn,
      status: this.status,
      statusReason: this.statusReason,
    };
  }

  /** For seeded services: the deployment as if it had run to SUCCESSFUL already. */
  completeAtOnce(): void {
    const at = this.#now();
    this.#prepare();
    this.startedAt = at;
    this.#targetRequested = this.service.desiredCount;
    this.#fleet.launchRunning(this.service, this.target, this.service.desiredCount);
    if (shiftsTraffic(this.strategy)) {
      this.#shiftTest();
      this.#shiftProduction(100);
    }
    this.lifecycleStage = 'CLEAN_UP';
    this.#succeed();
  }

  // ---- the flow ------------------------------------------------------------------------------

  async #run(): Promise<void> {
    if (this.#ecs.timers.closed) return;
    this.#prepare();
    const monitors = new AbortController();
    try {
      if (this.#flow.signal.aborted) throw this.#flow.signal.reason;
      this.#setStatus('IN_PROGRESS');
      this.startedAt = this.updatedAt;
      this.target.legacy.rolloutState = 'IN_PROGRESS';
      this.target.legacy.rolloutStateReason = `ECS deployment ${this.target.legacy.id} in progress.`;
      void this.#watchAlarms(monitors.signal);
      if (shiftsTraffic(this.strategy)) await this.#blueGreen(monitors);
      else await this.#rolling(monitors);
      this.#succeed();
    } catch (error) {
      if (!(error instanceof Interrupt)) throw error;
      monitors.abort();
      await this.#interrupted(error);
    } finally {
      monitors.abort();
    }
  }

  #prepare(): void {
    const service = this.service;
    this.#stable = service.stable;
    this.#leftovers = service.revisions.filter(
      (r) => r !== this.#stable && r !== this.target && this.#fleet.live(r).length > 0,
    );
    this.#sources = [...(this.#stable === undefined ? [] : [this.#stable]), ...this.#leftovers];
    this.#sourceRequested = this.#stable === undefined ? 0 : service.desiredCount;
    // Blue/green: the target revision registers in whichever group the stable one does not use.
    // Rolling: in the group that serves production now.
    this.target.targetGroups.length = 0;
    this.target.loadBalancers.forEach((lb, i) => {
      const primary = lb.targetGroupArn;
      const alternate = lb.advancedConfiguration?.alternateTargetGroupArn;
      const stableGroup = this.#stable?.targetGroups[i];
      if (!shiftsTraffic(this.strategy)) {
        this.target.targetGroups.push(stableGroup ?? primary);
      } else {
        const swap = stableGroup === primary && alternate !== undefined;
        this.target.targetGroups.push(swap ? alternate : primary);
      }
    });
  }

  async #blueGreen(monitors: AbortController): Promise<void> {
    if (this.#leftovers.length > 0) await this.#stage('RECONCILE_SERVICE', () => this.#reconcile());
    await this.#stage('PRE_SCALE_UP');
    await this.#stage('SCALE_UP', () => this.#scaleUp());
    await this.#stage('POST_SCALE_UP');
    await this.#stage('TEST_TRAFFIC_SHIFT', async () => this.#shiftTest());
    await this.#stage('POST_TEST_TRAFFIC_SHIFT');
    const steps = this.#stable === undefined ? [100] : productionSteps(this.configuration);
    for (const [i, percent] of steps.entries()) {
      await this.#stage('PRE_PRODUCTION_TRAFFIC_SHIFT');
      await this.#stage('PRODUCTION_TRAFFIC_SHIFT', async () => this.#shiftProduction(percent));
      if (i < steps.length - 1) await this.#wait(stepBakeMinutes(this.configuration) * MINUTE);
    }
    await this.#stage('POST_PRODUCTION_TRAFFIC_SHIFT');
    await this.#stage('BAKE_TIME', () =>
      this.#wait((this.configuration.bakeTimeInMinutes ?? 0) * MINUTE),
    );
    await this.#cleanUp(monitors);
  }

  async #rolling(monitors: AbortController): Promise<void> {
    // Tasks left by an interrupted deployment are replaced with the others at SCALE_UP.
    if (this.#leftovers.length > 0) await this.#stage('RECONCILE_SERVICE');
    await this.#stage('PRE_SCALE_UP');
    await this.#stage('SCALE_UP', async () => {
      await this.#scaleUp();
      // Rolling replacement: once the new tasks are healthy, the old ones go.
      this.#sourceRequested = 0;
      for (const source of this.#sources) this.#stopTasksOf(source);
    });
    await this.#stage('POST_SCALE_UP');
    await this.#stage('BAKE_TIME', () =>
      this.#wait((this.configuration.bakeTimeInMinutes ?? 0) * MINUTE),
    );
    await this.#cleanUp(monitors);
  }

  async #cleanUp(monitors: AbortController): Promise<void> {
    // From here on the deployment finishes: nothing rolls it back any more.
    this.#committed = true;
    monitors.abort();
    this.#enter('CLEAN_UP');
    await this.#ecs.timers.wait(this.#ecs.pacing.stageSeconds * SECOND);
    this.#sourceRequested = 0;
    for (const source of this.#sources) this.#stopTasksOf(source);
  }

  /** Enters a stage, spends the stage pacing, does its work, then runs its hooks. */
  async #stage(stage: Stage, work?: () => Promise<void>): Promise<void> {
    this.#enter(stage);
    await this.#wait(this.#ecs.pacing.stageSeconds * SECOND);
    await work?.();
    if ((HOOK_STAGES as readonly string[]).includes(stage))
      await this.#runHooks(stage as HookStage);
  }

  #enter(stage: Stage): void {
    this.lifecycleStage = stage;
    this.updatedAt = this.#now();
    this.stageHistory.push({ stage, at: this.updatedAt });
  }

  /** Waits in emulated time; an interrupt or the emulator closing ends the wait early. */
  #wait(emulatedMs: number): Promise<void> {
    return this.#ecs.timers.wait(emulatedMs, this.#flow.signal);
  }

  async #reconcile(): Promise<void> {
    if (shiftsTraffic(this.strategy) && this.#stable !== undefined) {
      this.#setWeights(this.#stable, 100, 'production');
      this.#setWeights(this.#stable, 100, 'test');
    }
    for (const leftover of this.#leftovers) this.#stopTasksOf(leftover);
  }

  /** Starts tasks until `desiredCount` of them run healthy; failures feed the circuit breaker. */
  async #scaleUp(): Promise<void> {
    const desired = this.service.desiredCount;
    this.#targetRequested = desired;
    const stageOver = new AbortController();
    this.#ecs.timers.after(
      STAGE_LIMIT_MS,
      () =>
        this.#fail(
          `Service deployment failed: the ${this.lifecycleStage ?? 'SCALE_UP'} lifecycle stage exceeded 24 hours.`,
          true,
        ),
      AbortSignal.any([stageOver.signal, this.#flow.signal]),
    );
    try {
      for (;;) {
        if (this.#flow.signal.aborted) throw this.#flow.signal.reason;
        const live = this.#fleet.live(this.target);
        if (live.filter((t) => t.healthy).length >= desired) {
          this.#scaledUp = true;
          return;
        }
        const missing = desired - live.length;
        if (missing > 0) this.#fleet.launch(this.service, this.target, missing, this.#observer);
        await this.#ecs.timers.until(this.#changes.next(), this.#flow.signal);
      }
    } finally {
      stageOver.abort();
    }
  }

  #taskHealthy(): void {
    if (this.configuration.deploymentCircuitBreaker?.resetOnHealthyTask !== false) {
      this.#failureCount = 0;
    }
    this.#changes.notify();
  }

  #taskFailed(_task: TaskState): void {
    this.target.legacy.failedTasks += 1;
    if (!this.#flow.signal.aborted) this.#countFailure();
    // A task that stops after SCALE_UP (a crash under load) is replaced, as the service
    // scheduler keeps desiredCount running, until the deployment ends or is interrupted.
    if (this.#scaledUp && !this.#flow.signal.aborted && !this.#committed) {
      this.#fleet.launch(this.service, this.target, 1, this.#observer);
    }
    this.#changes.notify();
  }

  #countFailure(): void {
    this.#failureCount += 1;
    this.updatedAt = this.#now();
    const breaker = this.configuration.deploymentCircuitBreaker;
    if (
      breaker?.enable &&
      this.#failureCount >= failureThreshold(this.configuration, this.service.desiredCount)
    ) {
      this.#breakerStatus = 'TRIGGERED';
      addEvent(
        this.service,
        this.#now(),
        `(deployment ${this.target.legacy.id}) deployment failed: tasks failed to start.`,
      );
      this.#fail(
        'ECS deployment circuit breaker: tasks failed to start.',
        breaker.rollback === true,
      );
    }
  }

  async #watchAlarms(signal: AbortSignal): Promise<void> {
    const alarms = this.configuration.alarms;
    if (!alarms?.enable || (alarms.alarmNames ?? []).length === 0) return;
    try {
      for (;;) {
        if (this.#flow.signal.aborted) return;
        const firing = (alarms.alarmNames ?? []).filter(
          (name) => this.#ecs.world.alarms.state(name) === 'ALARM',
        );
        if (firing.length > 0) {
          this.#triggeredAlarms = firing;
          this.#alarmStatus = 'TRIGGERED';
          addEvent(
            this.service,
            this.#now(),
            `(deployment ${this.target.legacy.id}) deployment failed: alarm detected.`,
          );
          this.#fail(
            `Service deployment failed: CloudWatch alarm(s) in ALARM state: ${firing.join(', ')}.`,
            alarms.rollback === true,
          );
          return;
        }
        await this.#ecs.timers.wait(this.#ecs.pacing.alarmPollSeconds * SECOND, signal);
      }
    } catch {
      // The deployment moved past monitoring, or the emulator closed.
    }
  }

  // ---- lifecycle hooks -------------------------------------------------------------------------

  async #runHooks(stage: HookStage): Promise<void> {
    const hooks = hooksAt(this.configuration, stage);
    if (hooks.length === 0) return;
    const executions = hooks.map((hook) => this.#startHook(hook, stage));
    await this.#ecs.timers.until(Promise.all(executions.map((e) => e.decided)), this.#flow.signal);
  }

  #startHook(hook: DeploymentLifecycleHook, stage: HookStage): HookExecution {
    const now = this.#now();
    const timeoutMinutes =
      hook.timeoutConfiguration?.timeoutInMinutes ?? DEFAULT_HOOK_TIMEOUT_MINUTES;
    const timeoutAction = hook.timeoutConfiguration?.action ?? 'ROLLBACK';
    const timeoutMs = timeoutMinutes * MINUTE;
    let resolve: () => void = () => {};
    const decided = new Promise<void>((r) => (resolve = r));
    const pause = hook.targetType === 'PAUSE';
    const timeout = new AbortController();
    const execution: HookExecution = {
      hookId: pause ? pauseHookId() : lambdaHookId(),
      stage,
      targetType: pause ? 'PAUSE' : 'AWS_LAMBDA',
      targetArn: pause ? undefined : hook.hookTargetArn,
      status: pause ? 'AWAITING_ACTION' : 'SUCCEEDED',
      // Wall-clock time at which the (scaled) timeout fires.
      expiresAt: new Date(now.getTime() + this.#ecs.timers.real(timeoutMs)),
      timeoutAction,
      decided,
      decide: (action, timedOut) => {
        if (execution.status !== 'AWAITING_ACTION') return;
        timeout.abort();
        execution.status = timedOut ? 'TIMED_OUT' : action === 'CONTINUE' ? 'SUCCEEDED' : 'FAILED';
        this.updatedAt = this.#now();
        if (action === 'ROLLBACK') {
          const why = timedOut ? 'timed out' : 'requested a rollback';
          this.#fail(
            `Service deployment rolled back: the PAUSE lifecycle hook ${execution.hookId} at ${stage} ${why}.`,
            true,
          );
        } else resolve();
      },
    };
    this.#hooks.push(execution);
    this.updatedAt = now;
    if (pause) {
      this.#ecs.timers.after(
        timeoutMs,
        () => execution.decide(timeoutAction, true),
        AbortSignal.any([timeout.signal, this.#flow.signal]),
      );
    } else {
      resolve(); // Lambda functions are not invoked: the hook succeeds at once.
    }
    return execution;
  }

  // ---- traffic -------------------------------------------------------------------------------

  #shiftTest(): void {
    this.#setWeights(this.target, 100, 'test');
  }

  #shiftProduction(percent: number): void {
    this.#setWeights(this.target, percent, 'production');
  }

  /**
   * ModifyRule on the production (or test) listener rule of every load balancer with an
   * advancedConfiguration: `percent` to `revision`'s target group, the rest to the other one.
   */
  #setWeights(revision: RevisionState, percent: number, which: 'production' | 'test'): void {
    revision.loadBalancers.forEach((lb, i) => {
      const advanced = lb.advancedConfiguration;
      const rule =
        which === 'production' ? advanced?.productionListenerRule : advanced?.testListenerRule;
      const primary = lb.targetGroupArn;
      const alternate = advanced?.alternateTargetGroupArn;
      const group = revision.targetGroups[i];
      if (rule === undefined || primary === undefined || alternate === undefined) return;
      const toPrimary = group === primary ? percent : 100 - percent;
      this.#ecs.world.loadBalancing.setRuleWeights(rule, weights(primary, toPrimary, alternate));
    });
    const targetPercent = revision === this.target ? percent : 100 - percent;
    if (which === 'production') this.#productionWeight = targetPercent;
    else this.#testWeight = targetPercent;
    this.updatedAt = this.#now();
  }

  // ---- endings -------------------------------------------------------------------------------

  /** A failure detected by ECS (circuit breaker, alarm, hook, stage limit). */
  #fail(reason: string, rollback: boolean): void {
    this.#interrupt(new Interrupt(rollback ? 'rollback' : 'stop', reason));
  }

  #interrupt(interrupt: Interrupt): boolean {
    if (this.terminal || this.#committed || this.#flow.signal.aborted) return false;
    if (interrupt.kind === 'rollback' && interrupt.byUser) this.#setStatus('ROLLBACK_REQUESTED');
    if (interrupt.kind !== 'rollback') this.#setStatus('STOP_REQUESTED');
    this.statusReason = interrupt.message;
    this.#flow.abort(interrupt);
    this.#changes.notify();
    return true;
  }

  async #interrupted(interrupt: Interrupt): Promise<void> {
    for (const hook of this.#hooks) if (hook.status === 'AWAITING_ACTION') hook.status = 'FAILED';
    if (this.#breakerStatus === 'MONITORING') this.#breakerStatus = 'MONITORING_COMPLETE';
    if (this.#alarmStatus === 'MONITORING') this.#alarmStatus = 'MONITORING_COMPLETE';
    if (interrupt.kind === 'rollback') {
      await this.#rollBack(interrupt.message);
      return;
    }
    const at = this.#now();
    if (interrupt.kind === 'stop') {
      this.target.legacy.rolloutState = 'FAILED';
      this.target.legacy.rolloutStateReason = interrupt.message;
    }
    this.#setStatus('STOPPED');
    this.statusReason = interrupt.message;
    this.stoppedAt = at;
    this.finishedAt = at;
    this.#freeze();
  }

  async #rollBack(reason: string): Promise<void> {
    const stable = this.#stable;
    const at = this.#now();
    this.#setStatus('ROLLBACK_IN_PROGRESS');
    this.statusReason = reason;
    this.rollback = { reason, startedAt: at, serviceRevisionArn: stable?.arn };
    this.target.legacy.rolloutState = 'FAILED';
    this.target.legacy.rolloutStateReason = reason;
    if (stable === undefined) {
      this.#setStatus('ROLLBACK_FAILED');
      this.statusReason = `${reason} There is no previous service revision to roll back to.`;
      this.finishedAt = this.#now();
      this.#freeze();
      return;
    }
    this.service.taskDefinition = stable.definition.arn;
    stable.legacy.rolloutState = 'IN_PROGRESS';
    stable.legacy.rolloutStateReason = `ECS deployment ${stable.legacy.id} in progress.`;
    addEvent(this.service, at, `rolling back to deployment ${stable.legacy.id}.`);
    const pace = () => this.#ecs.timers.wait(this.#ecs.pacing.stageSeconds * SECOND);

    if (shiftsTraffic(this.strategy)) {
      this.#enter('PRODUCTION_TRAFFIC_SHIFT');
      await pace();
      this.#setWeights(stable, 100, 'production');
      this.#enter('TEST_TRAFFIC_SHIFT');
      await pace();
      this.#setWeights(stable, 100, 'test');
    } else {
      this.#enter('SCALE_UP');
      await this.#restore(stable);
    }
    this.#enter('CLEAN_UP');
    await pace();
    this.#targetRequested = 0;
    this.#sourceRequested = this.service.desiredCount;
    this.#stopTasksOf(this.target);
    for (const leftover of this.#leftovers) this.#stopTasksOf(leftover);

    this.#setStatus('ROLLBACK_SUCCESSFUL');
    this.finishedAt = this.updatedAt;
    this.#completed(stable);
  }

  /** Rolling rollback: the previous revision's tasks come back before the new ones go. */
  async #restore(stable: RevisionState): Promise<void> {
    const desired = this.service.desiredCount;
    const missing = desired - this.#fleet.live(stable).length;
    if (missing <= 0) return;
    const changes = new Changes();
    const started = this.#fleet.launch(this.service, stable, missing, {
      healthy: () => changes.notify(),
      failed: () => changes.notify(),
    });
    while (started.some((t) => t.lastStatus !== 'STOPPED' && !t.healthy)) {
      await this.#ecs.timers.until(changes.next());
    }
  }

  #succeed(): void {
    this.#setStatus('SUCCESSFUL');
    this.finishedAt = this.updatedAt;
    if (this.#breakerStatus === 'MONITORING') this.#breakerStatus = 'MONITORING_COMPLETE';
    if (this.#alarmStatus === 'MONITORING') this.#alarmStatus = 'MONITORING_COMPLETE';
    this.service.stable = this.target;
    this.#completed(this.target);
  }

  #completed(revision: RevisionState): void {
    revision.legacy.rolloutState = 'COMPLETED';
    revision.legacy.rolloutStateReason = `ECS deployment ${revision.legacy.id} completed.`;
    revision.legacy.updatedAt = this.#now();
    addEvent(this.service, this.#now(), `(deployment ${revision.legacy.id}) deployment completed.`);
    addEvent(this.service, this.#now(), 'has reached a steady state.');
    this.#freeze();
  }

  #stopTasksOf(revision: RevisionState): void {
    this.#fleet.stopAll(
      this.#fleet.live(revision),
      `Scaling activity initiated by (deployment ${this.target.legacy.id})`,
    );
  }

  #setStatus(status: ServiceDeploymentStatus): void {
    this.status = status;
    this.updatedAt = this.#now();
  }

  /** ECS reports task counts as they were when the deployment completed. */
  #freeze(): void {
    this.#final = this.#summaries();
  }

  #summaries(): { sources: ServiceRevisionSummary[]; target: ServiceRevisionSummary } {
    const traffic = shiftsTraffic(this.strategy);
    const summary = (
      revision: RevisionState,
      requested: number,
      production: number,
      test: number,
    ): ServiceRevisionSummary => {
      const { running, pending } = this.#fleet.counts(revision);
      return {
        arn: revision.arn,
        requestedTaskCount: requested,
        runningTaskCount: running,
        pendingTaskCount: pending,
        ...(traffic
          ? { requestedTestTrafficWeight: test, requestedProductionTrafficWeight: production }
          : {}),
      };
    };
    const sources = this.#sources.map((revision) =>
      revision === this.#stable
        ? summary(
            revision,
            this.#sourceRequested,
            100 - this.#productionWeight,
            100 - this.#testWeight,
          )
        : summary(revision, 0, 0, 0),
    );
    const target = summary(
      this.target,
      this.#targetRequested,
      this.#productionWeight,
      this.#testWeight,
    );
    return { sources, target };
  }

  #now(): Date {
    return this.#ecs.clock();
  }
}

/** Forward weights for the two groups; per mille when a percentage has a fraction (ELB wants integers). */
function weights(primary: string, toPrimary: number, alternate: string): ForwardWeight[] {
  const scale = Number.isInteger(toPrimary) ? 1 : 10;
  return [
    { targetGroupArn: primary, weight: Math.round(toPrimary * scale) },
    { targetGroupArn: alternate, weight: Math.round((100 - toPrimary) * scale) },
  ];
}
