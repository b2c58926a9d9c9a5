// Task definition families and revisions: RegisterTaskDefinition echoes the definition with the
// defaults ECS fills in, DescribeTaskDefinition resolves family, family:revision or ARN.
import type {
  Attribute,
  Compatibility,
  ContainerDefinition,
  ListTaskDefinitionsRequest,
  PortMapping,
  RegisterTaskDefinitionRequest,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { clientException, invalidParameter } from './errors.ts';
import { taskDefinitionArn, type Partition } from './ids.ts';
import { page } from './paging.ts';

export interface TaskDefinitionRecord {
  readonly definition: TaskDefinition;
  readonly tags: readonly Tag[];
  readonly family: string;
  readonly revision: number;
  readonly arn: string;
}

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;
const ARN = /^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:task-definition\/([^:]+):(\d+)$/;

export class TaskDefinitions {
  readonly #partition: Partition;
  readonly #clock: () => Date;
  /** family → revisions, index = revision - 1 */
  readonly #families = new Map<string, TaskDefinitionRecord[]>();

  constructor(partition: Partition, clock: () => Date) {
    this.#partition = partition;
    this.#clock = clock;
  }

  register(input: RegisterTaskDefinitionRequest, registeredBy?: string): TaskDefinitionRecord {
    const family = input.family;
    if (typeof family !== 'string' || !FAMILY.test(family)) {
      throw clientException(
        'Family contains invalid characters or is empty: up to 255 letters, numbers, hyphens and underscores are allowed.',
      );
    }
    const containers = input.containerDefinitions ?? [];
    if (containers.length === 0) throw clientException('Container list cannot be empty.');
    const fargate = input.requiresCompatibilities?.includes('FARGATE') ?? false;
    const networkMode = input.networkMode ?? (fargate ? undefined : 'bridge');
    if (fargate) checkFargate(input);
    const names = new Set<string>();
    for (const container of containers) {
      if (!container.name) throw clientException('Container.name should not be null or empty.');
      if (!container.image) throw clientException('Container.image should not be null or empty.');
      if (names.has(container.name)) {
        throw clientException(`Duplicate container name found: ${container.name}.`);
      }
      names.add(container.name);
    }

    const revisions = this.#families.get(family) ?? [];
    const revision = revisions.length + 1;
    const arn = taskDefinitionArn(this.#partition, family, revision);
    const definition: TaskDefinition = {
      taskDefinitionArn: arn,
      containerDefinitions: containers.map((c) => withContainerDefaults(c, networkMode)),
      family,
      taskRoleArn: input.taskRoleArn,
      executionRoleArn: input.executionRoleArn,
      networkMode: networkMode ?? 'awsvpc',
      revision,
      volumes: input.volumes ?? [],
      status: 'ACTIVE',
      requiresAttributes: requiredAttributes(input),
      placementConstraints: input.placementConstraints ?? [],
      compatibilities: compatibilities(input),
      runtimePlatform: input.runtimePlatform,
      requiresCompatibilities: input.requiresCompatibilities,
      cpu: input.cpu,
      memory: input.memory,
      pidMode: input.pidMode,
      ipcMode: input.ipcMode,
      proxyConfiguration: input.proxyConfiguration,
      registeredAt: this.#clock(),
      registeredBy,
      ephemeralStorage: input.ephemeralStorage,
      enableFaultInjection: input.enableFaultInjection,
    };
    const record = { definition, tags: input.tags ?? [], family, revision, arn };
    revisions.push(record);
    this.#families.set(family, revisions);
    return record;
  }

  /** family (latest ACTIVE revision), family:revision or ARN; undefined when there is none. */
  resolve(reference: string): TaskDefinitionRecord | undefined {
    const parsed = parseReference(reference);
    if (parsed === undefined) return undefined;
    const revisions = this.#families.get(parsed.family) ?? [];
    if (parsed.revision === undefined) {
      return revisions.findLast((r) => r.definition.status === 'ACTIVE');
    }
    return revisions[parsed.revision - 1];
  }

  byArn(arn: string): TaskDefinitionRecord | undefined {
    return this.resolve(arn);
  }

  describe(reference: string): TaskDefinitionRecord {
    const record = this.resolve(reference);
    if (record === undefined) throw clientException('Unable to describe task definition.');
    return record;
  }

  deregister(reference: string): TaskDefinitionRecord {
    const parsed = parseReference(reference);
    if (parsed?.revision === undefined) throw clientException('Revision is missing.');
    const record = this.resolve(reference);
    if (record === undefined)
      throw clientException('The specified task definition does not exist.');
    if (record.definition.status === 'ACTIVE') {
      const inactive: TaskDefinitionRecord = {
        ...record,
        definition: { ...record.definition, status: 'INACTIVE', deregisteredAt: this.#clock() },
      };
      const revisions = this.#families.get(record.family) ?? [];
      revisions[record.revision - 1] = inactive;
      return inactive;
    }
    return record;
  }

  list(input: ListTaskDefinitionsRequest): { taskDefinitionArns: string[]; nextToken?: string } {
    const status = input.status ?? 'ACTIVE';
    if (status !== 'ACTIVE' && status !== 'INACTIVE' && status !== 'DELETE_IN_PROGRESS') {
      throw invalidParameter(`Invalid status: ${String(status)}`);
    }
    const families = [...this.#families.keys()]
      .filter((f) => input.familyPrefix === undefined || f === input.familyPrefix)
      .sort();
    const all = families.flatMap((f) =>
      (this.#families.get(f) ?? []).filter((r) => r.definition.status === status).map((r) => r.arn),
    );
    if (input.sort === 'DESC') all.reverse();
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return { taskDefinitionArns: items, ...(nextToken === undefined ? {} : { nextToken }) };
  }
}

function parseReference(reference: string): { family: string; revision?: number } | undefined {
  const arn = ARN.exec(reference);
  if (arn?.[1] !== undefined && arn[2] !== undefined) {
    return { family: arn[1], revision: Number(arn[2]) };
  }
  if (reference.startsWith('arn:')) return undefined;
  const [family, revision, ...rest] = reference.split(':');
  if (family === undefined || rest.length > 0) return undefined;
  if (revision === undefined) return { family };
  if (!/^\d+$/.test(revision) || Number(revision) < 1) return undefined;
  return { family, revision: Number(revision) };
}

function checkFargate(input: RegisterTaskDefinitionRequest): void {
  if (input.networkMode !== undefined && input.networkMode !== 'awsvpc') {
    throw clientException('Fargate only supports network mode ‘awsvpc’.');
  }
  if (input.cpu === undefined) {
    throw clientException("Fargate requires that 'cpu' be defined at the task level.");
  }
  if (input.memory === undefined) {
    throw clientException("Fargate requires that 'memory' be defined at the task level.");
  }
  const awslogs = (input.containerDefinitions ?? []).some(
    (c) => c.logConfiguration?.logDriver === 'awslogs',
  );
  if (awslogs && input.executionRoleArn === undefined) {
    throw clientException(
      'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
    );
  }
}

function withContainerDefaults(
  container: ContainerDefinition,
  networkMode: string | undefined,
): ContainerDefinition {
  const hostPortMirrors =
    networkMode === undefined || networkMode === 'awsvpc' || networkMode === 'host';
  const portMappings = (container.portMappings ?? []).map((m): PortMapping => ({
    ...m,
    ...(m.hostPort === undefined && hostPortMirrors && m.containerPort !== undefined
      ? { hostPort: m.containerPort }
      : {}),
    protocol: m.protocol ?? 'tcp',
  }));
  return {
    ...container,
    cpu: container.cpu ?? 0,
    portMappings,
    essential: container.essential ?? true,
    environment: container.environment ?? [],
    mountPoints: container.mountPoints ?? [],
    volumesFrom: container.volumesFrom ?? [],
    systemControls: container.systemControls ?? [],
  };
}

function compatibilities(input: RegisterTaskDefinitionRequest): Compatibility[] {
  const result: Compatibility[] = ['EC2'];
  const fargateShaped =
    (input.networkMode ?? 'awsvpc') === 'awsvpc' &&
    input.cpu !== undefined &&
    input.memory !== undefined;
  if (fargateShaped) result.push('FARGATE');
  return result;
}

/** The container-instance capabilities a definition needs, as ECS derives a few of them. */
function requiredAttributes(input: RegisterTaskDefinitionRequest): Attribute[] {
  const names = new Set<string>();
  const containers = input.containerDefinitions ?? [];
  const executionRole = input.executionRoleArn !== undefined;
  if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
    names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.19');
    if (executionRole) names.add('ecs.capability.execution-role-awslogs');
  }
  if (input.taskRoleArn !== undefined) names.add('com.amazonaws.ecs.capability.task-iam-role');
  if ((input.networkMode ?? 'awsvpc') === 'awsvpc' && input.requiresCompatibilities?.length) {
    names.add('ecs.capability.task-eni');
  }
  if (containers.some((c) => c.healthCheck !== undefined)) {
    names.add('ecs.capability.container-health-check');
  }
  if (executionRole && containers.some((c) => /\.dkr\.ecr\./.test(c.image ?? ''))) {
    names.add('com.amazonaws.ecs.capability.ecr-auth');
    names.add('ecs.capability.execution-role-ecr-pull');
  }
  const secrets = containers.flatMap((c) => c.secrets ?? []);
  if (secrets.some((s) => s.valueFrom?.includes(':secretsmanager:'))) {
    names.add('ecs.capability.secrets.asm.environment-variables');
  }
  if (secrets.some((s) => !s.valueFrom?.includes(':secretsmanager:'))) {
    names.add('ecs.capability.secrets.ssm.environment-variables');
  }
  return [...names].map((name) => ({ name }));
}
