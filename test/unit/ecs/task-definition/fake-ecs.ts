// A fake TaskDefinitionPort that stores revisions and echoes them back the way ECS does: defaults
// filled in, empty lists for what was left out, units converted, variables in another order,
// read-only fields added.
import { readFileSync } from 'node:fs';
import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import type {
  RegisteredTaskDefinition,
  TaskDefinitionPort,
} from '../../../../src/ecs/task-definition/ports.ts';

export const ACCOUNT = '111122223333';

export function fixture(name: string): string {
  return readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
}

export function echoAsEcs(
  input: RegisterTaskDefinitionCommandInput,
  revision: number,
): TaskDefinition {
  const definition = structuredClone(input);
  delete definition.tags;
  const awsvpc = definition.networkMode === 'awsvpc';
  const containers = (definition.containerDefinitions ?? []).map(
    (container): ContainerDefinition => ({
      ...container,
      cpu: container.cpu ?? 0,
      essential: container.essential ?? true,
      portMappings: (container.portMappings ?? []).map((mapping) => ({
        ...mapping,
        protocol: mapping.protocol ?? 'tcp',
        ...(awsvpc ? { hostPort: mapping.hostPort ?? mapping.containerPort } : {}),
      })),
      environment: [...(container.environment ?? [])].reverse(),
      mountPoints: container.mountPoints ?? [],
      volumesFrom: container.volumesFrom ?? [],
      systemControls: container.systemControls ?? [],
      ...(container.healthCheck
        ? { healthCheck: { interval: 30, timeout: 5, retries: 3, ...container.healthCheck } }
        : {}),
      ...(container.logConfiguration
        ? { logConfiguration: { secretOptions: [], ...container.logConfiguration } }
        : {}),
    }),
  );
  const units = (value: string | undefined) =>
    value?.replace(/^(\d+(?:\.\d+)?)\s*(?:vcpu|gb)$/i, (_, n: string) => String(Number(n) * 1024));
  return {
    ...definition,
    containerDefinitions: containers,
    ...(definition.cpu ? { cpu: units(definition.cpu) } : {}),
    ...(definition.memory ? { memory: units(definition.memory) } : {}),
    volumes: definition.volumes ?? [],
    placementConstraints: definition.placementConstraints ?? [],
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${definition.family}:${revision}`,
    revision,
    status: 'ACTIVE',
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
    registeredAt: new Date('2026-03-02T10:15:42Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`,
    enableFaultInjection: false,
  };
}

export interface FakeEcs {
  port: TaskDefinitionPort;
  registered: RegisterTaskDefinitionCommandInput[];
  revisions: Map<string, RegisteredTaskDefinition[]>;
  /** Stores a revision as if registered earlier, without counting it as registered now. */
  seed(input: RegisterTaskDefinitionCommandInput): RegisteredTaskDefinition;
  services: Map<string, RegisteredTaskDefinition>;
}

export function fakeEcs(): FakeEcs {
  const revisions = new Map<string, RegisteredTaskDefinition[]>();
  const registered: RegisterTaskDefinitionCommandInput[] = [];
  const services = new Map<string, RegisteredTaskDefinition>();
  const store = (input: RegisterTaskDefinitionCommandInput) => {
    const family = input.family ?? '';
    const list = revisions.get(family) ?? [];
    const revision: RegisteredTaskDefinition = {
      taskDefinition: echoAsEcs(input, list.length + 1),
      tags: structuredClone(input.tags ?? []).reverse(),
    };
    revisions.set(family, [...list, revision]);
    return revision;
  };
  const port: TaskDefinitionPort = {
    async latest(family) {
      return revisions.get(family)?.at(-1);
    },
    async register(input) {
      registered.push(structuredClone(input));
      return store(input);
    },
    async serviceTaskDefinition(cluster, service) {
      const current = services.get(`${cluster}/${service}`);
      if (!current) throw new Error(`no service ${cluster}/${service}`);
      return current;
    },
  };
  return { port, registered, revisions, seed: store, services };
}

/** Freezes a value and everything in it: a test fails if the code under test writes to it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
