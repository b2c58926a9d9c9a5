// The `environment` and `secrets` inputs. Line form: `NAME=value` for every container or
// `container:NAME=value` for one, split on the first `=` only. JSON form, for values with
// newlines or edge whitespace: one object whose keys are `NAME` or `container:NAME`.
import { UserError, oneLine } from '../../../lib/errors.ts';
import {
  type Assignment,
  type InputLine,
  inputLines,
  lineError,
  parseAssignment,
  quote,
  scopedKey,
} from './line-grammar.ts';
import type { SecretOverride, VariableOverride } from '../../../ecs/task-definition/types.ts';

/** No white space, control characters, '=' or ':' (which would start a container name). */
const NAME = /^[^\s\p{Cc}=:]+$/u;
const SECRET_ARN = [
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^\s]+$/,
  /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[^\s]+$/,
];

export function parseEnvironment(text: string): VariableOverride[] {
  return parseVariables('environment', text, 'NAME=value or container:NAME=value').map(
    ({ container, key, value }) =>
      container === undefined ? { name: key, value } : { container, name: key, value },
  );
}

export function parseSecrets(text: string): SecretOverride[] {
  const input = 'secrets';
  const expected = 'NAME=arn or container:NAME=arn';
  return parseVariables(input, text, expected).map(({ container, key, value, line }) => {
    if (!SECRET_ARN.some((pattern) => pattern.test(value))) {
      throw lineError(
        input,
        line,
        `${quote(value)} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>); expected ${expected}`,
      );
    }
    return container === undefined
      ? { name: key, valueFrom: value }
      : { container, name: key, valueFrom: value };
  });
}

function parseVariables(input: string, text: string, expected: string): Assignment[] {
  const assignments = text.trim().startsWith('{')
    ? jsonAssignments(input, text, expected)
    : inputLines(text).map((line) => parseAssignment(input, line, expected));
  const seen = new Set<string>();
  for (const { container, key, line } of assignments) {
    if (!NAME.test(key)) {
      throw lineError(
        input,
        line,
        `${quote(key, 40)} is not a variable name (no spaces, control characters, '=' or ':')`,
      );
    }
    // The same name twice for the same containers: one would silently win.
    const scoped = `${container ?? ''}:${key}`;
    if (seen.has(scoped)) {
      throw lineError(
        input,
        line,
        `${quote(key, 40)} is set a second time${container === undefined ? '' : ` for container '${container}'`}: keep one`,
      );
    }
    seen.add(scoped);
  }
  return assignments;
}

function jsonAssignments(input: string, text: string, expected: string): Assignment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `Input '${input}' starts with '{' but is not valid JSON (${oneLine(error)}): write one object such as {"NAME": "value", "container:NAME": "value"}, or use the line form.`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError(
      `Input '${input}' in JSON form must be one object of string values, keyed NAME or container:NAME.`,
    );
  }
  return Object.entries(parsed).map(([rawKey, value]) => {
    const line: InputLine = { label: `key ${quote(rawKey)}`, text: rawKey };
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new UserError(
        `Input '${input}' key ${quote(rawKey)} has ${value === null ? 'a null' : 'an object'} value: in JSON form every value is a string.`,
      );
    }
    const { container, key } = scopedKey(input, line, rawKey, expected);
    return { line, ...(container === undefined ? {} : { container }), key, value: String(value) };
  });
}
