// What changed between the latest registered revision and the rendered request, one line per
// top-level field, and one per field of each container, for the log. Both sides come from
// comparable(); values of environment variables and secrets are never shown, only their names.
import { type Json, type JsonObject, canonicalJson, isObject } from './comparable.ts';

const NAMED_LISTS: Readonly<Record<string, string>> = {
  environment: 'name',
  secrets: 'name',
  tags: 'key',
};
const SHOWN_LENGTH = 100;

export function differences(latest: JsonObject, rendered: JsonObject): string[] {
  const lines: string[] = [];
  for (const key of keysOf(rendered, latest)) {
    if (key === 'containerDefinitions') {
      lines.push(...containerDifferences(latest[key], rendered[key]));
    } else {
      const line = difference(key, key, latest[key], rendered[key]);
      if (line) lines.push(line);
    }
  }
  return lines;
}

function containerDifferences(latest: Json | undefined, rendered: Json | undefined): string[] {
  const before = byName(latest);
  const after = byName(rendered);
  const lines: string[] = [];
  for (const name of new Set([...after.keys(), ...before.keys()])) {
    const path = `containerDefinitions[${name}]`;
    const old = before.get(name);
    const current = after.get(name);
    if (!old) lines.push(`${path}: added`);
    else if (!current) lines.push(`${path}: removed`);
    else {
      for (const key of keysOf(current, old)) {
        const line = difference(`${path}.${key}`, key, old[key], current[key]);
        if (line) lines.push(line);
      }
    }
  }
  return lines;
}

function difference(
  path: string,
  key: string,
  before: Json | undefined,
  after: Json | undefined,
): string | undefined {
  if (canonicalJson(before) === canonicalJson(after)) return undefined;
  const nameKey = NAMED_LISTS[key];
  if (nameKey) return `${path}: ${namedListChanges(before, after, nameKey)}`;
  if (before === undefined) return `${path}: added${isScalar(after) ? ` ${show(after)}` : ''}`;
  if (after === undefined)
    return `${path}: removed${isScalar(before) ? ` (was ${show(before)})` : ''}`;
  if (isScalar(before) && isScalar(after)) return `${path}: ${show(before)} → ${show(after)}`;
  return `${path}: changed`;
}

/** `LOG_LEVEL changed, NEW added, OLD removed`: names only. */
function namedListChanges(
  before: Json | undefined,
  after: Json | undefined,
  nameKey: string,
): string {
  const entries = (list: Json | undefined) =>
    new Map(
      (Array.isArray(list) ? list : [])
        .filter(isObject)
        .map((entry) => [String(entry[nameKey]), canonicalJson(entry)] as const),
    );
  const old = entries(before);
  const current = entries(after);
  const changes: string[] = [];
  for (const [name, value] of current) {
    if (!old.has(name)) changes.push(`${name} added`);
    else if (old.get(name) !== value) changes.push(`${name} changed`);
  }
  for (const name of old.keys()) if (!current.has(name)) changes.push(`${name} removed`);
  return changes.length > 0 ? changes.join(', ') : 'changed';
}

function byName(list: Json | undefined): Map<string, JsonObject> {
  return new Map(
    (Array.isArray(list) ? list : []).filter(isObject).map((item) => [String(item.name), item]),
  );
}

/** The keys of `first` in order, then those only `second` has. */
function keysOf(first: JsonObject, second: JsonObject): string[] {
  return [...new Set([...Object.keys(first), ...Object.keys(second)])];
}

function isScalar(value: Json | undefined): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function show(value: string | number | boolean): string {
  const text = String(value);
  return text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH - 1)}…` : text;
}
