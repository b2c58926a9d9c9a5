// The typed registry every action declares for its inputs and outputs. A contract test checks it
// against the action's action.yml (names, defaults, required flags), and another runs bad values
// of every input's kind through the bundles (test/contract/bad-inputs.test.ts).
import { MAX_DURATION_MS, parseDuration } from './durations.ts';
import { UserError, shown } from './errors.ts';
import { parseBoolean } from './parse.ts';
import { isRegionName } from './partitions.ts';

/**
 * What an input's text is. Every kind but `lines`, `list` and `json` is one line. readInputs
 * checks, for every input: its length (MAX_LENGTH), its characters (no control characters on one
 * line; on several lines, LF and CRLF only), and for `boolean`, `duration` and `region` the value
 * itself; each action's inputs.ts checks the rest.
 */
export type InputKind =
  /** One line of free text (an audience, an external id, a path inside a container image). */
  | 'text'
  /** A name or identifier: a repository, a cluster, a user, a session name. */
  | 'name'
  /** One of a fixed set of words. */
  | 'choice'
  /** true or false (YAML 1.2 core schema). */
  | 'boolean'
  /** A whole number, its range checked by the action. */
  | 'integer'
  /** A number or a percentage, its range checked by the action. */
  | 'number'
  /** `90s`, `5m`, `1h30m`, `250ms` or bare seconds, within the spec's min and max. */
  | 'duration'
  /** Whole minutes: `10`, `10m`, `2h` (ECS bake times). */
  | 'minutes'
  /** An AWS region of a partition the bundled SDK knows. */
  | 'region'
  /** An ARN of the spec's `arn` resource type. */
  | 'arn'
  /** A file or directory inside the workspace. */
  | 'path'
  /** A path on the runner's machine or in a container image (not only the workspace). */
  | 'host-path'
  /** An http(s) or postgres URL. */
  | 'url'
  /** Several lines: one entry (KEY=value, NAME=image, …) per line. */
  | 'lines'
  /** Items separated by commas or new lines. */
  | 'list'
  /** A JSON document, on one line or several. */
  | 'json';

/** The resource types an ARN (or a name-or-ARN) input names. */
export type ArnResource =
  | 'iam-role'
  | 'iam-policy'
  | 'ecs-cluster'
  | 'ecs-service'
  | 'ecs-task-definition'
  | 'secretsmanager-secret'
  | 'kms-key';

export interface InputSpec {
  readonly kind: InputKind;
  readonly required?: boolean;
  readonly default?: string;
  /** For `arn`, and for a `name` that may also be given as an ARN: the resource it must name. */
  readonly arn?: ArnResource;
  /** For `duration`: the shortest and longest accepted, as durations (`100ms`, `24h`). */
  readonly min?: string;
  readonly max?: string;
  /** A credential (masked by the action): never echoed, not even shortened. */
  readonly secret?: boolean;
}

export type InputRegistry = Readonly<Record<string, InputSpec>>;

export type RawInputs<R extends InputRegistry> = { readonly [K in keyof R]: string };

/** The longest value of each kind, in characters (README "Inputs": limits every action shares). */
export const MAX_LENGTH: Readonly<Record<InputKind, number>> = {
  text: 2048,
  name: 1024,
  choice: 64,
  boolean: 16,
  integer: 32,
  number: 32,
  duration: 32,
  minutes: 32,
  region: 64,
  arn: 2048,
  path: 4096,
  'host-path': 4096,
  url: 4096,
  lines: 65_536,
  list: 65_536,
  json: 65_536,
};

const MULTI_LINE: ReadonlySet<InputKind> = new Set<InputKind>(['lines', 'list', 'json']);

export function isMultiLine(kind: InputKind): boolean {
  return MULTI_LINE.has(kind);
}

/**
 * Control characters: C0 (a tab and a new line among them), DEL, C1, and the Unicode line and
 * paragraph separators. A line break in a value is how a workflow command would be smuggled in.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
/** The same, but the LF (and tab) that separate and indent the lines of a multi-line value. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_BUT_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

const codePoint = (c: string) =>
  `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The value of one input, checked by its kind (length, characters, and for a few kinds the value);
 * `value` is trimmed, CRLF already LF. Throws a UserError naming the input.
 */
export function checkInput(name: string, spec: InputSpec, value: string): void {
  const max = MAX_LENGTH[spec.kind];
  const length = [...value].length;
  if (length > max) {
    throw new UserError(
      `Input '${name}' is ${length} characters long; it takes at most ${max}: shorten it.`,
    );
  }
  const multiLine = isMultiLine(spec.kind);
  const control = (multiLine ? CONTROL_BUT_LF : CONTROL).exec(value);
  if (control) {
    const what =
      control[0] === '\n' ? 'a line break' : `a control character (${codePoint(control[0])})`;
    throw new UserError(
      multiLine
        ? `Input '${name}' has ${what} on line ${value.slice(0, control.index).split('\n').length}: only new lines may separate its lines; remove it.`
        : `Input '${name}' has ${what} at character ${[...value.slice(0, control.index)].length + 1}: give it on one line, without control characters.`,
    );
  }
  if (value === '') return;
  if (spec.kind === 'boolean') parseBoolean(name, value);
  if (spec.kind === 'region' && !isRegionName(value)) {
    throw new UserError(
      `Input '${name}': ${shown(value)} is not an AWS region name: use one like us-east-1, eu-west-1 or eusc-de-east-1 (any region of the AWS partitions the bundled SDK knows).`,
    );
  }
  if (spec.kind === 'duration') {
    parseDuration(name, value, {
      ...(spec.min === undefined ? {} : { min: parseDuration(`${name} min`, spec.min) }),
      max: spec.max === undefined ? MAX_DURATION_MS : parseDuration(`${name} max`, spec.max),
    });
  }
}

/**
 * Reads every input of the registry, trimmed, with the registry's default where the variable is
 * absent (the runner applies action.yml defaults itself; this keeps local runs the same), and
 * checks each by its kind (checkInput) before the action's own parsing sees it.
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
    const value = (raw ?? spec.default ?? '').replace(/\r\n/g, '\n').trim();
    if (spec.required && value === '') {
      throw new UserError(`Input '${name}' is required: set it in the step's 'with:'.`);
    }
    checkInput(name, spec, value);
    values[name] = value;
  }
  return { values: values as RawInputs<R>, explicit };
}
