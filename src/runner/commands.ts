// The runner's workflow-command and file-command formats, as the GitHub Actions runner parses them.
import { randomUUID } from 'node:crypto';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  col?: number;
}

export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(
  command: string,
  message: string,
  properties: Record<string, string | number | undefined> = {},
): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}\n`;
}

/** One `name<<delimiter` entry for GITHUB_OUTPUT, GITHUB_ENV or GITHUB_STATE. */
export function fileCommandEntry(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`Unexpected input: name or value contains the delimiter ${delimiter}`);
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/**
 * What the runner reads as a workflow command: a line that starts with `::` after white space, or
 * the legacy `##[name]` anywhere in a line. The runner splits lines at \n and \r alike.
 */
const COMMAND_LIKE_LINE = /^\s*::|##\[/m;

/**
 * Text for the log, as lines nothing in which is read as a workflow command: text with a
 * command-like line goes out between `stop-commands` and its resume token, which is random, so
 * neither a value we print nor a container's log line can forge a mask, an annotation or an output.
 */
export function logText(text: string, eol = '\n'): string {
  if (!COMMAND_LIKE_LINE.test(text)) return `${text}${eol}`;
  const token = `plain-${randomUUID()}`;
  return `::stop-commands::${token}${eol}${text}${eol}::${token}::${eol}`;
}
