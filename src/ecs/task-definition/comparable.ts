// The form in which a rendered request and a registered revision are compared. ECS echoes a
// definition back with defaults filled in, lists emptied rather than left out, and units
// converted; both sides are brought to one form by rules that hold by the API's documented
// defaults. Anything not covered here is compared as it is: when unsure, register.
import type { RegisterTaskDefinitionCommandInput, TaskDefinition, Tag } from '@aws-sdk/client-ecs';
import { READ_ONLY_FIELDS } from './read-only-fields.ts';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** Container booleans whose documented default is false. */
const FALSE_BY_DEFAULT = [
  'disableNetworking',
  'privileged',
  'readonlyRootFilesystem',
  'interactive',
  'pseudoTerminal',
];

/** healthCheck fields ECS fills in when a definition leaves them out. */
const HEALTH_CHECK_DEFAULTS: Readonly<Record<string, number>> = {
  interval: 30,
  timeout: 5,
  retries: 3,
};

export function comparableInput(input: RegisterTaskDefinitionCommandInput): JsonObject {
  return comparable(input, input.tags ?? []);
}

export function comparableRevision(
  taskDefinition: TaskDefinition,
  tags: readonly Tag[],
): JsonObject {
  return comparable(taskDefinition, tags);
}

function comparable(definition: object, tags: readonly Tag[]): JsonObject {
  const def = pruned(JSON.parse(JSON.stringify({ ...definition, tags })) as Json) as JsonObject;
  for (const key of READ_ONLY_FIELDS) delete def[key];

  // "1 vCPU" and "2 GB" are stored as CPU units and MiB: "1024", "2048".
  if (def.cpu !== undefined) def.cpu = units(def.cpu, /^(\d+(?:\.\d+)?)\s*vcpu$/i);
  if (def.memory !== undefined) def.memory = units(def.memory, /^(\d+(?:\.\d+)?)\s*gb$/i);
  if (def.enableFaultInjection === false) delete def.enableFaultInjection;
  if (Array.isArray(def.requiresCompatibilities)) def.requiresCompatibilities.sort();
  if (Array.isArray(def.tags)) {
    // aws: tags belong to AWS (CloudFormation, Service Catalog), never to the request.
    def.tags = sortedBy(
      def.tags.filter((tag) => !String(field(tag, 'key')).startsWith('aws:')),
      'key',
    );
    if (def.tags.length === 0) delete def.tags;
  }
  for (const volume of objects(def.volumes)) {
    dropEmptyObject(volume, 'host');
    const docker = volume.dockerVolumeConfiguration;
    if (isObject(docker)) {
      dropEmptyObject(docker, 'driverOpts');
      dropEmptyObject(docker, 'labels');
    }
  }
  const networkMode = typeof def.networkMode === 'string' ? def.networkMode : undefined;
  if (Array.isArray(def.containerDefinitions)) {
    for (const container of objects(def.containerDefinitions))
      comparableContainer(container, networkMode);
    def.containerDefinitions = sortedBy(def.containerDefinitions, 'name');
  }
  return def;
}

function comparableContainer(container: JsonObject, networkMode: string | undefined): void {
  if (container.essential === true) delete container.essential;
  if (container.cpu === 0) delete container.cpu;
  for (const key of FALSE_BY_DEFAULT) if (container[key] === false) delete container[key];
  if (container.versionConsistency === 'enabled') delete container.versionConsistency;

  for (const mapping of objects(container.portMappings)) {
    if (mapping.protocol === 'tcp') delete mapping.protocol;
    if (mapping.hostPort === 0) delete mapping.hostPort;
    // Under awsvpc and host networking the host port is the container port.
    if (
      (networkMode === 'awsvpc' || networkMode === 'host') &&
      mapping.hostPort === mapping.containerPort
    ) {
      delete mapping.hostPort;
    }
  }
  // Variables and secrets are sets of names: ECS may echo them in another order.
  if (Array.isArray(container.environment))
    container.environment = sortedBy(container.environment, 'name');
  if (Array.isArray(container.secrets)) container.secrets = sortedBy(container.secrets, 'name');
  for (const mount of [...objects(container.mountPoints), ...objects(container.volumesFrom)]) {
    if (mount.readOnly === false) delete mount.readOnly;
  }
  const healthCheck = container.healthCheck;
  if (isObject(healthCheck)) {
    for (const [key, value] of Object.entries(HEALTH_CHECK_DEFAULTS)) {
      if (healthCheck[key] === value) delete healthCheck[key];
    }
  }
  const linux = container.linuxParameters;
  if (isObject(linux)) {
    if (linux.initProcessEnabled === false) delete linux.initProcessEnabled;
    dropEmptyObject(linux, 'capabilities');
  }
  dropEmptyObject(container, 'linuxParameters');
  dropEmptyObject(container, 'dockerLabels');
  for (const key of ['logConfiguration', 'firelensConfiguration']) {
    const configuration = container[key];
    if (isObject(configuration)) dropEmptyObject(configuration, 'options');
  }
}

/** A copy without nulls and empty lists: ECS echoes `[]` for every list a definition leaves out. */
function pruned(value: Json): Json | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(pruned).filter((item): item is Json => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [key, pruned(item)] as const)
        .filter(([, item]) => item !== undefined),
    ) as JsonObject;
  }
  return value;
}

function units(value: Json, unit: RegExp): Json {
  const text = String(value).trim();
  const match = unit.exec(text);
  if (match) return String(Math.round(Number(match[1]) * 1024));
  return /^\d+$/.test(text) ? text : value;
}

function dropEmptyObject(parent: JsonObject, key: string): void {
  const value = parent[key];
  if (isObject(value) && Object.keys(value).length === 0) delete parent[key];
}

function sortedBy(items: Json[], key: string): Json[] {
  return [...items].sort((a, b) => {
    const byKey = compare(String(field(a, key) ?? ''), String(field(b, key) ?? ''));
    return byKey !== 0 ? byKey : compare(canonicalJson(a), canonicalJson(b));
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function field(value: Json, key: string): Json | undefined {
  return isObject(value) ? value[key] : undefined;
}

function objects(value: Json | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

export function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON with object keys sorted: equal strings for equal values. */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
