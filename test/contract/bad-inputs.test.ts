// Every input of every action, given bad values of its kind, through the committed bundle the way
// the runner runs it: the step fails with exit 1 and one error line that names the input, shows no
// stack trace, sends nothing to AWS, the OIDC token endpoint or the database, forges no workflow
// command, exports nothing, and its post step exits cleanly. Valid edge values (documented minima
// and maxima, a region of every partition) must get past the inputs to the first network call.
// The cases come from the input registries (src/actions/*/inputs.ts): a new input gets them by its
// kind, with no change here; an input without a kind fails here (and in typecheck).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ActionMetadata,
  ROOT_ACTION,
  listActionNames,
  loadAction,
  loadRootAction,
  repositoryRoot,
} from '../../scripts/action-docs.ts';
import {
  type InputKind,
  type InputRegistry,
  type InputSpec,
  MAX_LENGTH,
  isMultiLine,
} from '../../src/lib/action-io.ts';
import { MAX_DURATION_MS, parseDuration } from '../../src/lib/durations.ts';
import { PARTITIONS } from '../../src/lib/partitions.ts';
import { type ActionRun, cleanupActionRuns, runAction } from '../harness/index.ts';
import { type Recorder, startRecorder } from './recorder.ts';

const root = repositoryRoot();
/** The actions under actions/, and the root action (action.yml at the root, src/actions/deploy). */
const ACTIONS = [...listActionNames(root), ROOT_ACTION];

function actionYml(action: string): string {
  return action === ROOT_ACTION
    ? join(root, 'action.yml')
    : join(root, 'actions', action, 'action.yml');
}

function metadata(action: string): ActionMetadata {
  return action === ROOT_ACTION ? loadRootAction(root)! : loadAction(action, root);
}
const ROLE = 'arn:aws:iam::123456789012:role/deploy';
const DIGEST = `sha256:${'a'.repeat(64)}`;
/** The database URL of a base: the recorder's database port is filled in per run. */
const DB_URL = 'postgres://app:secret-pw@127.0.0.1:{db}/app';

/** Every kind the registries may use, so a registry entry with another (or none) fails here. */
const KINDS: readonly InputKind[] = Object.keys(MAX_LENGTH) as InputKind[];

const registries: Record<string, InputRegistry> = {};
for (const name of ACTIONS) {
  const module = (await import(
    pathToFileURL(join(root, 'src/actions', name, 'inputs.ts')).href
  )) as { INPUTS: InputRegistry };
  registries[name] = module.INPUTS;
}

// ---------------------------------------------------------------------------------------------
// The minimal valid inputs each input is tried on: the action's base, then the input's own group
// (an input that only counts in one mode is tried in that mode). `{db}` is the recorder's port.

type Inputs = Record<string, string>;

const BASES: Record<string, { base: Inputs; groups: { inputs: string[]; with: Inputs }[] }> = {
  'oidc-assume': {
    base: { 'role-to-assume': ROLE, 'aws-region': 'eu-west-1' },
    groups: [{ inputs: ['role-external-id'], with: { 'role-chaining': 'true' } }],
  },
  'ecr-build-push': {
    base: { repository: 'team/web', 'aws-region': 'eu-west-1' },
    groups: [
      {
        inputs: ['source-image', 'source-region'],
        with: { mode: 'promote', 'source-image': `team/web@${DIGEST}` },
      },
      { inputs: ['cache-repository'], with: { builder: 'buildah' } },
      { inputs: ['registry-ids'], with: { 'registry-id': '123456789012' } },
    ],
  },
  'ecs-canary-deploy': {
    base: { cluster: 'shop', service: 'web', 'aws-region': 'eu-west-1', 'dry-run': 'true' },
    groups: [
      { inputs: ['step-percent', 'step-bake'], with: { strategy: 'linear' } },
      {
        inputs: ['audience', 'role-session-name', 'role-duration-seconds'],
        with: { 'role-to-assume': ROLE },
      },
    ],
  },
  'rds-migrate': {
    base: { command: 'plan', 'database-url': DB_URL },
    groups: [
      { inputs: ['database-url'], with: { 'database-url': '' } },
      { inputs: ['base-ref'], with: { command: 'lint', 'database-url': '' } },
      { inputs: ['secret-id'], with: { 'database-url': '', 'aws-region': 'eu-west-1' } },
      {
        inputs: ['host', 'user', 'database', 'port', 'aws-region'],
        with: {
          'database-url': '',
          'iam-auth': 'true',
          host: '127.0.0.1',
          port: '{db}',
          user: 'app',
          database: 'app',
          'aws-region': 'eu-west-1',
        },
      },
      {
        inputs: ['shadow-database-url', 'postgres-bin'],
        with: { command: 'validate', 'database-url': '' },
      },
      {
        inputs: [
          'cluster',
          'task-definition',
          'service',
          'container',
          'subnets',
          'security-groups',
          'assign-public-ip',
          'cli-path',
          'task-timeout',
          'poll-interval',
        ],
        with: {
          mode: 'ecs-task',
          'database-url': '',
          cluster: 'shop',
          'task-definition': 'migrate:1',
          'aws-region': 'eu-west-1',
        },
      },
    ],
  },
  'quality-gate': { base: {}, groups: [] },
  'deploy-command': {
    base: {},
    groups: [
      {
        inputs: [
          'environment',
          'sha',
          'pull-request',
          'comment-id',
          'actor',
          'command',
          'image-digest',
          'task-definition',
          'migration-versions',
          'contract-migrations',
          'site-release',
          'site-artifact',
          'site-run-id',
        ],
        with: {
          mode: 'start',
          environment: 'staging',
          sha: 'a'.repeat(40),
          actor: 'octocat',
          'pull-request': '7',
          'site-artifact': 'site-a',
          'site-run-id': '7001',
        },
      },
      {
        inputs: [
          'deployment-id',
          'outcome',
          'environment-url',
          'notify-topic-arn',
          'slack-webhook-url',
          'rolled-back',
          'failure-reason',
          'failed-step',
        ],
        with: { mode: 'finish', environment: 'staging', 'deployment-id': '5', outcome: 'success' },
      },
    ],
  },
  // The root action: one environment's deploy; its inputs are checked by the owning actions' parsers.
  [ROOT_ACTION]: {
    base: {
      environment: 'staging',
      'role-to-assume': ROLE,
      'aws-region': 'eu-west-1',
      cluster: 'shop',
      service: 'web',
      'image-repository': '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web',
      digest: DIGEST,
    },
    groups: [{ inputs: ['secret-id', 'migrations'], with: { 'secret-id': 'shop/db' } }],
  },
  'infra-diff': {
    base: { output: 'Dockerfile', 'github-token': 'ghs_contract', 'pull-request': '7' },
    groups: [],
  },
  'spa-deploy': {
    base: {
      bucket: 'acme-site',
      'distribution-id': 'E2QWRUHAPOMQZL',
      source: 'migrations',
      'aws-region': 'eu-west-1',
    },
    groups: [
      {
        inputs: ['audience', 'role-session-name', 'role-duration-seconds'],
        with: { 'role-to-assume': ROLE },
      },
    ],
  },
};

function baseFor(action: string, input: string): Inputs {
  const { base, groups } = BASES[action]!;
  const group = groups.find((g) => g.inputs.includes(input));
  return { ...base, ...group?.with };
}

// ---------------------------------------------------------------------------------------------
// Bad values by kind, and for a few inputs of their own.

interface BadValue {
  /** What the value is, for the test name and KNOWN_GAPS. */
  label: string;
  value: string;
  /** Inputs to set besides the bad one (over the base). */
  with?: Inputs;
}

/** The value that would forge a mask, an annotation and an output if it reached the log raw. */
const INJECTION = 'x\n::add-mask::x\n::error::forged\n::set-output name=forged::forged';
const HUGE = 'a'.repeat(100 * 1024);
/** One control character per input, in turn, so every one is tried through some input. */
const SINGLE_LINE_CONTROLS = [
  '\t',
  '\r',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
];
// (No NUL: no environment variable can carry one, so no runner can pass it.)
const MULTI_LINE_CONTROLS = ['\r', '\u001b', '\u0008', '\u2028'];

/** Paths outside the workspace, filled in per action workspace (see makeWorkspace). */
const OUTSIDE = '{outside}';

const WRONG_ARN: Record<string, string> = {
  'iam-role': 'arn:aws:iam::123456789012:policy/deploy',
  'iam-policy': 'arn:aws:iam::123456789012:role/deploy',
  'ecs-cluster': 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web',
  'ecs-service': 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop',
  'ecs-task-definition': 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop',
  'secretsmanager-secret': 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop',
  'kms-key': 'arn:aws:iam::123456789012:role/deploy',
};

function byKind(spec: InputSpec, input: string): BadValue[] {
  const bad: BadValue[] = [];
  const add = (label: string, value: string) => bad.push({ label, value });
  switch (spec.kind) {
    case 'boolean':
      add('not a boolean', 'yes');
      break;
    case 'integer':
      add('not a number', 'ten');
      add('a fraction', '1.5');
      add('huge number', '9'.repeat(30));
      break;
    case 'number':
      add('not a number', 'ten');
      add('negative', '-1');
      break;
    case 'duration': {
      const max = spec.max === undefined ? MAX_DURATION_MS : parseDuration('max', spec.max);
      add('negative', '-5s');
      add('overflowing', '1000000h');
      add('over its maximum', `${max / 1000 + 1}s`);
      break;
    }
    case 'minutes':
      add('not minutes', 'soon');
      add('overflowing', '1000000h');
      break;
    case 'region':
      add('malformed region', 'Frankfurt');
      add('unknown region', 'xx-nowhere-1');
      break;
    case 'choice':
      add('not a choice', 'nope');
      break;
    case 'arn':
      add('wrong resource type', WRONG_ARN[spec.arn!]!);
      add('not an ARN', 'not an arn');
      break;
    case 'name':
      if (!SPACES_ALLOWED.has(input)) add('white space', 'a b');
      if (spec.arn) add('ARN of the wrong resource type', WRONG_ARN[spec.arn]!);
      break;
    case 'list':
      if (spec.arn) add('ARN of the wrong resource type', WRONG_ARN[spec.arn]!);
      break;
    case 'lines':
      add('line without a name', '=value');
      break;
    case 'json':
      add('not JSON', '{');
      add('wrong JSON type', '42');
      break;
    case 'path':
      add('absolute path outside the workspace', `${OUTSIDE}/abs`);
      add('relative path outside the workspace', `${OUTSIDE}/rel`);
      add('symlink pointing outside the workspace', `${OUTSIDE}/link`);
      break;
    case 'host-path':
      add('missing', '/nonexistent/nowhere');
      break;
    case 'url':
      add('not a URL', 'not a url');
      break;
    case 'text':
      break;
  }
  return bad;
}

/**
 * Multi-line inputs every line of which may be any printable text: CloudWatch alarm names hold
 * colons and spaces too, so every line of INJECTION is a valid name (printing it is safe: the
 * runner's log functions never let a printed line be read as a command).
 */
const ANY_TEXT_PER_LINE = new Set(['ecs-canary-deploy/alarms', `${ROOT_ACTION}/alarms`]);

/** Names that may hold spaces: PostgreSQL roles and databases (quoted identifiers). */
const SPACES_ALLOWED = new Set(['rds-migrate/user', 'rds-migrate/database']);

/** Values of one input's own, on top of its kind's. */
const OWN: Record<string, BadValue[]> = {
  'oidc-assume/role-to-assume': [
    { label: 'role name too long', value: `arn:aws:iam::123456789012:role/${'r'.repeat(65)}` },
  ],
  'oidc-assume/inline-session-policy': [{ label: 'too big', value: `{"a":"${'x'.repeat(3000)}"}` }],
  'ecr-build-push/repository': [
    {
      label: 'a full registry URI',
      value: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web',
    },
  ],
  'ecr-build-push/target': [{ label: 'not a stage name', value: '-stage' }],
  'ecr-build-push/kms-key': [{ label: 'not a key', value: 'not-a-key!' }],
  'ecr-build-push/sbom': [{ label: 'not an sbom setting', value: 'nope' }],
  'ecr-build-push/provenance': [{ label: 'not a provenance setting', value: 'nope' }],
  'ecr-build-push/tags': [{ label: 'not a tag', value: 'a b' }],
  'ecr-build-push/registry-ids': [{ label: 'not an account id', value: '123456789012, 12345' }],
  'ecr-build-push/platforms': [{ label: 'not os/arch', value: 'linux' }],
  'oidc-assume/allowed-account-ids': [{ label: 'not an account id', value: '12345' }],
  'ecs-canary-deploy/alarms': [{ label: 'name too long', value: `ok, ${'a'.repeat(256)}` }],
  'rds-migrate/subnets': [{ label: 'not a subnet id', value: 'subnet one' }],
  'rds-migrate/security-groups': [{ label: 'not a security group id', value: 'group one' }],
  'ecr-build-push/source-region': [{ label: 'malformed region', value: 'europe' }],
  'ecs-canary-deploy/task-role-arn': [
    { label: 'role name too long', value: `arn:aws:iam::123456789012:role/${'r'.repeat(65)}` },
  ],
  'ecs-canary-deploy/execution-role-arn': [
    { label: 'role name too long', value: `arn:aws:iam::123456789012:role/${'r'.repeat(65)}` },
  ],
  'ecs-canary-deploy/role-to-assume': [
    { label: 'role name too long', value: `arn:aws:iam::123456789012:role/${'r'.repeat(65)}` },
  ],
  'ecs-canary-deploy/task-definition': [
    { label: 'not a task definition', value: 'not-a-task-definition.json' },
  ],
  'ecs-canary-deploy/smoke-url': [
    { label: 'white space', value: 'http://example.com/a b' },
    { label: 'not http', value: 'ftp://example.com/health' },
  ],
  'ecs-canary-deploy/canary-percent': [{ label: 'out of range', value: '101' }],
  'ecs-canary-deploy/step-percent': [{ label: 'out of range', value: '2' }],
  'ecs-canary-deploy/canary-bake': [{ label: 'out of range', value: '1441' }],
  'ecs-canary-deploy/smoke-expect-status': [{ label: 'out of range', value: '600' }],
  'ecs-canary-deploy/max-error-rate': [{ label: 'out of range', value: '150%' }],
  'rds-migrate/database-url': [
    {
      label: 'a %0A-encoded command in the database name',
      value: 'postgres://app:pw@127.0.0.1:{db}/app%0A::error::forged',
    },
    {
      label: 'a %0A-encoded command in the user name',
      value: 'postgres://app%0A::add-mask::x:pw@127.0.0.1:{db}/app',
    },
    { label: 'not postgres', value: 'mysql://app:pw@127.0.0.1:{db}/app' },
  ],
  'rds-migrate/shadow-database-url': [
    {
      label: 'a %0A-encoded command in the database name',
      value: 'postgres://app:pw@127.0.0.1:{db}/app%0A::error::forged',
    },
  ],
  'rds-migrate/user': [{ label: 'longer than PostgreSQL names', value: 'u'.repeat(64) }],
  'rds-migrate/database': [{ label: 'longer than PostgreSQL names', value: 'd'.repeat(64) }],
  'rds-migrate/host': [{ label: 'not a host name', value: 'db/../x' }],
  'rds-migrate/secret-id': [{ label: 'not a secret name', value: 'a%b' }],
  'deploy-command/notify-topic-arn': [
    { label: 'not an SNS topic', value: 'arn:aws:sqs:eu-west-1:123456789012:queue' },
  ],
  'deploy-command/slack-webhook-url': [
    { label: 'not https', value: 'http://hooks.slack.com/services/T0/B0/secretpart' },
  ],
  'rds-migrate/port': [{ label: 'out of range', value: '65536' }],
  'rds-migrate/base-ref': [
    { label: 'an option', value: '--upload-pack=x' },
    { label: 'a range', value: 'a..b' },
    { label: 'a reflog entry', value: 'main@{1}' },
  ],
  'quality-gate/coverage': [
    { label: 'a glob leading outside the workspace', value: '../elsewhere/*.info' },
    { label: 'not a path', value: 'lcov.info, ::error::x' },
  ],
  'quality-gate/tests': [{ label: 'an absolute path outside the workspace', value: '/etc/*.xml' }],
  'quality-gate/findings': [
    { label: 'a glob leading outside the workspace', value: 'a/../../x.sarif' },
  ],
  'quality-gate/performance': [{ label: 'not a path', value: 'k6:summary.json' }],
  'quality-gate/coverage-format': [{ label: 'a format it does not read', value: 'clover' }],
  'quality-gate/policy': [
    { label: 'a missing file', value: 'nowhere.yml' },
    { label: 'a folder', value: 'migrations' },
    { label: 'not a policy', value: 'Dockerfile' },
    { label: 'unknown keys', value: 'task-definition.json' },
  ],
  'quality-gate/waivers': [
    { label: 'a missing file', value: 'nowhere.yml' },
    { label: 'not waivers', value: 'task-definition.json' },
  ],
  'quality-gate/baseline': [
    { label: 'a missing file', value: 'nowhere.json' },
    { label: 'not a quality-gate result', value: 'task-definition.json' },
  ],
  'quality-gate/min-coverage': [{ label: 'over 100', value: '120' }],
  'quality-gate/min-patch-coverage': [
    { label: 'over 100', value: '101%' },
    { label: 'without a base to compare with', value: '90' },
  ],
  'quality-gate/base-ref': [
    { label: 'an option', value: '--upload-pack=x' },
    { label: 'a range', value: 'a..b' },
  ],
  'quality-gate/max-failed-tests': [{ label: 'negative', value: '-1' }],
  'quality-gate/fail-on': [{ label: 'not a severity', value: 'severe' }],
  'quality-gate/max-p95-latency': [
    { label: 'no unit word', value: 'soon' },
    { label: 'over 10 minutes', value: '11m' },
    { label: 'zero', value: '0ms' },
  ],
  'quality-gate/max-error-rate': [{ label: 'over 100%', value: '150%' }],
  'quality-gate/max-coverage-drop': [{ label: 'off (a drop is always judged)', value: 'off' }],
  'quality-gate/max-p95-regression': [{ label: 'not a percentage', value: 'lots' }],
  'quality-gate/allow-skipped': [{ label: 'a count', value: '3' }],
  'quality-gate/mode': [{ label: 'not a mode', value: 'enforce' }],
  'quality-gate/result-file': [
    { label: 'in a folder that does not exist', value: 'no-such-folder/result.json' },
  ],
  'quality-gate/github-token': [{ label: 'two lines', value: 'ghp_a\nghp_b' }],
  'spa-deploy/bucket': [
    { label: 'an s3:// URL', value: 's3://acme-site' },
    { label: 'upper case', value: 'Acme-Site' },
  ],
  'spa-deploy/distribution-id': [
    { label: 'a domain name', value: 'd111111abcdef8.cloudfront.net' },
  ],
  'spa-deploy/source': [
    { label: 'a file', value: 'Dockerfile' },
    { label: 'missing', value: 'build' },
    { label: 'empty with mode deploy', value: '' },
  ],
  'spa-deploy/prefix': [{ label: 'a parent segment', value: 'app/../other/' }],
  'spa-deploy/cache-rules': [
    { label: 'no =', value: 'img/** public' },
    { label: 'no value', value: 'img/**=' },
  ],
  'spa-deploy/keep-releases': [{ label: 'one (the live one alone)', value: '1' }],
  'spa-deploy/concurrency': [{ label: 'zero', value: '0' }],
  'spa-deploy/release': [{ label: 'a space', value: 'release one' }],
  'spa-deploy/mode': [{ label: 'not a mode', value: 'sync' }],
  'infra-diff/output': [
    { label: 'a folder', value: 'migrations' },
    { label: 'missing', value: 'cdk-diff.txt' },
  ],
  'infra-diff/exit-code': [
    { label: 'negative', value: '-1' },
    { label: 'over 255', value: '256' },
  ],
  'infra-diff/pull-request': [{ label: 'zero', value: '0' }],
  'rds-migrate/database-state': [
    { label: 'new for a command without a database', value: 'new', with: { command: 'lint' } },
  ],
};

// ---------------------------------------------------------------------------------------------
// Known gaps: action-specific checks other branches of issue 10 add. Each entry is one case
// (action/input: label) that fails today and is expected to fail here; once the fix is merged the
// case passes, `it.failing` reports it, and the entry must go.

const KNOWN_GAPS: readonly string[] = [];

// ---------------------------------------------------------------------------------------------

interface Case {
  action: string;
  input: string;
  spec: InputSpec;
  label: string;
  value: string;
  inputs: Inputs;
}

function badCases(): Case[] {
  const cases: Case[] = [];
  let turn = 0;
  for (const action of ACTIONS) {
    for (const [input, spec] of Object.entries(registries[action]!)) {
      const base = baseFor(action, input);
      const values: BadValue[] = [];
      if (spec.required) {
        values.push({ label: 'empty', value: '' }, { label: 'blank', value: '   ' });
      }
      if (!ANY_TEXT_PER_LINE.has(`${action}/${input}`)) {
        values.push({ label: 'newlines carrying workflow commands', value: INJECTION });
      }
      const controls = isMultiLine(spec.kind) ? MULTI_LINE_CONTROLS : SINGLE_LINE_CONTROLS;
      const control = controls[turn++ % controls.length]!;
      values.push({
        label: `control character U+${control.codePointAt(0)!.toString(16).padStart(4, '0')}`,
        value: `a${control}b`,
      });
      values.push({ label: '100 KB', value: HUGE });
      values.push(...byKind(spec, `${action}/${input}`), ...(OWN[`${action}/${input}`] ?? []));
      for (const bad of values) {
        cases.push({
          action,
          input,
          spec,
          label: bad.label,
          value: bad.value,
          inputs: { ...base, ...bad.with, [input]: bad.value },
        });
      }
    }
  }
  return cases;
}

/** Valid edge values: each must get the step past its inputs, to its first network call. */
function acceptedCases(): Case[] {
  const cases: Case[] = [];
  const add = (action: string, input: string, label: string, value: string, more: Inputs = {}) =>
    cases.push({
      action,
      input,
      spec: registries[action]![input]!,
      label,
      value,
      inputs: { ...baseFor(action, input), ...more, [input]: value },
    });
  for (const partition of PARTITIONS) {
    const region = partition.regions.find((name) => !name.endsWith('-global'))!;
    add('oidc-assume', 'aws-region', `a region of partition ${partition.id}`, region);
  }
  add('ecr-build-push', 'aws-region', 'a region of partition aws-eusc', 'eusc-de-east-1');
  add('ecs-canary-deploy', 'aws-region', 'a region of partition aws-eusc', 'eusc-de-east-1');
  add('rds-migrate', 'aws-region', 'a region of partition aws-eusc', 'eusc-de-east-1');
  add('ecr-build-push', 'source-region', 'a region of partition aws-cn', 'cn-north-1');
  add('oidc-assume', 'aws-region', 'a region the SDK data does not list yet', 'ap-east-9');
  // Every duration at its maximum (with what it must stay under raised to match).
  const raise: Record<string, Inputs> = {
    'oidc-assume/request-timeout': { timeout: '1h' },
    'ecr-build-push/request-timeout': { timeout: '168h' },
    'ecs-canary-deploy/analysis-interval': { 'hook-timeout': '121m' },
  };
  for (const action of ACTIONS) {
    for (const [input, spec] of Object.entries(registries[action]!)) {
      if (spec.kind !== 'duration') continue;
      const max = spec.max ?? `${MAX_DURATION_MS / 3_600_000}h`;
      if (`${action}/${input}` === 'ecs-canary-deploy/hook-timeout') continue;
      add(action, input, `its maximum, ${max}`, max, raise[`${action}/${input}`]);
    }
  }
  add('ecs-canary-deploy', 'hook-timeout', 'its maximum, 20160m', '20160m');
  // Every documented minimum of a duration.
  add('oidc-assume', 'request-timeout', 'its minimum, 100ms', '100ms');
  add('ecr-build-push', 'scan-poll-interval', 'its minimum, 100ms', '100ms');
  add('ecs-canary-deploy', 'analysis-interval', 'its minimum, 10s', '10s');
  add('ecs-canary-deploy', 'poll-interval', 'its minimum, 1s', '1s');
  add('ecs-canary-deploy', 'request-timeout', 'its minimum, 1s', '1s');
  add('ecs-canary-deploy', 'hook-timeout', 'its minimum, 1m', '1m', { 'analysis-interval': '10s' });
  add('ecs-canary-deploy', 'timeout', 'its minimum, 1m', '1m');
  add('rds-migrate', 'connect-timeout', 'its minimum, 100ms', '100ms');
  add('rds-migrate', 'lock-timeout', '0 (disabled)', '0');
  add('oidc-assume', 'role-duration-seconds', 'its minimum', '900');
  add('oidc-assume', 'role-duration-seconds', 'its maximum', '43200');
  add('oidc-assume', 'retry-max-attempts', 'its maximum', '20');
  add('oidc-assume', 'retry-max-attempts', 'its minimum', '1');
  add('oidc-assume', 'role-session-name', 'its longest', 's'.repeat(64));
  add('oidc-assume', 'role-external-id', 'its longest', 'e'.repeat(1224));
  add(
    'oidc-assume',
    'managed-session-policies',
    'CRLF line ends',
    `${ROLE.replace('role/deploy', 'policy/a')}\r\n${ROLE.replace('role/deploy', 'policy/b')}`,
  );
  add('ecr-build-push', 'untagged-expiry-days', 'its maximum', '3650');
  add('ecr-build-push', 'tags', 'CRLF line ends', 'v1\r\nlatest');
  add('ecr-build-push', 'build-args', 'CRLF line ends', 'A=1\r\nB=2');
  add('ecs-canary-deploy', 'cluster', 'its longest name', 'c'.repeat(255));
  add('ecs-canary-deploy', 'canary-percent', 'its minimum', '0.1');
  add('ecs-canary-deploy', 'canary-percent', 'its maximum', '100');
  add('ecs-canary-deploy', 'canary-bake', 'its maximum', '1440');
  add('ecs-canary-deploy', 'step-percent', 'its minimum', '3');
  add('ecs-canary-deploy', 'smoke-expect-status', 'its maximum', '599');
  add('ecs-canary-deploy', 'min-requests', 'its maximum', '100000000');
  add('ecs-canary-deploy', 'smoke-url', 'an http URL', 'http://127.0.0.1:9/health');
  add('rds-migrate', 'lock-retries', 'its maximum', '20');
  add('spa-deploy', 'keep-releases', 'its minimum', '2');
  add('spa-deploy', 'keep-releases', 'its maximum', '100');
  add('spa-deploy', 'concurrency', 'its maximum', '64');
  add('spa-deploy', 'bucket', 'a name with dots', 'www.example.com');
  add('spa-deploy', 'prefix', 'a leading slash', '/app');
  add('spa-deploy', 'source', 'no source with mode rollback', '', { mode: 'rollback' });
  add('rds-migrate', 'user', 'its longest (63 characters)', 'u'.repeat(63));
  return cases;
}

/** BAD_INPUTS_ONLY=<regular expression>: run only the cases whose name matches (while fixing). */
const only = process.env.BAD_INPUTS_ONLY ? new RegExp(process.env.BAD_INPUTS_ONLY) : undefined;
const BAD = badCases().filter((c) => !only || only.test(caseName(c)));
const ACCEPTED = acceptedCases().filter((c) => !only || only.test(caseName(c)));

// ---------------------------------------------------------------------------------------------
// Running the cases: each action's workspace has a Dockerfile, a task definition, migrations and
// a symlink pointing outside; every run gets its own recorder; 3 runs at a time.

interface Outcome {
  run: ActionRun;
  /** The inputs as given, placeholders filled in. */
  inputs: Inputs;
  traffic: string[];
}

const workspaces: Record<string, { dir: string; outside: string }> = {};
const outcomes = new Map<Case, Outcome | Error>();
const CONCURRENCY = 3;
let scratch = '';

function makeWorkspace(action: string): { dir: string; outside: string } {
  const dir = join(scratch, action, 'workspace');
  const outside = join(scratch, action, 'outside');
  const files = {
    Dockerfile: 'FROM scratch\n',
    'task-definition.json': JSON.stringify({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'nginx:1', essential: true }],
    }),
    'migrations/V1__init.sql': 'CREATE TABLE t (id int);\n',
  };
  for (const where of [dir, outside]) {
    mkdirSync(join(where, 'migrations'), { recursive: true });
    for (const [path, text] of Object.entries(files)) writeFileSync(join(where, path), text);
  }
  writeFileSync(join(dir, 'not-a-task-definition.json'), '{"hello": "world"}');
  symlinkSync(outside, join(dir, 'outside-link'));
  return { dir, outside };
}

/** `{outside}/abs|rel|link` as a path of what the input names (a directory or a file). */
function outsidePath(action: string, input: string, which: string): string {
  const { dir, outside } = workspaces[action]!;
  const target: Record<string, string> = {
    context: '',
    file: 'Dockerfile',
    'task-definition': 'task-definition.json',
    migrations: 'migrations',
  };
  const tail = target[input] ?? '';
  const from = { abs: outside, rel: `../outside`, link: 'outside-link' }[which]!;
  const path = tail ? join(from, tail) : from;
  return which === 'abs' ? resolve(dir, path) : path;
}

function fill(action: string, input: string, text: string, recorder: Recorder): string {
  return text
    .replace(/^\{outside\}\/(abs|rel|link)$/, (_, which: string) =>
      outsidePath(action, input, which),
    )
    .replace('{db}', String(recorder.dbPort));
}

async function runCase(c: Case): Promise<Outcome> {
  const recorder = await startRecorder();
  try {
    const inputs = Object.fromEntries(
      Object.entries(c.inputs).map(([k, v]) => [k, fill(c.action, k, v, recorder)]),
    );
    if (c.action === 'ecs-canary-deploy' && c.input === 'smoke-url' && c.label === 'an http URL') {
      inputs['smoke-url'] = recorder.httpUrl;
    }
    const run = await runAction({
      action: actionYml(c.action),
      inputs,
      env: recorder.env(),
      cwd: workspaces[c.action]!.dir,
      timeoutMs: 30_000,
    });
    return { run, inputs, traffic: [...recorder.traffic] };
  } finally {
    await recorder.close();
  }
}

async function runAll(cases: readonly Case[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      try {
        outcomes.set(c, await runCase(c));
      } catch (error) {
        outcomes.set(c, error as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

let startedAt = 0;
beforeAll(async () => {
  startedAt = Date.now();
  scratch = mkdtempSync(join(tmpdir(), 'bad-inputs-'));
  for (const action of ACTIONS) workspaces[action] = makeWorkspace(action);
  await runAll([...BAD, ...ACCEPTED]);
}, 600_000);

afterAll(async () => {
  await cleanupActionRuns();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(
    `bad-inputs: ${BAD.length} bad values and ${ACCEPTED.length} valid edge values through the bundles in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
  );
});

function outcome(c: Case): Outcome {
  const found = outcomes.get(c);
  if (found === undefined) throw new Error('the case did not run');
  if (!('run' in found)) throw new Error(`the case could not run: ${String(found)}`);
  return found;
}

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/** Everything the contract says of a refused value, as one object to compare. */
function refusal(c: Case, { run, inputs, traffic }: Outcome) {
  const actionErrors = run.annotations.filter((a) => a.level === 'error' && a.source === 'action');
  const secretValues = Object.entries(inputs)
    .filter(([name]) => registries[c.action]![name]?.secret)
    .map(([, value]) => value)
    // An input defaulting to ${{ github.token }} masks the job's token, as the runner does too.
    .concat(run.githubToken);
  const declared = new Set(metadata(c.action).outputs.map((o) => o.name));
  return {
    exit: run.exitCode,
    annotations: run.annotations.length,
    errorNamesInput: actionErrors.length === 1 && actionErrors[0]!.message.includes(`'${c.input}'`),
    error: actionErrors[0]?.message.slice(0, 300),
    unexpected: actionErrors.some((a) => a.message.startsWith('Unexpected error')),
    stackTrace: STACK_LINE.test(run.log),
    traffic,
    masks: run.masks.filter((mask) => !secretValues.some((value) => value.includes(mask))),
    forgedOutputs: Object.entries(run.outputs)
      .filter(([name, value]) => !declared.has(name) || value === 'forged')
      .map(([name]) => name),
    exported: Object.keys(run.exportedEnv),
    echoedWhole:
      c.value.length > 200 &&
      run.stdout
        .split('\n')
        .some((line) => !line.startsWith('::add-mask::') && line.includes(c.value.slice(0, 200))),
    post: run.post
      ? { exit: run.post.exitCode, annotations: run.post.annotations.length }
      : run.postSkipped,
  };
}

describe('the input registries', () => {
  it.each(ACTIONS)('%s gives every input a known kind', (action) => {
    const registry = registries[action]!;
    const without = Object.entries(registry)
      .filter(([, spec]) => !KINDS.includes(spec.kind))
      .map(([name, spec]) => `${name}: ${String(spec.kind)}`);
    expect(without).toEqual([]);
    const declared = metadata(action).inputs.map((input) => input.name);
    expect(Object.keys(registry).sort()).toEqual([...declared].sort());
  });

  it('has a base for every group input that exists', () => {
    const stray = Object.entries(BASES).flatMap(([action, { groups }]) =>
      groups.flatMap((g) => g.inputs).filter((input) => !(input in registries[action]!)),
    );
    expect(stray).toEqual([]);
  });

  it('lists only known gaps that are cases', () => {
    if (only) return;
    const names = new Set(BAD.map(caseName));
    expect(KNOWN_GAPS.filter((gap) => !names.has(gap))).toEqual([]);
  });
});

function caseName(c: Case): string {
  return `${c.action}/${c.input}: ${c.label}`;
}

describe.each(ACTIONS)('%s refuses bad values', (action) => {
  const cases = BAD.filter((c) => c.action === action);
  const hasPost = metadata(action).runs.post !== undefined;
  for (const c of cases) {
    const name = caseName(c);
    const test = KNOWN_GAPS.includes(name) ? it.failing : it;
    test(`${c.input}: ${c.label}${KNOWN_GAPS.includes(name) ? ' (known gap)' : ''}`, () => {
      expect(refusal(c, outcome(c))).toEqual({
        exit: 1,
        annotations: 1,
        errorNamesInput: true,
        error: expect.any(String),
        unexpected: false,
        stackTrace: false,
        traffic: [],
        masks: [],
        forgedOutputs: [],
        exported: [],
        echoedWhole: false,
        post: hasPost ? { exit: 0, annotations: 0 } : undefined,
      });
    });
  }
});

describe.each(ACTIONS)('%s accepts valid edge values', (action) => {
  const cases = ACCEPTED.filter((c) => c.action === action);
  for (const c of cases) {
    it(`${c.input}: ${c.label}`, () => {
      const { run, traffic } = outcome(c);
      const inputError = run.annotations.find(
        (a) => a.level === 'error' && /\bInputs? '/.test(a.message),
      );
      expect({ inputError: inputError?.message, reachedTheNetwork: traffic.length > 0 }).toEqual({
        inputError: undefined,
        reachedTheNetwork: true,
      });
    });
  }
});
