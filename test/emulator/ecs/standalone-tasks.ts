// Standalone tasks (RunTask): one-off tasks outside any service, such as a migration. A test
// supplies the container runtime — what the essential container does when it runs — so a task
// can run a real program (the rds-migrate command line against a real PostgreSQL). Its output
// goes to CloudWatch Logs as the awslogs driver writes it, and its exit code to DescribeTasks.
import type {
  Container,
  ContainerOverride,
  KeyValuePair,
  NetworkConfiguration,
  RunTaskRequest,
  Task,
} from '@aws-sdk/client-ecs';
import { invalidParameter } from './errors.ts';
import { containerArn, taskArn, taskId } from './ids.ts';
import type { ClusterState, EcsContext } from './model.ts';
import type { TaskDefinitionRecord } from './task-definitions.ts';

/** What a container is asked to run: its definition merged with RunTask's overrides. */
export interface ContainerRun {
  readonly taskArn: string;
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Writes one line of the container's output (to its awslogs stream, when it has one). */
  log(line: string): void;
  /** Aborted by StopTask or when the emulator closes. */
  readonly signal: AbortSignal;
}

/** Runs a container; resolves with its exit code. The default exits 0 at once. */
export type ContainerRuntime = (run: ContainerRun) => Promise<number>;

interface StandaloneTask {
  readonly arn: string;
  readonly id: string;
  readonly cluster: ClusterState;
  readonly definition: TaskDefinitionRecord;
  readonly overrides: ContainerOverride[];
  readonly networkConfiguration: NetworkConfiguration | undefined;
  readonly startedBy: string | undefined;
  readonly createdAt: Date;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  startedAt?: Date;
  stoppedAt?: Date;
  stopCode?: 'EssentialContainerExited' | 'UserInitiated' | 'TaskFailedToStart';
  stoppedReason?: string;
  readonly containers: Container[];
  version: number;
  readonly lifetime: AbortController;
}

const toRecord = (pairs: readonly KeyValuePair[] | undefined) =>
  Object.fromEntries((pairs ?? []).map((p) => [p.name ?? '', p.value ?? '']));

export class StandaloneTasks {
  readonly #ecs: EcsContext;
  readonly #runtime: ContainerRuntime;
  readonly #tasks = new Map<string, StandaloneTask>();

  constructor(ecs: EcsContext, runtime: ContainerRuntime | undefined) {
    this.#ecs = ecs;
    this.#runtime = runtime ?? (async () => 0);
  }

  get(arn: string): StandaloneTask | undefined {
    return this.#tasks.get(arn);
  }

  all(): StandaloneTask[] {
    return [...this.#tasks.values()];
  }

  run(cluster: ClusterState, definition: TaskDefinitionRecord, input: RunTaskRequest): Task[] {
    const count = input.count ?? 1;
    if (count < 1 || count > 10) throw invalidParameter('count must be between 1 and 10.');
    const networkMode = definition.definition.networkMode;
    const awsvpc = input.networkConfiguration?.awsvpcConfiguration;
    if (networkMode === 'awsvpc' && !awsvpc?.subnets?.length) {
      throw invalidParameter(
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    }
    const names = new Set((definition.definition.containerDefinitions ?? []).map((c) => c.name));
    for (const override of input.overrides?.containerOverrides ?? []) {
      if (!names.has(override.name)) {
        throw invalidParameter(
          `Override for container named ${override.name} is not a container in the TaskDefinition.`,
        );
      }
    }
    const tasks: Task[] = [];
    for (let i = 0; i < count; i++) {
      const task = this.#create(cluster, definition, input);
      void this.#lifecycle(task);
      tasks.push(this.describe(task));
    }
    return tasks;
  }

  stop(task: StandaloneTask, reason: string): Task {
    if (task.lastStatus !== 'STOPPED') {
      task.desiredStatus = 'STOPPED';
      task.stopCode = 'UserInitiated';
      task.stoppedReason = reason;
      task.version++;
      task.lifetime.abort(new Error(reason));
    }
    return this.describe(task);
  }

  describe(task: StandaloneTask): Task {
    const { region } = this.#ecs.partition;
    return {
      taskArn: task.arn,
      clusterArn: task.cluster.arn,
      taskDefinitionArn: task.definition.arn,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      createdAt: task.createdAt,
      startedAt: task.startedAt,
      stoppedAt: task.stoppedAt,
      executionStoppedAt: task.stoppedAt,
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      startedBy: task.startedBy,
      group: `family:${task.definition.definition.family}`,
      launchType: 'FARGATE',
      availabilityZone: `${region}a`,
      containers: task.containers,
      overrides: { containerOverrides: task.overrides },
      cpu: task.definition.definition.cpu,
      memory: task.definition.definition.memory,
      version: task.version,
    };
  }

  #create(cluster: ClusterState, definition: TaskDefinitionRecord, input: RunTaskRequest) {
    const { partition, clock } = this.#ecs;
    const id = taskId();
    const arn = taskArn(partition, cluster.name, id);
    const task: StandaloneTask = {
      arn,
      id,
      cluster,
      definition,
      overrides: input.overrides?.containerOverrides ?? [],
      networkConfiguration: input.networkConfiguration,
      startedBy: input.startedBy,
      createdAt: clock(),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      containers: (definition.definition.containerDefinitions ?? []).map((c) => ({
        containerArn: containerArn(partition, cluster.name, id),
        taskArn: arn,
        name: c.name,
        image: c.image,
        lastStatus: 'PENDING',
        networkInterfaces: [],
      })),
      version: 1,
      lifetime: new AbortController(),
    };
    this.#tasks.set(arn, task);
    return task;
  }

  async #lifecycle(task: StandaloneTask): Promise<void> {
    const { timers, pacing, clock, world } = this.#ecs;
    const signal = AbortSignal.any([task.lifetime.signal, timers.signal]);
    const definitions = task.definition.definition.containerDefinitions ?? [];
    const essential = definitions.find((c) => c.essential !== false) ?? definitions[0];
    let exitCode: number | undefined;
    try {
      await timers.wait(pacing.stageSeconds * 1000, signal);
      task.lastStatus = 'PENDING';
      task.version++;
      await timers.wait(pacing.taskStartSeconds * 1000, signal);
      task.lastStatus = 'RUNNING';
      task.startedAt = clock();
      for (const c of task.containers) c.lastStatus = 'RUNNING';
      task.version++;
      if (essential) {
        const override = task.overrides.find((o) => o.name === essential.name);
        const logOptions =
          essential.logConfiguration?.logDriver === 'awslogs'
            ? essential.logConfiguration.options
            : undefined;
        const group = logOptions?.['awslogs-group'];
        const prefix = logOptions?.['awslogs-stream-prefix'];
        const stream = prefix ? `${prefix}/${essential.name}/${task.id}` : undefined;
        exitCode = await timers.until(
          this.#runtime({
            taskArn: task.arn,
            name: essential.name ?? '',
            image: essential.image ?? '',
            command: override?.command ?? essential.command ?? [],
            environment: {
              ...toRecord(essential.environment),
              ...toRecord(override?.environment),
            },
            log: (line) => {
              if (group && stream) world.logs.append(group, stream, line);
            },
            signal,
          }),
          signal,
        );
      } else exitCode = 0;
      task.stopCode = 'EssentialContainerExited';
      task.stoppedReason = 'Essential container in task exited';
    } catch {
      if (timers.closed) return;
      // StopTask: the container is killed (SIGTERM, then SIGKILL) and exits 137.
      exitCode = 137;
    }
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.stoppedAt = clock();
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      if (c.name === essential?.name) c.exitCode = exitCode;
    }
    task.version++;
  }
}
