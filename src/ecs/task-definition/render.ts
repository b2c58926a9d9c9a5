// Applies the overrides to a task definition and returns the RegisterTaskDefinition request. Pure:
// the source is never changed, and every field the overrides do not name, known to the SDK or
// not, reaches the request as it was.
import type {
  ContainerDefinition,
  KeyValuePair,
  LogConfiguration,
  RegisterTaskDefinitionCommandInput,
  Secret,
} from '@aws-sdk/client-ecs';
import { UserError } from '../../lib/errors.ts';
import type { LogOptionOverride, TaskDefinitionOverrides, TaskDefinitionSource } from './types.ts';

export function render(
  source: TaskDefinitionSource,
  overrides: TaskDefinitionOverrides,
): RegisterTaskDefinitionCommandInput {
  const definition = structuredClone(source.definition);
  const containers = definition.containerDefinitions ?? [];
  const names = containers.map((container) => container.name ?? '');
  const scope = { origin: source.origin, names };

  const images = byContainer(scope, 'An image', overrides.images ?? [], 'only');
  const commands = byContainer(scope, 'A command', overrides.command ?? [], 'only');
  const environment = byContainer(
    scope,
    'An environment variable',
    overrides.environment ?? [],
    'all',
  );
  const secrets = byContainer(scope, 'A secret', overrides.secrets ?? [], 'all');
  const logOptions = byContainer(scope, 'An awslogs option', overrides.logOptions ?? [], 'all');
  checkLogTargets(overrides.logOptions ?? [], containers);

  const containerDefinitions = containers.map((container): ContainerDefinition => {
    const name = container.name ?? '';
    const next: ContainerDefinition = { ...container };
    const image = images.get(name)?.at(-1);
    if (image) next.image = image.image;
    const command = commands.get(name)?.at(-1);
    if (command) next.command = [...command.command];
    const variables = environment.get(name);
    if (variables) {
      next.environment = mergeByName(
        container.environment ?? [],
        variables.map(({ name: key, value }) => [key, value]),
        (key, value): KeyValuePair => ({ name: key, value }),
        (entry, value) => ({ ...entry, value }),
      );
    }
    const refs = secrets.get(name);
    if (refs) {
      next.secrets = mergeByName(
        container.secrets ?? [],
        refs.map(({ name: key, valueFrom }) => [key, valueFrom]),
        (key, valueFrom): Secret => ({ name: key, valueFrom }),
        (entry, valueFrom) => ({ ...entry, valueFrom }),
      );
    }
    const options = logOptions.get(name);
    if (options && isAwslogsTarget(container)) {
      next.logConfiguration = withAwslogsOptions(name, container.logConfiguration, options);
    }
    return next;
  });

  return {
    ...definition,
    containerDefinitions,
    ...(overrides.taskRoleArn ? { taskRoleArn: overrides.taskRoleArn } : {}),
    ...(overrides.executionRoleArn ? { executionRoleArn: overrides.executionRoleArn } : {}),
    ...(source.tags.length > 0 ? { tags: structuredClone(source.tags) } : {}),
  };
}

/**
 * Overrides per container name, in the order given. One without a container goes to the only
 * container (`only`) or to every container ahead of the ones naming it (`all`), so that
 * `container:NAME=…` wins over `NAME=…` whatever the line order.
 */
function byContainer<T extends { container?: string }>(
  source: { origin: string; names: readonly string[] },
  what: string,
  overrides: readonly T[],
  unnamed: 'only' | 'all',
): Map<string, T[]> {
  const { origin, names } = source;
  const result = new Map<string, T[]>();
  const add = (name: string, override: T) =>
    result.set(name, [...(result.get(name) ?? []), override]);
  for (const override of overrides) {
    if (override.container !== undefined) continue;
    if (unnamed === 'only' && names.length !== 1) {
      throw new UserError(
        `${what} without a container name needs a definition with one container, but ${origin} has ${names.length} (${names.join(', ')}): name the container.`,
      );
    }
    for (const name of names) add(name, override);
  }
  for (const override of overrides) {
    if (override.container === undefined) continue;
    if (!names.includes(override.container)) {
      throw new UserError(
        `${what} names container '${override.container}', which ${origin} does not have: its containers are ${names.join(', ')}.`,
      );
    }
    add(override.container, override);
  }
  return result;
}

/**
 * Merges by name: an entry whose name is updated gets the new value in its place, updates for new
 * names are appended in the order given, and the last update of a name wins.
 */
function mergeByName<T extends { name?: string | undefined }>(
  existing: readonly T[],
  updates: readonly [string, string][],
  create: (name: string, value: string) => T,
  replace: (entry: T, value: string) => T,
): T[] {
  const values = new Map(updates);
  const existingNames = new Set(existing.map((entry) => entry.name));
  const merged = existing.map((entry) => {
    const value = entry.name === undefined ? undefined : values.get(entry.name);
    return value === undefined ? entry : replace(entry, value);
  });
  for (const [name, value] of values) {
    if (!existingNames.has(name)) merged.push(create(name, value));
  }
  return merged;
}

/** Containers that log with awslogs already, or have no log configuration yet. */
function isAwslogsTarget(container: ContainerDefinition): boolean {
  return !container.logConfiguration || container.logConfiguration.logDriver === 'awslogs';
}

function checkLogTargets(
  overrides: readonly LogOptionOverride[],
  containers: readonly ContainerDefinition[],
): void {
  for (const override of overrides) {
    if (override.container === undefined) continue;
    const container = containers.find((candidate) => candidate.name === override.container);
    if (container && !isAwslogsTarget(container)) {
      throw new UserError(
        `Awslogs options are set for container '${override.container}', which logs with ${container.logConfiguration?.logDriver}: leave them out, or change the container's logDriver in the task definition.`,
      );
    }
  }
  if (overrides.some((o) => o.container === undefined) && !containers.some(isAwslogsTarget)) {
    throw new UserError(
      `The awslogs options apply to no container: every container logs with another driver than awslogs. Leave them out, or change the containers' logDriver in the task definition.`,
    );
  }
}

function withAwslogsOptions(
  container: string,
  current: LogConfiguration | undefined,
  overrides: readonly { option: string; value: string }[],
): LogConfiguration {
  const options = { ...current?.options };
  for (const { option, value } of overrides) options[option] = value;
  if (!current) {
    const missing = ['awslogs-group', 'awslogs-region'].filter((option) => !options[option]);
    if (missing.length > 0) {
      throw new UserError(
        `Container '${container}' would get its first log configuration without ${missing.join(' and ')}: set ${missing.length > 1 ? 'them' : 'it'} too.`,
      );
    }
  }
  return { ...current, logDriver: 'awslogs', options };
}
