// Amazon ECS over awsJson1_1 (X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Action>, signing
// name `ecs`): task definitions, clusters, services with ECS-managed deployments, and tasks.
import { createHash } from 'node:crypto';
import type {
  Cluster,
  ContinueServiceDeploymentRequest,
  CreateServiceRequest,
  DeleteServiceRequest,
  DescribeClustersRequest,
  DescribeServiceDeploymentsRequest,
  DescribeServiceRevisionsRequest,
  DescribeServicesRequest,
  DescribeTaskDefinitionRequest,
  DescribeTasksRequest,
  Deployment,
  DeploymentConfiguration,
  DeregisterTaskDefinitionRequest,
  Failure,
  ListServiceDeploymentsRequest,
  ListTaskDefinitionsRequest,
  ListTasksRequest,
  LoadBalancer,
  RegisterTaskDefinitionRequest,
  RunTaskRequest,
  StopTaskRequest,
  Service as EcsServiceDescription,
  ServiceDeployment,
  ServiceRevision,
  StopServiceDeploymentRequest,
  Tag,
  Task,
  TaskDefinition,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { jsonProtocol, type JsonObject } from '../json-protocol.ts';
import type { ActionCall, Service } from '../service.ts';
import type { Scenario, TimeScale } from '../world.ts';
import { merge, shiftsTraffic, strategyOf, validate, withDefaults } from './configuration.ts';
import { ServiceDeploymentRun } from './deployments.ts';
import {
  clientException,
  clusterNotFound,
  conflict,
  invalidParameter,
  serviceDeploymentNotFound,
  serviceNotActive,
  serviceNotFound,
} from './errors.ts';
import {
  clusterArn,
  nameOf,
  serviceArn,
  serviceDeploymentArn,
  serviceRevisionArn,
  taskArn,
  type Partition,
} from './ids.ts';
import {
  DEFAULT_PACING,
  newLegacyDeployment,
  type ClusterState,
  type EcsContext,
  type EcsPacing,
  type EcsWorld,
  type RevisionState,
  type ServiceState,
} from './model.ts';
import { page } from './paging.ts';
import { TaskDefinitions, type TaskDefinitionRecord } from './task-definitions.ts';
import { type ContainerRuntime, StandaloneTasks } from './standalone-tasks.ts';
import { TaskFleet } from './tasks.ts';
import { SECOND, Timers } from './timers.ts';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

export interface EcsSetup {
  /** Region in ARNs; default us-east-1. */
  readonly region?: string;
  /** Account that owns every ECS resource; default 123456789012. */
  readonly accountId?: string;
  /** Emulated seconds things take; see EcsPacing. */
  readonly pacing?: Partial<EcsPacing>;
  /** What the essential container of a RunTask task does; by default it exits 0 at once. */
  readonly containerRuntime?: ContainerRuntime;
}

/** startEmulator's `ecs` option. */
export interface EcsOptions extends EcsSetup {
  /** Replaces the real ELBv2, CloudWatch or Logs as ECS sees them (e.g. testing-world.ts). */
  readonly world?: Partial<EcsWorld>;
}

export interface EcsDependencies {
  readonly clock: () => Date;
  readonly timeScale: TimeScale;
  /** Aborted when the emulator closes: every pending timer ends. */
  readonly signal: AbortSignal;
  readonly scenario: Scenario;
  readonly world: EcsWorld;
}

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const FINAL_STATUSES = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

export class Ecs implements Service<JsonObject> {
  readonly name = 'ecs';
  readonly signingName = 'ecs';
  readonly protocol = jsonProtocol({ targetPrefix: ECS_TARGET_PREFIX });
  readonly actions: ReadonlySet<string> = new Set([
    'CreateCluster',
    'DescribeClusters',
    'RegisterTaskDefinition',
    'DescribeTaskDefinition',
    'ListTaskDefinitions',
    'DeregisterTaskDefinition',
    'CreateService',
    'UpdateService',
    'DeleteService',
    'DescribeServices',
    'ListServiceDeployments',
    'DescribeServiceDeployments',
    'DescribeServiceRevisions',
    'ContinueServiceDeployment',
    'StopServiceDeployment',
    'ListTasks',
    'DescribeTasks',
    'RunTask',
    'StopTask',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set();
  readonly taskDefinitions: TaskDefinitions;

  readonly #ecs: EcsContext;
  readonly #fleet: TaskFleet;
  readonly #standalone: StandaloneTasks;
  readonly #clusters = new Map<string, ClusterState>();
  readonly #runs = new Map<string, ServiceDeploymentRun>();
  readonly #runsByService = new Map<string, ServiceDeploymentRun[]>();
  readonly #revisions = new Map<string, { service: ServiceState; revision: RevisionState }>();

  constructor(dependencies: EcsDependencies, setup: EcsSetup = {}) {
    const partition: Partition = {
      region: setup.region ?? 'us-east-1',
      account: setup.accountId ?? '123456789012',
    };
    this.#ecs = {
      partition,
      clock: dependencies.clock,
      timers: new Timers(dependencies.timeScale, dependencies.signal),
      world: dependencies.world,
      scenario: dependencies.scenario,
      pacing: { ...DEFAULT_PACING, ...setup.pacing },
    };
    this.taskDefinitions = new TaskDefinitions(partition, dependencies.clock);
    this.#fleet = new TaskFleet(this.#ecs);
    this.#standalone = new StandaloneTasks(this.#ecs, setup.containerRuntime);
  }

  async handle(call: ActionCall<JsonObject>): Promise<unknown> {
    const input = call.input;
    const caller = call.caller?.arn;
    switch (call.action) {
      case 'CreateCluster':
        return { cluster: this.createCluster(optionalString(input, 'clusterName') ?? 'default') };
      case 'DescribeClusters':
        return this.#describeClusters(input as DescribeClustersRequest);
      case 'RegisterTaskDefinition': {
        const record = this.taskDefinitions.register(
          input as unknown as RegisterTaskDefinitionRequest,
          caller,
        );
        return { taskDefinition: record.definition, tags: record.tags };
      }
      case 'DescribeTaskDefinition': {
        const request = input as unknown as DescribeTaskDefinitionRequest;
        const record = this.taskDefinitions.describe(requiredString(input, 'taskDefinition'));
        const tags = request.include?.includes('TAGS') ? { tags: record.tags } : {};
        return { taskDefinition: record.definition, ...tags };
      }
      case 'ListTaskDefinitions':
        return this.taskDefinitions.list(input as ListTaskDefinitionsRequest);
      case 'DeregisterTaskDefinition': {
        const request = input as unknown as DeregisterTaskDefinitionRequest;
        requiredString(input, 'taskDefinition');
        return {
          taskDefinition: this.taskDefinitions.deregister(request.taskDefinition ?? '').definition,
        };
      }
      case 'CreateService':
        return { service: this.createService(input as unknown as CreateServiceRequest, caller) };
      case 'UpdateService':
        return { service: this.#updateService(input as unknown as UpdateServiceRequest) };
      case 'DeleteService':
        return { service: this.#deleteService(input as unknown as DeleteServiceRequest) };
      case 'DescribeServices':
        return this.#describeServices(input as unknown as DescribeServicesRequest);
      case 'ListServiceDeployments':
        return this.#listServiceDeployments(input as unknown as ListServiceDeploymentsRequest);
      case 'DescribeServiceDeployments':
        return this.#describeServiceDeployments(
          input as unknown as DescribeServiceDeploymentsRequest,
        );
      case 'DescribeServiceRevisions':
        return this.#describeServiceRevisions(input as unknown as DescribeServiceRevisionsRequest);
      case 'ContinueServiceDeployment':
        return this.#continue(input as unknown as ContinueServiceDeploymentRequest);
      case 'StopServiceDeployment':
        return this.#stop(input as unknown as StopServiceDeploymentRequest);
      case 'ListTasks':
        return this.#listTasks(input as ListTasksRequest);
      case 'DescribeTasks':
        return this.#describeTasks(input as unknown as DescribeTasksRequest);
      case 'RunTask':
        return this.#runTask(input as unknown as RunTaskRequest);
      case 'StopTask':
        return this.#stopTask(input as unknown as StopTaskRequest);
      default:
        throw invalidParameter(`Unsupported action ${call.action}.`);
    }
  }

  // ---- helpers for tests -----------------------------------------------------------------------

  /** Creates (or returns) a cluster, as CreateCluster does. */
  createCluster(name: string, tags: readonly Tag[] = []): Cluster {
    if (!CLUSTER_NAME.test(name)) {
      throw invalidParameter(
        'Cluster name can have up to 255 letters, numbers, hyphens and underscores.',
      );
    }
    let cluster = this.#clusters.get(name);
    if (cluster === undefined) {
      cluster = {
        arn: clusterArn(this.#ecs.partition, name),
        name,
        tags: [...tags],
        services: new Map(),
      };
      this.#clusters.set(name, cluster);
    }
    return this.#describeCluster(cluster);
  }

  registerTaskDefinition(input: RegisterTaskDefinitionRequest): TaskDefinition {
    return this.taskDefinitions.register(input).definition;
  }

  /** CreateService: the service's first deployment runs on the emulator's timers. */
  createService(input: CreateServiceRequest, createdBy?: string): EcsServiceDescription {
    const { service } = this.#create(input, createdBy);
    this.#deploy(service);
    return this.#describeService(service, false);
  }

  /**
   * A service already in a steady state: its first deployment SUCCESSFUL, `desiredCount` tasks
   * RUNNING and registered, production traffic on `targetGroupArn`. For test setup.
   */
  seedService(input: CreateServiceRequest): EcsServiceDescription {
    const { service, record } = this.#create(input, undefined);
    const run = this.#newRun(service, record);
    run.completeAtOnce();
    return this.#describeService(service, false);
  }

  /** The current view of a service deployment, or undefined. */
  serviceDeployment(arn: string): ServiceDeployment | undefined {
    return this.#runs.get(arn)?.describe();
  }

  /** Resolves once the deployment has a final status (SUCCESSFUL, STOPPED, ROLLBACK_*). */
  async settled(arn: string): Promise<ServiceDeployment> {
    const run = this.#runs.get(arn);
    if (run === undefined) throw new Error(`no service deployment ${arn}`);
    await run.done;
    return run.describe();
  }

  /** The lifecycle stages a deployment has entered so far, in order (rollback stages included). */
  lifecycleStages(arn: string): string[] {
    return this.#runs.get(arn)?.stageHistory.map((s) => s.stage) ?? [];
  }

  /** Every task the emulator has started, as DescribeTasks shows them. */
  tasks(): Task[] {
    return this.#fleet.all().map((t) => this.#fleet.describe(t, false));
  }

  // ---- clusters --------------------------------------------------------------------------------

  #cluster(reference: string | undefined): ClusterState {
    const cluster = this.#clusters.get(nameOf(reference ?? 'default'));
    if (cluster === undefined) throw clusterNotFound();
    return cluster;
  }

  #describeCluster(cluster: ClusterState): Cluster {
    const services = [...cluster.services.values()];
    const tasks = this.#fleet.all().filter((t) => t.service.cluster === cluster);
    return {
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter(
        (t) => t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING',
      ).length,
      activeServicesCount: services.filter((s) => s.status === 'ACTIVE').length,
      statistics: [],
      tags: cluster.tags,
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    };
  }

  #describeClusters(input: DescribeClustersRequest) {
    const references = input.clusters ?? ['default'];
    const clusters: Cluster[] = [];
    const failures: Failure[] = [];
    for (const reference of references) {
      const cluster = this.#clusters.get(nameOf(reference));
      if (cluster === undefined) {
        failures.push({
          arn: clusterArn(this.#ecs.partition, nameOf(reference)),
          reason: 'MISSING',
        });
      } else clusters.push(this.#describeCluster(cluster));
    }
    return { clusters, failures };
  }

  // ---- services --------------------------------------------------------------------------------

  #service(cluster: ClusterState, reference: string | undefined): ServiceState {
    if (reference === undefined || reference === '') throw invalidParameter('service is required.');
    const service = cluster.services.get(nameOf(reference));
    if (service === undefined) throw serviceNotFound();
    return service;
  }

  #create(
    input: CreateServiceRequest,
    createdBy: string | undefined,
  ): { service: ServiceState; record: TaskDefinitionRecord } {
    const cluster = this.#cluster(input.cluster);
    const name = input.serviceName;
    if (typeof name !== 'string' || !SERVICE_NAME.test(name)) {
      throw invalidParameter(
        'Service name can have up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.',
      );
    }
    if (
      cluster.services.get(name)?.status === 'ACTIVE' ||
      cluster.services.get(name)?.status === 'DRAINING'
    ) {
      throw invalidParameter('Creation of service was not idempotent.');
    }
    if (input.deploymentController !== undefined && input.deploymentController.type !== 'ECS') {
      throw invalidParameter(
        `The emulator implements the ECS deployment controller only, not ${String(input.deploymentController.type)}.`,
      );
    }
    if (input.taskDefinition === undefined) {
      throw invalidParameter(
        'A task definition must be specified for the ECS deployment controller.',
      );
    }
    const record = this.#taskDefinition(input.taskDefinition);
    const desiredCount = input.desiredCount;
    if (desiredCount === undefined || !Number.isInteger(desiredCount) || desiredCount < 0) {
      throw invalidParameter('desiredCount is required for the REPLICA scheduling strategy.');
    }
    const configuration = withDefaults(input.deploymentConfiguration);
    validate(configuration);
    const loadBalancers = input.loadBalancers ?? [];
    this.#checkLoadBalancers(loadBalancers, configuration, record);
    this.#checkNetwork(input.networkConfiguration, record);

    const service: ServiceState = {
      arn: serviceArn(this.#ecs.partition, cluster.name, name),
      name,
      cluster,
      status: 'ACTIVE',
      desiredCount,
      taskDefinition: record.arn,
      loadBalancers: structuredClone(loadBalancers),
      deploymentConfiguration: configuration,
      deploymentController: { type: 'ECS' },
      networkConfiguration: input.networkConfiguration,
      launchType:
        input.launchType ?? (input.capacityProviderStrategy === undefined ? 'EC2' : undefined),
      platformVersion:
        input.platformVersion ?? (input.launchType === 'FARGATE' ? 'LATEST' : undefined),
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
      createdAt: this.#ecs.clock(),
      createdBy,
      tags: [...(input.tags ?? [])],
      propagateTags: input.propagateTags ?? 'NONE',
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      roleArn: input.role,
      events: [],
      revisions: [],
      stable: undefined,
    };
    cluster.services.set(name, service);
    this.#runsByService.set(service.arn, []);
    return { service, record };
  }

  #updateService(input: UpdateServiceRequest): EcsServiceDescription {
    const cluster = this.#cluster(input.cluster);
    const service = this.#service(cluster, input.service);
    if (service.status !== 'ACTIVE') throw serviceNotActive();
    if (input.deploymentController !== undefined && input.deploymentController.type !== 'ECS') {
      throw invalidParameter(
        `The emulator implements the ECS deployment controller only, not ${String(input.deploymentController.type)}.`,
      );
    }
    const configuration = merge(service.deploymentConfiguration, input.deploymentConfiguration);
    validate(configuration);
    let record = this.#taskDefinition(service.taskDefinition);
    let redeploy = input.forceNewDeployment === true;
    if (input.taskDefinition !== undefined) {
      record = this.#taskDefinition(input.taskDefinition);
      if (record.arn !== service.taskDefinition) redeploy = true;
    }
    const loadBalancers = input.loadBalancers ?? service.loadBalancers;
    if (JSON.stringify(loadBalancers) !== JSON.stringify(service.loadBalancers)) redeploy = true;
    const network = input.networkConfiguration ?? service.networkConfiguration;
    if (JSON.stringify(network) !== JSON.stringify(service.networkConfiguration)) redeploy = true;
    const platformVersion = input.platformVersion ?? service.platformVersion;
    if (platformVersion !== service.platformVersion) redeploy = true;
    const desiredCount = input.desiredCount ?? service.desiredCount;
    if (!Number.isInteger(desiredCount) || desiredCount < 0) {
      throw invalidParameter('desiredCount must be a non-negative integer.');
    }
    this.#checkLoadBalancers(loadBalancers, configuration, record);
    this.#checkNetwork(network, record);

    const scaled = desiredCount !== service.desiredCount;
    service.deploymentConfiguration = configuration;
    service.desiredCount = desiredCount;
    service.taskDefinition = record.arn;
    service.loadBalancers = structuredClone(loadBalancers);
    service.networkConfiguration = network;
    service.platformVersion = platformVersion;
    if (input.healthCheckGracePeriodSeconds !== undefined) {
      service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
    }
    if (input.enableExecuteCommand !== undefined) {
      service.enableExecuteCommand = input.enableExecuteCommand;
    }
    if (redeploy) this.#deploy(service);
    else if (scaled) this.#scaleStable(service);
    return this.#describeService(service, false);
  }

  #deleteService(input: DeleteServiceRequest): EcsServiceDescription {
    const cluster = this.#cluster(input.cluster);
    const service = this.#service(cluster, input.service);
    if (service.status !== 'ACTIVE') throw serviceNotActive();
    if (service.desiredCount > 0 && input.force !== true) {
      throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
    }
    this.#latest(service)?.supersede();
    service.status = 'DRAINING';
    service.desiredCount = 0;
    const live = service.revisions.flatMap((r) => this.#fleet.live(r));
    this.#fleet.stopAll(live, 'Service deletion');
    this.#ecs.timers.after(this.#ecs.pacing.stageSeconds * SECOND, () => {
      service.status = 'INACTIVE';
    });
    return this.#describeService(service, false);
  }

  #describeServices(input: DescribeServicesRequest) {
    const cluster = this.#cluster(input.cluster);
    const references = input.services ?? [];
    if (references.length === 0 || references.length > 10) {
      throw invalidParameter('services must name between 1 and 10 services.');
    }
    const includeTags = input.include?.includes('TAGS') ?? false;
    const services: EcsServiceDescription[] = [];
    const failures: Failure[] = [];
    for (const reference of references) {
      const service = cluster.services.get(nameOf(reference));
      if (service === undefined) {
        failures.push({
          arn: serviceArn(this.#ecs.partition, cluster.name, nameOf(reference)),
          reason: 'MISSING',
        });
      } else services.push(this.#describeService(service, includeTags));
    }
    return { services, failures };
  }

  #describeService(service: ServiceState, includeTags: boolean): EcsServiceDescription {
    const latest = this.#latest(service);
    const primary = this.#primaryRevision(service);
    const listed = service.revisions.filter((r) => r === primary || this.#fleet.live(r).length > 0);
    const deployments: Deployment[] = listed
      .map((revision) => {
        const { running, pending } = this.#fleet.counts(revision);
        const isPrimary = revision === primary;
        return {
          id: revision.legacy.id,
          status: isPrimary ? 'PRIMARY' : 'ACTIVE',
          taskDefinition: revision.definition.arn,
          desiredCount: isPrimary ? service.desiredCount : running + pending,
          pendingCount: pending,
          runningCount: running,
          failedTasks: revision.legacy.failedTasks,
          createdAt: revision.legacy.createdAt,
          updatedAt: revision.legacy.updatedAt,
          launchType: revision.launchType,
          platformVersion: revision.platformVersion,
          networkConfiguration: revision.networkConfiguration,
          rolloutState: revision.legacy.rolloutState,
          rolloutStateReason: revision.legacy.rolloutStateReason,
        };
      })
      .sort((a, b) => (a.status === 'PRIMARY' ? -1 : b.status === 'PRIMARY' ? 1 : 0));
    const counts = listed.map((r) => this.#fleet.counts(r));
    return {
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: service.cluster.arn,
      loadBalancers: service.loadBalancers,
      serviceRegistries: [],
      status: service.status,
      desiredCount: service.desiredCount,
      runningCount: counts.reduce((n, c) => n + c.running, 0),
      pendingCount: counts.reduce((n, c) => n + c.pending, 0),
      launchType: service.launchType,
      platformVersion: service.platformVersion,
      platformFamily: service.launchType === 'FARGATE' ? 'Linux' : undefined,
      taskDefinition: service.taskDefinition,
      deploymentConfiguration: service.deploymentConfiguration,
      deployments,
      roleArn: service.roleArn,
      events: service.events,
      createdAt: service.createdAt,
      currentServiceDeployment: latest?.arn,
      currentServiceRevisions: listed.map((revision, i) => ({
        arn: revision.arn,
        requestedTaskCount: revision === primary ? service.desiredCount : 0,
        runningTaskCount: counts[i]?.running ?? 0,
        pendingTaskCount: counts[i]?.pending ?? 0,
      })),
      placementConstraints: [],
      placementStrategy: [],
      networkConfiguration: service.networkConfiguration,
      healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
      schedulingStrategy: 'REPLICA',
      deploymentController: service.deploymentController,
      tags: includeTags ? service.tags : undefined,
      createdBy: service.createdBy,
      enableECSManagedTags: service.enableECSManagedTags,
      propagateTags: service.propagateTags,
      enableExecuteCommand: service.enableExecuteCommand,
      availabilityZoneRebalancing: 'ENABLED',
    };
  }

  /** The revision the service is converging on: the latest target, or the rollback's revision. */
  #primaryRevision(service: ServiceState): RevisionState | undefined {
    const latest = this.#latest(service);
    if (latest === undefined) return service.stable;
    if (latest.rollback !== undefined && latest.status !== 'ROLLBACK_FAILED') return service.stable;
    return latest.target;
  }

  #latest(service: ServiceState): ServiceDeploymentRun | undefined {
    return this.#runsByService.get(service.arn)?.at(-1);
  }

  #checkNetwork(
    network: CreateServiceRequest['networkConfiguration'],
    record: TaskDefinitionRecord,
  ) {
    if (record.definition.networkMode === 'awsvpc' && network?.awsvpcConfiguration === undefined) {
      throw invalidParameter(
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    }
  }

  #checkLoadBalancers(
    loadBalancers: readonly LoadBalancer[],
    configuration: DeploymentConfiguration,
    record: TaskDefinitionRecord,
  ): void {
    const lb = this.#ecs.world.loadBalancing;
    const blueGreen = shiftsTraffic(strategyOf(configuration));
    for (const balancer of loadBalancers) {
      const group = balancer.targetGroupArn;
      if (group === undefined) {
        throw invalidParameter(
          'The emulator supports target groups only: targetGroupArn is required.',
        );
      }
      if (!lb.targetGroupExists(group)) {
        throw invalidParameter(`The target group ${group} does not exist.`);
      }
      const container = (record.definition.containerDefinitions ?? []).find(
        (c) => c.name === balancer.containerName,
      );
      if (container === undefined) {
        throw invalidParameter(
          `The container ${String(balancer.containerName)} does not exist in the task definition.`,
        );
      }
      if (!(container.portMappings ?? []).some((m) => m.containerPort === balancer.containerPort)) {
        throw invalidParameter(
          `The container ${container.name} did not have a container port ${String(balancer.containerPort)} defined.`,
        );
      }
      const advanced = balancer.advancedConfiguration;
      if (advanced === undefined) {
        if (blueGreen) {
          throw invalidParameter(
            `advancedConfiguration (alternateTargetGroupArn, productionListenerRule) is required on load balancers for the ${String(configuration.strategy)} deployment strategy.`,
          );
        }
        continue;
      }
      const alternate = advanced.alternateTargetGroupArn;
      if (alternate === undefined || advanced.productionListenerRule === undefined) {
        throw invalidParameter(
          'advancedConfiguration requires alternateTargetGroupArn and productionListenerRule.',
        );
      }
      if (!lb.targetGroupExists(alternate)) {
        throw invalidParameter(`The target group ${alternate} does not exist.`);
      }
      for (const rule of [advanced.productionListenerRule, advanced.testListenerRule]) {
        if (rule === undefined) continue;
        const described = lb.describeRule(rule);
        if (described === undefined)
          throw invalidParameter(`The listener rule ${rule} does not exist.`);
        if (!described.forwardOnly) {
          throw invalidParameter(
            `The listener rule ${rule} mixes forward with other actions; only forward rules are supported.`,
          );
        }
      }
    }
  }

  #taskDefinition(reference: string): TaskDefinitionRecord {
    const record = this.taskDefinitions.resolve(reference);
    if (record === undefined) throw clientException('TaskDefinition not found.');
    if (record.definition.status !== 'ACTIVE') throw clientException('TaskDefinition is inactive');
    return record;
  }

  // ---- deployments -----------------------------------------------------------------------------

  #newRun(service: ServiceState, record: TaskDefinitionRecord): ServiceDeploymentRun {
    const { partition, clock } = this.#ecs;
    const at = clock();
    const revision: RevisionState = {
      arn: serviceRevisionArn(partition, service.cluster.name, service.name),
      definition: record,
      createdAt: at,
      loadBalancers: structuredClone(service.loadBalancers),
      networkConfiguration: service.networkConfiguration,
      launchType: service.launchType,
      platformVersion: service.platformVersion,
      containerImages: (record.definition.containerDefinitions ?? []).map((c) => ({
        containerName: c.name,
        image: c.image,
        imageDigest: `sha256:${createHash('sha256')
          .update(c.image ?? '')
          .digest('hex')}`,
      })),
      targetGroups: [],
      legacy: newLegacyDeployment(at),
    };
    service.revisions.push(revision);
    this.#revisions.set(revision.arn, { service, revision });
    const run = new ServiceDeploymentRun({
      ecs: this.#ecs,
      fleet: this.#fleet,
      arn: serviceDeploymentArn(partition, service.cluster.name, service.name),
      service,
      target: revision,
    });
    this.#runs.set(run.arn, run);
    this.#runsByService.get(service.arn)?.push(run);
    return run;
  }

  #deploy(service: ServiceState): ServiceDeploymentRun {
    const previous = this.#latest(service);
    const run = this.#newRun(service, this.#taskDefinition(service.taskDefinition));
    previous?.supersede();
    run.begin(previous?.done ?? Promise.resolve());
    return run;
  }

  /** desiredCount changed outside a deployment: the stable revision scales. */
  #scaleStable(service: ServiceState): void {
    const latest = this.#latest(service);
    const stable = service.stable;
    if (stable === undefined || (latest !== undefined && !latest.terminal)) return;
    const live = this.#fleet.live(stable);
    if (live.length < service.desiredCount) {
      this.#fleet.launch(service, stable, service.desiredCount - live.length);
    } else if (live.length > service.desiredCount) {
      this.#fleet.stopAll(
        live.slice(service.desiredCount),
        `Scaling activity initiated by (deployment ${stable.legacy.id})`,
      );
    }
  }

  #run(arn: string | undefined): ServiceDeploymentRun {
    const run = arn === undefined ? undefined : this.#runs.get(arn);
    if (run === undefined) throw serviceDeploymentNotFound();
    return run;
  }

  #listServiceDeployments(input: ListServiceDeploymentsRequest) {
    const cluster = this.#cluster(input.cluster);
    const service = this.#service(cluster, input.service);
    const after = toDate(input.createdAt?.after);
    const before = toDate(input.createdAt?.before);
    const runs = [...(this.#runsByService.get(service.arn) ?? [])]
      .reverse()
      .filter((r) => input.status === undefined || input.status.includes(r.status))
      .filter((r) => after === undefined || r.createdAt >= after)
      .filter((r) => before === undefined || r.createdAt <= before);
    const { items, nextToken } = page(runs, input.maxResults, input.nextToken);
    return {
      serviceDeployments: items.map((r) => r.brief()),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  #describeServiceDeployments(input: DescribeServiceDeploymentsRequest) {
    const arns = input.serviceDeploymentArns ?? [];
    if (arns.length === 0 || arns.length > 20) {
      throw invalidParameter('serviceDeploymentArns must contain between 1 and 20 ARNs.');
    }
    const serviceDeployments: ServiceDeployment[] = [];
    const failures: Failure[] = [];
    for (const arn of arns) {
      const run = this.#runs.get(arn);
      if (run === undefined) failures.push({ arn, reason: 'MISSING' });
      else serviceDeployments.push(run.describe());
    }
    return { serviceDeployments, failures };
  }

  #describeServiceRevisions(input: DescribeServiceRevisionsRequest) {
    const arns = input.serviceRevisionArns ?? [];
    if (arns.length === 0 || arns.length > 20) {
      throw invalidParameter('serviceRevisionArns must contain between 1 and 20 ARNs.');
    }
    const serviceRevisions: ServiceRevision[] = [];
    const failures: Failure[] = [];
    for (const arn of arns) {
      const found = this.#revisions.get(arn);
      if (found === undefined) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const { service, revision } = found;
      const resolved = revision.loadBalancers.flatMap((lb, i) => {
        const group = revision.targetGroups[i];
        return group === undefined
          ? []
          : [
              {
                targetGroupArn: group,
                productionListenerRule: lb.advancedConfiguration?.productionListenerRule,
              },
            ];
      });
      serviceRevisions.push({
        serviceRevisionArn: revision.arn,
        serviceArn: service.arn,
        clusterArn: service.cluster.arn,
        taskDefinition: revision.definition.arn,
        launchType: revision.launchType,
        platformVersion: revision.launchType === 'FARGATE' ? '1.4.0' : revision.platformVersion,
        platformFamily: revision.launchType === 'FARGATE' ? 'DockerLinux' : undefined,
        loadBalancers: [...revision.loadBalancers],
        serviceRegistries: [],
        networkConfiguration: revision.networkConfiguration,
        containerImages: [...revision.containerImages],
        guardDutyEnabled: false,
        createdAt: revision.createdAt,
        ...(resolved.length === 0 ? {} : { resolvedConfiguration: { loadBalancers: resolved } }),
      });
    }
    return { serviceRevisions, failures };
  }

  #continue(input: ContinueServiceDeploymentRequest) {
    requiredString(input as unknown as JsonObject, 'serviceDeploymentArn');
    const hookId = requiredString(input as unknown as JsonObject, 'hookId');
    const run = this.#run(input.serviceDeploymentArn);
    const action = input.action ?? 'CONTINUE';
    if (action !== 'CONTINUE' && action !== 'ROLLBACK') {
      throw invalidParameter(`Invalid action ${String(action)}: use CONTINUE or ROLLBACK.`);
    }
    if (run.status !== 'IN_PROGRESS') {
      throw invalidParameter(
        `The service deployment is ${run.status}. Only IN_PROGRESS service deployments can be continued.`,
      );
    }
    const hook = run.hook(hookId);
    if (hook === undefined) {
      throw invalidParameter(
        `The lifecycle hook ${hookId} does not belong to this service deployment.`,
      );
    }
    if (hook.status !== 'AWAITING_ACTION') {
      throw invalidParameter(
        `The lifecycle hook ${hookId} is ${hook.status}. Only hooks in AWAITING_ACTION can be continued.`,
      );
    }
    hook.decide(action, false);
    return { serviceDeploymentArn: run.arn };
  }

  #stop(input: StopServiceDeploymentRequest) {
    requiredString(input as unknown as JsonObject, 'serviceDeploymentArn');
    const run = this.#run(input.serviceDeploymentArn);
    const stopType = input.stopType ?? 'ROLLBACK';
    if (stopType === 'ABORT') {
      throw invalidParameter('The ABORT stop type is not supported. The valid value is ROLLBACK.');
    }
    if (stopType !== 'ROLLBACK') throw invalidParameter(`Invalid stopType ${String(stopType)}.`);
    if (FINAL_STATUSES.includes(run.status)) {
      throw conflict(`The service deployment is ${run.status} and can no longer be stopped.`);
    }
    if (!run.requestRollback()) {
      throw conflict('The service deployment is cleaning up and can no longer be rolled back.');
    }
    return { serviceDeploymentArn: run.arn };
  }

  // ---- tasks -----------------------------------------------------------------------------------

  #listTasks(input: ListTasksRequest) {
    const cluster = this.#cluster(input.cluster);
    const service =
      input.serviceName === undefined ? undefined : this.#service(cluster, input.serviceName);
    const desired = input.desiredStatus ?? 'RUNNING';
    const arns = this.#fleet
      .all()
      .filter((t) => t.service.cluster === cluster)
      .filter((t) => service === undefined || t.service === service)
      .filter((t) => input.family === undefined || t.revision.definition.family === input.family)
      .filter((t) => input.startedBy === undefined || t.revision.legacy.id === input.startedBy)
      .filter((t) => input.launchType === undefined || t.revision.launchType === input.launchType)
      .filter((t) => t.desiredStatus === desired)
      .map((t) => t.arn);
    const { items, nextToken } = page(arns, input.maxResults, input.nextToken);
    return { taskArns: items, ...(nextToken === undefined ? {} : { nextToken }) };
  }

  #runTask(input: RunTaskRequest) {
    const cluster = this.#cluster(input.cluster);
    if (!input.taskDefinition) throw invalidParameter('taskDefinition can not be blank.');
    const definition = this.taskDefinitions.describe(input.taskDefinition);
    return { tasks: this.#standalone.run(cluster, definition, input), failures: [] };
  }

  #stopTask(input: StopTaskRequest) {
    const cluster = this.#cluster(input.cluster);
    const reference = input.task ?? '';
    const arn = reference.startsWith('arn:')
      ? reference
      : taskArn(this.#ecs.partition, cluster.name, reference);
    const task = this.#standalone.get(arn);
    if (task === undefined || task.cluster !== cluster) {
      throw invalidParameter('The referenced task was not found.');
    }
    return { task: this.#standalone.stop(task, input.reason ?? 'Task stopped by user') };
  }

  #describeTasks(input: DescribeTasksRequest) {
    const cluster = this.#cluster(input.cluster);
    const references = input.tasks ?? [];
    if (references.length === 0 || references.length > 100) {
      throw invalidParameter('tasks must name between 1 and 100 tasks.');
    }
    const includeTags = input.include?.includes('TAGS') ?? false;
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const reference of references) {
      const arn = reference.startsWith('arn:')
        ? reference
        : taskArn(this.#ecs.partition, cluster.name, reference);
      const task = this.#fleet.get(arn);
      const standalone = this.#standalone.get(arn);
      if (standalone?.cluster === cluster) tasks.push(this.#standalone.describe(standalone));
      else if (task === undefined || task.service.cluster !== cluster) {
        failures.push({ arn, reason: 'MISSING' });
      } else tasks.push(this.#fleet.describe(task, includeTags));
    }
    return { tasks, failures };
  }
}

function requiredString(input: JsonObject, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') throw invalidParameter(`${member} is required.`);
  return value;
}

function optionalString(input: JsonObject, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${member} must be a string.`);
  return value;
}

/** JSON timestamps arrive as epoch seconds. */
function toDate(value: unknown): Date | undefined {
  if (typeof value === 'number') return new Date(value * 1000);
  if (value instanceof Date) return value;
  return undefined;
}
