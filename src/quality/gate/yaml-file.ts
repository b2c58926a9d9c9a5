// The YAML files the gate reads (the policy, the waivers): parsed with `yaml`, a syntax error
// placed at its line and column, and the small checks every key's value goes through, each
// failing with one line that names the file and the key.
import { parseDocument } from 'yaml';
import { UserError, shown } from '../../lib/errors.ts';

export function parseYamlFile(file: string, text: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? `:${at.line}:${at.col}` : '';
    throw new UserError(
      `${file}${where} is not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}; fix the file.`,
    );
  }
  return document.toJS({ maxAliasCount: 100 }) as unknown;
}

export const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** A key's value where text is expected: a string, number or boolean, as its text. */
export function scalarText(file: string, key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  throw new UserError(`${file}: '${key}' must be a single value, not ${describe(value)}.`);
}

export function mapping(file: string, key: string, value: unknown): Record<string, unknown> {
  if (!isMapping(value)) {
    throw new UserError(
      `${file}: '${key}' must be a mapping of keys to values, not ${describe(value)}.`,
    );
  }
  return value;
}

export function list(file: string, key: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new UserError(`${file}: '${key}' must be a list, not ${describe(value)}.`);
  }
  return value;
}

/** Rejects keys outside `known`, naming the first such key and the ones allowed. */
export function onlyKeys(
  file: string,
  at: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new UserError(
        `${file}: unknown key ${shown(at ? `${at}.${key}` : key)}: use ${known.map((k) => (at ? `${at}.${k}` : k)).join(', ')}.`,
      );
    }
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${shown(String(value))}`;
}
