// Turns the action's text inputs into TaskDefinitionOverrides: each input has its own parser and
// each rejects bad text with one UserError naming the input.
import { UserError } from '../../../lib/errors.ts';
import { isContainerName } from '../../../ecs/task-definition/source.ts';
import { checkRoleArn } from '../identifiers.ts';
import { parseImages } from './parse-images.ts';
import { parseLogOptions } from './parse-log-options.ts';
import { parseEnvironment, parseSecrets } from './parse-variables.ts';
import type {
  CommandOverride,
  TaskDefinitionOverrides,
} from '../../../ecs/task-definition/types.ts';

/** The raw inputs, by action input name; empty or absent ones change nothing. */
export interface OverrideInputs {
  images?: string;
  environment?: string;
  secrets?: string;
  'task-role-arn'?: string;
  'execution-role-arn'?: string;
  'log-options'?: string;
  command?: string;
}

export function parseOverrides(inputs: OverrideInputs): TaskDefinitionOverrides {
  const present = (text: string | undefined): text is string =>
    text !== undefined && text.trim() !== '';
  const overrides: TaskDefinitionOverrides = {};
  if (present(inputs.images)) overrides.images = parseImages(inputs.images);
  if (present(inputs.environment)) overrides.environment = parseEnvironment(inputs.environment);
  if (present(inputs.secrets)) overrides.secrets = parseSecrets(inputs.secrets);
  if (present(inputs['task-role-arn'])) {
    overrides.taskRoleArn = parseRoleArn('task-role-arn', inputs['task-role-arn']);
  }
  if (present(inputs['execution-role-arn'])) {
    overrides.executionRoleArn = parseRoleArn('execution-role-arn', inputs['execution-role-arn']);
  }
  if (present(inputs['log-options'])) overrides.logOptions = parseLogOptions(inputs['log-options']);
  if (present(inputs.command)) overrides.command = parseCommand(inputs.command);
  return overrides;
}

/**
 * A full IAM role ARN only (see checkRoleArn): a bare role name could come back from ECS as an
 * ARN, never compare equal to the registered revision, and make every run register a new one.
 */
export function parseRoleArn(input: string, text: string): string {
  return checkRoleArn(input, text);
}

/**
 * JSON only, never split on spaces: an array of strings for the definition's only container, or
 * an object of container name -> array of strings.
 */
export function parseCommand(text: string): CommandOverride[] {
  const usage =
    'use a JSON array of strings such as ["npm", "run", "start"], or an object such as {"web": ["npm", "start"]}: the command is never split on spaces';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`Input 'command' is not JSON: ${usage}.`);
  }
  const isCommand = (value: unknown): value is string[] =>
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
  if (isCommand(parsed)) return [{ command: parsed }];
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const entries = Object.entries(parsed);
    if (entries.length > 0) {
      return entries.map(([container, command]) => {
        if (!isContainerName(container) || !isCommand(command)) {
          throw new UserError(
            `Input 'command' entry '${container}' is not a container name with a non-empty array of strings: ${usage}.`,
          );
        }
        return { container, command };
      });
    }
  }
  throw new UserError(`Input 'command' is not a non-empty command: ${usage}.`);
}
