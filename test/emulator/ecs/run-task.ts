// Standalone tasks (RunTask, StopTask): one-off tasks outside any service, such as a database
// migration run inside the VPC. They start as service tasks do (PROVISIONING, PENDING, RUNNING),
// then each container runs the program a test registered for its image: its log lines go to the
// container's awslogs stream as they are written, and its exit code ends the task as ECS ends it
// (STOPPED, EssentialContainerExited). A container without a program exits 0 at once.
import type {
  Container,
  ContainerOverride,
  Failure,
  KeyValuePair,
  NetworkConfiguration,
  RunTaskRequest,
  Task,
  TaskStopCode,
} from '@aws-sdk/client-ecs';
import { clientException, invalidParameter } from './errors.ts';
import { containerArn, randomUuid, taskArn, taskId } from './ids.ts';
import type { ClusterState, EcsContext } from './model.ts';
import type { TaskDefinitionRecord } from './task-definitions.ts';
import { SECOND } from './timers.ts';

/** What a container of a standalone task runs, set by a test per image. */
export type TaskProgram = (run: {
  taskArn: string;
  container: string;
  image: string;
  /** The task definition's command, or the override's. */
  command: string[];
  /** The definition's environment with the override's on top. */
  environment: Record<string, string>;
  /** One line of the container's output, to its awslogs stream. */
  log(line: string): void;
  /** Aborted by StopTask (ECS sends SIGTERM) or when the emulator closes. */
  signal: AbortSignal;
}) => Promise<number>;

export interface StandaloneTaskState {
  readonly arn: string;
  readonly id: string;
  readonly cluster: ClusterState;
  readonly record: TaskDefinitionRecord;
  readonly group: string;
  readonly startedBy: string | undefined;
  readonly overrides: ContainerOverride[];
  readonly networkConfiguration: NetworkConfiguration | undefined;
  readonly launchType: string;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  readonly createdAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stopCode?: TaskStopCode;
  stoppedReason?: string;
  readonly containers: Container[];
  version: number;
  readonly lifetime: AbortController;
}

const MAX_COUNT = 10;

export class StandaloneTasks {
  readonly #ecs: EcsContext;
  readonly #tasks = new Map<string, StandaloneTaskState>();
  readonly #programs: { image: string | RegExp; program: TaskProgram }[] = [];

  constructor(ecs: EcsContext) {
    this.#ecs = ecs;
  }

  /** The program containers of `image` run (exact string, or a pattern); later ones win. */
  setProgram(image: string | RegExp, program: TaskProgram): void {
    this.#programs.unshift({ image, program });
  }

  all(): StandaloneTaskState[] {
    return [...this.#tasks.values()];
  }

  get(arn: string): StandaloneTaskState | undefined {
    return this.#tasks.get(arn);
  }

  run(
    cluster: ClusterState,
    record: TaskDefinitionRecord,
    request: RunTaskRequest,
  ): { tasks: Task[]; failures: Failure[] } {
    const count = request.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      throw invalidParameter(`count must be between 1 and ${MAX_COUNT}.`);
    }
    const definition = record.definition;
    const networkMode = definition.networkMode ?? 'bridge';
    const launchType = request.launchType ?? 'FARGATE';
    if (networkMode === 'awsvpc') {
      const subnets = request.networkConfiguration?.awsvpcConfiguration?.subnets ?? [];
      if (request.networkConfiguration === undefined) {
        throw invalidParameter(
          "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        );
      }
      if (subnets.length === 0) throw invalidParameter('subnets can not be empty.');
    } else if (request.networkConfiguration !== undefined) {
      throw invalidParameter(
        'Network Configuration is not valid for the given networkMode of this task definition.',
      );
    }
    if (launchType === 'FARGATE' && !(definition.compatibilities ?? []).includes('FARGATE')) {
      throw clientException('Task definition does not support launch_type FARGATE.');
    }
    const names = new Set((definition.containerDefinitions ?? []).map((c) => c.name));
    for (const override of request.overrides?.containerOverrides ?? []) {
      if (override.name === undefined || !names.has(override.name)) {
        throw invalidParameter(
          `Override for container named ${override.name ?? '(none)'} is not a container in the TaskDefinition.`,
        );
      }
    }
    const tasks: Task[] = [];
    for (let i = 0; i < count; i += 1) {
      const task = this.#create(cluster, record, request, launchType);
      void this.#run(task);
      tasks.push(this.describe(task));
    }
    return { tasks, failures: [] };
  }

  /** StopTask: the containers are told to stop; the task is STOPPED when they have. */
  stop(task: StandaloneTaskState, reason: string): Task {
    if (task.lastStatus !== 'STOPPED' && task.desiredStatus !== 'STOPPED') {
      task.desiredStatus = 'STOPPED';
      task.stoppingAt = this.#ecs.clock();
      task.stopCode = 'UserInitiated';
      task.stoppedReason = reason;
      task.version += 1;
      task.lifetime.abort();
      // Before the containers run there is nothing to wait for.
      if (task.lastStatus !== 'RUNNING') this.#stopped(task);
    }
    return this.describe(task);
  }

  describe(task: StandaloneTaskState, includeTags = false): Task {
    const { partition } = this.#ecs;
    const definition = task.record.definition;
    const subnet = task.networkConfiguration?.awsvpcConfiguration?.subnets?.[0];
    return {
      attachments:
        task.networkConfiguration === undefined
          ? []
          : [
              {
                id: randomUuid(),
                type: 'ElasticNetworkInterface',
                status: task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
                details: subnet === undefined ? [] : [{ name: 'subnetId', value: subnet }],
              },
            ],
      availabilityZone: `${partition.region}a`,
      clusterArn: task.cluster.arn,
      containers: task.containers,
      cpu: definition.cpu,
      createdAt: task.createdAt,
      desiredStatus: task.desiredStatus,
      executionStoppedAt: task.stoppedAt,
      group: task.group,
      lastStatus: task.lastStatus,
      launchType: task.launchType as Task['launchType'],
      memory: definition.memory,
      overrides: { containerOverrides: task.overrides, inferenceAcceleratorOverrides: [] },
      platformVersion: task.launchType === 'FARGATE' ? '1.4.0' : undefined,
      pullStartedAt: task.pullStartedAt,
      pullStoppedAt: task.pullStoppedAt,
      startedAt: task.startedAt,
      startedBy: task.startedBy,
      stopCode: task.stopCode,
      stoppedAt: task.stoppedAt,
      stoppedReason: task.stoppedReason,
      stoppingAt: task.stoppingAt,
      tags: includeTags ? [] : undefined,
      taskArn: task.arn,
      taskDefinitionArn: task.record.arn,
      version: task.version,
    };
  }

  #create(
    cluster: ClusterState,
    record: TaskDefinitionRecord,
    request: RunTaskRequest,
    launchType: string,
  ): StandaloneTaskState {
    const { partition, clock } = this.#ecs;
    const id = taskId();
    const arn = taskArn(partition, cluster.name, id);
    const task: StandaloneTaskState = {
      arn,
      id,
      cluster,
      record,
      group: request.group ?? `family:${record.family}`,
      startedBy: request.startedBy,
      overrides: request.overrides?.containerOverrides ?? [],
      networkConfiguration: request.networkConfiguration,
      launchType,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: clock(),
      containers: (record.definition.containerDefinitions ?? []).map((c) => ({
        containerArn: containerArn(partition, cluster.name, id),
        taskArn: arn,
        name: c.name,
        image: c.image,
        lastStatus: 'PENDING',
        networkBindings: [],
        networkInterfaces: [],
        healthStatus: 'UNKNOWN',
        cpu: String(c.cpu ?? 0),
      })),
      version: 1,
      lifetime: new AbortController(),
    };
    this.#tasks.set(arn, task);
    return task;
  }

  async #run(task: StandaloneTaskState): Promise<void> {
    const { timers, clock, pacing } = this.#ecs;
    const signal = AbortSignal.any([task.lifetime.signal, timers.signal]);
    try {
      await timers.wait((pacing.taskStartSeconds * SECOND) / 2, signal);
      Object.assign(task, { lastStatus: 'PENDING', pullStartedAt: clock() });
      task.version += 1;
      await timers.wait((pacing.taskStartSeconds * SECOND) / 2, signal);
    } catch {
      return; // Stopped before it ran, or the emulator closed.
    }
    const at = clock();
    Object.assign(task, { lastStatus: 'RUNNING', pullStoppedAt: at, startedAt: at });
    task.version += 1;
    for (const container of task.containers) {
      container.lastStatus = 'RUNNING';
      container.runtimeId = `${task.id}-${randomUuid().slice(0, 8)}`;
    }
    await Promise.all(
      task.containers.map((container) => this.#runContainer(task, container, signal)),
    );
    if (!timers.closed) this.#stopped(task);
  }

  async #runContainer(
    task: StandaloneTaskState,
    container: Container,
    signal: AbortSignal,
  ): Promise<void> {
    const definition = task.record.definition.containerDefinitions?.find(
      (c) => c.name === container.name,
    );
    const override = task.overrides.find((o) => o.name === container.name);
    const image = definition?.image ?? '';
    const program = this.#programs.find((p) =>
      typeof p.image === 'string' ? p.image === image : p.image.test(image),
    )?.program;
    const environment: Record<string, string> = {};
    for (const pair of [...(definition?.environment ?? []), ...(override?.environment ?? [])]) {
      if (pair.name !== undefined) environment[pair.name] = (pair as KeyValuePair).value ?? '';
    }
    const options = definition?.logConfiguration?.options ?? {};
    const group =
      definition?.logConfiguration?.logDriver === 'awslogs' ? options['awslogs-group'] : undefined;
    const prefix = options['awslogs-stream-prefix'];
    const stream = prefix === undefined ? task.id : `${prefix}/${container.name}/${task.id}`;
    const log = (line: string) => {
      if (group !== undefined) this.#ecs.world.logs.append(group, stream, line, this.#ecs.clock());
    };
    let exitCode = 0;
    if (program !== undefined) {
      try {
        exitCode = await program({
          taskArn: task.arn,
          container: container.name ?? '',
          image,
          command: override?.command ?? definition?.command ?? [],
          environment,
          log,
          signal,
        });
      } catch (error) {
        log(`emulator: the container's program failed: ${String(error)}`);
        exitCode = 1;
      }
    }
    container.lastStatus = 'STOPPED';
    container.exitCode = exitCode;
  }

  #stopped(task: StandaloneTaskState): void {
    if (task.lastStatus === 'STOPPED') return;
    const at = this.#ecs.clock();
    const userStopped = task.stopCode === 'UserInitiated';
    for (const container of task.containers) {
      if (container.lastStatus !== 'STOPPED') container.lastStatus = 'STOPPED';
    }
    Object.assign(task, {
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppingAt: task.stoppingAt ?? at,
      stoppedAt: at,
      stopCode: userStopped ? 'UserInitiated' : 'EssentialContainerExited',
      stoppedReason: userStopped ? task.stoppedReason : 'Essential container in task exited',
    });
    task.version += 1;
  }
}
