import { ServiceError } from './errors.ts';

/**
 * Collects input-constraint violations and reports them the way AWS's front end does:
 * "2 validation errors detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: …; …".
 */
export class Validator {
  readonly #problems: string[] = [];

  /** `sensitive` members are reported without their value, as AWS does for tokens. */
  #fail(member: string, value: string | number, constraint: string, sensitive = false): void {
    const shown = sensitive ? 'Value' : `Value '${value}'`;
    this.#problems.push(`${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  required(member: string, value: string | undefined): void {
    if (value === undefined) {
      this.#problems.push(
        `Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      );
    }
  }

  length(
    member: string,
    value: string | undefined,
    min: number,
    max: number,
    sensitive = false,
  ): void {
    if (value === undefined) return;
    if (value.length < min) {
      this.#fail(
        member,
        value,
        `Member must have length greater than or equal to ${min}`,
        sensitive,
      );
    }
    if (value.length > max) {
      this.#fail(member, value, `Member must have length less than or equal to ${max}`, sensitive);
    }
  }

  pattern(member: string, value: string | undefined, pattern: string): void {
    if (value === undefined) return;
    if (!new RegExp(`^(?:${pattern})$`, 'u').test(value)) {
      this.#fail(member, value, `Member must satisfy regular expression pattern: ${pattern}`);
    }
  }

  range(member: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined) return;
    if (value < min)
      this.#fail(member, value, `Member must have value greater than or equal to ${min}`);
    if (value > max)
      this.#fail(member, value, `Member must have value less than or equal to ${max}`);
  }

  /** Throws one ValidationError listing every problem, if there are any. */
  check(code = 'ValidationError'): void {
    const n = this.#problems.length;
    if (n === 0) return;
    const noun = n === 1 ? 'validation error' : 'validation errors';
    throw new ServiceError(code, 400, `${n} ${noun} detected: ${this.#problems.join('; ')}`);
  }
}

/** Parses an integer member; AWS rejects non-numeric values before any other check. */
export function integerParam(
  member: string,
  raw: string | undefined,
  code = 'ValidationError',
): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) {
    throw new ServiceError(
      code,
      400,
      `1 validation error detected: Value '${raw}' at '${member}' failed to satisfy constraint: Member must be an integer`,
    );
  }
  return Number(raw);
}
