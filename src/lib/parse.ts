import { UserError, shown } from './errors.ts';

/** YAML 1.2 core-schema booleans, like the toolkit's getBooleanInput. */
export function parseBoolean(input: string, text: string): boolean {
  if (['true', 'True', 'TRUE'].includes(text.trim())) return true;
  if (['false', 'False', 'FALSE'].includes(text.trim())) return false;
  throw new UserError(`Input '${input}' is ${shown(text)}: use true or false.`);
}

export function parseInteger(input: string, text: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < min || value > max) {
    throw new UserError(
      `Input '${input}' is ${shown(text)}: use a whole number from ${min} to ${max}.`,
    );
  }
  return value;
}

/** A list input: items separated by newlines or commas, blanks dropped. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
