// What every workflow test's world starts with: the app repository octo-org/octo-app on the GitHub
// emulator (`writer` a collaborator with write access), a local OIDC issuer, and, for tests that
// reach AWS, the AWS emulator trusting GitHub's OIDC provider with one role per environment that
// trusts only the suite's workflow for that environment (as the stacks' deploy roles do). `close`
// scans every run for every secret handed out and takes everything down, whatever failed.
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import { seedBlueGreenApp } from '../emulator/seed-app.ts';
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator/server.ts';
import { cleanupActionRuns, type OidcIssuer, startOidcIssuer } from '../harness/index.ts';
import { findLeakedSecretsInRun, type WorkflowRun } from '../harness/workflow-runner/index.ts';

export const APP_REPOSITORY = 'octo-org/octo-app';

// The stacks' accounts and deploy roles (infra/bin/rehearsal.ts) and the region, as the app
// repository's variables hand them to its callers.
export const ACCOUNTS = { staging: '111122223333', production: '444455556666' } as const;
export type Environment = keyof typeof ACCOUNTS;
export const ROLES: Record<Environment, string> = {
  staging: `arn:aws:iam::${ACCOUNTS.staging}:role/octo-app-staging-deploy`,
  production: `arn:aws:iam::${ACCOUNTS.production}:role/octo-app-production-deploy`,
};
export const REGION = 'eu-west-1';
/** The app repository's variables: one role per environment and the region. */
export const VARS = {
  STAGING_DEPLOY_ROLE_ARN: ROLES.staging,
  PRODUCTION_DEPLOY_ROLE_ARN: ROLES.production,
  AWS_REGION: REGION,
};

export interface WorkflowWorld {
  readonly issuer: OidcIssuer;
  readonly github: GitHubEmulator;
  /** octo-org/octo-app. */
  readonly repository: Repository;
  /** Runs `fn` when the world closes (after the runs' cleanup, before the servers stop). */
  onClose(fn: () => Promise<void> | void): void;
  /** Also scanned for in every run's log (e.g. a database password). */
  addSecrets(secrets: () => readonly string[]): void;
  /**
   * Scans each run for its own secrets and every one the world handed out (the issuer's
   * tokens, the emulator's credentials), removes the runs' files and stops everything, each
   * step tried whatever failed before it. Returns one line per leak; throws when a step failed
   * (the leaks in the message).
   */
  close(runs: readonly (WorkflowRun | undefined)[]): Promise<string[]>;
}

export interface WorkflowWorldOptions {
  /** Collaborators with write access (default: `writer`). */
  writers?: readonly string[];
  /** Commits the repository has (the runs' SHAs). */
  commits?: readonly string[];
}

export async function startWorkflowWorld(
  options: WorkflowWorldOptions = {},
): Promise<WorkflowWorld> {
  const issuer = await startOidcIssuer();
  const github = await startGitHubEmulator();
  const repository = github.store.addRepository({ fullName: APP_REPOSITORY });
  for (const login of options.writers ?? ['writer']) {
    github.store.setRole(repository, login, 'write');
  }
  for (const sha of options.commits ?? []) repository.commits.add(sha);
  const closers: (() => Promise<void> | void)[] = [];
  const secretSources: (() => readonly string[])[] = [
    () => [issuer.requestToken, ...issuer.issued.map((token) => token.token)],
  ];
  return {
    issuer,
    github,
    repository,
    onClose: (fn) => closers.push(fn),
    addSecrets: (secrets) => secretSources.push(secrets),
    close: async (runs) => {
      const shared = secretSources.flatMap((source) => source());
      const done = runs.filter((run): run is WorkflowRun => run !== undefined);
      const leaks = done.flatMap((run) => findLeakedSecretsInRun(run, [...run.secrets, ...shared]));
      const errors: unknown[] = [];
      const attempt = async (step: () => Promise<unknown> | unknown) => {
        try {
          await step();
        } catch (error) {
          errors.push(error);
        }
      };
      await attempt(() => Promise.all(done.map((run) => run.cleanup())));
      await attempt(() => cleanupActionRuns());
      for (const closer of closers.reverse()) await attempt(closer);
      await attempt(() => issuer.close());
      await attempt(() => github.close());
      if (errors.length > 0) {
        const also = leaks.length > 0 ? `; and leaks: ${leaks.join('; ')}` : '';
        throw new AggregateError(errors, `closing the world failed: ${String(errors[0])}${also}`);
      }
      return leaks;
    },
  };
}

export interface TrustedRole {
  arn: string;
  /** The GitHub environment whose jobs may assume it (the token's subject). */
  environment: string;
}

export interface AwsWorldOptions extends EmulatorOptions {
  /** The account GitHub's OIDC provider is registered in. */
  account: string;
  /** Roles trusting the world's issuer for their environment and the suite's `workflow`. */
  roles?: readonly TrustedRole[];
  /** The suite's workflow the roles trust (the token's job_workflow_ref). Default `deploy.yml`. */
  workflow?: string;
}

/** The AWS emulator for the world: GitHub's OIDC provider, the roles; closed with the world and
 * its STS credentials scanned for. */
export async function startAws(world: WorkflowWorld, options: AwsWorldOptions): Promise<Emulator> {
  const { account, roles = [], workflow = 'deploy.yml', ...emulatorOptions } = options;
  const emulator = await startEmulator(emulatorOptions);
  world.onClose(() => emulator.close());
  world.addSecrets(() => emulator.sts.issuedSecrets());
  emulator.sts.addOidcProvider({
    url: world.issuer.url,
    clientIds: ['sts.amazonaws.com'],
    accountId: account,
  });
  for (const role of roles) {
    emulator.sts.addRole({
      arn: role.arn,
      trust: {
        webIdentity: {
          issuer: world.issuer.url,
          audience: 'sts.amazonaws.com',
          subject: `repo:${APP_REPOSITORY}:environment:${role.environment}`,
          jobWorkflowRef: `OWNER/aws-ship-suite/.github/workflows/${workflow}@*`,
        },
      },
    });
  }
  return emulator;
}

export interface StagingShopOptions {
  account: string;
  /** Staging's deploy role, trusting the world's issuer for the staging environment. */
  role: string;
  /** The image repository the service pulls from. */
  repository: string;
}

/** The AWS emulator at 120x (seed 17) with staging's deploy role and the blue/green service
 * shop-staging on cluster staging, steady on revision 1. */
export async function startStagingShop(
  world: WorkflowWorld,
  options: StagingShopOptions,
): Promise<Emulator> {
  const { account, role, repository } = options;
  const emulator = await startAws(world, {
    timeScale: 120,
    seed: 17,
    account,
    roles: [{ arn: role, environment: 'staging' }],
  });
  seedBlueGreenApp(emulator, { name: 'shop-staging', cluster: 'staging', account, repository });
  return emulator;
}

/** The images of a cluster's RUNNING tasks, one per task definition they run. */
export function runningImages(emulator: Emulator, cluster: string): string[] {
  const arns = new Set(
    emulator.ecs
      .tasks()
      .filter((t) => t.lastStatus === 'RUNNING' && t.clusterArn?.endsWith(`:cluster/${cluster}`))
      .map((t) => t.taskDefinitionArn ?? ''),
  );
  return [...arns].map(
    (arn) =>
      emulator.ecs.taskDefinitions.byArn(arn)?.definition.containerDefinitions?.[0]?.image ?? '',
  );
}
