// A task definition as the engine takes it (TaskDefinitionSource): from a parsed JSON or YAML file
// (a bare definition, or the output of `aws ecs describe-task-definition`), or from a revision ECS
// already holds. Read-only fields are dropped, tags kept apart for the request's own `tags`,
// everything else passed through. No YAML parser here: YAML files are parsed by yaml.ts, which
// the action loads only for them.
import type { Tag } from '@aws-sdk/client-ecs';
import type { RegisteredTaskDefinition } from './ports.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import { withoutReadOnlyFields } from './read-only-fields.ts';
import type { TaskDefinitionInput, TaskDefinitionSource } from './types.ts';

export type JsonObject = Record<string, unknown>;

/** JSON when the name says so, or when an unnamed file starts with '{'; YAML otherwise. */
export function taskDefinitionFormat(text: string, fileName: string): 'json' | 'yaml' {
  if (/\.json$/i.test(fileName)) return 'json';
  if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  return /^\s*\{/.test(withoutBom(text)) ? 'json' : 'yaml';
}

export function withoutBom(text: string): string {
  return text.replace(/^\uFEFF/, '');
}

export function fromJsonText(text: string, fileName: string): TaskDefinitionSource {
  let root: unknown;
  try {
    root = JSON.parse(withoutBom(text)) as unknown;
  } catch (error) {
    const hint = /\.json$/i.test(fileName)
      ? 'Fix the file.'
      : 'Fix the file, or name it .yaml if it is YAML.';
    throw new UserError(`${fileName} is not valid JSON: ${oneLine(error)}. ${hint}`);
  }
  return fromDocument(root, fileName);
}

/** The parsed file: a definition, or describe-task-definition's output that wraps one. */
export function fromDocument(root: unknown, fileName: string): TaskDefinitionSource {
  if (!isObject(root)) {
    throw new UserError(
      `${fileName} holds ${root === null ? 'nothing' : Array.isArray(root) ? 'a list' : `a ${typeof root}`}, not a task definition: give an object with family and containerDefinitions.`,
    );
  }
  // `describe-task-definition` output wraps the definition and puts the tags beside it.
  const wrapped = isObject(root.taskDefinition) && !('containerDefinitions' in root);
  const body = wrapped ? (root.taskDefinition as JsonObject) : root;
  const tags = wrapped ? root.tags : body.tags;
  return source(body, tags, fileName);
}

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** A revision ECS holds (the service's current one) as a source to render from. */
export function fromRegistered(
  registered: RegisteredTaskDefinition,
  origin: string,
): TaskDefinitionSource {
  return source(registered.taskDefinition as JsonObject, registered.tags, origin);
}

function source(body: JsonObject, tags: unknown, origin: string): TaskDefinitionSource {
  const definition = coerce(withoutReadOnlyFields(body));
  delete definition.tags;
  check(definition, origin);
  return { definition: definition as TaskDefinitionInput, tags: checkTags(tags, origin), origin };
}

/**
 * Numbers where the API takes strings, as YAML writes them unquoted: task-level cpu and memory
 * (`cpu: 256`), and environment values (`PORT: 8080`). Anything else is left to ECS to judge.
 */
function coerce(definition: JsonObject): JsonObject {
  const scalar = (value: unknown) =>
    typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  const out: JsonObject = { ...definition };
  for (const key of ['cpu', 'memory'] as const) {
    if (typeof out[key] === 'number') out[key] = String(out[key]);
  }
  if (Array.isArray(out.containerDefinitions)) {
    out.containerDefinitions = out.containerDefinitions.map((container: unknown) =>
      isObject(container) && Array.isArray(container.environment)
        ? {
            ...container,
            environment: container.environment.map((variable: unknown) =>
              isObject(variable) ? { ...variable, value: scalar(variable.value) } : variable,
            ),
          }
        : container,
    );
  }
  return out;
}

function check(definition: JsonObject, origin: string): void {
  const { family, containerDefinitions } = definition;
  if (typeof family !== 'string' || !FAMILY.test(family)) {
    throw new UserError(
      `${origin} has ${family === undefined ? 'no family' : `family ${JSON.stringify(family)}, which is not a family name`}: set "family" to up to 255 letters, digits, '-' and '_'.`,
    );
  }
  if (!Array.isArray(containerDefinitions) || containerDefinitions.length === 0) {
    throw new UserError(
      `${origin} has no containerDefinitions: a task definition needs a list of at least one container.`,
    );
  }
  const names = new Set<string>();
  containerDefinitions.forEach((container: unknown, index) => {
    const name = isObject(container) ? container.name : undefined;
    if (typeof name !== 'string' || !isContainerName(name)) {
      throw new UserError(
        `${origin}: containerDefinitions[${index}] has ${name === undefined ? 'no name' : `name ${JSON.stringify(name)}, which is not a container name`}: give every container a name of letters, digits, '-' and '_'.`,
      );
    }
    if (names.has(name)) {
      throw new UserError(
        `${origin} has two containers named '${name}': container names must be unique.`,
      );
    }
    names.add(name);
  });
}

function checkTags(tags: unknown, origin: string): Tag[] {
  if (tags === undefined || tags === null) return [];
  const valid =
    Array.isArray(tags) &&
    tags.every(
      (tag: unknown) =>
        isObject(tag) &&
        typeof tag.key === 'string' &&
        (tag.value === undefined || typeof tag.value === 'string'),
    );
  if (!valid) {
    throw new UserError(
      `${origin} has tags that are not a list of {"key": "…", "value": "…"}: write them as ECS does (lowercase key and value).`,
    );
  }
  return (tags as Tag[]).map((tag) => ({ ...tag }));
}

export function isContainerName(text: string): boolean {
  return CONTAINER_NAME.test(text);
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
