// The SDK side of mode: ecs-task (EcsTaskPort): ECS RunTask/DescribeTasks/StopTask and the
// container's CloudWatch Logs stream.
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { UserError } from '../lib/errors.ts';
import type { EcsTaskPort } from '../migrate/ecs-task.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { explainAwsError } from './explain.ts';

const ECS_USER_ERRORS = new Set([
  'ClientException',
  'InvalidParameterException',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'PlatformUnknownException',
  'PlatformTaskDefinitionIncompatibilityException',
  'AccessDeniedException',
]);

export function sdkEcsTaskPort(options: ClientOptions): EcsTaskPort & { destroy(): void } {
  const ecs = new ECSClient(clientConfig('ECS', options));
  const logs = new CloudWatchLogsClient(clientConfig('CloudWatch Logs', options));
  const explain = (action: string, permission: string) => (error: unknown) => {
    throw explainAwsError(error, {
      action,
      permission,
      service: 'ECS',
      userFixable: ECS_USER_ERRORS,
    });
  };
  return {
    destroy() {
      ecs.destroy();
      logs.destroy();
    },
    async describeTaskDefinition(reference) {
      const out = await ecs
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }))
        .catch(explain(`describe task definition ${reference}`, 'ecs:DescribeTaskDefinition'));
      const definition = out.taskDefinition!;
      return {
        arn: definition.taskDefinitionArn!,
        networkMode: definition.networkMode,
        containers: (definition.containerDefinitions ?? []).map((c) => {
          const options =
            c.logConfiguration?.logDriver === 'awslogs' ? c.logConfiguration.options : undefined;
          return {
            name: c.name ?? '',
            essential: c.essential !== false,
            logGroup: options?.['awslogs-group'],
            logStreamPrefix: options?.['awslogs-stream-prefix'],
          };
        }),
      };
    },
    async describeService(cluster, service) {
      const out = await ecs
        .send(new DescribeServicesCommand({ cluster, services: [service] }))
        .catch(explain(`describe service ${service}`, 'ecs:DescribeServices'));
      const found = out.services?.[0];
      if (!found?.taskDefinition) {
        throw new UserError(
          `Service '${service}' was not found in cluster '${cluster}': check 'service' and 'cluster'.`,
        );
      }
      const vpc = found.networkConfiguration?.awsvpcConfiguration;
      return {
        taskDefinition: found.taskDefinition,
        network: vpc
          ? {
              subnets: vpc.subnets ?? [],
              securityGroups: vpc.securityGroups ?? [],
              assignPublicIp: vpc.assignPublicIp === 'ENABLED',
            }
          : undefined,
      };
    },
    async runTask(request) {
      const out = await ecs
        .send(
          new RunTaskCommand({
            cluster: request.cluster,
            taskDefinition: request.taskDefinition,
            startedBy: request.startedBy,
            overrides: {
              containerOverrides: [{ name: request.container, command: request.command }],
            },
            ...(request.network
              ? {
                  networkConfiguration: {
                    awsvpcConfiguration: {
                      subnets: request.network.subnets,
                      securityGroups: request.network.securityGroups,
                      assignPublicIp: request.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
                    },
                  },
                }
              : {}),
          }),
        )
        .catch(
          explain(
            `run task ${request.taskDefinition}`,
            'ecs:RunTask (and iam:PassRole for its roles)',
          ),
        );
      const arn = out.tasks?.[0]?.taskArn;
      if (!arn) {
        const failure = out.failures?.[0];
        throw new UserError(
          `ECS did not start the migration task: ${failure?.reason ?? 'no task and no reason'}${failure?.detail ? ` (${failure.detail})` : ''}.`,
        );
      }
      return arn;
    },
    async describeTask(cluster, taskArn, container) {
      const out = await ecs
        .send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))
        .catch(explain(`describe task ${taskArn}`, 'ecs:DescribeTasks'));
      const task = out.tasks?.[0];
      if (!task) throw new UserError(`The migration task ${taskArn} disappeared from ECS.`);
      const c = task.containers?.find((x) => x.name === container);
      return {
        lastStatus: task.lastStatus ?? 'UNKNOWN',
        stopCode: task.stopCode,
        stoppedReason: task.stoppedReason,
        exitCode: c?.exitCode,
        containerReason: c?.reason,
      };
    },
    async stopTask(cluster, taskArn, reason) {
      await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }));
    },
    async readLog(group, stream, token) {
      try {
        const out = await logs.send(
          new GetLogEventsCommand({
            logGroupName: group,
            logStreamName: stream,
            startFromHead: true,
            ...(token ? { nextToken: token } : {}),
          }),
        );
        return {
          lines: (out.events ?? []).map((e) => e.message ?? ''),
          token: out.nextForwardToken ?? token,
        };
      } catch (error) {
        // The stream appears with the container's first line.
        if ((error as { name?: string }).name === 'ResourceNotFoundException') {
          return { lines: [], token };
        }
        throw error;
      }
    },
  };
}
