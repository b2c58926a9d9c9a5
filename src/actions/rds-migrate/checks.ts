// The checks rds-migrate's inputs pass before anything is called, beyond those of their kind
// (readInputs: one printable line of bounded length, durations up to the registry's max): host
// names, PostgreSQL names, a Secrets Manager secret, the ECS names and ids of mode: ecs-task, the
// least value of each duration, and the migrations folder inside the workspace. Each refusal is
// one line that names the input and echoes at most a shortened value.
import { realpathSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { formatDuration, parseDuration } from '../../lib/durations.ts';
import { UserError, shown } from '../../lib/errors.ts';
import { isInside } from '../shared/workspace-paths.ts';

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A name PostgreSQL keeps whole: at most 63 bytes (longer ones are cut), no control character. */
export function checkPostgresName(input: string, what: string, name: string): string {
  if (CONTROL.test(name)) {
    throw new UserError(
      `Input '${input}' has a ${what} with a control character (${shown(name)}): use the ${what}'s real name.`,
    );
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 63) {
    throw new UserError(
      `Input '${input}' has a ${what} of ${bytes} bytes (${shown(name, 40)}): PostgreSQL names are at most 63 bytes, so no ${what} has this name.`,
    );
  }
  return name;
}

const HOST_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** A host name or IP address alone: no scheme, port, path or white space. */
export function checkHost(input: string, host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) || HOST_NAME.test(host)) return bare;
  throw new UserError(
    `Input '${input}' has the host ${shown(host)}, which is not a host name or IP address: give the endpoint alone, like db.abc123.eu-west-1.rds.amazonaws.com (no scheme, port, path or spaces).`,
  );
}

interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

function parseArn(text: string): Arn | undefined {
  const m = ARN.exec(text);
  return m
    ? { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! }
    : undefined;
}

function describeArn(arn: Arn): string {
  const type = /^([a-z-]+)[/:]/i.exec(arn.resource)?.[1];
  return `an ARN of ${arn.service}${type ? ` ${type}` : ''}`;
}

/** Where an ARN's region and the run's region differ, the call would look in the wrong region. */
function sameRegion(input: string, value: string, arn: Arn, region: string | undefined): void {
  if (region !== undefined && arn.region !== region) {
    throw new UserError(
      `Input '${input}' (${shown(value, 120)}) is in region '${arn.region}', but the run's region is ${region}: set aws-region to the resource's region, or name one in ${region}.`,
    );
  }
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,519}$/;

/** A Secrets Manager secret: its name (1 to 512 characters of A-Za-z0-9/_+=.@-) or its ARN. */
export function checkSecretId(input: string, value: string, region: string | undefined): string {
  const arn = value.startsWith('arn:') ? parseArn(value) : undefined;
  if (arn && SECRET_ARN.test(value)) {
    sameRegion(input, value, arn, region);
    return value;
  }
  if (!arn && SECRET_NAME.test(value)) return value;
  throw new UserError(
    `Input '${input}' is ${shown(value)}${arn ? `, ${describeArn(arn)}` : ''}: give a Secrets Manager secret's name (1 to 512 letters, digits and /_+=.@-) or its ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>).`,
  );
}

/** ECS names of clusters, services, task definition families and containers. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ECS_ARN_NAMES = '1 to 255 letters, digits, - and _';

/** The cluster's name (for comparing with a service ARN's), given its name or ARN. */
export function checkCluster(input: string, value: string, region: string | undefined): string {
  const arn = value.startsWith('arn:') ? parseArn(value) : undefined;
  const name = arn?.service === 'ecs' ? /^cluster\/(.+)$/.exec(arn.resource)?.[1] : undefined;
  if (arn && name !== undefined && ECS_NAME.test(name)) {
    sameRegion(input, value, arn, region);
    return name;
  }
  if (!arn && ECS_NAME.test(value)) return value;
  throw new UserError(
    `Input '${input}' is ${shown(value)}${arn ? `, ${describeArn(arn)}` : ''}: give an ECS cluster's name (${ECS_ARN_NAMES}) or its ARN (arn:aws:ecs:<region>:<account>:cluster/<name>).`,
  );
}

export function checkService(
  input: string,
  value: string,
  cluster: string | undefined,
  region: string | undefined,
): string {
  const arn = value.startsWith('arn:') ? parseArn(value) : undefined;
  const parts = arn?.service === 'ecs' ? /^service\/(?:(.+)\/)?([^/]+)$/.exec(arn.resource) : null;
  if (arn && parts && ECS_NAME.test(parts[2]!) && (!parts[1] || ECS_NAME.test(parts[1]))) {
    sameRegion(input, value, arn, region);
    if (parts[1] && cluster !== undefined && parts[1] !== cluster) {
      throw new UserError(
        `Input '${input}' (${shown(value)}) is a service of cluster ${parts[1]}, but 'cluster' is ${cluster}: give the service's own cluster.`,
      );
    }
    return value;
  }
  if (!arn && ECS_NAME.test(value)) return value;
  throw new UserError(
    `Input '${input}' is ${shown(value)}${arn ? `, ${describeArn(arn)}` : ''}: give an ECS service's name (${ECS_ARN_NAMES}) or its ARN (arn:aws:ecs:<region>:<account>:service/<cluster>/<name>).`,
  );
}

/** A registered task definition: family, family:revision or ARN (not a file: this one runs as is). */
export function checkTaskDefinition(
  input: string,
  value: string,
  region: string | undefined,
): string {
  const arn = value.startsWith('arn:') ? parseArn(value) : undefined;
  const reference =
    arn?.service === 'ecs' ? /^task-definition\/(.+)$/.exec(arn.resource)?.[1] : value;
  const m = reference === undefined ? null : /^([^:]+)(?::([1-9]\d{0,9}))?$/.exec(reference);
  if (m && ECS_NAME.test(m[1]!) && (!arn || m[2])) {
    if (arn) sameRegion(input, value, arn, region);
    return value;
  }
  throw new UserError(
    `Input '${input}' is ${shown(value)}${arn ? `, ${describeArn(arn)}` : ''}: give a registered task definition as family, family:revision or its ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>); families are ${ECS_ARN_NAMES}.`,
  );
}

export function checkContainer(input: string, value: string): string {
  if (ECS_NAME.test(value)) return value;
  throw new UserError(
    `Input '${input}' is ${shown(value)}: give the name of a container of the task definition (${ECS_ARN_NAMES}).`,
  );
}

/** VPC ids of one kind (subnet-…, sg-…): the prefix and hexadecimal digits, at most `max` of them. */
export function checkVpcIds(
  input: string,
  ids: string[],
  prefix: string,
  max: number,
  example: string,
): string[] {
  const pattern = new RegExp(`^${prefix}-[0-9a-f]{1,17}$`);
  const bad = ids.find((id) => !pattern.test(id));
  if (bad !== undefined) {
    throw new UserError(
      `Input '${input}' holds ${shown(bad)}, which is not a ${prefix}- id: list ids like ${example}, separated by commas or new lines.`,
    );
  }
  if (ids.length > max) {
    throw new UserError(`Input '${input}' lists ${ids.length} ids: ECS takes at most ${max}.`);
  }
  return ids;
}

/** The command line's path inside the image: the file node runs, never one of node's options. */
export function checkCliPath(input: string, value: string): string {
  if (value === '' || value.startsWith('-') || /\s/.test(value)) {
    throw new UserError(
      `Input '${input}' is ${shown(value)}: give the path of the rds-migrate command line inside the image, like /opt/rds-migrate/cli.js (no spaces, not starting with -).`,
    );
  }
  return value;
}

export interface DurationFloor {
  /** The least duration, in milliseconds (the registry's `max` is checked by readInputs). */
  min: number;
  /** 0 turns the limit off (lock_timeout, statement_timeout). */
  offAtZero?: boolean;
}

/** A duration input at or above its least value (or 0, where 0 turns the limit off). */
export function durationFrom(input: string, text: string, floor: DurationFloor): number {
  const ms = parseDuration(input, text);
  if (floor.offAtZero && ms === 0 && /^0*(\.0*)?(ms|s|m|h)?$/.test(text.trim())) return 0;
  if (ms < floor.min) {
    throw new UserError(
      `Input '${input}' is ${shown(text)}, shorter than the ${formatDuration(floor.min)} it needs: give ${floor.offAtZero ? '0 (no limit) or ' : ''}${formatDuration(floor.min)} or more.`,
    );
  }
  return ms;
}

/** The least value of rds-migrate's durations; their maxima are in the input registry (INPUTS). */
export const DURATION_FLOORS = {
  'lock-timeout': { min: 1, offAtZero: true },
  'statement-timeout': { min: 1, offAtZero: true },
  'lock-wait': { min: 0 },
  'connect-timeout': { min: 100 },
  'task-timeout': { min: 1000 },
  'poll-interval': { min: 100 },
} as const satisfies Record<string, DurationFloor>;

const missing = (dir: string) =>
  new UserError(
    `Migrations directory '${dir}' does not exist or is not a directory: set 'migrations' to the folder that holds your V*__*.sql files.`,
  );

/**
 * The migrations folder. With a workspace (the action), it must lie inside it, also once its
 * symlinks are resolved; without one (the command line), anywhere. Either way it must exist.
 */
export function migrationsDirectory(
  input: string,
  text: string,
  base: string,
  workspace: string | undefined,
): string {
  if (text === '') {
    throw new UserError(
      `Input '${input}' is empty: give the folder of the migrations, relative to the workspace (. for the workspace itself).`,
    );
  }
  const dir = resolve(base, text);
  const outside = () =>
    new UserError(
      `Input '${input}' is ${shown(text)}, which leads outside the workspace (${shown(workspace!)}): give a folder of the repository, relative to the workspace.`,
    );
  if (workspace !== undefined && !isInside(resolve(workspace), dir)) throw outside();
  let real: string;
  try {
    real = realpathSync(dir);
    if (!statSync(real).isDirectory()) throw missing(dir);
  } catch {
    throw missing(dir);
  }
  if (workspace !== undefined) {
    let root: string;
    try {
      root = realpathSync(workspace);
    } catch {
      root = resolve(workspace);
    }
    if (!isInside(root, real)) throw outside();
  }
  return dir;
}

/**
 * A git ref name as `git check-ref-format` allows one (a branch, a tag, origin/main, a commit id):
 * nothing git could read as an option or a range, so it is safe as an argument.
 */
export function checkGitRef(input: string, ref: string): string {
  const bad =
    ref === '' ||
    ref === '@' ||
    ref.length > 255 ||
    ref.startsWith('-') ||
    ref.includes('..') ||
    ref.includes('@{') ||
    ref.includes('//') ||
    /[\s~^:?*[\\]/.test(ref) ||
    CONTROL.test(ref) ||
    ref.endsWith('/') ||
    ref.endsWith('.') ||
    ref.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
  if (bad) {
    throw new UserError(
      `Input '${input}' is ${shown(ref)}, which is not a git ref name: give a branch, tag or commit such as main, origin/main or a commit id (no spaces, '..', '~^:?*[\\', or leading '-').`,
    );
  }
  return ref;
}
