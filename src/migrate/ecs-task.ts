// mode: ecs-task — the migration runs inside the VPC as a one-off ECS task of the app's image,
// which carries the rds-migrate command line. This starts the task, waits for it, streams its
// container's log lines back, and returns the exit code and the JSON result it printed last,
// which become the run's report.
import { formatDuration } from '../lib/durations.ts';
import { UserError } from '../lib/errors.ts';
import type { Finding } from './lint/lint.ts';

export interface TaskDefinitionFacts {
  arn: string;
  networkMode: string | undefined;
  containers: {
    name: string;
    essential: boolean;
    /** awslogs group and stream prefix, when the container logs to CloudWatch. */
    logGroup: string | undefined;
    logStreamPrefix: string | undefined;
  }[];
}

export interface NetworkFacts {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
}

export interface TaskFacts {
  lastStatus: string;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  exitCode: number | undefined;
  /** Why the container stopped, from ECS (e.g. CannotPullContainerError). */
  containerReason: string | undefined;
}

/** The ECS and CloudWatch Logs calls the task runner needs. */
export interface EcsTaskPort {
  describeTaskDefinition(reference: string): Promise<TaskDefinitionFacts>;
  /** The task definition and network configuration of a service. */
  describeService(
    cluster: string,
    service: string,
  ): Promise<{ taskDefinition: string; network: NetworkFacts | undefined }>;
  runTask(request: {
    cluster: string;
    taskDefinition: string;
    container: string;
    command: string[];
    network: NetworkFacts | undefined;
    startedBy: string;
  }): Promise<string>;
  describeTask(cluster: string, taskArn: string, container: string): Promise<TaskFacts>;
  stopTask(cluster: string, taskArn: string, reason: string): Promise<void>;
  /** New log lines after `token`; `token` for the next call. */
  readLog(
    group: string,
    stream: string,
    token: string | undefined,
  ): Promise<{ lines: string[]; token: string | undefined }>;
}

export interface EcsTaskSpec {
  cluster: string;
  /** A task definition (family, family:revision or ARN), or undefined to use the service's. */
  taskDefinition: string | undefined;
  service: string | undefined;
  container: string | undefined;
  /** Overrides the service's network configuration when given. */
  network: NetworkFacts | undefined;
  /** The command line inside the container: ['node', '/path/cli.js', 'apply', '--json', ...]. */
  command: string[];
  timeoutMs: number;
  pollMs: number;
}

export type TaskEvent =
  | { type: 'started'; taskArn: string; taskDefinition: string; container: string }
  | { type: 'status'; status: string }
  | { type: 'line'; line: string };

export interface TaskOutcome {
  taskArn: string;
  exitCode: number | undefined;
  stoppedReason: string | undefined;
  /** The last line the container printed that parses as rds-migrate's result JSON. */
  result: Record<string, unknown> | undefined;
  /** The logs were not readable (no awslogs configuration). */
  logsAvailable: boolean;
}

/** What the command line in the task reported, and the task it ran in. */
export interface TaskReport {
  mode: 'ecs-task';
  command: string;
  taskArn: string;
  exitCode: number | undefined;
  findings: Finding[];
  applied: { script: string }[];
  pending: unknown[];
  /** The task's own result, or a failed one when it printed none; with the task added. */
  result: Record<string, unknown>;
}

/** The task's outcome as the run's report; a task that did not exit 0 failed the run. */
export function reportTask(
  command: string,
  outcome: TaskOutcome,
): { report: TaskReport; error?: UserError } {
  const { result } = outcome;
  const report: TaskReport = {
    mode: 'ecs-task',
    command,
    taskArn: outcome.taskArn,
    exitCode: outcome.exitCode,
    findings: (result?.findings ?? []) as Finding[],
    applied: (result?.applied ?? []) as { script: string }[],
    pending: (result?.pending ?? []) as unknown[],
    result: {
      ...(result ?? { command, outcome: 'failed' }),
      task: { arn: outcome.taskArn, exitCode: outcome.exitCode ?? null },
    },
  };
  if (outcome.exitCode === 0) return { report };
  const reason =
    typeof result?.reason === 'string'
      ? result.reason
      : (outcome.stoppedReason ?? 'no reason given');
  return {
    report,
    error: new UserError(
      `The migration task exited ${outcome.exitCode ?? 'without an exit code'}: ${reason}${outcome.logsAvailable ? '' : ' (its container has no awslogs configuration, so its log could not be shown)'}`,
    ),
  };
}

function isResult(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    return typeof value.version === 'number' && typeof value.command === 'string'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

export async function runMigrationTask(
  spec: EcsTaskSpec,
  port: EcsTaskPort,
  deps: {
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    now: () => number;
    signal?: AbortSignal;
    onEvent: (event: TaskEvent) => void;
  },
): Promise<TaskOutcome> {
  let taskDefinition = spec.taskDefinition;
  let network = spec.network;
  if (spec.service) {
    const service = await port.describeService(spec.cluster, spec.service);
    taskDefinition ??= service.taskDefinition;
    network ??= service.network;
  }
  if (!taskDefinition) {
    throw new Error('An ECS task spec names neither a task definition nor a service.');
  }
  const definition = await port.describeTaskDefinition(taskDefinition);
  const container = spec.container
    ? definition.containers.find((c) => c.name === spec.container)
    : (definition.containers.find((c) => c.essential) ?? definition.containers[0]);
  if (!container) {
    throw new UserError(
      `Task definition ${definition.arn} has no container ${spec.container ? `named '${spec.container}'` : ''}: set 'container' to one of ${definition.containers.map((c) => c.name).join(', ')}.`,
    );
  }
  if (definition.networkMode === 'awsvpc' && !network?.subnets.length) {
    throw new UserError(
      `Task definition ${definition.arn} uses awsvpc networking: set 'subnets' (and 'security-groups'), or 'service' to take its network configuration.`,
    );
  }
  const taskArn = await port.runTask({
    cluster: spec.cluster,
    taskDefinition: definition.arn,
    container: container.name,
    command: spec.command,
    network,
    startedBy: 'rds-migrate',
  });
  deps.onEvent({
    type: 'started',
    taskArn,
    taskDefinition: definition.arn,
    container: container.name,
  });

  const taskId = taskArn.split('/').at(-1)!;
  const stream =
    container.logGroup && container.logStreamPrefix
      ? {
          group: container.logGroup,
          name: `${container.logStreamPrefix}/${container.name}/${taskId}`,
        }
      : undefined;
  let token: string | undefined;
  let result: Record<string, unknown> | undefined;
  const drain = async () => {
    if (!stream) return;
    for (;;) {
      const page = await port.readLog(stream.group, stream.name, token).catch(() => undefined);
      if (!page) return;
      for (const line of page.lines) {
        result = isResult(line) ?? result;
        deps.onEvent({ type: 'line', line });
      }
      const more = page.token !== token && page.lines.length > 0;
      token = page.token;
      if (!more) return;
    }
  };

  const started = deps.now();
  let status = '';
  try {
    for (;;) {
      const task = await port.describeTask(spec.cluster, taskArn, container.name);
      if (task.lastStatus !== status) {
        status = task.lastStatus;
        deps.onEvent({ type: 'status', status });
      }
      await drain();
      if (task.lastStatus === 'STOPPED') {
        // The last lines can reach CloudWatch Logs a moment after the task stops.
        await deps.sleep(Math.min(spec.pollMs, 2000), deps.signal);
        await drain();
        return {
          taskArn,
          exitCode: task.exitCode,
          stoppedReason: task.containerReason ?? task.stoppedReason,
          result,
          logsAvailable: stream !== undefined,
        };
      }
      if (deps.now() - started > spec.timeoutMs) {
        await port.stopTask(spec.cluster, taskArn, 'rds-migrate: task-timeout ran out');
        throw new UserError(
          `The migration task ${taskId} did not finish within ${formatDuration(spec.timeoutMs)} (task-timeout): it was stopped, which rolls back its open transaction.`,
        );
      }
      await deps.sleep(spec.pollMs, deps.signal);
    }
  } catch (error) {
    if (deps.signal?.aborted) {
      await port
        .stopTask(spec.cluster, taskArn, 'rds-migrate: the job was cancelled')
        .catch(() => {});
    }
    throw error;
  }
}
