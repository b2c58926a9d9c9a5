// deploy-command's inputs: the registry action.yml is checked against, and the one place their
// text becomes values. The policy's own invariants are the engine's (checkPolicy).
import { type InputRegistry, type RawInputs, readInputs } from '../../lib/action-io.ts';
import { UserError, shown } from '../../lib/errors.ts';
import { parseBoolean, parseList } from '../../lib/parse.ts';
import { ENVIRONMENT_NAME, PREFIX } from '../../deploy-command/grammar.ts';
import { type CommandPolicy, PERMISSION_LEVELS, checkPolicy } from '../../deploy-command/policy.ts';
import type { DeployOutcome } from '../../deploy-command/lifecycle.ts';
import {
  MIGRATION_VERSION,
  type PermissionLevel,
  SITE_ARTIFACT_NAME,
  SITE_RELEASE,
  type SiteArtifact,
} from '../../deploy-command/ports.ts';
import { TOPIC_ARN } from '../../aws/sns.ts';

export const INPUTS = {
  mode: { kind: 'choice', default: 'command' },
  'github-token': { kind: 'text', default: '${{ github.token }}', secret: true },
  prefix: { kind: 'text', default: '/' },
  environments: { kind: 'list', default: 'staging' },
  'production-environment': { kind: 'name', default: 'production' },
  'promote-from': { kind: 'name', default: 'staging' },
  permissions: { kind: 'list', default: 'write,admin' },
  'environment-permissions': { kind: 'lines' },
  'environment-users': { kind: 'lines' },
  'allowed-bots': { kind: 'list' },
  'allow-forks': { kind: 'boolean', default: 'false' },
  'force-environments': { kind: 'list' },
  'required-checks': { kind: 'list', default: 'all' },
  environment: { kind: 'name' },
  sha: { kind: 'text' },
  'pull-request': { kind: 'integer' },
  'comment-id': { kind: 'integer' },
  actor: { kind: 'name' },
  command: { kind: 'choice' },
  'image-digest': { kind: 'text' },
  'task-definition': { kind: 'text' },
  'migration-versions': { kind: 'list' },
  'contract-migrations': { kind: 'list' },
  'site-release': { kind: 'text' },
  'site-artifact': { kind: 'text' },
  'site-run-id': { kind: 'integer' },
  'deployment-id': { kind: 'integer' },
  outcome: { kind: 'choice' },
  'environment-url': { kind: 'url' },
  'notify-topic-arn': { kind: 'text' },
  'slack-webhook-url': { kind: 'text', secret: true },
  'rolled-back': { kind: 'boolean', default: 'false' },
  'failure-reason': { kind: 'text' },
  'failed-step': { kind: 'text' },
} as const satisfies InputRegistry;

export const OUTPUTS = [
  'decision',
  'reason-code',
  'command',
  'environment',
  'sha',
  'dry-run',
  'force',
  'pull-request',
  'comment-id',
  'actor',
  'image-digest',
  'source-deployment-id',
  'needs-approval',
  'site-release',
  'site-artifact',
  'site-run-id',
  'deployment-id',
  'result',
] as const;

export const MODES = ['command', 'dispatch', 'start', 'finish'] as const;
export const OUTCOMES = ['success', 'failure', 'cancelled'] as const;
const COMMANDS = ['deploy', 'rollback', 'promote', 'push', 'dispatch'] as const;

export interface StartInputs {
  readonly environment: string;
  readonly sha: string;
  readonly pullRequest: number | undefined;
  readonly commentId: number | undefined;
  readonly actor: string;
  readonly command: (typeof COMMANDS)[number];
  readonly imageDigest: string | undefined;
  readonly taskDefinition: string | undefined;
  readonly migrationVersions: string[];
  readonly contractMigrations: string[];
  readonly siteRelease: string | undefined;
  readonly siteArtifact: SiteArtifact | undefined;
}

/** Who dispatched comes from the runner (GITHUB_TRIGGERING_ACTOR), never from an input. */
export type DispatchInputs =
  | { readonly verb: 'promote'; readonly digest: string | undefined }
  | { readonly verb: 'rollback'; readonly environment: string };

export interface FinishInputs {
  readonly environment: string;
  readonly deploymentId: number;
  readonly outcome: DeployOutcome;
  readonly pullRequest: number | undefined;
  readonly commentId: number | undefined;
  readonly environmentUrl: string | undefined;
  readonly notify: NotifyInputs;
}

/** Where a failed or rolled-back deploy is announced, and what the announcement says. */
export interface NotifyInputs {
  readonly topicArn: string | undefined;
  /** The secret: never printed, never in an output. */
  readonly slackWebhook: URL | undefined;
  readonly rolledBack: boolean;
  readonly reason: string | undefined;
  readonly failedStep: string | undefined;
  readonly imageDigest: string | undefined;
  readonly sha: string | undefined;
}

export type DeployCommandConfig = {
  readonly token: string;
  readonly policy: CommandPolicy;
  readonly production: string;
} & (
  | { readonly mode: 'command' }
  | { readonly mode: 'dispatch'; readonly dispatch: DispatchInputs }
  | { readonly mode: 'start'; readonly start: StartInputs }
  | { readonly mode: 'finish'; readonly finish: FinishInputs }
);

export function parseInputs(read: (name: string) => string | undefined): DeployCommandConfig {
  const { values: v } = readInputs(INPUTS, read);
  const mode = oneOf('mode', v.mode, MODES);
  if (v['github-token'] === '' || v['github-token'].startsWith('${{')) {
    throw new UserError("Input 'github-token' is empty: pass ${{ github.token }} (the default).");
  }
  if (!PREFIX.test(v.prefix)) {
    throw new UserError(
      `Input 'prefix' is ${shown(v.prefix)}: use 1 to 8 punctuation characters, such as / or .`,
    );
  }
  const policy: CommandPolicy = {
    prefix: v.prefix,
    environments: environmentNames('environments', v.environments),
    production: oneEnvironment('production-environment', v['production-environment']),
    promoteFrom: oneEnvironment('promote-from', v['promote-from']),
    permissions: levels('permissions', v.permissions),
    environmentPermissions: new Map(
      environmentLines('environment-permissions', v['environment-permissions']).map(
        ([env, items]) => [env, levels('environment-permissions', items.join(','))],
      ),
    ),
    environmentUsers: new Map(
      environmentLines('environment-users', v['environment-users']).map(([env, items]) => [
        env,
        items.map((login) =>
          checkLogin('environment-users', login.replace(/^@/, '')).toLowerCase(),
        ),
      ]),
    ),
    allowedBots: parseList(v['allowed-bots']).map((b) =>
      checkLogin('allowed-bots', b).toLowerCase(),
    ),
    allowForks: parseBoolean('allow-forks', v['allow-forks']),
    forceEnvironments: environmentNames('force-environments', v['force-environments']),
    requiredChecks:
      v['required-checks'] === 'all'
        ? 'all'
        : parseList(v['required-checks']).map((name) => {
            // A name that looks like a workflow command is a mistake or an attack.
            if (name.length > 200 || name.startsWith(':')) {
              throw new UserError(
                `Input 'required-checks' has ${shown(name)}: give check names as GitHub shows them (at most 200 characters, not starting with ':').`,
              );
            }
            return name;
          }),
  };
  try {
    checkPolicy(policy);
  } catch (error) {
    if (error instanceof UserError) {
      throw new UserError(`The inputs do not fit together: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const common = { token: v['github-token'], policy, production: policy.production };
  if (mode === 'command') return { ...common, mode };
  if (mode === 'dispatch') return { ...common, mode, dispatch: dispatchInputs(v) };

  const environment = required('environment', v.environment);
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw new UserError(
      `Input 'environment' is ${shown(environment)}: use the environment's name (letters, digits, '.', '_', '-').`,
    );
  }
  const pullRequest = optionalNumber('pull-request', v['pull-request']);
  const commentId = optionalNumber('comment-id', v['comment-id']);
  if (commentId !== undefined && pullRequest === undefined) {
    throw new UserError(
      "Input 'comment-id' needs 'pull-request' too: the comment is on that pull request.",
    );
  }
  if (mode === 'finish') {
    const id = optionalNumber('deployment-id', v['deployment-id']);
    if (id === undefined) {
      throw new UserError(
        "Input 'deployment-id' is required with mode finish: pass the start step's deployment-id output.",
      );
    }
    return {
      ...common,
      mode,
      finish: {
        environment,
        deploymentId: id,
        outcome: oneOf('outcome', required('outcome', v.outcome), OUTCOMES),
        pullRequest,
        commentId,
        environmentUrl: httpUrl('environment-url', v['environment-url']),
        notify: {
          topicArn: topicArn(v['notify-topic-arn']),
          slackWebhook: slackWebhookUrl(v['slack-webhook-url']),
          rolledBack: parseBoolean('rolled-back', v['rolled-back']),
          reason: v['failure-reason'] || undefined,
          failedStep: v['failed-step'] || undefined,
          imageDigest: imageDigest(v['image-digest']),
          sha: optionalSha(v.sha),
        },
      },
    };
  }
  const sha = optionalSha(required('sha', v.sha))!;
  const digest = imageDigest(v['image-digest']);
  const taskDefinition = v['task-definition'];
  if (
    taskDefinition !== '' &&
    !/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task-definition\/[A-Za-z0-9_-]{1,255}:[0-9]+$/.test(
      taskDefinition,
    )
  ) {
    throw new UserError(
      `Input 'task-definition' is ${shown(taskDefinition)}: use the task definition's ARN with its revision.`,
    );
  }
  const [migrationVersions, contractMigrations] = (
    ['migration-versions', 'contract-migrations'] as const
  ).map((input) =>
    parseList(v[input]).map((m) => {
      if (!MIGRATION_VERSION.test(m)) {
        throw new UserError(
          `Input '${input}' has ${shown(m)}: versions are letters, digits, '.', '_', '-'.`,
        );
      }
      return m;
    }),
  ) as [string[], string[]];
  const siteRelease = v['site-release'];
  if (siteRelease !== '' && !SITE_RELEASE.test(siteRelease)) {
    throw new UserError(
      `Input 'site-release' is ${shown(siteRelease)}: a spa-deploy release id is 1 to 100 letters, digits, '.', '_', '-'.`,
    );
  }
  const siteArtifact = siteArtifactOf(v['site-artifact'], v['site-run-id']);
  return {
    ...common,
    mode,
    start: {
      environment,
      sha,
      pullRequest,
      commentId,
      actor: checkLogin('actor', required('actor', v.actor)),
      command: oneOf('command', v.command || 'deploy', COMMANDS),
      imageDigest: digest,
      taskDefinition: taskDefinition || undefined,
      migrationVersions,
      contractMigrations,
      siteRelease: siteRelease || undefined,
      siteArtifact,
    },
  };
}

/** The site's artifact and the run holding it: both or neither. */
function siteArtifactOf(name: string, runIdText: string): SiteArtifact | undefined {
  const runId = optionalNumber('site-run-id', runIdText);
  if (name !== '' && !SITE_ARTIFACT_NAME.test(name)) {
    throw new UserError(
      `Input 'site-artifact' is ${shown(name)}: an artifact name here is 1 to 128 letters, digits, '.', '_', '-'.`,
    );
  }
  if (name === '' && runId === undefined) return undefined;
  if (name === '' || runId === undefined) {
    throw new UserError(
      "Inputs 'site-artifact' and 'site-run-id' go together: give the artifact's name and the run that uploaded it (github.run_id), or neither.",
    );
  }
  return { name, runId };
}

function dispatchInputs(v: RawInputs<typeof INPUTS>): DispatchInputs {
  const verb = oneOf('command', required('command', v.command), ['promote', 'rollback'] as const);
  if (verb === 'rollback') {
    const environment = required('environment', v.environment);
    if (!ENVIRONMENT_NAME.test(environment)) {
      throw new UserError(
        `Input 'environment' is ${shown(environment)}: use the environment's name (letters, digits, '.', '_', '-').`,
      );
    }
    if (v['image-digest'] !== '') {
      throw new UserError(
        "Input 'image-digest' is for promote: a rollback deploys the previous successful deployment's image.",
      );
    }
    return { verb, environment };
  }
  if (v.environment !== '') {
    throw new UserError(
      "Input 'environment' is for rollback: promote goes to 'production-environment'.",
    );
  }
  const digest = v['image-digest'];
  if (digest !== '' && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new UserError(
      `Input 'image-digest' is ${shown(digest)}: use sha256: and 64 hex digits, or leave it empty to promote what 'promote-from' runs now.`,
    );
  }
  return { verb, digest: digest || undefined };
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UserError(`Input '${input}' is ${shown(value)}: use one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

function required(input: string, value: string): string {
  if (value === '')
    throw new UserError(
      `Input '${input}' is required with this mode: set it in the step's 'with:'.`,
    );
  return value;
}

function optionalNumber(input: string, value: string): number | undefined {
  if (value === '') return undefined;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UserError(`Input '${input}' is ${shown(value)}: use a positive whole number.`);
  }
  return n;
}

function oneEnvironment(input: string, text: string): string {
  const names = environmentNames(input, text);
  if (names.length !== 1) {
    throw new UserError(`Input '${input}' is ${shown(text)}: name exactly one environment.`);
  }
  return names[0]!;
}

function environmentNames(input: string, text: string): string[] {
  return parseList(text).map((name) => {
    if (!ENVIRONMENT_NAME.test(name)) {
      throw new UserError(
        `Input '${input}' has ${shown(name)}: environment names a comment can use are letters, digits, '.', '_' and '-', at most 63.`,
      );
    }
    return name;
  });
}

function levels(input: string, text: string): PermissionLevel[] {
  const list = parseList(text);
  if (list.length === 0)
    throw new UserError(`Input '${input}' names no permission level: use admin, write or read.`);
  return list.map((level) => {
    if (!(PERMISSION_LEVELS as readonly string[]).includes(level) || level === 'none') {
      throw new UserError(
        `Input '${input}' has ${shown(level)}: permission levels are admin, write and read.`,
      );
    }
    return level as PermissionLevel;
  });
}

/** `env: item, item` lines. */
function environmentLines(input: string, text: string): [string, string[]][] {
  const seen = new Set<string>();
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line, index) => {
      const match = /^([^:\s]+)\s*:\s*(.*)$/.exec(line);
      if (match === null || !ENVIRONMENT_NAME.test(match[1]!)) {
        throw new UserError(
          `Input '${input}' line ${index + 1} is ${shown(line)}: write one environment per line as 'staging: item, item'.`,
        );
      }
      const env = match[1]!;
      if (seen.has(env))
        throw new UserError(`Input '${input}' names ${env} twice: one line per environment.`);
      seen.add(env);
      const items = parseList(match[2]!);
      if (items.length === 0)
        throw new UserError(`Input '${input}' gives ${env} nothing: list at least one.`);
      return [env, items];
    });
}

function checkLogin(input: string, login: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(login)) {
    throw new UserError(`Input '${input}' has ${shown(login)}, which is not a GitHub login.`);
  }
  return login;
}

function httpUrl(input: string, text: string): string | undefined {
  if (text === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new UserError(`Input '${input}' is ${shown(text)}: give the environment's http(s) URL.`);
  }
  return url.href;
}

function optionalSha(sha: string): string | undefined {
  if (sha === '') return undefined;
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    throw new UserError(
      `Input 'sha' is ${shown(sha)}: pass the full 40-character commit SHA (the command step's sha output).`,
    );
  }
  return sha;
}

function imageDigest(digest: string): string | undefined {
  if (digest === '') return undefined;
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new UserError(`Input 'image-digest' is ${shown(digest)}: use sha256: and 64 hex digits.`);
  }
  return digest;
}

function topicArn(text: string): string | undefined {
  if (text === '') return undefined;
  if (!TOPIC_ARN.test(text)) {
    throw new UserError(
      `Input 'notify-topic-arn' is ${shown(text)}: give a standard SNS topic's ARN, arn:aws:sns:<region>:<account>:<name> (the deploy document's notifications.topicArn).`,
    );
  }
  return text;
}

/**
 * https, or http to this machine (a local stand-in). The value is a secret: the message never
 * shows it, not even in part.
 */
function slackWebhookUrl(text: string): URL | undefined {
  if (text === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const loopback = url !== undefined && /^(127\.0\.0\.1|localhost|\[::1\])$/.test(url.hostname);
  if (
    url === undefined ||
    !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new UserError(
      "Input 'slack-webhook-url' is not an https URL: pass the Slack incoming webhook's URL (https://hooks.slack.com/services/…) from a secret.",
    );
  }
  return url;
}
