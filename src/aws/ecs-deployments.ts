// The deploy engine's view of ECS-managed deployments (DeploymentPort), over the SDK client.
import {
  ContinueServiceDeploymentCommand,
  type DeploymentConfiguration,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type ServiceDeployment,
  type ServiceRevision,
  type ServiceRevisionSummary,
  StopServiceDeploymentCommand,
  type Task,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type {
  DeploymentPort,
  DeploymentSnapshot,
  DeploymentStatus,
  RevisionDetails,
  RevisionSnapshot,
  StoppedTask,
} from '../ecs/deploy/ports.ts';
import { UserError } from '../lib/errors.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { explainAwsError, sendOptions } from './explain.ts';

const UNFINISHED: DeploymentStatus[] = [
  'PENDING',
  'IN_PROGRESS',
  'STOP_REQUESTED',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
];

/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs. */
const DESCRIBE_BATCH = 20;
const DESCRIBE_TASKS_BATCH = 100;
/** ListTasks has no documented order: look at this many stopped tasks to find the newest. */
const STOPPED_TASKS_SCANNED = 300;

/** `client` is for tests that drive the SDK against a stub handler; it defaults to the factory's. */
export function sdkDeploymentPort(
  options: ClientOptions,
  client: ECSClient = new ECSClient(clientConfig('ECS', options)),
): DeploymentPort {
  const taskDefinitions = new Map<string, Promise<TaskDefinition | undefined>>();

  async function call<T>(
    action: string,
    permission: string,
    send: () => Promise<T>,
    userFixable: ReadonlySet<string> = USER_FIXABLE,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw explainAwsError(error, { action, permission, userFixable, service: 'ECS' });
    }
  }

  async function describeMany(arns: readonly string[], signal?: AbortSignal) {
    const found: ServiceDeployment[] = [];
    for (const batch of chunks(arns, DESCRIBE_BATCH)) {
      const out = await call('describe service deployments', 'ecs:DescribeServiceDeployments', () =>
        client.send(
          new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch }),
          sendOptions(signal),
        ),
      );
      found.push(...(out.serviceDeployments ?? []));
    }
    return found;
  }

  /** The task definition a stopped task ran, for its log configuration; undefined if unreadable. */
  function taskDefinition(arn: string, signal?: AbortSignal) {
    let cached = taskDefinitions.get(arn);
    if (cached === undefined) {
      cached = client
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), sendOptions(signal))
        .then(
          (out) => out.taskDefinition,
          // The log location only helps diagnose: a task without it is still reported, and the
          // next call asks again.
          () => {
            taskDefinitions.delete(arn);
            return undefined;
          },
        );
      taskDefinitions.set(arn, cached);
    }
    return cached;
  }

  return {
    async start(request, signal) {
      const out = await call(
        `update service '${request.service}' in cluster '${request.cluster}'`,
        'ecs:UpdateService (and iam:PassRole for the roles the deployment names)',
        () =>
          client.send(
            // A service on ECS-managed deployments rejects most other fields: send only these.
            new UpdateServiceCommand({
              cluster: request.cluster,
              service: request.service,
              taskDefinition: request.taskDefinitionArn,
              deploymentConfiguration: request.deploymentConfiguration as DeploymentConfiguration,
            }),
            sendOptions(signal),
          ),
      );
      const arn = out.service?.currentServiceDeployment;
      if (!arn) {
        throw new UserError(
          `UpdateService on service '${request.service}' started no service deployment: the service must use the ECS deployment controller.`,
        );
      }
      return { serviceDeploymentArn: arn };
    },

    async unfinished(cluster, service, signal) {
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await call(
          `list the deployments of service '${service}' in cluster '${cluster}'`,
          'ecs:ListServiceDeployments',
          () =>
            client.send(
              new ListServiceDeploymentsCommand({
                cluster,
                service,
                status: UNFINISHED,
                ...(nextToken ? { nextToken } : {}),
              }),
              sendOptions(signal),
            ),
        );
        for (const brief of out.serviceDeployments ?? []) {
          if (brief.serviceDeploymentArn) arns.push(brief.serviceDeploymentArn);
        }
        nextToken = out.nextToken;
      } while (nextToken);
      if (arns.length === 0) return [];
      const described = await describeMany(arns, signal);
      return described
        .map((d) => ({ at: d.createdAt?.getTime() ?? 0, snapshot: snapshot(d) }))
        .sort((a, b) => b.at - a.at)
        .map((d) => d.snapshot);
    },

    async describe(serviceDeploymentArn, signal) {
      const [found] = await describeMany([serviceDeploymentArn], signal);
      if (found === undefined) {
        throw new Error(`ECS found no service deployment ${serviceDeploymentArn}`);
      }
      return snapshot(found);
    },

    async revisions(revisionArns, signal) {
      const found = new Map<string, ServiceRevision>();
      for (const batch of chunks(revisionArns, DESCRIBE_BATCH)) {
        const out = await call('describe service revisions', 'ecs:DescribeServiceRevisions', () =>
          client.send(
            new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }),
            sendOptions(signal),
          ),
        );
        for (const revision of out.serviceRevisions ?? []) {
          if (revision.serviceRevisionArn) found.set(revision.serviceRevisionArn, revision);
        }
      }
      return revisionArns.flatMap((arn) => {
        const revision = found.get(arn);
        return revision ? [revisionDetails(arn, revision)] : [];
      });
    },

    async resolveHook(serviceDeploymentArn, hookId, action, signal) {
      await call(
        `continue service deployment ${serviceDeploymentArn}`,
        'ecs:ContinueServiceDeployment',
        () =>
          client.send(
            new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId, action }),
            sendOptions(signal),
          ),
        STEERING_USER_FIXABLE,
      );
    },

    async rollBack(serviceDeploymentArn, signal) {
      await call(
        `roll back service deployment ${serviceDeploymentArn}`,
        'ecs:StopServiceDeployment',
        () =>
          client.send(
            new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: 'ROLLBACK' }),
            sendOptions(signal),
          ),
        STEERING_USER_FIXABLE,
      );
    },

    async events(cluster, service, limit, signal) {
      const out = await call(
        `describe service '${service}' in cluster '${cluster}'`,
        'ecs:DescribeServices',
        () =>
          client.send(
            new DescribeServicesCommand({ cluster, services: [service] }),
            sendOptions(signal),
          ),
      );
      missingService(out.failures?.[0], cluster, service);
      return (out.services?.[0]?.events ?? [])
        .flatMap((e) => (e.createdAt && e.message ? [{ at: e.createdAt, message: e.message }] : []))
        .slice(0, Math.max(0, limit));
    },

    async stoppedTasks(cluster, service, limit, signal) {
      if (limit <= 0) return [];
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await call(
          `list the stopped tasks of service '${service}' in cluster '${cluster}'`,
          'ecs:ListTasks',
          () =>
            client.send(
              new ListTasksCommand({
                cluster,
                serviceName: service,
                desiredStatus: 'STOPPED',
                maxResults: 100,
                ...(nextToken ? { nextToken } : {}),
              }),
              sendOptions(signal),
            ),
        );
        arns.push(...(out.taskArns ?? []));
        nextToken = out.nextToken;
      } while (nextToken && arns.length < STOPPED_TASKS_SCANNED);
      const tasks: Task[] = [];
      for (const batch of chunks(arns.slice(0, STOPPED_TASKS_SCANNED), DESCRIBE_TASKS_BATCH)) {
        const out = await call('describe tasks', 'ecs:DescribeTasks', () =>
          client.send(new DescribeTasksCommand({ cluster, tasks: batch }), sendOptions(signal)),
        );
        tasks.push(...(out.tasks ?? []));
      }
      const newest = tasks
        .filter((t) => t.taskArn)
        .sort((a, b) => stoppedTime(b) - stoppedTime(a))
        .slice(0, limit);
      return Promise.all(
        newest.map(async (task) =>
          stoppedTask(
            task,
            task.taskDefinitionArn
              ? await taskDefinition(task.taskDefinitionArn, signal)
              : undefined,
          ),
        ),
      );
    },
  };
}

function snapshot(d: ServiceDeployment): DeploymentSnapshot {
  return {
    arn: d.serviceDeploymentArn ?? '',
    status: (d.status ?? 'PENDING') as DeploymentStatus,
    sources: (d.sourceServiceRevisions ?? []).map(revisionSnapshot),
    hooks: (d.lifecycleHookDetails ?? []).map((h) => ({
      hookId: h.hookId ?? '',
      targetType: h.targetType ?? '',
      status: h.status ?? '',
      ...compact({ expiresAt: h.expiresAt, timeoutAction: h.timeoutAction }),
    })),
    ...compact({
      statusReason: d.statusReason,
      // The SDK's enum lacks PRE_PRODUCTION_TRAFFIC_SHIFT; the value comes through as a string.
      lifecycleStage: d.lifecycleStage as string | undefined,
      target: d.targetServiceRevision && revisionSnapshot(d.targetServiceRevision),
      rollback: d.rollback && compact(d.rollback),
      circuitBreaker: d.deploymentCircuitBreaker && compact(d.deploymentCircuitBreaker),
      alarms: d.alarms && compact(d.alarms),
      startedAt: d.startedAt,
      finishedAt: d.finishedAt,
      updatedAt: d.updatedAt,
    }),
  };
}

function revisionSnapshot(r: ServiceRevisionSummary): RevisionSnapshot {
  return {
    arn: r.arn ?? '',
    requestedTaskCount: r.requestedTaskCount ?? 0,
    runningTaskCount: r.runningTaskCount ?? 0,
    pendingTaskCount: r.pendingTaskCount ?? 0,
    ...compact({
      requestedTestTrafficWeight: r.requestedTestTrafficWeight,
      requestedProductionTrafficWeight: r.requestedProductionTrafficWeight,
    }),
  };
}

function revisionDetails(arn: string, revision: ServiceRevision): RevisionDetails {
  const balancers = revision.resolvedConfiguration?.loadBalancers ?? [];
  // A rolling service's group has no production listener rule: it serves every revision.
  const production = balancers.find((lb) => lb.productionListenerRule) ?? balancers[0];
  return {
    arn,
    taskDefinition: revision.taskDefinition ?? '',
    ...compact({ productionTargetGroupArn: production?.targetGroupArn }),
  };
}

function stoppedTask(task: Task, definition: TaskDefinition | undefined): StoppedTask {
  const taskId = task.taskArn?.split('/').at(-1) ?? '';
  return {
    taskArn: task.taskArn ?? '',
    ...compact({
      taskDefinitionArn: task.taskDefinitionArn,
      stoppedAt: task.stoppedAt,
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
    }),
    containers: (task.containers ?? []).map((container) => {
      const name = container.name ?? '';
      const log = definition?.containerDefinitions?.find((c) => c.name === name)?.logConfiguration;
      const awslogs = log?.logDriver === 'awslogs' ? log.options : undefined;
      const prefix = awslogs?.['awslogs-stream-prefix'];
      return {
        name,
        ...compact({
          exitCode: container.exitCode,
          reason: container.reason,
          logGroup: awslogs?.['awslogs-group'],
          // Without a prefix the awslogs driver names the stream after the Docker container id.
          logStream: prefix && taskId ? `${prefix}/${name}/${taskId}` : undefined,
          logRegion: awslogs?.['awslogs-region'],
        }),
      };
    }),
  };
}

function stoppedTime(task: Task): number {
  return (task.stoppedAt ?? task.stoppingAt ?? task.createdAt)?.getTime() ?? 0;
}

function missingService(
  failure: { reason?: string | undefined; detail?: string | undefined } | undefined,
  cluster: string,
  service: string,
): void {
  if (failure) {
    throw new UserError(
      `ECS found no service '${service}' in cluster '${cluster}' (${failure.reason ?? 'failure'}${failure.detail ? `: ${failure.detail}` : ''}): check the cluster and service inputs.`,
    );
  }
}

const USER_FIXABLE: ReadonlySet<string> = new Set([
  'ClientException',
  'InvalidParameterException',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'PlatformUnknownException',
  'PlatformTaskDefinitionIncompatibilityException',
  'UnsupportedFeatureException',
]);

/**
 * Steering a running deployment fails with InvalidParameterException or ConflictException when
 * it moved on meanwhile (the hook timed out, the deployment finished): facts for the engine, which
 * reads their code, not mistakes in the inputs.
 */
const STEERING_USER_FIXABLE: ReadonlySet<string> = new Set();

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Leaves out undefined fields, so optional properties stay absent (exactOptionalPropertyTypes). */
function compact<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as never;
}
