// The rehearsal's scenarios (test/flow/scenarios.ts, what `./dev rehearse` prints) as assertions:
// the real workflow files (the shipped caller templates → pipeline.yml, pr-command.yml,
// promote.yml, rollback.yml → the real deploy.yml) with the committed bundles, in the world built
// from the CDK app's synthesized stacks (test/flow/world.ts). The scenarios build on each other,
// so they run in order in one world: a scenario that failed leaves the next ones failing too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Deployment } from '../emulator/github/store.ts';
import type { JobRun, WorkflowRun } from '../harness/workflow-runner/index.ts';
import {
  failingCanary,
  type Flow,
  type PullRequestComments,
  type PushToMain,
  promoteByDispatch,
  pullRequestComments,
  pushToMain,
  rollbackByDispatch,
  startFlow,
  trustPolicies,
  type Verdict,
} from '../flow/scenarios.ts';
import { APP, commit, type FlowWorld, ROLES, startFlowWorld } from '../flow/world.ts';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SCENARIO_MS = 240_000;

let world: FlowWorld;
let flow: Flow;
let push: PushToMain;
let pr: PullRequestComments;

/** Every run's log as GitHub shows it, and the verdicts, as the rehearsal prints them. */
const shown: string[] = [];
const show = (line: string) => void shown.push(line);

beforeAll(async () => {
  world = await startFlowWorld({ log: show });
  flow = startFlow(world, show);
}, 180_000);

/** A scenario's test; when it fails, its runs' logs follow the failure. */
function scenario(title: string, body: () => Promise<void>): void {
  it(
    title,
    async () => {
      const from = shown.length;
      try {
        await body();
      } catch (error) {
        if (error instanceof Error) {
          error.message += `\n\nWhat the rehearsal showed:\n${shown.slice(from).join('\n')}`;
        }
        throw error;
      }
    },
    SCENARIO_MS,
  );
}

afterAll(async () => {
  await world?.close();
}, 60_000);

/** Job id → its result, with the runner's reason for a skip or failure. */
const table = (run: WorkflowRun): Record<string, string> =>
  Object.fromEntries(
    run.jobs.map((job) => [job.id, job.reason ? `${job.result}: ${job.reason}` : job.result]),
  );

/** The environment's Deployments for a commit: what the record steps wrote. */
const deploymentsOf = (environment: string, sha: string) =>
  world.repository.deployments
    .filter((d) => d.environment === environment && d.sha === sha)
    .map((d: Deployment) => ({
      command: (d.payload as { command?: string }).command,
      imageDigest: (d.payload as { imageDigest?: string }).imageDigest,
      state: d.statuses.at(-1)?.state,
    }));

/** The verdicts a scenario added: the rehearsal's own expectations hold too. */
function verdictsSince(count: number): Verdict[] {
  return flow.verdicts.slice(count).filter((v) => !v.ok);
}

/** The jobs that ran steps able to ask for an OIDC token, and their environment. */
const oidcJobs = (run: WorkflowRun): Record<string, string> =>
  Object.fromEntries(
    run.jobs
      .filter((job: JobRun) => job.idToken && job.calls === undefined)
      .map((job) => [job.id, job.environment ?? 'no environment']),
  );

describe('the rehearsal of the shipped workflows, as assertions', () => {
  scenario(
    'a push to main builds once, deploys staging, waits for approval, ships production the same digest',
    async () => {
      const verdicts = flow.verdicts.length;
      push = await pushToMain(flow);

      expect(push.run.conclusion).toBe('success');
      expect(table(push.run)).toMatchObject({
        'pipeline / verify': 'success',
        'pipeline / build': 'success',
        'pipeline / image-status': expect.stringMatching(
          /^skipped: .*github\.event_name == 'pull_request'.* was false$/,
        ),
        'pipeline / staging / deploy': 'success',
        'pipeline / staging-checks': 'success',
        'pipeline / production / deploy': 'success',
        pipeline: 'success',
      });
      expect(push.digest).toMatch(DIGEST);
      expect(push.staging).toEqual([push.digest]);
      expect(push.production).toEqual([push.digest]);
      // One review, for production's deploy job, approved by alice.
      expect(push.reviews).toEqual([
        expect.objectContaining({
          job: 'pipeline / production / deploy',
          environment: 'production',
        }),
      ]);
      expect(push.run.job('pipeline / production / deploy').approval).toMatchObject({
        decision: 'approve',
        reviewer: 'alice',
      });
      expect(oidcJobs(push.run)).toEqual({
        'pipeline / build': 'staging',
        'pipeline / staging / deploy': 'staging',
        'pipeline / production / deploy': 'production',
      });
      // Production's registry holds the digest, copied from staging's.
      expect(world.emulator.ecr.repository('octo-app-production')?.images.has(push.digest)).toBe(
        true,
      );
      expect(push.stagingRepository).toMatch(/\/octo-app-staging$/);
      for (const environment of ['staging', 'production']) {
        expect(deploymentsOf(environment, commit(2))).toEqual([
          { command: 'push', imageDigest: push.digest, state: 'success' },
        ]);
      }
      // Each environment expands, then contracts in its own deploy once its canary is done.
      expect(push.columns).toEqual({ staging: 'id,status', production: 'id,status' });
      expect(verdictsSince(verdicts)).toEqual([]);
    },
  );

  scenario(
    "a pull request builds its head's image; /deploy staging deploys it for a collaborator, not for an outsider",
    async () => {
      const verdicts = flow.verdicts.length;
      pr = await pullRequestComments(flow);

      expect(pr.build.conclusion).toBe('success');
      expect(table(pr.build)).toMatchObject({
        'pipeline / verify': 'success',
        'pipeline / build': 'success',
        'pipeline / image-status': 'success',
        'pipeline / staging': expect.stringMatching(
          /^skipped: .*github\.event_name == 'push' \|\| github\.event_name == 'workflow_dispatch'.* was false$/,
        ),
        'pipeline / staging-checks': 'skipped: needs staging, which was skipped',
        'pipeline / production': 'skipped: needs staging-checks, which was skipped',
      });
      expect(pr.digest).toMatch(DIGEST);
      expect(pr.digest).not.toBe(push.digest);

      const [writer, outsider] = pr.comments;
      expect(writer).toMatchObject({ login: 'writer', decision: 'proceed', deployed: true });
      expect(writer!.deployJob?.result).toBe('success');
      expect(writer!.deployJob?.environment).toBe('staging');
      expect(deploymentsOf('staging', pr.head)).toEqual([
        { command: 'deploy', imageDigest: pr.digest, state: 'success' },
      ]);

      expect(outsider).toMatchObject({ login: 'outsider', decision: 'rejected' });
      expect(outsider!.deployJob).toBeUndefined();
      expect(table(outsider!.run)).toMatchObject({
        'pr / command': 'success',
        'pr / deploy': expect.stringMatching(
          /^skipped: .*needs\.command\.outputs\.decision == 'proceed'.* was false$/,
        ),
      });
      // The outsider is told why, on the pull request, and staging still runs the PR's image.
      const replies = world.github.store
        .comments(world.repository, pr.pr)
        .filter((c) => c.author.login === 'github-actions[bot]' && c.id > outsider!.commentId);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.body).toContain('Not done');
      expect(replies[0]!.body).toContain('@outsider: @outsider has no access to this repository');
      expect(replies[0]!.body).toContain('reason: `permission`');
      expect(world.runningImages('octo-app-staging').join()).toContain(pr.digest);
      expect(world.repository.deployments.filter((d) => d.sha === pr.head)).toHaveLength(1);
      expect(verdictsSince(verdicts)).toEqual([]);
    },
  );

  scenario(
    'a release whose canary fails is rolled back by the analysis, never reaches production, and is announced on SNS and Slack',
    async () => {
      const verdicts = flow.verdicts.length;
      const failed = await failingCanary(flow);

      expect(failed.run.conclusion).toBe('failure');
      expect(table(failed.run)).toMatchObject({
        'pipeline / build': 'success',
        'pipeline / staging / deploy': "failure: step 'Canary' failed",
        'pipeline / staging-checks': 'skipped: needs staging, which ended in failure',
        'pipeline / production': 'skipped: needs staging-checks, which was skipped',
      });
      expect(failed.canary?.outcome).toBe('failure');
      expect(failed.rolledBackBy).toBe('analysis');
      expect(failed.after).toEqual(failed.before);
      expect(world.runningImages('octo-app-staging').join()).toContain(pr.digest);
      expect(failed.reviews).toEqual([]);
      expect(deploymentsOf('staging', failed.sha)).toEqual([
        { command: 'push', imageDigest: failed.digest, state: 'failure' },
      ]);
      expect(deploymentsOf('production', failed.sha)).toEqual([]);

      // One message, on staging's alarm topic, published with staging's deploy role.
      expect(failed.publishedBefore).toBe(0);
      expect(failed.messages).toHaveLength(1);
      const [message] = failed.toStaging;
      expect(message?.subject).toBe(`Deploy rolled back: ${APP} to staging`);
      expect(message?.message).toContain(failed.digest);
      expect(message?.message).toContain(failed.sha);
      expect(message?.message).toMatch(/^Step: +canary$/m);
      expect(message?.publisher).toContain(ROLES.staging.split(':role/')[1]);
      // One Slack post, accepted, naming the release; the webhook's URL is a secret (scanned below).
      expect(failed.posts).toHaveLength(1);
      expect(failed.posts[0]).toMatchObject({ status: 200, answer: 'ok' });
      expect(failed.posts[0]!.body).toContain(failed.digest.slice(7, 19));
      expect(failed.posts[0]!.body).toContain('staging');
      expect(verdictsSince(verdicts)).toEqual([]);
    },
  );

  scenario(
    "promote by workflow_dispatch ships what staging runs (the pull request's digest) to production after one review",
    async () => {
      const verdicts = flow.verdicts.length;
      const promote = await promoteByDispatch(flow);

      expect(promote.run.conclusion).toBe('success');
      expect(table(promote.run)).toMatchObject({
        'promote / resolve': 'success',
        'promote / deploy / deploy': 'success',
        promote: 'success',
      });
      expect(promote.run.job('promote / deploy / deploy').approval).toMatchObject({
        decision: 'approve',
        reviewer: 'alice',
      });
      expect(promote.stagingBefore).toEqual([pr.digest]);
      expect(promote.promoted).toBe(pr.digest);
      expect(promote.production).toEqual([pr.digest]);
      expect(promote.reviews).toEqual([expect.objectContaining({ environment: 'production' })]);
      // The digest copied into production's registry, and production's record of it.
      expect(world.emulator.ecr.repository('octo-app-production')?.images.has(pr.digest)).toBe(
        true,
      );
      expect(
        world.repository.deployments
          .filter((d) => d.environment === 'production')
          .map((d) => [
            (d.payload as { imageDigest?: string }).imageDigest,
            d.statuses.at(-1)?.state,
          ])
          .at(-1),
      ).toEqual([pr.digest, 'success']);
      expect(oidcJobs(promote.run)).toEqual({ 'promote / deploy / deploy': 'production' });
      expect(verdictsSince(verdicts)).toEqual([]);
    },
  );

  scenario(
    "rollback by workflow_dispatch puts staging back on its previous successful release (v2's digest), without review",
    async () => {
      const verdicts = flow.verdicts.length;
      const rollback = await rollbackByDispatch(flow);

      expect(rollback.run.conclusion).toBe('success');
      expect(table(rollback.run)).toMatchObject({
        'rollback / resolve': 'success',
        'rollback / deploy / deploy': 'success',
        rollback: 'success',
      });
      expect(oidcJobs(rollback.run)).toEqual({ 'rollback / deploy / deploy': 'staging' });
      expect(rollback.outputs).toMatchObject({ digest: push.digest, sha: commit(2) });
      expect(rollback.staging).toEqual([push.digest]);
      expect(rollback.reviews).toEqual([]);
      const last = world.repository.deployments.filter((d) => d.environment === 'staging').at(-1);
      expect(last?.sha).toBe(commit(2));
      expect(last?.payload).toMatchObject({ command: 'rollback', imageDigest: push.digest });
      expect(last?.statuses.at(-1)?.state).toBe('success');
      expect(verdictsSince(verdicts)).toEqual([]);
    },
  );

  scenario("a staging job cannot assume production's role", async () => {
    const verdicts = flow.verdicts.length;
    const reach = await trustPolicies(flow);

    expect(reach.exitCode).not.toBe(0);
    expect(reach.log).toContain('AccessDenied');
    expect(verdictsSince(verdicts)).toEqual([]);
  });

  it('leaves no secret handed out in any log, summary or annotation', () => {
    const secrets = world.secrets();
    expect(secrets.length).toBeGreaterThan(20);
    expect(secrets).toContain(world.slackWebhookUrl);
    expect(world.leaks()).toEqual([]);
  });
});
