// The typed registry every action declares for its inputs and outputs. A contract test checks it
// against the action's action.yml (names, defaults, required flags).
import { UserError } from './errors.ts';

export interface InputSpec {
  readonly required?: boolean;
  readonly default?: string;
}

export type InputRegistry = Readonly<Record<string, InputSpec>>;

export type RawInputs<R extends InputRegistry> = { readonly [K in keyof R]: string };

/**
 * Reads every input of the registry, trimmed, with the registry's default where the variable is
 * absent (the runner applies action.yml defaults itself; this keeps local runs the same).
 * `explicit` tells which inputs were set at all, so an input given as '' can be told from one left out.
 */
export function readInputs<R extends InputRegistry>(
  registry: R,
  read: (name: string) => string | undefined,
): { values: RawInputs<R>; explicit: ReadonlySet<string> } {
  const values: Record<string, string> = {};
  const explicit = new Set<string>();
  for (const [name, spec] of Object.entries(registry)) {
    const raw = read(name);
    if (raw !== undefined) explicit.add(name);
    const value = (raw ?? spec.default ?? '').trim();
    if (spec.required && value === '') {
      throw new UserError(`Input '${name}' is required: set it in the step's 'with:'.`);
    }
    values[name] = value;
  }
  return { values: values as RawInputs<R>, explicit };
}
