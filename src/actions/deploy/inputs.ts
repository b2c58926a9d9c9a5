// The root action's inputs: the union of what one environment's deploy needs. Each input's spec
// is the registry entry of the action that owns it, and its value is checked by that action's own
// parser (ecs-canary-deploy, rds-migrate, deploy-command), read through a map of names; a
// parser's message names the root action's input.
//
// The target (image-repository, cluster, service, secret-id, smoke-url, alarms) may come from the
// stack's deploy document instead (src/deploy/target.ts): parsed without one, the inputs given
// are checked and stand-ins take the place of what the document will give; parsed again with the
// document once it is read, every value is checked, the document's named as such.
import type { ReadDocument } from '../../deploy-document/read.ts';
import {
  DOCUMENT_FIELDS,
  TARGET_INPUTS,
  type TargetInput,
  type TargetValues,
  readsDocument,
  targetOf,
} from '../../deploy/target.ts';
import { type InputRegistry, type RawInputs, readInputs } from '../../lib/action-io.ts';
import { UserError, shown } from '../../lib/errors.ts';
import {
  INPUTS as CANARY,
  type EcsCanaryDeployConfig,
  parseInputs as parseCanaryInputs,
} from '../ecs-canary-deploy/inputs.ts';
import {
  INPUTS as RECORD,
  type StartInputs,
  parseInputs as parseRecordInputs,
} from '../deploy-command/inputs.ts';
import {
  INPUTS as MIGRATE,
  type RdsMigrateConfig,
  parseInputs as parseMigrateInputs,
} from '../rds-migrate/inputs.ts';
import { WEB_IDENTITY_INPUTS } from '../shared/web-identity-inputs.ts';

export const INPUTS = {
  environment: { kind: 'name', required: true },
  'role-to-assume': { ...CANARY['role-to-assume'], required: true },
  ...WEB_IDENTITY_INPUTS,
  'aws-region': CANARY['aws-region'],
  cluster: { ...CANARY.cluster, required: false },
  service: { ...CANARY.service, required: false },
  'image-repository': { kind: 'name' },
  digest: { kind: 'text', required: true },
  'task-definition': CANARY['task-definition'],
  'secret-id': MIGRATE['secret-id'],
  migrations: MIGRATE.migrations,
  'smoke-url': CANARY['smoke-url'],
  'canary-percent': CANARY['canary-percent'],
  'canary-bake': CANARY['canary-bake'],
  'bake-time': CANARY['bake-time'],
  alarms: CANARY.alarms,
  'min-requests': CANARY['min-requests'],
  'max-error-rate': CANARY['max-error-rate'],
  'max-p95-latency': CANARY['max-p95-latency'],
  // The root action has no hook-timeout: ECS's default of 30m must stay over twice the interval.
  'analysis-interval': { ...CANARY['analysis-interval'], max: '14m' },
  'poll-interval': CANARY['poll-interval'],
  timeout: CANARY.timeout,
  'github-token': RECORD['github-token'],
  ref: { kind: 'text' },
  command: { kind: 'choice', default: 'push' },
} as const satisfies InputRegistry;

export const OUTPUTS = [
  'deployment-id',
  'status',
  'verdict',
  'task-definition-arn',
  'service-deployment-arn',
  'rollback-reason',
  'migrations-applied',
  'result',
] as const;

type Root = keyof typeof INPUTS;

export interface DeployConfig {
  /**
   * The deploy document to read after the role is assumed (some of the target is not given), or
   * the one read; the canary and migrate configs hold stand-ins until it is read.
   */
  readonly document:
    | { readonly read: false }
    | {
        readonly read: true;
        readonly name: string;
        /** The inputs it gave, with their values. */
        readonly gave: readonly (readonly [TargetInput, string])[];
      }
    | undefined;
  readonly environment: string;
  readonly digest: string;
  readonly canary: EcsCanaryDeployConfig;
  /** The expand migrations to apply; undefined without secret-id. */
  readonly migrate: RdsMigrateConfig | undefined;
  readonly record: { readonly token: string; readonly production: boolean } & StartInputs;
}

/**
 * Every input checked, by the parser of the action that owns it, before anything is called; with
 * the deploy document, once more with the target it completes.
 */
export function parseInputs(
  read: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
  workspace: string,
  document?: ReadDocument,
): DeployConfig {
  const { values: given } = readInputs(INPUTS, read);
  const inputs = Object.fromEntries(TARGET_INPUTS.map((name) => [name, given[name]])) as Record<
    TargetInput,
    string
  >;
  if (!readsDocument(inputs)) {
    return { ...parseTarget(given, env, workspace), document: undefined };
  }
  if (document === undefined) {
    return {
      ...parseTarget({ ...given, ...standIns(inputs) }, env, workspace),
      document: { read: false },
    };
  }
  const target = targetOf(inputs, document);
  try {
    return {
      ...parseTarget({ ...given, ...target.values }, env, workspace),
      document: {
        read: true,
        name: document.name,
        gave: target.fromDocument.map((input) => [input, target.values[input]] as const),
      },
    };
  } catch (error) {
    throw fromTheDocument(error, target.fromDocument, target.values, document.name);
  }
}

/** Checked as given: values that check where the document's will be (it checks its own fields' shape). */
function standIns(inputs: TargetValues): Partial<Record<TargetInput, string>> {
  // A service ARN names its cluster: the stand-in must not disagree with it.
  const clusterOfService = /^arn:[^:]+:ecs:[^:]*:\d*:service\/([^/]+)\/[^/]+$/.exec(
    inputs.service,
  )?.[1];
  return {
    ...(inputs['image-repository'] === ''
      ? { 'image-repository': '000000000000.dkr.ecr.us-east-1.amazonaws.com/document' }
      : {}),
    ...(inputs.cluster === '' ? { cluster: clusterOfService ?? 'document' } : {}),
    ...(inputs.service === '' ? { service: 'document' } : {}),
  };
}

/** A value the document gave that a parser refused: said as the document's, with the fix. */
function fromTheDocument(
  error: unknown,
  fields: readonly TargetInput[],
  values: TargetValues,
  name: string,
): unknown {
  if (!(error instanceof UserError)) return error;
  const field = fields.find((input) => error.message.includes(`'${input}'`));
  if (field === undefined) return error;
  return new UserError(
    `The deploy document at ${name} gives ${DOCUMENT_FIELDS[field]} ${shown(values[field])}, which this deploy cannot use (${error.message.replace(/\.$/, '')}): redeploy the stack (infra/), or give ${field} as an input.`,
    { details: error.details, cause: error },
  );
}

type Values = RawInputs<typeof INPUTS>;

function parseTarget(
  v: Values,
  env: NodeJS.ProcessEnv,
  workspace: string,
): Omit<DeployConfig, 'document'> {
  const from =
    (names: Readonly<Record<string, Root | { readonly fixed: string }>>) => (name: string) => {
      const source = names[name];
      if (source === undefined) return undefined;
      return typeof source === 'string' ? v[source] : source.fixed;
    };

  // The record first: its checks of the digest and the commit are the ones the others rely on.
  const recordNames = {
    mode: { fixed: 'start' },
    'github-token': 'github-token',
    environment: 'environment',
    sha: { fixed: v.ref || env.GITHUB_SHA || '' },
    actor: { fixed: env.GITHUB_ACTOR ?? '' },
    command: 'command',
    'image-digest': 'digest',
  } as const;
  const record = renamed({ sha: 'ref', 'image-digest': 'digest' }, () =>
    parseRecordInputs(from(recordNames)),
  );
  if (record.mode !== 'start') throw new Error('deploy-command parsed a mode other than start');
  if (record.start.imageDigest === undefined) {
    throw new UserError("Input 'digest' is required: pass the digest ecr-build-push output.");
  }

  // The digest is the release: the repository comes without a tag or a digest of its own (the
  // rest of the image grammar is ecs-canary-deploy's).
  const repository = v['image-repository'];
  if (repository.includes('@') || repository.slice(repository.lastIndexOf('/') + 1).includes(':')) {
    throw new UserError(
      `Input 'image-repository' is ${shown(repository)}: give the repository without tag or digest (<account>.dkr.ecr.<region>.amazonaws.com/<name>); the digest input names the image.`,
    );
  }
  const canaryNames = {
    'aws-region': 'aws-region',
    cluster: 'cluster',
    service: 'service',
    'task-definition': 'task-definition',
    images: { fixed: `${v['image-repository']}@${v.digest}` },
    'smoke-url': 'smoke-url',
    'canary-percent': 'canary-percent',
    'canary-bake': 'canary-bake',
    'bake-time': 'bake-time',
    alarms: 'alarms',
    'min-requests': 'min-requests',
    'max-error-rate': 'max-error-rate',
    'max-p95-latency': 'max-p95-latency',
    'analysis-interval': 'analysis-interval',
    'poll-interval': 'poll-interval',
    timeout: 'timeout',
    'role-to-assume': 'role-to-assume',
    audience: 'audience',
    'role-session-name': 'role-session-name',
    'role-duration-seconds': 'role-duration-seconds',
  } as const;
  const canary = renamed({ images: 'image-repository' }, () =>
    parseCanaryInputs(from(canaryNames), env),
  );

  const migrate =
    v['secret-id'] === ''
      ? undefined
      : parseMigrateInputs(
          from({
            command: { fixed: 'apply' },
            phase: { fixed: 'expand' },
            migrations: 'migrations',
            'secret-id': 'secret-id',
            'aws-region': { fixed: canary.region },
          }),
          workspace,
          env,
        );

  return {
    environment: record.start.environment,
    digest: record.start.imageDigest,
    canary,
    migrate,
    record: {
      ...record.start,
      token: record.token,
      production: record.start.environment === record.production,
    },
  };
}

/** Runs another action's parser, its messages naming this action's inputs. */
function renamed<T>(names: Readonly<Record<string, Root>>, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    let message = error.message;
    for (const [theirs, ours] of Object.entries(names)) {
      message = message.replaceAll(`'${theirs}'`, `'${ours}'`);
    }
    throw new UserError(message, { details: error.details, cause: error });
  }
}
