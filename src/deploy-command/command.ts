// The engine's one entry for a comment: is it a command, may this person ask it here, on which
// commit, and what happens now. It reacts 👀 to a command at once, replies with the decision,
// and 👎 to a refusal; a command that goes ahead is left for the deploy (🚀 when it ends).
import { type Command, type Verb, parseCommand } from './grammar.ts';
import { type CommandPolicy, authorise, judgeChecks } from './policy.ts';
import type { CommandPorts, DeploymentRecord, EnvironmentLock } from './ports.ts';
import { HISTORY_WINDOW, rollbackTarget } from './rollback-target.ts';
import {
  doneReply,
  helpReply,
  lockedReply,
  proceedReply,
  refusalReply,
  statusReply,
  type StatusRow,
} from './replies.ts';

/** The comment event, its shape already checked. */
export interface CommentEvent {
  /** The webhook's action: created, edited, deleted. */
  readonly action: string;
  readonly commentId: number;
  readonly body: string;
  readonly author: { readonly login: string; readonly isBot: boolean };
  readonly issueNumber: number;
  readonly onPullRequest: boolean;
  /** The workflow run's page, for replies. */
  readonly runUrl: string;
}

export type RefusalCode =
  | 'invalid-command'
  | 'bot'
  | 'permission'
  | 'not-allowed-for-environment'
  | 'environment-not-reachable'
  | 'pull-request-closed'
  | 'fork'
  | 'locked'
  | 'checks-failing'
  | 'force-not-allowed'
  | 'nothing-to-roll-back'
  | 'nothing-to-promote';

export type CommandResult =
  | {
      readonly decision: 'ignored';
      readonly reasonCode: 'not-created' | 'not-a-pull-request' | 'not-a-command';
      readonly reason: string;
    }
  | {
      readonly decision: 'rejected';
      readonly reasonCode: RefusalCode;
      readonly reason: string;
      readonly verb: Verb;
      readonly environment: string | undefined;
      readonly actor: string;
    }
  | {
      readonly decision: 'done';
      readonly verb: 'lock' | 'unlock' | 'status' | 'help';
      readonly environment: string | undefined;
      readonly actor: string;
      readonly reason: string;
      /** /status: what the reply showed. */
      readonly status?: readonly StatusRow[];
    }
  | {
      readonly decision: 'proceed';
      readonly verb: 'deploy' | 'rollback' | 'promote';
      readonly environment: string;
      readonly sha: string;
      readonly dryRun: boolean;
      readonly force: boolean;
      readonly pullRequest: number;
      readonly actor: string;
      /** rollback and promote: the image the earlier deployment ran. */
      readonly imageDigest: string | undefined;
      /** rollback and promote: the deployment whose commit and image go out again. */
      readonly sourceDeploymentId: number | undefined;
      /** promote: only the environment's reviewers let it through. */
      readonly needsApproval: boolean;
      readonly reason: string;
    };

type Refusal = { code: RefusalCode; reason: string };
const refuse = (code: RefusalCode, reason: string): Refusal => ({ code, reason });

export async function handleComment(
  event: CommentEvent,
  policy: CommandPolicy,
  ports: CommandPorts,
): Promise<CommandResult> {
  if (event.action !== 'created') {
    return {
      decision: 'ignored',
      reasonCode: 'not-created',
      reason: `The comment was ${event.action}, not created: only new comments are commands.`,
    };
  }
  if (!event.onPullRequest) {
    return {
      decision: 'ignored',
      reasonCode: 'not-a-pull-request',
      reason: 'The comment is on an issue, not a pull request.',
    };
  }
  const parsed = parseCommand(event.body, policy.prefix);
  if (parsed.kind === 'not-a-command') {
    return {
      decision: 'ignored',
      reasonCode: 'not-a-command',
      reason: 'The first line is not a command.',
    };
  }
  const { conversation } = ports;
  const actor = event.author.login;
  await conversation.react('eyes');

  const verb = parsed.kind === 'command' ? parsed.command.verb : parsed.verb;
  const environment = parsed.kind === 'command' ? targetOf(parsed.command, policy) : undefined;
  const rejected = async (refusal: Refusal): Promise<CommandResult> => {
    await conversation.reply(
      refusalReply(actor, refusal.reason, event.runUrl, policy.prefix, refusal.code),
    );
    await conversation.react('-1');
    return {
      decision: 'rejected',
      reasonCode: refusal.code,
      reason: refusal.reason,
      verb,
      environment,
      actor,
    };
  };

  if (parsed.kind === 'invalid') {
    return rejected(
      refuse(
        'invalid-command',
        `\`${policy.prefix}${parsed.verb}\` was not understood: ${parsed.problem}.`,
      ),
    );
  }
  const { command } = parsed;
  if (command.verb === 'help') {
    await conversation.reply(helpReply(policy));
    return { decision: 'done', verb: 'help', environment: undefined, actor, reason: 'Help shown.' };
  }

  const refusal = await admit(event, command, environment, policy, ports);
  if (refusal !== undefined) return rejected(refusal);

  switch (command.verb) {
    case 'status': {
      const environments = command.environment
        ? [command.environment]
        : [...policy.environments, policy.production];
      const rows = await Promise.all(
        environments.map(async (env) => ({
          environment: env,
          deployments: await ports.deployments.recent(env, 5),
          lock: await ports.locks.get(env),
        })),
      );
      await conversation.reply(statusReply(rows));
      return {
        decision: 'done',
        verb: 'status',
        environment: command.environment,
        actor,
        reason: 'Status shown.',
        status: rows,
      };
    }
    case 'lock': {
      const lock: EnvironmentLock = {
        environment: command.environment,
        holder: actor,
        reason: command.reason,
        since: new Date(ports.now()).toISOString(),
        pullRequest: event.issueNumber,
      };
      const claim = await ports.locks.claim(lock);
      if (!claim.claimed && claim.held.pullRequest !== event.issueNumber) {
        return rejected(refuse('locked', lockedReason(claim.held)));
      }
      const reason = claim.claimed
        ? `${command.environment} is locked to #${event.issueNumber}.`
        : `${command.environment} was already locked to #${event.issueNumber}.`;
      await conversation.reply(lockedReply(claim.claimed ? lock : claim.held, claim.claimed));
      await conversation.react('+1');
      return { decision: 'done', verb: 'lock', environment: command.environment, actor, reason };
    }
    case 'unlock': {
      const held = await ports.locks.get(command.environment);
      const released = await ports.locks.release(command.environment);
      const reason = released
        ? `${command.environment} is unlocked${held ? ` (it was locked by @${held.holder} for #${held.pullRequest})` : ''}.`
        : `${command.environment} was not locked.`;
      await conversation.reply(doneReply(actor, reason));
      await conversation.react('+1');
      return { decision: 'done', verb: 'unlock', environment: command.environment, actor, reason };
    }
    case 'deploy':
    case 'rollback':
    case 'promote': {
      const target = await deployTarget(event, command, policy, ports);
      if ('code' in target) return rejected(target);
      const result: CommandResult = {
        decision: 'proceed',
        verb: command.verb,
        environment: environment!,
        sha: target.sha,
        dryRun: command.verb === 'deploy' && command.dryRun,
        force: command.verb !== 'promote' && command.force,
        pullRequest: event.issueNumber,
        actor,
        imageDigest: target.source?.facts.imageDigest,
        sourceDeploymentId: target.source?.id,
        needsApproval: command.verb === 'promote',
        reason: target.reason,
      };
      await conversation.reply(proceedReply(result, event.runUrl));
      return result;
    }
  }
}

/** The environment a command acts on. */
function targetOf(command: Command, policy: CommandPolicy): string | undefined {
  switch (command.verb) {
    case 'promote':
      return policy.production;
    case 'help':
      return undefined;
    default:
      return command.environment;
  }
}

/** Bots, permission, the environment's reach and its allow-list: the first refusal, if any. */
async function admit(
  event: CommentEvent,
  command: Exclude<Command, { verb: 'help' }>,
  environment: string | undefined,
  policy: CommandPolicy,
  ports: CommandPorts,
): Promise<Refusal | undefined> {
  const login = event.author.login;
  if (event.author.isBot && !policy.allowedBots.includes(login.toLowerCase())) {
    return refuse('bot', `@${login} is a bot, and bots may not use commands here unless listed.`);
  }
  if (
    environment !== undefined &&
    command.verb !== 'promote' &&
    !policy.environments.includes(environment)
  ) {
    const reason =
      environment === policy.production
        ? `${environment} is never deployed from a comment: \`${policy.prefix}promote\` sends what ${policy.promoteFrom} runs there, through the environment's required reviewers.`
        : `${environment} cannot be reached from a comment: use ${policy.environments.join(', ')}.`;
    return refuse('environment-not-reachable', reason);
  }
  const authorisation = authorise(policy, login, await ports.collaborator(login), environment);
  return authorisation.allowed ? undefined : refuse(authorisation.code, authorisation.reason);
}

type Target = { sha: string; source?: DeploymentRecord; reason: string };

async function deployTarget(
  event: CommentEvent,
  command: Extract<Command, { verb: 'deploy' | 'rollback' | 'promote' }>,
  policy: CommandPolicy,
  ports: CommandPorts,
): Promise<Target | Refusal> {
  if (command.verb === 'promote') {
    const source = await ports.deployments.current(policy.promoteFrom);
    if (source === undefined) {
      return refuse(
        'nothing-to-promote',
        `Nothing runs in ${policy.promoteFrom}, so there is nothing to promote.`,
      );
    }
    return {
      sha: source.sha,
      source,
      reason: `Promoting ${short(source.sha)} from ${policy.promoteFrom} to ${policy.production}; it waits for ${policy.production}'s reviewers.`,
    };
  }
  const env = command.environment;
  const lock = await ports.locks.get(env);
  if (lock !== undefined && lock.pullRequest !== event.issueNumber) {
    return refuse('locked', lockedReason(lock));
  }
  const collaborator = command.force ? await ports.collaborator(event.author.login) : undefined;
  if (
    command.force &&
    !(collaborator?.permission === 'admin' && policy.forceEnvironments.includes(env))
  ) {
    return refuse(
      'force-not-allowed',
      policy.forceEnvironments.includes(env)
        ? `--force is for admins; @${event.author.login} is not one.`
        : `--force is not allowed in ${env}.`,
    );
  }
  if (command.verb === 'rollback') {
    const source = rollbackTarget(await ports.deployments.recent(env, HISTORY_WINDOW));
    if (source === undefined) {
      return refuse(
        'nothing-to-roll-back',
        `${env} has no earlier successful deployment to roll back to.`,
      );
    }
    return {
      sha: source.sha,
      source,
      reason: `Rolling ${env} back to ${short(source.sha)} (deployment ${source.id}).`,
    };
  }

  const pull = await ports.pullRequest(event.issueNumber);
  if (pull.state !== 'open') {
    return refuse(
      'pull-request-closed',
      `#${event.issueNumber} is closed: deploy from an open pull request.`,
    );
  }
  if (pull.fromFork && !policy.allowForks) {
    return refuse(
      'fork',
      `#${event.issueNumber} comes from a fork, and fork pull requests are not deployed here.`,
    );
  }
  if (!/^[0-9a-f]{40}$/.test(pull.headSha)) {
    throw new Error(
      `GitHub gave a head SHA that is not one: ${JSON.stringify(pull.headSha).slice(0, 80)}`,
    );
  }
  const verdict = judgeChecks(policy.requiredChecks, await ports.checks(pull.headSha));
  if (!verdict.green && !command.force) {
    const parts = [
      verdict.failing.length > 0 ? `failing: ${names(verdict.failing)}` : '',
      verdict.pending.length > 0 ? `still running: ${names(verdict.pending)}` : '',
      verdict.missing.length > 0 ? `not reported: ${names(verdict.missing)}` : '',
    ].filter(Boolean);
    return refuse(
      'checks-failing',
      `The checks on ${short(pull.headSha)} are not green (${parts.join('; ')}).`,
    );
  }
  const forced = !verdict.green ? ' despite red checks (--force by an admin)' : '';
  const what = command.dryRun ? 'Planning (dry run)' : 'Deploying';
  return {
    sha: pull.headSha,
    reason: `${what} ${short(pull.headSha)} of #${pull.number} to ${env}${forced}.`,
  };
}

function lockedReason(lock: EnvironmentLock): string {
  return `${lock.environment} is locked by @${lock.holder} for #${lock.pullRequest} since ${lock.since}${lock.reason ? ` (\`${lock.reason}\`)` : ''}: ask them, or \`unlock\` it.`;
}

const short = (sha: string) => sha.slice(0, 7);

// eslint-disable-next-line no-control-regex -- control characters are what it drops
const UNSHOWN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029`]/g;

function names(list: readonly string[]): string {
  // Check names come from apps and other workflows: shown plain, one line, cut.
  const cut = list.slice(0, 5).map((n) => n.replace(UNSHOWN, '').slice(0, 80));
  return cut.join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
}

/** A closed pull request lets go of every lock it holds; the environments freed. */
export async function releaseLocksOf(
  pullRequest: number,
  policy: CommandPolicy,
  locks: CommandPorts['locks'],
): Promise<string[]> {
  const released: string[] = [];
  for (const environment of [...policy.environments, policy.production]) {
    const lock = await locks.get(environment);
    if (lock?.pullRequest === pullRequest && (await locks.release(environment))) {
      released.push(environment);
    }
  }
  return released;
}
