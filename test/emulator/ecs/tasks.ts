// Tasks of services: they start, get an IP, register as load balancer targets, write their
// Scenario log lines, and crash or fail health checks when the Scenario says so.
import type { Container, HealthStatus, Task, TaskStopCode } from '@aws-sdk/client-ecs';
import { crashesUnderLoad, type RevisionBehaviour, type Served } from '../world.ts';
import { containerArn, randomUuid, taskArn, taskId } from './ids.ts';
import { addEvent, type EcsContext, type RevisionState, type ServiceState } from './model.ts';
import { SECOND } from './timers.ts';

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';

export interface TaskState {
  readonly arn: string;
  readonly id: string;
  readonly service: ServiceState;
  readonly revision: RevisionState;
  readonly behaviour: RevisionBehaviour;
  readonly ip: string;
  readonly eniId: string;
  readonly attachmentId: string;
  readonly subnet: string | undefined;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthy: boolean;
  readonly createdAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stopCode?: TaskStopCode;
  stoppedReason?: string;
  readonly containers: Container[];
  /** Registered load balancer targets, to deregister on stop. */
  readonly targets: { targetGroupArn: string; id: string; port: number }[];
  version: number;
  readonly lifetime: AbortController;
}

/** What a deployment wants to hear about the tasks it launched. */
export interface TaskObserver {
  /** Running and, behind a load balancer, passing health checks. */
  healthy?(task: TaskState): void;
  /** Stopped because its container exited or it failed health checks. */
  failed?(task: TaskState): void;
}

export class TaskFleet {
  readonly #ecs: EcsContext;
  readonly #tasks = new Map<string, TaskState>();
  #nextIp = 10;

  constructor(ecs: EcsContext) {
    this.#ecs = ecs;
  }

  all(): TaskState[] {
    return [...this.#tasks.values()];
  }

  get(arn: string): TaskState | undefined {
    return this.#tasks.get(arn);
  }

  /** Tasks of a revision not yet stopped (PROVISIONING, PENDING or RUNNING). */
  live(revision: RevisionState): TaskState[] {
    return this.all().filter((t) => t.revision === revision && t.lastStatus !== 'STOPPED');
  }

  counts(revision: RevisionState): { running: number; pending: number } {
    const live = this.live(revision);
    const running = live.filter((t) => t.lastStatus === 'RUNNING').length;
    return { running, pending: live.length - running };
  }

  /** Starts `count` tasks of `revision`; the service event names them all. */
  launch(
    service: ServiceState,
    revision: RevisionState,
    count: number,
    observer: TaskObserver = {},
  ): TaskState[] {
    const tasks: TaskState[] = [];
    for (let i = 0; i < count; i += 1) tasks.push(this.#launchOne(service, revision, observer));
    if (tasks.length > 0) {
      const names = tasks.map((t) => `(task ${t.id})`).join(' ');
      addEvent(service, this.#ecs.clock(), `has started ${tasks.length} tasks: ${names}.`);
    }
    return tasks;
  }

  /** Tasks that are already running and healthy, for services seeded in a steady state. */
  launchRunning(service: ServiceState, revision: RevisionState, count: number): TaskState[] {
    const tasks: TaskState[] = [];
    for (let i = 0; i < count; i += 1) {
      const task = this.#create(service, revision);
      this.#update(task, { pullStartedAt: task.createdAt });
      this.#start(task);
      this.#registerTargets(task);
      task.healthy = true;
      tasks.push(task);
    }
    return tasks;
  }

  /** The scheduler stops tasks (scale-in, clean-up, rollback). */
  stopAll(tasks: readonly TaskState[], reason: string): void {
    const live = tasks.filter((t) => t.lastStatus !== 'STOPPED');
    const first = live[0];
    if (first === undefined) return;
    for (const task of live) this.#stop(task, 'ServiceSchedulerInitiated', reason);
    const names = live.map((t) => `(task ${t.id})`).join(' ');
    addEvent(
      first.service,
      this.#ecs.clock(),
      `has stopped ${live.length} running tasks: ${names}.`,
    );
  }

  describe(task: TaskState, includeTags: boolean): Task {
    const { partition } = this.#ecs;
    const definition = task.revision.definition.definition;
    return {
      attachments: [
        {
          id: task.attachmentId,
          type: 'ElasticNetworkInterface',
          status: task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
          details: [
            ...(task.subnet === undefined ? [] : [{ name: 'subnetId', value: task.subnet }]),
            { name: 'networkInterfaceId', value: task.eniId },
            { name: 'privateIPv4Address', value: task.ip },
          ],
        },
      ],
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      availabilityZone: `${partition.region}a`,
      clusterArn: task.service.cluster.arn,
      connectivity: task.lastStatus === 'STOPPED' ? undefined : 'CONNECTED',
      connectivityAt: task.pullStartedAt,
      containers: task.containers,
      cpu: definition.cpu,
      createdAt: task.createdAt,
      desiredStatus: task.desiredStatus,
      enableExecuteCommand: task.service.enableExecuteCommand,
      executionStoppedAt: task.stoppedAt,
      group: `service:${task.service.name}`,
      healthStatus: this.#healthStatus(task),
      lastStatus: task.lastStatus,
      launchType: task.revision.launchType,
      memory: definition.memory,
      overrides: {
        containerOverrides: (definition.containerDefinitions ?? []).map((c) => ({ name: c.name })),
        inferenceAcceleratorOverrides: [],
      },
      platformVersion: task.revision.launchType === 'FARGATE' ? '1.4.0' : undefined,
      platformFamily: task.revision.launchType === 'FARGATE' ? 'Linux' : undefined,
      pullStartedAt: task.pullStartedAt,
      pullStoppedAt: task.pullStoppedAt,
      startedAt: task.startedAt,
      startedBy: task.revision.legacy.id,
      stopCode: task.stopCode,
      stoppedAt: task.stoppedAt,
      stoppedReason: task.stoppedReason,
      stoppingAt: task.stoppingAt,
      tags: includeTags ? [] : undefined,
      taskArn: task.arn,
      taskDefinitionArn: task.revision.definition.arn,
      version: task.version,
    };
  }

  #launchOne(service: ServiceState, revision: RevisionState, observer: TaskObserver): TaskState {
    const task = this.#create(service, revision);
    void this.#run(task, observer);
    return task;
  }

  #create(service: ServiceState, revision: RevisionState): TaskState {
    const { partition, clock, scenario } = this.#ecs;
    const id = taskId();
    const arn = taskArn(partition, service.cluster.name, id);
    const definition = revision.definition.definition;
    const n = this.#nextIp++;
    const task: TaskState = {
      arn,
      id,
      service,
      revision,
      behaviour: scenario.behaviour(revision.definition.arn),
      ip: `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 4}`,
      eniId: `eni-${randomUuid().replaceAll('-', '').slice(0, 17)}`,
      attachmentId: randomUuid(),
      subnet: revision.networkConfiguration?.awsvpcConfiguration?.subnets?.[0],
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthy: false,
      createdAt: clock(),
      containers: (definition.containerDefinitions ?? []).map((c) => ({
        containerArn: containerArn(partition, service.cluster.name, id),
        taskArn: arn,
        name: c.name,
        image: c.image,
        lastStatus: 'PENDING',
        networkBindings: [],
        networkInterfaces: [],
        healthStatus: 'UNKNOWN',
        cpu: String(c.cpu ?? 0),
        ...(c.memory === undefined ? {} : { memory: String(c.memory) }),
        ...(c.memoryReservation === undefined
          ? {}
          : { memoryReservation: String(c.memoryReservation) }),
      })),
      targets: [],
      version: 1,
      lifetime: new AbortController(),
    };
    this.#tasks.set(arn, task);
    return task;
  }

  async #run(task: TaskState, observer: TaskObserver): Promise<void> {
    const { timers, clock, pacing } = this.#ecs;
    const signal = task.lifetime.signal;
    try {
      await timers.wait((pacing.taskStartSeconds * SECOND) / 2, signal);
      this.#update(task, { lastStatus: 'PENDING', pullStartedAt: clock() });
      await timers.wait((pacing.taskStartSeconds * SECOND) / 2, signal);
      this.#start(task);

      const crash = task.behaviour.crash;
      if (crash !== undefined && !crashesUnderLoad(crash)) {
        await timers.wait(pacing.crashAfterSeconds * SECOND, signal);
        this.#crash(task, crash.exitCode, crash.reason);
        observer.failed?.(task);
        return;
      }
      this.#registerTargets(task);
      await timers.wait(pacing.healthCheckSeconds * SECOND, signal);
      const failedGroup = task.behaviour.unhealthy ? task.targets[0]?.targetGroupArn : undefined;
      if (failedGroup !== undefined) {
        addEvent(
          task.service,
          clock(),
          `(task ${task.id}) failed ELB health checks in (target-group ${failedGroup}).`,
        );
        this.stopAll([task], `Task failed ELB health checks in (target-group ${failedGroup})`);
        observer.failed?.(task);
        return;
      }
      task.healthy = true;
      observer.healthy?.(task);
      if (crash !== undefined) {
        await this.#loaded(task, crash, signal);
        this.#exitUnderLoad(task, crash.exitCode, crash.reason);
        await timers.wait(pacing.exitDetectionSeconds * SECOND, signal);
        this.#crash(task, crash.exitCode, crash.reason);
        observer.failed?.(task);
      }
    } catch {
      // Stopped by the scheduler, or the emulator closed.
    }
  }

  #start(task: TaskState): void {
    const { clock, world } = this.#ecs;
    const at = clock();
    const definition = task.revision.definition.definition;
    this.#update(task, { lastStatus: 'RUNNING', pullStoppedAt: at, startedAt: at });
    for (const container of task.containers) {
      container.lastStatus = 'RUNNING';
      container.runtimeId = `${task.id}-${randomUuid().slice(0, 8)}`;
      container.networkInterfaces = [
        { attachmentId: task.attachmentId, privateIpv4Address: task.ip },
      ];
    }
    const logged = (definition.containerDefinitions ?? []).find(
      (c) => c.logConfiguration?.logDriver === 'awslogs',
    );
    const options = logged?.logConfiguration?.options ?? {};
    const group = options['awslogs-group'];
    if (logged?.name !== undefined && group !== undefined) {
      const prefix = options['awslogs-stream-prefix'];
      const stream = prefix === undefined ? task.id : `${prefix}/${logged.name}/${task.id}`;
      for (const line of task.behaviour.logLines ?? []) world.logs.append(group, stream, line, at);
    }
  }

  /** Resolves once the task's target has been sent the traffic its crash waits for. */
  async #loaded(
    task: TaskState,
    crash: NonNullable<RevisionBehaviour['crash']>,
    signal: AbortSignal,
  ): Promise<void> {
    const { timers, world } = this.#ecs;
    const enough = (served: Served) =>
      crash.afterRequests !== undefined
        ? served.requests >= crash.afterRequests
        : served.seconds >= (crash.afterServingSeconds ?? 0);
    if (world.traffic === undefined) {
      await timers.wait((crash.afterServingSeconds ?? 0) * SECOND, signal);
      return;
    }
    let stop = () => {};
    try {
      await timers.until(
        new Promise<void>((resolve) => {
          stop = world.traffic!.watch(task.ip, (served) => {
            if (enough(served)) resolve();
          });
        }),
        signal,
      );
    } finally {
      stop();
    }
  }

  /**
   * The essential container exits while the task is registered: the load balancer's requests to
   * it fail (connection refused) until ECS stops the task and deregisters it.
   */
  #exitUnderLoad(task: TaskState, exitCode: number, reason: string): void {
    const { world } = this.#ecs;
    for (const container of task.containers) {
      container.lastStatus = 'STOPPED';
      container.exitCode = exitCode;
      container.reason = reason;
    }
    this.#update(task, { desiredStatus: 'STOPPED' });
    for (const { targetGroupArn, id, port } of task.targets) {
      world.loadBalancing.registerTarget(targetGroupArn, {
        id,
        port,
        revision: task.revision.definition.arn,
        healthy: false,
      });
    }
  }

  #crash(task: TaskState, exitCode: number, reason: string): void {
    for (const container of task.containers) {
      container.lastStatus = 'STOPPED';
      container.exitCode = exitCode;
      container.reason = reason;
    }
    this.#stop(task, 'EssentialContainerExited', 'Essential container in task exited');
  }

  #registerTargets(task: TaskState): void {
    const { world, clock } = this.#ecs;
    task.revision.loadBalancers.forEach((lb, i) => {
      const targetGroupArn = task.revision.targetGroups[i];
      if (targetGroupArn === undefined) return;
      const port = lb.containerPort ?? 80;
      world.loadBalancing.registerTarget(targetGroupArn, {
        id: task.ip,
        port,
        revision: task.revision.definition.arn,
        healthy: !task.behaviour.unhealthy,
      });
      task.targets.push({ targetGroupArn, id: task.ip, port });
      addEvent(task.service, clock(), `registered 1 targets in (target-group ${targetGroupArn})`);
    });
  }

  #stop(task: TaskState, code: TaskStopCode, reason: string): void {
    const { world, clock } = this.#ecs;
    if (task.lastStatus === 'STOPPED') return;
    task.lifetime.abort();
    for (const { targetGroupArn, id } of task.targets.splice(0)) {
      world.loadBalancing.deregisterTarget(targetGroupArn, id);
      addEvent(task.service, clock(), `deregistered 1 targets in (target-group ${targetGroupArn})`);
    }
    const at = clock();
    for (const container of task.containers) {
      if (container.lastStatus !== 'STOPPED') {
        container.lastStatus = 'STOPPED';
        if (container.exitCode === undefined && task.startedAt !== undefined)
          container.exitCode = 0;
      }
    }
    task.healthy = false;
    this.#update(task, {
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppingAt: at,
      stoppedAt: at,
      stopCode: code,
      stoppedReason: reason,
    });
  }

  #update(task: TaskState, changes: Partial<TaskState>): void {
    Object.assign(task, changes);
    task.version += 1;
  }

  #healthStatus(task: TaskState): HealthStatus {
    const checked = (task.revision.definition.definition.containerDefinitions ?? []).some(
      (c) => c.healthCheck !== undefined,
    );
    if (!checked || task.lastStatus !== 'RUNNING') return 'UNKNOWN';
    return task.behaviour.unhealthy ? 'UNHEALTHY' : 'HEALTHY';
  }
}
