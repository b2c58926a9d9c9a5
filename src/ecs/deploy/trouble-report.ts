// When a deployment goes wrong: the service's events, why its tasks stopped and the last lines
// their failing containers logged. The answer to "not in the state servicesStable" with no reason.
import { describeAwsError } from '../../lib/aws-errors.ts';
import type { DeploymentPort, LogsPort, StoppedTask } from './ports.ts';

export interface TroubleReport {
  /** Service events since the deployment started, newest first. */
  events: { at: string; message: string }[];
  /** Stopped tasks that failed (not the ones a deployment scaled in), newest first. */
  stoppedTasks: {
    taskArn: string;
    taskDefinitionArn?: string;
    stopCode?: string;
    stoppedReason?: string;
    containers: { name: string; exitCode?: number; reason?: string }[];
  }[];
  logTails: {
    taskArn: string;
    container: string;
    logGroup: string;
    logStream: string;
    region?: string;
    lines: string[];
  }[];
  /** What could not be fetched, and why: the report is best effort and never fails the step. */
  unavailable: string[];
}

export interface TroubleRequest {
  cluster: string;
  service: string;
  /** Events before this are left out (the deployment's start). */
  since?: Date | undefined;
}

export interface TroubleLimits {
  events: number;
  tasks: number;
  logTails: number;
  logLines: number;
}

export const TROUBLE_LIMITS: TroubleLimits = { events: 10, tasks: 5, logTails: 3, logLines: 25 };

/** ECS's own stop reasons for tasks it scaled in or replaced: not trouble. */
const ROUTINE_STOP =
  /^(Scaling activity initiated by|Service deployment|Task stopped by user|ECS is performing maintenance)/i;

function failed(task: StoppedTask): boolean {
  const crashed = task.containers.some(
    (c) => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason !== undefined,
  );
  return crashed || (task.stoppedReason !== undefined && !ROUTINE_STOP.test(task.stoppedReason));
}

export async function gatherTrouble(
  request: TroubleRequest,
  ports: { deployments: DeploymentPort; logs?: LogsPort | undefined },
  signal?: AbortSignal,
  limits: TroubleLimits = TROUBLE_LIMITS,
): Promise<TroubleReport> {
  const unavailable: string[] = [];
  const [events, tasks] = await Promise.all([
    ports.deployments
      .events(request.cluster, request.service, limits.events, signal)
      .catch((error: unknown) => {
        unavailable.push(`service events: ${describeAwsError(error)}`);
        return [];
      }),
    ports.deployments
      .stoppedTasks(request.cluster, request.service, limits.tasks, signal)
      .catch((error: unknown) => {
        unavailable.push(`stopped tasks: ${describeAwsError(error)}`);
        return [];
      }),
  ]);
  const since = request.since?.getTime();
  // Tasks that stopped before this deployment began are someone else's trouble.
  const failing = tasks.filter(
    (t) =>
      failed(t) &&
      (since === undefined || t.stoppedAt === undefined || t.stoppedAt.getTime() >= since),
  );
  const wanted = logStreams(failing).slice(0, limits.logTails);
  let logTails: TroubleReport['logTails'] = [];
  if (wanted.length > 0 && ports.logs === undefined) {
    unavailable.push('container logs: no CloudWatch Logs access was given');
  } else if (ports.logs !== undefined) {
    logTails = await tails(wanted, ports.logs, limits.logLines, unavailable, signal);
  }
  return {
    events: events
      .filter((e) => since === undefined || e.at.getTime() >= since)
      .map((e) => ({ at: e.at.toISOString(), message: e.message })),
    stoppedTasks: failing.map(stoppedTaskReport),
    logTails,
    unavailable,
  };
}

function stoppedTaskReport(task: StoppedTask): TroubleReport['stoppedTasks'][number] {
  return {
    taskArn: task.taskArn,
    ...(task.taskDefinitionArn === undefined ? {} : { taskDefinitionArn: task.taskDefinitionArn }),
    ...(task.stopCode === undefined ? {} : { stopCode: task.stopCode }),
    ...(task.stoppedReason === undefined ? {} : { stoppedReason: task.stoppedReason }),
    containers: task.containers.map((c) => ({
      name: c.name,
      ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
      ...(c.reason === undefined ? {} : { reason: c.reason }),
    })),
  };
}

type LogStream = Omit<TroubleReport['logTails'][number], 'lines'>;

/** One stream per container log, crashed containers first. */
function logStreams(failing: readonly StoppedTask[]): LogStream[] {
  const streams = new Map<string, LogStream>();
  for (const task of failing) {
    // A task that failed its health checks may have no crashed container: then all of them.
    const crashed = task.containers.filter((c) => crashRank(c) < 2);
    const containers = (crashed.length > 0 ? crashed : task.containers).sort(
      (a, b) => crashRank(a) - crashRank(b),
    );
    for (const c of containers) {
      if (c.logGroup === undefined || c.logStream === undefined) continue;
      const key = `${c.logRegion ?? ''}\n${c.logGroup}\n${c.logStream}`;
      if (!streams.has(key)) {
        streams.set(key, {
          taskArn: task.taskArn,
          container: c.name,
          logGroup: c.logGroup,
          logStream: c.logStream,
          ...(c.logRegion === undefined ? {} : { region: c.logRegion }),
        });
      }
    }
  }
  return [...streams.values()];
}

/** The last lines of each stream; a stream that cannot be read is noted in `unavailable`. */
async function tails(
  streams: readonly LogStream[],
  logs: LogsPort,
  lines: number,
  unavailable: string[],
  signal?: AbortSignal,
): Promise<TroubleReport['logTails']> {
  const read = await Promise.all(
    streams.map(async (stream) => {
      try {
        const tail = await logs.tail(
          stream.logGroup,
          stream.logStream,
          lines,
          signal,
          stream.region,
        );
        return { ...stream, lines: tail };
      } catch (error) {
        unavailable.push(
          `logs of ${stream.container} (${stream.logGroup} ${stream.logStream}): ${describeAwsError(error)}`,
        );
        return undefined;
      }
    }),
  );
  return read.filter((t) => t !== undefined);
}

function crashRank(container: StoppedTask['containers'][number]): number {
  if (container.exitCode !== undefined && container.exitCode !== 0) return 0;
  if (container.reason !== undefined) return 1;
  return 2;
}
