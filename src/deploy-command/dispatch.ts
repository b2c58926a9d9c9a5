// The engine's entry for a workflow_dispatch request (promote.yml, rollback.yml): the same
// decision a /promote or /rollback comment gets, for the person who dispatched the run, with the
// same permission checks and the same Deployments history; no conversation to answer.
//   promote: what promote-from runs now, or a named digest promote-from ran successfully, to production,
//   with the site build that deployment shipped (the artifact and the run holding it), when it
//   recorded one: the same site next to the same digest.
//   rollback: the environment's previous successful deployment (commit, image, site release),
//   refused when a contract migration was applied after it (its schema is gone). A promotion of
//   a release production ran before, across a contract migration applied there since, is refused
//   the same way.
import { ENVIRONMENT_NAME } from './grammar.ts';
import { authorise, type CommandPolicy } from './policy.ts';
import type { CommandPorts, DeploymentRecord, SiteArtifact } from './ports.ts';
import { type AppliedContract, contractsSince } from './migration-state.ts';
import { HISTORY_WINDOW, rollbackTarget } from './rollback-target.ts';

export type DispatchRequest =
  | {
      readonly verb: 'promote';
      readonly actor: string;
      /** A digest to promote; undefined: what promote-from runs now. */
      readonly digest: string | undefined;
    }
  | { readonly verb: 'rollback'; readonly actor: string; readonly environment: string };

export type DispatchRefusal =
  | 'bot'
  | 'permission'
  | 'not-allowed-for-environment'
  | 'environment-not-reachable'
  | 'locked'
  | 'nothing-to-roll-back'
  | 'nothing-to-promote'
  | 'digest-not-in-source'
  | 'contract-migration';

export type DispatchResult =
  | {
      readonly decision: 'rejected';
      readonly reasonCode: DispatchRefusal;
      readonly reason: string;
      readonly verb: 'promote' | 'rollback';
      readonly environment: string;
      readonly actor: string;
    }
  | {
      readonly decision: 'proceed';
      readonly verb: 'promote' | 'rollback';
      readonly environment: string;
      readonly sha: string;
      readonly actor: string;
      readonly imageDigest: string;
      /** The deployment whose commit and image go out again. */
      readonly sourceDeploymentId: number;
      /** rollback: the site release that deployment ran, to restore; undefined when none. */
      readonly siteRelease: string | undefined;
      /** promote: the site build the source deployment shipped, to ship again; undefined when none. */
      readonly siteArtifact: SiteArtifact | undefined;
      readonly needsApproval: boolean;
      readonly reason: string;
    };

export type DispatchPorts = Pick<CommandPorts, 'collaborator' | 'locks' | 'deployments'>;

export async function resolveDispatch(
  request: DispatchRequest,
  policy: CommandPolicy,
  ports: DispatchPorts,
): Promise<DispatchResult> {
  const { verb, actor } = request;
  const environment = verb === 'promote' ? policy.production : request.environment;
  const rejected = (reasonCode: DispatchRefusal, reason: string): DispatchResult => ({
    decision: 'rejected',
    reasonCode,
    reason,
    verb,
    environment,
    actor,
  });

  if (actor.endsWith('[bot]') && !policy.allowedBots.includes(actor.toLowerCase())) {
    return rejected(
      'bot',
      `@${actor} is a bot, and bots may not dispatch deploys here unless listed.`,
    );
  }
  const reachable = [...policy.environments, policy.production];
  if (!ENVIRONMENT_NAME.test(environment) || !reachable.includes(environment)) {
    return rejected(
      'environment-not-reachable',
      `${environment} is not an environment this repository deploys to: use ${reachable.join(', ')}.`,
    );
  }
  const authorisation = authorise(policy, actor, await ports.collaborator(actor), environment);
  if (!authorisation.allowed) return rejected(authorisation.code, authorisation.reason);
  const lock = await ports.locks.get(environment);
  if (lock !== undefined) {
    return rejected(
      'locked',
      `${environment} is locked by @${lock.holder} for #${lock.pullRequest} since ${lock.since}${lock.reason ? ` (${lock.reason})` : ''}: ask them, or unlock it.`,
    );
  }

  const go = (source: DeploymentRecord, imageDigest: string, reason: string): DispatchResult => ({
    decision: 'proceed',
    verb,
    environment,
    sha: source.sha,
    actor,
    imageDigest,
    sourceDeploymentId: source.id,
    siteRelease: verb === 'rollback' ? source.facts.siteRelease : undefined,
    siteArtifact: verb === 'promote' ? source.facts.siteArtifact : undefined,
    needsApproval: environment === policy.production,
    reason,
  });

  if (request.verb === 'promote') {
    const from = policy.promoteFrom;
    const source =
      request.digest === undefined
        ? await ports.deployments.current(from)
        : (await ports.deployments.recent(from, HISTORY_WINDOW)).find(
            (d) => d.succeeded && d.facts.imageDigest === request.digest,
          );
    if (source === undefined) {
      return request.digest === undefined
        ? rejected('nothing-to-promote', `Nothing runs in ${from}, so there is nothing to promote.`)
        : rejected(
            'digest-not-in-source',
            `${request.digest} never ran successfully in ${from} (its last ${HISTORY_WINDOW} deployments): promote only what ${from} has run.`,
          );
    }
    if (source.facts.imageDigest === undefined) {
      return rejected(
        'nothing-to-promote',
        `${from}'s deployment ${source.id} records no image digest, so there is nothing to promote.`,
      );
    }
    // A release production ran before, promoted again after a contract migration it did not
    // apply: a rollback by another name, refused the same way.
    const production = await ports.deployments.recent(environment, HISTORY_WINDOW);
    const before = production.find((d) => d.sha === source.sha && d.succeeded);
    const crossed = before === undefined ? [] : contractsSince(before, production);
    if (crossed.length > 0) {
      return rejected(
        'contract-migration',
        `Promoting ${short(source.sha)} to ${environment} would run a release older than ${crossedText(crossed)}: that release needs schema the migration removed. Promote a newer release instead.`,
      );
    }
    return go(
      source,
      source.facts.imageDigest,
      `Promoting ${source.facts.imageDigest.slice(0, 19)} (${short(source.sha)}, ${from} deployment ${source.id}) to ${environment}${siteOf(source, environment)}; it waits for ${environment}'s reviewers.`,
    );
  }

  const history = await ports.deployments.recent(environment, HISTORY_WINDOW);
  const target = rollbackTarget(history);
  if (target === undefined) {
    return rejected(
      'nothing-to-roll-back',
      `${environment} has no earlier successful deployment to roll back to.`,
    );
  }
  if (target.facts.imageDigest === undefined) {
    return rejected(
      'nothing-to-roll-back',
      `${environment}'s previous successful deployment ${target.id} records no image digest to deploy again.`,
    );
  }
  const crossed = contractsSince(target, history);
  if (crossed.length > 0) {
    return rejected(
      'contract-migration',
      `Rolling ${environment} back to ${short(target.sha)} (deployment ${target.id}) would run a release older than ${crossedText(crossed)}: that release needs schema the migration removed. Deploy a fix forward instead.`,
    );
  }
  const site = target.facts.siteRelease ? ` and site release ${target.facts.siteRelease}` : '';
  return go(
    target,
    target.facts.imageDigest,
    `Rolling ${environment} back to ${short(target.sha)} (deployment ${target.id}, ${target.facts.imageDigest.slice(0, 19)}${site}).`,
  );
}

const short = (sha: string) => sha.slice(0, 7);

/** The first contract migration crossed: which, by which deployment, who and when. */
function crossedText(crossed: readonly AppliedContract[]): string {
  const [first] = crossed;
  const more = crossed.length > 1 ? ` (and ${crossed.length - 1} more)` : '';
  // A failed deploy may have stopped before its contract phase: counted, but said.
  const failed = first!.deployment.succeeded
    ? ''
    : ', which did not succeed: check whether its contract phase ran';
  return `contract migration ${first!.version}${more}, applied by deployment ${first!.deployment.id} (${short(first!.deployment.sha)}, @${first!.deployment.facts.actor}) at ${first!.deployment.createdAt}${failed}`;
}

/** What a promotion does with the site: the recorded build, or why production's site stays. */
function siteOf(source: DeploymentRecord, environment: string): string {
  const { siteArtifact, siteRelease } = source.facts;
  if (siteArtifact !== undefined) {
    return ` with its site build (artifact ${siteArtifact.name} of run ${siteArtifact.runId})`;
  }
  // Recorded before deployments kept their site's build, or a site restored by a rollback.
  if (siteRelease !== undefined) {
    return `; its site release ${siteRelease} was recorded without its build, so ${environment}'s site stays as it is`;
  }
  return '';
}
