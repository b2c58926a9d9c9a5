// The deploy document the stack (infra/lib/ship-stack.ts) writes to SSM for each environment:
// its version, and the fields a deploy reads, checked; any other field is kept as written.
import { UserError } from '../lib/errors.ts';

export const DEPLOY_DOCUMENT_PREFIX = '/aws-ship-suite/';
export const DEPLOY_DOCUMENT_VERSION = 1;

/** The fields a deploy uses (version 1). Everything else the document holds stays in `raw`. */
export interface DeployDocument {
  readonly version: 1;
  readonly environment?: string;
  readonly region?: string;
  readonly deployRoleArn?: string;
  readonly ecr: { readonly repositoryName: string; readonly repositoryUri?: string };
  readonly ecs: { readonly cluster: string; readonly service: string; readonly smokeUrl?: string };
  readonly alarms?: { readonly canary?: readonly string[] };
  readonly migration?: { readonly databaseSecretArn?: string };
  readonly site?: { readonly bucket: string; readonly distributionId: string };
}

/** `/aws-ship-suite/<role name>`: the role name is the last segment of the role ARN. */
export function deployDocumentName(roleArn: string): string {
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return `${DEPLOY_DOCUMENT_PREFIX}${roleName}`;
}

type Check = (value: unknown) => boolean;
const text: Check = (v) => typeof v === 'string' && v !== '';
const texts: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const object = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** [path, required, check, what it should be] for every field a deploy reads. */
const FIELDS: readonly (readonly [string, boolean, Check, string])[] = [
  ['environment', false, text, 'a name'],
  ['region', false, text, 'a region'],
  ['deployRoleArn', false, text, 'a role ARN'],
  ['ecr.repositoryName', true, text, 'a repository name'],
  ['ecr.repositoryUri', false, text, 'a repository URI'],
  ['ecs.cluster', true, text, 'a cluster name'],
  ['ecs.service', true, text, 'a service name'],
  ['ecs.smokeUrl', false, text, 'a URL'],
  ['alarms.canary', false, texts, 'a list of alarm names'],
  ['migration.databaseSecretArn', false, text, 'a secret ARN'],
  ['site.bucket', false, text, 'a bucket name'],
  ['site.distributionId', false, text, 'a distribution id'],
];

function at(document: Record<string, unknown>, path: string): unknown {
  let value: unknown = document;
  for (const key of path.split('.')) value = object(value) ? value[key] : undefined;
  return value;
}

/**
 * Parses and checks a deploy document read from `name`: version 1, the fields a deploy uses of the
 * right shape (a site names both bucket and distribution), the role it names the role assumed.
 */
export function parseDeployDocument(value: string, name: string, roleArn: string): DeployDocument {
  const fix = 'redeploy the stack (infra/) so it writes a current one';
  let document: unknown;
  try {
    document = JSON.parse(value);
  } catch {
    throw new UserError(`The deploy document at ${name} is not JSON: ${fix}.`);
  }
  if (!object(document))
    throw new UserError(`The deploy document at ${name} is not a JSON object: ${fix}.`);
  if (document['version'] !== DEPLOY_DOCUMENT_VERSION) {
    throw new UserError(
      `The deploy document at ${name} has version ${JSON.stringify(document['version'] ?? null)}; this aws-ship-suite reads version ${DEPLOY_DOCUMENT_VERSION}: use the suite release that matches the stack's, or ${fix}.`,
    );
  }
  for (const [path, required, check, what] of FIELDS) {
    const field = at(document, path);
    if (field === undefined && !required) continue;
    if (!check(field)) {
      throw new UserError(
        `The deploy document at ${name} has ${field === undefined ? 'no' : 'a bad'} ${path} (it must be ${what}): ${fix}.`,
      );
    }
  }
  const site = document['site'];
  if (object(site) && (site['bucket'] === undefined) !== (site['distributionId'] === undefined)) {
    throw new UserError(
      `The deploy document at ${name} has a site without both bucket and distributionId: ${fix}.`,
    );
  }
  const named = document['deployRoleArn'];
  if (named !== undefined && named !== roleArn) {
    throw new UserError(
      `The deploy document at ${name} belongs to ${String(named)}, not to role-to-assume ${roleArn}: check role-to-assume (account and role name).`,
    );
  }
  return document as unknown as DeployDocument;
}
