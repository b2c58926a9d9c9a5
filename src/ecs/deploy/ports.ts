// The narrow views of ECS, ELBv2, CloudWatch and CloudWatch Logs that the deploy engine drives.
// SDK-backed implementations live in src/aws/; unit tests use fakes; the emulator serves both.
import type { TargetGroupWindow, TargetHealthSnapshot } from '../../canary/analysis/types.ts';

/** ECS ServiceDeploymentStatus. */
export type DeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

export const FINAL_STATUSES: ReadonlySet<DeploymentStatus> = new Set([
  'SUCCESSFUL',
  'STOPPED',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
]);

export interface RevisionSnapshot {
  /** Service revision ARN. */
  arn: string;
  requestedTaskCount: number;
  runningTaskCount: number;
  pendingTaskCount: number;
  requestedTestTrafficWeight?: number;
  requestedProductionTrafficWeight?: number;
}

export interface HookSnapshot {
  hookId: string;
  targetType: string;
  status: string;
  expiresAt?: Date;
  timeoutAction?: string;
}

/** One DescribeServiceDeployments answer, as the engine needs it. */
export interface DeploymentSnapshot {
  arn: string;
  status: DeploymentStatus;
  statusReason?: string;
  lifecycleStage?: string;
  target?: RevisionSnapshot;
  sources: RevisionSnapshot[];
  hooks: HookSnapshot[];
  rollback?: { reason?: string; startedAt?: Date; serviceRevisionArn?: string };
  circuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
  alarms?: { status?: string; alarmNames?: string[]; triggeredAlarmNames?: string[] };
  startedAt?: Date;
  finishedAt?: Date;
  updatedAt?: Date;
}

/** DescribeServiceRevisions: what a revision runs and which target group serves it. */
export interface RevisionDetails {
  arn: string;
  taskDefinition: string;
  /** resolvedConfiguration.loadBalancers[].targetGroupArn for the production listener rule. */
  productionTargetGroupArn?: string;
}

export interface StoppedTask {
  taskArn: string;
  /** The revision the task ran: tells the new revision's failures from the old one's. */
  taskDefinitionArn?: string;
  stoppedAt?: Date;
  /** ECS's code, e.g. TaskFailedToStart, EssentialContainerExited, ServiceSchedulerInitiated. */
  stopCode?: string;
  stoppedReason?: string;
  containers: {
    name: string;
    exitCode?: number;
    reason?: string;
    logGroup?: string;
    logStream?: string;
    /** The awslogs-region option, when the container logs to another region than the action's. */
    logRegion?: string;
  }[];
}

export interface DeploymentPort {
  /** UpdateService with the new task definition and deployment configuration. */
  start(
    request: {
      cluster: string;
      service: string;
      taskDefinitionArn: string;
      /** @aws-sdk/client-ecs DeploymentConfiguration, passed as is. */
      deploymentConfiguration: Record<string, unknown>;
    },
    signal?: AbortSignal,
  ): Promise<{ serviceDeploymentArn: string }>;
  /** Deployments of the service that have not reached a final status, newest first. */
  unfinished(cluster: string, service: string, signal?: AbortSignal): Promise<DeploymentSnapshot[]>;
  describe(serviceDeploymentArn: string, signal?: AbortSignal): Promise<DeploymentSnapshot>;
  revisions(revisionArns: readonly string[], signal?: AbortSignal): Promise<RevisionDetails[]>;
  /** ContinueServiceDeployment for a PAUSE hook that is AWAITING_ACTION. */
  resolveHook(
    serviceDeploymentArn: string,
    hookId: string,
    action: 'CONTINUE' | 'ROLLBACK',
    signal?: AbortSignal,
  ): Promise<void>;
  /** StopServiceDeployment with stopType ROLLBACK. */
  rollBack(serviceDeploymentArn: string, signal?: AbortSignal): Promise<void>;
  /** The service's newest events (message, time), newest first. */
  events(
    cluster: string,
    service: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ at: Date; message: string }[]>;
  /** Recently stopped tasks of the service, with their containers' exit codes and log streams. */
  stoppedTasks(
    cluster: string,
    service: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<StoppedTask[]>;
}

export interface MetricsPort {
  /**
   * GetMetricData for the canary's and the baseline's target groups over the same window, in
   * one call; counts missing from CloudWatch are zero. The implementation finds the ALB
   * dimensions (TargetGroup, LoadBalancer) from the target group ARNs.
   */
  windows(
    request: {
      canaryTargetGroup: string;
      baselineTargetGroup: string;
      start: Date;
      end: Date;
      periodSeconds: number;
      /**
       * Latency thresholds in seconds at which to count each group's slower requests per period
       * (CloudWatch's percentile rank on TargetResponseTime), returned as `slower` on its samples.
       */
      slowerThan?: { canary: readonly number[]; baseline: readonly number[] };
    },
    signal?: AbortSignal,
  ): Promise<{ canary: TargetGroupWindow; baseline: TargetGroupWindow }>;
  /** DescribeTargetHealth. */
  targetHealth(targetGroupArn: string, signal?: AbortSignal): Promise<TargetHealthSnapshot>;
}

export interface LogsPort {
  /** The last `lines` messages of a log stream, oldest first; `region` when not the action's. */
  tail(
    logGroup: string,
    logStream: string,
    lines: number,
    signal?: AbortSignal,
    region?: string,
  ): Promise<string[]>;
}
