// The line grammar the list inputs share: one `key=value` per line, split on the first `=` only,
// blank lines and `#` comments skipped; a key may name a container as `container:key`.
import { isContainerName } from '../../../ecs/task-definition/source.ts';
import { UserError } from '../../../lib/errors.ts';
import { shown as quote } from '../../../lib/errors.ts';

export interface InputLine {
  /** Where the text is, for messages: `line 3 ('web=app:1')`, or `key 'web:NAME'` in JSON. */
  label: string;
  text: string;
}

export interface Assignment {
  line: InputLine;
  container?: string;
  key: string;
  value: string;
}

export function inputLines(text: string): InputLine[] {
  return (
    text
      .split(/\r?\n/)
      .map((line, index) => ({ number: index + 1, text: line.trim() }))
      .filter((line) => line.text !== '' && !line.text.startsWith('#'))
      // Line numbers count blank and comment lines, as the person sees the block.
      .map(({ number, text: line }) => ({ label: `line ${number} (${quote(line)})`, text: line }))
  );
}

/** `[container:]key=value`: the value keeps every `=` after the first, and its inner spaces. */
export function parseAssignment(input: string, line: InputLine, expected: string): Assignment {
  const equals = line.text.indexOf('=');
  if (equals < 0) throw lineError(input, line, `expected ${expected}`);
  const { container, key } = scopedKey(input, line, line.text.slice(0, equals).trim(), expected);
  return {
    line,
    ...(container === undefined ? {} : { container }),
    key,
    value: line.text.slice(equals + 1).trim(),
  };
}

/** `container:key` or `key`; the container part must be a valid container name. */
export function scopedKey(
  input: string,
  line: InputLine,
  text: string,
  expected: string,
): { container?: string; key: string } {
  const colon = text.indexOf(':');
  const container = colon < 0 ? undefined : text.slice(0, colon).trim();
  const key = (colon < 0 ? text : text.slice(colon + 1)).trim();
  if (container !== undefined && !isContainerName(container)) {
    throw lineError(
      input,
      line,
      `'${container}' is not a container name (letters, digits, '-' and '_'); expected ${expected}`,
    );
  }
  if (key === '') throw lineError(input, line, `the name is empty; expected ${expected}`);
  return container === undefined ? { key } : { container, key };
}

export function lineError(input: string, line: InputLine, problem: string): UserError {
  return new UserError(`Input '${input}' ${line.label}: ${problem}.`);
}

export { quote };
