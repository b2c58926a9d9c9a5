// Inputs and secrets bound to a workflow's declarations, with GitHub's refusals: an input or
// secret the workflow does not declare, a required one missing, a value of the wrong type.
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { asString, type Contexts } from './expressions.ts';
import { WorkflowError } from './load-workflow.ts';
import { child, evaluateToken, literal } from './tokens.ts';

export function bindInputs(
  definitions: TemplateToken | undefined,
  given: Readonly<Record<string, unknown>>,
  where: string,
  contexts: Contexts,
): Record<string, unknown> {
  const declared = (literal(definitions) ?? {}) as Record<string, Record<string, unknown> | null>;
  const names = new Map(Object.keys(declared).map((name) => [name.toLowerCase(), name]));
  for (const name of Object.keys(given)) {
    if (!names.has(name.toLowerCase())) {
      throw new WorkflowError(
        `${where}: Invalid input, ${name} is not defined in the referenced workflow.`,
      );
    }
  }
  const bound: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(declared)) {
    const type = asString(definition?.['type'] ?? 'string');
    const givenName = Object.keys(given).find((key) => key.toLowerCase() === name.toLowerCase());
    let value: unknown = givenName === undefined ? undefined : given[givenName];
    if (value === undefined) {
      if (definition?.['required'] === true && !(definition && 'default' in definition)) {
        throw new WorkflowError(
          `${where}: Input ${name} is required, but not provided while calling.`,
        );
      }
      const defaultToken = child(child(definitions, name), 'default');
      value = defaultToken === undefined ? defaultFor(type) : evaluateToken(defaultToken, contexts);
    }
    bound[name] = coerce(value, type, name, definition?.['options'], where);
  }
  return bound;
}

export function bindSecrets(
  definitions: TemplateToken | undefined,
  given: Readonly<Record<string, string>>,
  where: string,
  inherit: boolean,
): Record<string, string> {
  if (inherit) return { ...given };
  const declared = (literal(definitions) ?? {}) as Record<string, Record<string, unknown> | null>;
  const names = new Map(Object.keys(declared).map((name) => [name.toLowerCase(), name]));
  const bound: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    const declaredName = names.get(name.toLowerCase());
    if (declaredName === undefined) {
      throw new WorkflowError(
        `${where}: Invalid secret, ${name} is not defined in the referenced workflow.`,
      );
    }
    bound[declaredName] = value;
  }
  for (const [name, definition] of Object.entries(declared)) {
    if (definition?.['required'] === true && !(name in bound)) {
      throw new WorkflowError(
        `${where}: Secret ${name} is required, but not provided while calling.`,
      );
    }
  }
  return bound;
}

function defaultFor(type: string): unknown {
  if (type === 'boolean') return false;
  if (type === 'number') return 0;
  return '';
}

function coerce(
  value: unknown,
  type: string,
  name: string,
  options: unknown,
  where: string,
): unknown {
  const wrong = () =>
    new WorkflowError(`${where}: input ${name} expects a ${type}, got '${asString(value)}'`);
  switch (type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw wrong();
    case 'number': {
      const number = typeof value === 'number' ? value : Number(value);
      if (typeof value === 'boolean' || Number.isNaN(number) || asString(value).trim() === '')
        throw wrong();
      return number;
    }
    case 'choice':
      if (Array.isArray(options) && !options.includes(asString(value))) {
        throw new WorkflowError(
          `${where}: input ${name} must be one of ${options.map(asString).join(', ')}, got '${asString(value)}'`,
        );
      }
      return asString(value);
    default:
      return asString(value);
  }
}
