// Where a task definition comes from: a JSON or YAML file (a bare definition, or the output of
// `aws ecs describe-task-definition`), or a revision ECS already holds. Read-only fields are
// dropped, tags kept apart for the request's own `tags`, everything else passed through.
import type { Tag } from '@aws-sdk/client-ecs';
import { parseDocument } from 'yaml';
import type { RegisteredTaskDefinition } from './ports.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import { withoutReadOnlyFields } from './read-only-fields.ts';
import type { TaskDefinitionInput, TaskDefinitionSource } from './types.ts';

type JsonObject = Record<string, unknown>;

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function loadTaskDefinition(text: string, fileName: string): TaskDefinitionSource {
  const root = parse(text.replace(/^\uFEFF/, ''), fileName);
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

function parse(text: string, fileName: string): unknown {
  const named = /\.json$/i.test(fileName)
    ? 'json'
    : /\.ya?ml$/i.test(fileName)
      ? 'yaml'
      : undefined;
  if (named === 'json' || (named === undefined && /^\s*\{/.test(text))) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const hint = named ? 'Fix the file.' : 'Fix the file, or name it .yaml if it is YAML.';
      throw new UserError(`${fileName} is not valid JSON: ${oneLine(error)}. ${hint}`);
    }
  }
  const document = parseDocument(text, { merge: true, prettyErrors: true });
  const [error] = document.errors;
  if (error) {
    // The first line of a pretty error ends "at line L, column C:", before a code excerpt.
    const [first = error.code] = error.message.split('\n');
    throw new UserError(`${fileName} is not valid YAML: ${first.replace(/:$/, '')}. Fix the file.`);
  }
  return document.toJS({ maxAliasCount: 100 }) as unknown;
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
