// Where a task definition comes from: a JSON or YAML file's text (source.ts and yaml.ts), or a
// revision ECS already holds. One synchronous entry for callers that do not mind the YAML parser.
import { fromJsonText, taskDefinitionFormat } from './source.ts';
import type { TaskDefinitionSource } from './types.ts';
import { fromYamlText } from './yaml.ts';

export { fromRegistered, isContainerName, isObject } from './source.ts';

export function loadTaskDefinition(text: string, fileName: string): TaskDefinitionSource {
  return taskDefinitionFormat(text, fileName) === 'json'
    ? fromJsonText(text, fileName)
    : fromYamlText(text, fileName);
}
