// A fake DeploymentPort that plays an ECS-native deployment over virtual time, from the
// deploymentConfiguration the engine sends: stages, traffic shifts, PAUSE hooks with their
// timeouts, alarm and circuit-breaker rollbacks, StopServiceDeployment. Every call is counted.
import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import type {
  DeploymentPort,
  DeploymentSnapshot,
  DeploymentStatus,
  HookSnapshot,
  LogsPort,
  RevisionDetails,
  StoppedTask,
} from '../../../../src/ecs/deploy/ports.ts';
import { MINUTE, SECOND, type VirtualTime } from './virtual-time.ts';

export const CLUSTER = 'prod';
export const SERVICE = 'web';
const ACCOUNT = 'arn:aws:ecs:eu-west-1:111122223333';
export const TD_OLD = `${ACCOUNT}:task-definition/web:6`;
export const TD_NEW = `${ACCOUNT}:task-definition/web:7`;
export const TD_OTHER = `${ACCOUNT}:task-definition/web:8`;
export const BLUE = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/blue/1';
export const GREEN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/green/2';
export const LOG_GROUP = '/ecs/web';

const REV_OLD = `${ACCOUNT}:service-revision/prod/web/100`;
const revisionOf = (n: number) => `${ACCOUNT}:service-revision/prod/web/${200 + n}`;

export const awsError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

export interface Pacing {
  stageMs: number;
  scaleUpMs: number;
  cleanUpMs: number;
  rollbackMs: number;
}

const PACING: Pacing = {
  stageMs: 5 * SECOND,
  scaleUpMs: 60 * SECOND,
  cleanUpMs: 60 * SECOND,
  rollbackMs: 30 * SECOND,
};

export interface Failure {
  /** Absolute virtual time. */
  at: number;
  kind: 'alarm' | 'circuit-breaker';
  alarmNames?: string[];
}

interface Step {
  stage: string;
  ms: number;
  /** Applied when the step's time is up. */
  end?: (d: FakeDeployment, at: number) => void;
  pause?: boolean;
  committed?: boolean;
}

const FINAL: readonly DeploymentStatus[] = [
  'SUCCESSFUL',
  'STOPPED',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
];

export class FakeDeployment {
  readonly arn: string;
  readonly taskDefinition: string;
  readonly revisionArn: string;
  readonly configuration: DeploymentConfiguration;
  readonly startedAt: number;
  readonly #pacing: Pacing;
  readonly #steps: Step[];
  #index = 0;
  #stepStartedAt: number;
  #failure: Failure | undefined;
  status: DeploymentStatus = 'IN_PROGRESS';
  statusReason: string | undefined;
  stage: string;
  production = 0;
  test = 0;
  targetRunning = 0;
  finishedAt: number | undefined;
  rollback: { reason: string; startedAt: number; endsAt: number } | undefined;
  readonly hooks: (HookSnapshot & { stage: string; decidedAt?: number })[] = [];
  /** Production weight of the new revision over time. */
  readonly weights: { at: number; production: number }[] = [];
  readonly stages: { at: number; stage: string; status: DeploymentStatus }[] = [];
  triggeredAlarms: string[] = [];
  breaker: { status: string; failureCount: number; threshold: number } = {
    status: 'MONITORING',
    failureCount: 0,
    threshold: 3,
  };
  #hookCount = 0;

  constructor(
    arn: string,
    n: number,
    taskDefinition: string,
    configuration: DeploymentConfiguration,
    startedAt: number,
    pacing: Pacing,
    failure?: Failure,
  ) {
    this.arn = arn;
    this.taskDefinition = taskDefinition;
    this.revisionArn = revisionOf(n);
    this.configuration = configuration;
    this.startedAt = startedAt;
    this.#pacing = pacing;
    this.#failure = failure;
    this.#steps = plan(configuration, pacing);
    this.#stepStartedAt = startedAt;
    this.stage = this.#steps[0]!.stage;
    this.weights.push({ at: startedAt, production: 0 });
    this.stages.push({ at: startedAt, stage: this.stage, status: this.status });
  }

  get final(): boolean {
    return FINAL.includes(this.status);
  }

  get committed(): boolean {
    return this.#steps[this.#index]?.committed === true;
  }

  awaiting(): (HookSnapshot & { stage: string }) | undefined {
    return this.hooks.find((h) => h.status === 'AWAITING_ACTION');
  }

  weightAt(t: number): number {
    let w = 0;
    for (const change of this.weights) if (change.at <= t) w = change.production;
    return w;
  }

  /** Plays the deployment forward to `now`, event by event in time order. */
  advance(now: number): void {
    for (;;) {
      if (this.final) return;
      const candidates: { at: number; run: () => void }[] = [];
      if (this.rollback !== undefined) {
        const shiftBackAt = this.rollback.startedAt + this.#pacing.stageMs;
        if (this.production !== 0 || this.test !== 0) {
          candidates.push({ at: shiftBackAt, run: () => this.#setWeights(0, 0, shiftBackAt) });
        }
        const end = this.rollback.endsAt;
        candidates.push({
          at: end,
          run: () => {
            this.#enter('CLEAN_UP', end);
            this.#setStatus('ROLLBACK_SUCCESSFUL', end);
            this.finishedAt = end;
          },
        });
      } else {
        const failure = this.#failure;
        if (failure !== undefined && !this.committed) {
          candidates.push({ at: failure.at, run: () => this.#fail(failure) });
        }
        const hook = this.awaiting();
        if (hook !== undefined) {
          const expires = hook.expiresAt!.getTime();
          candidates.push({
            at: expires,
            run: () => {
              hook.status = 'TIMED_OUT';
              this.#startRollback(
                `Service deployment rolled back: the PAUSE lifecycle hook ${hook.hookId} timed out.`,
                expires,
              );
            },
          });
        } else {
          const step = this.#steps[this.#index];
          const endAt = this.#stepStartedAt + (step?.ms ?? 0);
          candidates.push({ at: endAt, run: () => this.#endStep(endAt) });
        }
      }
      candidates.sort((a, b) => a.at - b.at);
      const next = candidates[0];
      if (next === undefined || next.at > now) return;
      next.run();
    }
  }

  #endStep(at: number): void {
    const step = this.#steps[this.#index]!;
    step.end?.(this, at);
    if (step.pause) {
      const minutes = this.configuration.lifecycleHooks?.find((h) =>
        h.lifecycleStages?.includes(step.stage as never),
      )?.timeoutConfiguration?.timeoutInMinutes;
      this.#hookCount += 1;
      this.hooks.push({
        hookId: `ecs-pause-${this.#hookCount}`,
        targetType: 'PAUSE',
        status: 'AWAITING_ACTION',
        expiresAt: new Date(at + (minutes ?? 1440) * MINUTE),
        timeoutAction: 'ROLLBACK',
        stage: step.stage,
      });
      return;
    }
    this.#next(at);
  }

  #next(at: number): void {
    this.#index += 1;
    this.#stepStartedAt = at;
    const step = this.#steps[this.#index];
    if (step === undefined) {
      this.#setStatus('SUCCESSFUL', at);
      this.finishedAt = at;
      return;
    }
    this.#enter(step.stage, at);
  }

  decide(hookId: string, action: 'CONTINUE' | 'ROLLBACK', at: number): void {
    const hook = this.hooks.find((h) => h.hookId === hookId);
    if (hook === undefined || hook.status !== 'AWAITING_ACTION' || this.status !== 'IN_PROGRESS') {
      throw awsError('InvalidParameterException', 400, `hook ${hookId} is not awaiting action`);
    }
    hook.decidedAt = at;
    if (action === 'CONTINUE') {
      hook.status = 'SUCCEEDED';
      this.#next(at);
    } else {
      hook.status = 'FAILED';
      this.#startRollback(
        `Service deployment rolled back: the PAUSE lifecycle hook ${hookId} requested a rollback.`,
        at,
      );
    }
  }

  stop(at: number): void {
    if (this.final || this.committed) {
      throw awsError('ClientException', 400, 'The service deployment cannot be stopped now.');
    }
    if (this.rollback !== undefined) return;
    for (const h of this.hooks) if (h.status === 'AWAITING_ACTION') h.status = 'FAILED';
    this.#startRollback(
      'Service deployment rolled back because of a StopServiceDeployment request.',
      at,
    );
  }

  #fail(failure: Failure): void {
    this.#failure = undefined;
    if (failure.kind === 'alarm') {
      this.triggeredAlarms = failure.alarmNames ?? ['web-5xx'];
      this.#startRollback(
        `Service deployment failed: CloudWatch alarm(s) in ALARM state: ${this.triggeredAlarms.join(', ')}.`,
        failure.at,
      );
    } else {
      this.breaker = { status: 'TRIGGERED', failureCount: 3, threshold: 3 };
      this.#startRollback('ECS deployment circuit breaker: tasks failed to start.', failure.at);
    }
  }

  #startRollback(reason: string, at: number): void {
    for (const h of this.hooks) if (h.status === 'AWAITING_ACTION') h.status = 'FAILED';
    this.rollback = { reason, startedAt: at, endsAt: at + this.#pacing.rollbackMs };
    this.statusReason = reason;
    this.#enter('PRODUCTION_TRAFFIC_SHIFT', at);
    this.#setStatus('ROLLBACK_IN_PROGRESS', at);
  }

  setWeights(production: number, test: number, at: number): void {
    this.#setWeights(production, test, at);
  }

  #setWeights(production: number, test: number, at: number): void {
    if (production !== this.production) this.weights.push({ at, production });
    this.production = production;
    this.test = test;
  }

  #enter(stage: string, at: number): void {
    this.stage = stage;
    this.stages.push({ at, stage, status: this.status });
  }

  #setStatus(status: DeploymentStatus, at: number): void {
    this.status = status;
    this.stages.push({ at, stage: this.stage, status });
  }

  snapshot(): DeploymentSnapshot {
    const traffic = this.configuration.strategy !== 'ROLLING';
    const alarms = this.configuration.alarms;
    return {
      arn: this.arn,
      status: this.status,
      ...(this.statusReason === undefined ? {} : { statusReason: this.statusReason }),
      lifecycleStage: this.stage,
      target: {
        arn: this.revisionArn,
        requestedTaskCount: 2,
        runningTaskCount: this.targetRunning,
        pendingTaskCount: 2 - this.targetRunning,
        ...(traffic
          ? {
              requestedProductionTrafficWeight: this.production,
              requestedTestTrafficWeight: this.test,
            }
          : {}),
      },
      sources: [
        {
          arn: REV_OLD,
          requestedTaskCount: 2,
          runningTaskCount: 2,
          pendingTaskCount: 0,
          ...(traffic
            ? {
                requestedProductionTrafficWeight: 100 - this.production,
                requestedTestTrafficWeight: 100 - this.test,
              }
            : {}),
        },
      ],
      hooks: this.hooks.map(({ stage: _stage, decidedAt: _decidedAt, ...h }) => ({ ...h })),
      ...(this.rollback === undefined
        ? {}
        : {
            rollback: {
              reason: this.rollback.reason,
              startedAt: new Date(this.rollback.startedAt),
              serviceRevisionArn: REV_OLD,
            },
          }),
      circuitBreaker: { ...this.breaker },
      ...(alarms?.enable
        ? {
            alarms: {
              status: this.triggeredAlarms.length > 0 ? 'TRIGGERED' : 'MONITORING',
              alarmNames: alarms.alarmNames ?? [],
              triggeredAlarmNames: [...this.triggeredAlarms],
            },
          }
        : {}),
      startedAt: new Date(this.startedAt),
      ...(this.finishedAt === undefined ? {} : { finishedAt: new Date(this.finishedAt) }),
    };
  }
}

function plan(configuration: DeploymentConfiguration, pacing: Pacing): Step[] {
  const strategy = configuration.strategy ?? 'ROLLING';
  const paused = new Set(
    (configuration.lifecycleHooks ?? [])
      .filter((h) => h.targetType === 'PAUSE')
      .flatMap((h) => h.lifecycleStages ?? []),
  );
  const stage = (name: string, extra: Partial<Step> = {}): Step => ({
    stage: name,
    ms: pacing.stageMs,
    ...(paused.has(name as never) ? { pause: true } : {}),
    ...extra,
  });
  const scaleUp: Step = {
    stage: 'SCALE_UP',
    ms: pacing.scaleUpMs,
    end: (d) => (d.targetRunning = 2),
  };
  const bake = (configuration.bakeTimeInMinutes ?? 0) * MINUTE;
  const cleanUp: Step = { stage: 'CLEAN_UP', ms: pacing.cleanUpMs, committed: true };
  if (strategy === 'ROLLING') {
    return [
      stage('PRE_SCALE_UP'),
      scaleUp,
      stage('POST_SCALE_UP'),
      { stage: 'BAKE_TIME', ms: bake },
      cleanUp,
    ];
  }
  let weights = [100];
  let stepBake = 0;
  if (strategy === 'CANARY') {
    const p = configuration.canaryConfiguration?.canaryPercent ?? 5;
    weights = p >= 100 ? [100] : [p, 100];
    stepBake = (configuration.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10) * MINUTE;
  } else if (strategy === 'LINEAR') {
    const p = configuration.linearConfiguration?.stepPercent ?? 10;
    weights = [];
    for (let k = 1; ; k++) {
      const w = Math.min(100, Math.round(k * p * 10) / 10);
      weights.push(w);
      if (w >= 100) break;
    }
    stepBake = (configuration.linearConfiguration?.stepBakeTimeInMinutes ?? 6) * MINUTE;
  }
  const steps: Step[] = [
    stage('PRE_SCALE_UP'),
    scaleUp,
    stage('POST_SCALE_UP'),
    stage('TEST_TRAFFIC_SHIFT', { end: (d, at) => d.setWeights(d.production, 100, at) }),
    stage('POST_TEST_TRAFFIC_SHIFT'),
  ];
  weights.forEach((w, i) => {
    steps.push(stage('PRE_PRODUCTION_TRAFFIC_SHIFT'));
    steps.push(stage('PRODUCTION_TRAFFIC_SHIFT', { end: (d, at) => d.setWeights(w, 100, at) }));
    if (i < weights.length - 1) steps.push({ stage: 'PRODUCTION_TRAFFIC_SHIFT', ms: stepBake });
  });
  steps.push(stage('POST_PRODUCTION_TRAFFIC_SHIFT'));
  steps.push({ stage: 'BAKE_TIME', ms: bake });
  steps.push(cleanUp);
  return steps;
}

export interface FakeEcsOptions {
  pacing?: Partial<Pacing>;
  failure?: Failure;
  /** Another deployment in flight when the engine starts, finishing at `until` (absolute). */
  busy?: { taskDefinition: string; status: DeploymentStatus; until: number };
  /** A deployment of TD_NEW already running (a re-run), started at `startedAt` with `configuration`. */
  existing?: { startedAt: number; configuration: DeploymentConfiguration };
  /** An error to throw for a call at a time, or undefined. */
  fault?: (call: string, now: number) => unknown;
  stoppedTasks?: StoppedTask[];
  events?: { at: Date; message: string }[];
}

export type CallName =
  | 'start'
  | 'unfinished'
  | 'describe'
  | 'revisions'
  | 'resolveHook'
  | 'rollBack'
  | 'events'
  | 'stoppedTasks';

export class FakeEcs implements DeploymentPort {
  readonly calls: { name: CallName; at: number; detail?: string; signal?: AbortSignal }[] = [];
  readonly deployments = new Map<string, FakeDeployment>();
  readonly #time: VirtualTime;
  readonly #options: FakeEcsOptions;
  readonly #pacing: Pacing;
  #count = 0;

  constructor(time: VirtualTime, options: FakeEcsOptions = {}) {
    this.#time = time;
    this.#options = options;
    this.#pacing = { ...PACING, ...options.pacing };
    if (options.existing !== undefined) {
      this.#create(TD_NEW, options.existing.configuration, options.existing.startedAt);
    }
  }

  /** The deployment the engine started (or attached to). */
  get ours(): FakeDeployment {
    const found = [...this.deployments.values()].find((d) => d.taskDefinition === TD_NEW);
    if (found === undefined) throw new Error('no deployment of TD_NEW');
    return found;
  }

  count(name: CallName): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  #call(name: CallName, detail?: string, signal?: AbortSignal): void {
    this.calls.push({
      name,
      at: this.#time.now,
      ...(detail === undefined ? {} : { detail }),
      ...(signal === undefined ? {} : { signal }),
    });
    const error = this.#options.fault?.(name, this.#time.now);
    if (error !== undefined) throw error;
    for (const d of this.deployments.values()) d.advance(this.#time.now);
  }

  #create(taskDefinition: string, configuration: DeploymentConfiguration, at: number) {
    this.#count += 1;
    const arn = `${ACCOUNT}:service-deployment/prod/web/d${this.#count}`;
    const d = new FakeDeployment(
      arn,
      this.#count,
      taskDefinition,
      configuration,
      at,
      this.#pacing,
      taskDefinition === TD_NEW ? this.#options.failure : undefined,
    );
    this.deployments.set(arn, d);
    return d;
  }

  #busy(now: number): DeploymentSnapshot | undefined {
    const busy = this.#options.busy;
    if (busy === undefined || now >= busy.until) return undefined;
    return {
      arn: `${ACCOUNT}:service-deployment/prod/web/other`,
      status: busy.status,
      target: {
        arn: `${ACCOUNT}:service-revision/prod/web/999`,
        requestedTaskCount: 2,
        runningTaskCount: 2,
        pendingTaskCount: 0,
      },
      sources: [],
      hooks: [],
    };
  }

  async start(request: {
    taskDefinitionArn: string;
    deploymentConfiguration: Record<string, unknown>;
  }) {
    this.#call('start', request.taskDefinitionArn);
    const d = this.#create(
      request.taskDefinitionArn,
      structuredClone(request.deploymentConfiguration) as DeploymentConfiguration,
      this.#time.now,
    );
    return { serviceDeploymentArn: d.arn };
  }

  async unfinished() {
    this.#call('unfinished');
    const mine = [...this.deployments.values()]
      .filter((d) => !d.final)
      .reverse()
      .map((d) => d.snapshot());
    const busy = this.#busy(this.#time.now);
    return busy === undefined ? mine : [busy, ...mine];
  }

  async describe(arn: string, signal?: AbortSignal) {
    this.#call('describe', undefined, signal);
    const d = this.deployments.get(arn);
    if (d === undefined) throw awsError('ServiceDeploymentNotFoundException', 400);
    return d.snapshot();
  }

  async revisions(arns: readonly string[]): Promise<RevisionDetails[]> {
    this.#call('revisions', arns.join(' '));
    return arns.flatMap((arn): RevisionDetails[] => {
      if (arn === REV_OLD) {
        return [{ arn, taskDefinition: TD_OLD, productionTargetGroupArn: BLUE }];
      }
      const d = [...this.deployments.values()].find((x) => x.revisionArn === arn);
      if (d !== undefined) {
        return [{ arn, taskDefinition: d.taskDefinition, productionTargetGroupArn: GREEN }];
      }
      if (arn.endsWith('/999') && this.#options.busy !== undefined) {
        return [{ arn, taskDefinition: this.#options.busy.taskDefinition }];
      }
      return [];
    });
  }

  async resolveHook(
    arn: string,
    hookId: string,
    action: 'CONTINUE' | 'ROLLBACK',
    signal?: AbortSignal,
  ) {
    this.#call('resolveHook', `${hookId} ${action}`, signal);
    this.deployments.get(arn)!.decide(hookId, action, this.#time.now);
  }

  async rollBack(arn: string, signal?: AbortSignal) {
    this.#call('rollBack', undefined, signal);
    this.deployments.get(arn)!.stop(this.#time.now);
  }

  async events() {
    this.#call('events');
    return this.#options.events ?? [];
  }

  async stoppedTasks() {
    this.#call('stoppedTasks');
    return this.#options.stoppedTasks ?? [];
  }
}

export class FakeLogs implements LogsPort {
  readonly calls: string[] = [];
  readonly #lines: Record<string, string[]>;

  constructor(lines: Record<string, string[]>) {
    this.#lines = lines;
  }

  async tail(
    logGroup: string,
    logStream: string,
    lines: number,
    _signal?: AbortSignal,
    region?: string,
  ) {
    this.calls.push(`${region === undefined ? '' : `${region} `}${logGroup} ${logStream}`);
    return (this.#lines[logStream] ?? []).slice(-lines);
  }
}
