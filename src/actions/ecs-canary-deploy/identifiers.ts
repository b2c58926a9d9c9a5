// The identifier inputs of ecs-canary-deploy, checked against what ECS, IAM and CloudWatch accept
// before any call: the cluster and service (names, or ARNs of the right resource type in the
// region the step works in), role ARNs and alarm names. Each refusal is one line that names the
// input and echoes a shortened value.
import { UserError } from '../../lib/errors.ts';
import { shown as quote } from '../../lib/errors.ts';

/** Cluster, service and container names: what ECS accepts. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** arn:<partition>:<service>:<region>:<account>:<resource>, every part present. */
const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(.+)$/;

export interface EcsTarget {
  /** As given: a name or an ARN, both of which ECS takes. */
  cluster: string;
  service: string;
}

/**
 * The `cluster` and `service` inputs. A name, or the ARN of that kind of resource: a cluster ARN
 * for cluster; for service the old (`service/<name>`) or the new (`service/<cluster>/<name>`)
 * format. An ARN must be in `region` (the ECS client only reaches that region), and a cluster or
 * account an ARN names must agree with the other input's.
 */
export function checkEcsTarget(
  clusterText: string,
  serviceText: string,
  region: string,
): EcsTarget {
  const cluster = ecsResource('cluster', clusterText, region);
  const service = ecsResource('service', serviceText, region);
  if (service.cluster !== undefined && service.cluster !== cluster.name) {
    throw new UserError(
      `Input 'service' is the ARN of a service in cluster '${service.cluster}', but input 'cluster' is ${quote(clusterText)}: give the service of that cluster, or set cluster to '${service.cluster}'.`,
    );
  }
  if (cluster.account && service.account && cluster.account !== service.account) {
    throw new UserError(
      `Input 'service' is an ARN in account ${service.account}, but input 'cluster' is an ARN in account ${cluster.account}: give both in the same account.`,
    );
  }
  return { cluster: clusterText, service: serviceText };
}

interface EcsResource {
  name: string;
  /** The cluster a new-format service ARN names. */
  cluster?: string;
  account?: string;
}

function ecsResource(kind: 'cluster' | 'service', text: string, region: string): EcsResource {
  if (!text.startsWith('arn:')) {
    if (!ECS_NAME.test(text)) {
      throw new UserError(
        `Input '${kind}' is ${quote(text)}: use a name of up to 255 letters, digits, '-' and '_', or the ${kind}'s ARN.`,
      );
    }
    return { name: text };
  }
  const expected =
    kind === 'cluster'
      ? `arn:aws:ecs:${region}:<account>:cluster/<name>`
      : `arn:aws:ecs:${region}:<account>:service/<cluster>/<name>`;
  const arn = ARN.exec(text);
  if (arn === null) {
    throw new UserError(
      `Input '${kind}' is ${quote(text)}, which is not an ARN: use the ${kind}'s name, or its ARN (${expected}).`,
    );
  }
  const [, , service = '', arnRegion = '', account = '', resource = ''] = arn;
  const [type = '', ...path] = resource.split('/');
  if (service !== 'ecs' || type !== kind) {
    const what = service === 'ecs' ? `an ECS ${type || resource} ARN` : `an ARN of ${service}`;
    throw new UserError(
      `Input '${kind}' is ${quote(text)}, ${what}, not a ${kind} ARN: use the ${kind}'s name, or its ARN (${expected}).`,
    );
  }
  const valid =
    path.every((part) => ECS_NAME.test(part)) &&
    (path.length === 1 || (kind === 'service' && path.length === 2));
  if (!valid || !/^\d{12}$/.test(account)) {
    throw new UserError(
      `Input '${kind}' is ${quote(text)}, which is not a valid ${kind} ARN: use the ${kind}'s name, or its ARN (${expected}).`,
    );
  }
  if (arnRegion !== region) {
    throw new UserError(
      `Input '${kind}' is an ARN in region ${quote(arnRegion)}, but the step works in ${region}: set aws-region to ${arnRegion || 'the ARN’s region'}, or give the ${kind} in ${region}.`,
    );
  }
  const name = path[path.length - 1] ?? '';
  return {
    name,
    account,
    ...(kind === 'service' && path.length === 2 ? { cluster: path[0] ?? '' } : {}),
  };
}

/** arn:<partition>:iam::<account>:role/<path/><name> */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role(\/.*)$/;
/** IAM: a role name has 1 to 64 of these; a path is `/` or `/…/` of printable ASCII, at most 512. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/(?:[\u0021-\u007e]*\/)?$/;
const MAX_ROLE_PATH = 512;

/**
 * A full IAM role ARN whose path and name IAM can hold. A bare role name is refused too: ECS could
 * answer with the ARN, never compare equal to the registered revision, and make every run
 * register a new one.
 */
export function checkRoleArn(input: string, text: string): string {
  const arn = text.trim();
  const match = ROLE_ARN.exec(arn);
  if (match === null) {
    throw new UserError(
      `Input '${input}' is ${quote(text)}, which is not an IAM role ARN: use arn:aws:iam::<12-digit account>:role/<name>.`,
    );
  }
  const pathAndName = match[1] ?? '';
  const slash = pathAndName.lastIndexOf('/');
  const path = pathAndName.slice(0, slash + 1);
  const name = pathAndName.slice(slash + 1);
  if (!ROLE_NAME.test(name)) {
    throw new UserError(
      name.length > 64
        ? `Input '${input}' names a role of ${name.length} characters (${quote(name, 40)}): IAM role names have at most 64, check the ARN.`
        : `Input '${input}' names the role ${quote(name)}, which is not an IAM role name: use 1 to 64 letters, digits and _+=,.@- (check the ARN).`,
    );
  }
  if (path.length > MAX_ROLE_PATH || !ROLE_PATH.test(path)) {
    throw new UserError(
      path.length > MAX_ROLE_PATH
        ? `Input '${input}' has a role path of ${path.length} characters (${quote(path, 40)}): IAM role paths have at most ${MAX_ROLE_PATH}, check the ARN.`
        : `Input '${input}' has the role path ${quote(path)}, which IAM does not accept: use printable characters without spaces between the slashes (check the ARN).`,
    );
  }
  return arn;
}

/** CloudWatch: 1 to 255 characters, no control characters; ECS watches at most 10 per service. */
const MAX_ALARM_NAME = 255;
const MAX_ALARMS = 10;
const ALARM_CONTROL = /\p{Cc}/u;

export function checkAlarms(text: string): string[] {
  // One per line or comma-separated (a comma can be no part of a name here).
  const alarms = text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const seen = new Set<string>();
  for (const name of alarms) {
    if ([...name].length > MAX_ALARM_NAME) {
      throw new UserError(
        `Input 'alarms' has a name of ${[...name].length} characters (${quote(name, 40)}): CloudWatch alarm names have at most ${MAX_ALARM_NAME}.`,
      );
    }
    if (ALARM_CONTROL.test(name)) {
      throw new UserError(
        `Input 'alarms' has the name ${quote(name, 40)} with a control character: CloudWatch alarm names have none, give each name on its own line.`,
      );
    }
    if (seen.has(name)) {
      throw new UserError(`Input 'alarms' lists ${quote(name, 40)} twice: give each alarm once.`);
    }
    seen.add(name);
  }
  if (alarms.length > MAX_ALARMS) {
    throw new UserError(
      `Input 'alarms' lists ${alarms.length} alarms; ECS watches at most ${MAX_ALARMS} per service: combine them in a composite alarm.`,
    );
  }
  return alarms;
}
