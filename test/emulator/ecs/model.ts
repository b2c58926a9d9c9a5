// The state ECS keeps: clusters, services, service revisions, and what every part is given.
import type {
  ContainerImage,
  DeploymentConfiguration,
  DeploymentController,
  DeploymentRolloutState,
  LaunchType,
  LoadBalancer,
  NetworkConfiguration,
  PropagateTags,
  ServiceEvent,
  Tag,
} from '@aws-sdk/client-ecs';
import type { AlarmStates, LoadBalancing, LogSink, Scenario, ServedTraffic } from '../world.ts';
import { legacyDeploymentId, randomUuid, type Partition } from './ids.ts';
import type { TaskDefinitionRecord } from './task-definitions.ts';
import type { Timers } from './timers.ts';

/** The other services ECS talks to behind the API. */
export interface EcsWorld {
  readonly loadBalancing: LoadBalancing;
  readonly alarms: AlarmStates;
  readonly logs: LogSink;
  /** What the load balancer sent each task; without it a crash under load counts healthy time. */
  readonly traffic?: ServedTraffic;
}

/** How long things take, in emulated seconds (scaled by the emulator's time scale). */
export interface EcsPacing {
  /** Time ECS spends in each lifecycle stage besides waits it is configured for. */
  readonly stageSeconds: number;
  /** PROVISIONING → RUNNING for one task. */
  readonly taskStartSeconds: number;
  /** A crash-looping task (Scenario `crash`) runs this long before its container exits. */
  readonly crashAfterSeconds: number;
  /**
   * A task whose container exited under load (Scenario `crash` after traffic) stays registered
   * this long, refusing connections, before ECS stops it and deregisters its target.
   */
  readonly exitDetectionSeconds: number;
  /** Target health checks: a target counts healthy (or fails, Scenario `unhealthy`) after this. */
  readonly healthCheckSeconds: number;
  /** How often deployment alarms are read. */
  readonly alarmPollSeconds: number;
}

export const DEFAULT_PACING: EcsPacing = {
  stageSeconds: 5,
  taskStartSeconds: 10,
  crashAfterSeconds: 5,
  exitDetectionSeconds: 5,
  healthCheckSeconds: 10,
  alarmPollSeconds: 10,
};

export interface EcsContext {
  readonly partition: Partition;
  readonly clock: () => Date;
  readonly timers: Timers;
  readonly world: EcsWorld;
  readonly scenario: Scenario;
  readonly pacing: EcsPacing;
}

export interface ClusterState {
  readonly arn: string;
  readonly name: string;
  readonly tags: Tag[];
  readonly services: Map<string, ServiceState>;
}

/** One service revision: a task definition plus the service settings it was deployed with. */
export interface RevisionState {
  readonly arn: string;
  readonly definition: TaskDefinitionRecord;
  readonly createdAt: Date;
  readonly loadBalancers: readonly LoadBalancer[];
  readonly networkConfiguration: NetworkConfiguration | undefined;
  readonly launchType: LaunchType | undefined;
  readonly platformVersion: string | undefined;
  readonly containerImages: readonly ContainerImage[];
  /**
   * Where this revision's tasks register, index-aligned with `loadBalancers`: the service's
   * `targetGroupArn` or its `alternateTargetGroupArn` (they swap roles on every deployment).
   */
  readonly targetGroups: (string | undefined)[];
  /** The legacy `deployments[]` entry this revision appears as. */
  readonly legacy: LegacyDeployment;
}

export interface LegacyDeployment {
  readonly id: string;
  readonly createdAt: Date;
  updatedAt: Date;
  failedTasks: number;
  rolloutState: DeploymentRolloutState;
  rolloutStateReason: string;
}

export interface ServiceState {
  readonly arn: string;
  readonly name: string;
  readonly cluster: ClusterState;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  /** The task definition the service runs (the target of the latest deployment, or rollback). */
  taskDefinition: string;
  loadBalancers: LoadBalancer[];
  deploymentConfiguration: DeploymentConfiguration;
  readonly deploymentController: DeploymentController;
  networkConfiguration: NetworkConfiguration | undefined;
  readonly launchType: LaunchType | undefined;
  platformVersion: string | undefined;
  healthCheckGracePeriodSeconds: number;
  readonly createdAt: Date;
  readonly createdBy: string | undefined;
  readonly tags: Tag[];
  readonly propagateTags: PropagateTags;
  readonly enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  readonly roleArn: string | undefined;
  /** Newest first, at most 100. */
  readonly events: ServiceEvent[];
  readonly revisions: RevisionState[];
  /** The revision that serves production: the source of the next deployment. */
  stable: RevisionState | undefined;
}

export function newLegacyDeployment(at: Date): LegacyDeployment {
  return {
    id: legacyDeploymentId(),
    createdAt: at,
    updatedAt: at,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: '',
  };
}

export function addEvent(service: ServiceState, at: Date, message: string): void {
  service.events.unshift({
    id: randomUuid(),
    createdAt: at,
    message: `(service ${service.name}) ${message}`,
  });
  service.events.length = Math.min(service.events.length, 100);
}
