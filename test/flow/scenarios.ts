// The flow's scenarios, in the order they build on each other, each run in a FlowWorld
// (test/flow/world.ts): what it observed, and its expectations as one-line verdicts
// (expected | got) that scripts/rehearse.ts prints and test/e2e/flow-rehearsal.test.ts checks
// next to its own assertions on the observations.
//
//   1. push to main: verify → build once → staging → checks → production after approval (given
//      by the world), the same digest in production's registry and service.
//   2. a pull request: its pipeline builds the head's image; `/deploy staging` by a collaborator
//      deploys it, by an outsider is refused.
//   3. a release whose canary fails is rolled back by the analysis; production is never asked;
//      the record step announces it on staging's alarm topic (SNS) and to the Slack stand-in
//      (the repository's SLACK_WEBHOOK_URL secret, passed by name down to deploy.yml).
//   4. promote by workflow_dispatch: what staging runs now to production after approval, the
//      same digest copied from staging's registry.
//   5. rollback of staging by workflow_dispatch: its previous successful release (v2) again.
//   6. the trust policies: a staging job reaching for production's role is refused.
import { issueCommentEvent } from '../emulator/github/events.ts';
import type { PublishedMessage } from '../emulator/sns.ts';
import type { SlackPost } from '../emulator/slack-webhook.ts';
import { type ActionRun, runAction, runnerView } from '../harness/index.ts';
import type {
  JobRun,
  ReviewRequest,
  StepRun,
  WorkflowRun,
} from '../harness/workflow-runner/index.ts';
import {
  ACCOUNTS,
  APP,
  commit,
  type FlowWorld,
  ORG,
  REGION,
  ROLES,
  SUITE,
  SUITE_REF,
  VARS,
} from './world.ts';

export interface Verdict {
  scenario: string;
  expected: string;
  got: string;
  ok: boolean;
  ms: number;
}

/** The scenarios' shared state: the world, the releases built so far, every verdict. */
export interface Flow {
  readonly world: FlowWorld;
  /** The releases the scenarios built, by name: what later scenarios expect to see again. */
  readonly released: Record<string, string>;
  readonly verdicts: Verdict[];
  readonly log: (line: string) => void;
  /** When a failed canary's traffic on staging's target groups ended (the emulator's clock). */
  failedCanaryEndedAt?: number;
}

export function startFlow(world: FlowWorld, log: (line: string) => void = () => {}): Flow {
  return { world, released: {}, verdicts: [], log };
}

const MINUTE_MS = 60_000;

/**
 * How long to wait before the next canary on the target groups a failed canary used, so that its
 * shift falls in a later wall-clock minute than the failed canary's traffic.
 *
 * The emulator publishes ALB metrics per minute of the wall clock, and at the world's time scale
 * (120) one such minute holds two emulated hours of traffic. The analysis judges from the start of
 * the metric period holding the shift (as CloudWatch rounds a StartTime down to the minute): on
 * AWS that reaches back under a minute, while a rollback's new tasks start and pass their health
 * checks, so a previous canary's traffic is never in it; here it reaches back as far as the
 * minute's start, over scenario 3's failing canary on the same target group, whose 5xx the
 * rollback's gate then counted as its own (2 runs in 12: "1843 canary / 146736 baseline requests").
 */
export function waitAfterFailedCanary(endedAt: number | undefined, now: number): number {
  if (endedAt === undefined) return 0;
  const nextMinute = Math.floor(endedAt / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  return Math.max(0, nextMinute - now);
}

async function pastFailedCanaryMinute(flow: Flow): Promise<void> {
  const ms = waitAfterFailedCanary(flow.failedCanaryEndedAt, Date.now());
  if (ms === 0) return;
  flow.log(`  (waiting ${(ms / 1000).toFixed(1)} s for the failed canary's metric minute to end)`);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function expectThat(
  flow: Flow,
  scenario: string,
  expected: string,
  got: string,
  began: number,
): Verdict {
  const verdict = { scenario, expected, got, ok: expected === got, ms: performance.now() - began };
  flow.verdicts.push(verdict);
  flow.log(`  → ${verdict.ok ? 'as expected' : `EXPECTED ${expected}, GOT ${got}`}: ${scenario}`);
  return verdict;
}

const digestOf = (image: string | undefined) => image?.split('@')[1] ?? '';
const short = (digest: string | undefined) => (digest ?? '').slice(0, 19);
/** The digests a cluster's running tasks run (the bootstrap image, by tag, is left out). */
export const runningDigests = (world: FlowWorld, cluster: string) =>
  world.runningImages(cluster).map(digestOf).filter(Boolean);

/** Runs ship.yml for a push of commit `sha` to main, with the app's source at `version`. */
const pushRun = (world: FlowWorld, title: string, sha: string, version: string) =>
  world.run(title, {
    workflow: '.github/workflows/ship.yml',
    event: { name: 'push' },
    context: { sha, ref: 'refs/heads/main' },
    vars: VARS,
    workspaceSource: world.appSource(version),
  });

export interface PushToMain {
  run: WorkflowRun;
  digest: string;
  stagingRepository: string;
  staging: string[];
  production: string[];
  reviews: ReviewRequest[];
  columns: { staging: string; production: string };
}

export async function pushToMain(flow: Flow): Promise<PushToMain> {
  const { world, released } = flow;
  const began = performance.now();
  const reviewsBefore = world.reviews.length;
  const sha = commit(2);
  world.repository.commits.add(sha);
  const run = await pushRun(world, 'push to main: v2 → staging → approval → production', sha, 'v2');
  const digest = run.jobs.find((job) => job.id === 'pipeline')?.outputs['digest'] ?? '';
  released['v2'] = digest;
  const stagingRepository =
    run.jobs.find((job) => job.id === 'pipeline / build')?.outputs['image']?.split('@')[0] ?? '';
  released['staging-repository'] = stagingRepository;
  const staging = runningDigests(world, 'octo-app-staging');
  const production = runningDigests(world, 'octo-app-production');
  const reviews = world.reviews.slice(reviewsBefore);
  expectThat(
    flow,
    'push: both environments run the one digest built, production after approval',
    `success, 1 review, staging ${digest.slice(0, 19)}, production ${digest.slice(0, 19)}`,
    `${run.conclusion}, ${reviews.length} review, staging ${staging.join(' ').slice(0, 19)}, production ${production.join(' ').slice(0, 19)}`,
    began,
  );
  const columns = {
    staging: await world.columnsOf('staging'),
    production: await world.columnsOf('production'),
  };
  expectThat(
    flow,
    'push: expand and contract migrations in both, each in its own deploy after its canary',
    'staging id,status; production id,status',
    `staging ${columns.staging}; production ${columns.production}`,
    began,
  );
  return { run, digest, stagingRepository, staging, production, reviews, columns };
}

export interface CommentDeploy {
  login: 'writer' | 'outsider';
  commentId: number;
  run: WorkflowRun;
  decision: string | undefined;
  deployJob: JobRun | undefined;
  deployed: boolean;
}

export interface PullRequestComments {
  pr: number;
  head: string;
  build: WorkflowRun;
  digest: string;
  comments: CommentDeploy[];
}

export async function pullRequestComments(flow: Flow): Promise<PullRequestComments> {
  const { world, released } = flow;
  const { github, repository } = world;
  const began = performance.now();
  const head = commit(3);
  const pr = github.store.addPullRequest(repository, {
    author: github.accounts.get('writer'),
    headSha: head,
  });
  github.store.addCheckRun(repository, head, 'test', 'success');
  const build = await world.run(`pull request #${pr.number}: tests and the head's image`, {
    workflow: '.github/workflows/ship.yml',
    event: {
      name: 'pull_request',
      payload: {
        action: 'synchronize',
        number: pr.number,
        pull_request: {
          number: pr.number,
          head: { ref: pr.pull!.headRef, sha: head, repo: { full_name: APP } },
          base: { ref: 'main', repo: { full_name: APP } },
        },
        repository: { full_name: APP, name: 'octo-app', owner: { login: ORG } },
        sender: { login: 'writer', type: 'User' },
      },
    },
    context: {
      sha: head,
      ref: `refs/pull/${pr.number}/merge`,
      headRef: pr.pull!.headRef,
      baseRef: 'main',
      actor: 'writer',
    },
    vars: VARS,
    workspaceSource: world.appSource('pr'),
  });
  const digest = build.jobs.find((job) => job.id === 'pipeline')?.outputs['digest'] ?? '';
  released['pr'] = digest;
  // The comment caller's targets: the stack's names (the same the deploy document holds).
  const targets = JSON.stringify({
    staging: {
      'role-to-assume': ROLES.staging,
      'aws-region': REGION,
      cluster: 'octo-app-staging',
      service: 'octo-app-staging-api',
      'image-repository': `${ACCOUNTS.staging}.dkr.ecr.${REGION}.amazonaws.com/octo-app-staging`,
      'canary-bake': '1m',
      'bake-time': '1m',
      'smoke-url': world.smokeUrl,
    },
  });
  const comments: CommentDeploy[] = [];
  for (const [login, expected] of [
    ['writer', 'proceed, deployed'],
    ['outsider', 'rejected, not deployed'],
  ] as const) {
    const commentBegan = performance.now();
    const comment = github.store.addComment(
      repository,
      pr.number,
      github.accounts.get(login),
      '/deploy staging',
    );
    const run = await world.run(`@${login} comments /deploy staging on #${pr.number}`, {
      workflow: '.github/workflows/pr.yml',
      event: {
        name: 'issue_comment',
        payload: issueCommentEvent(github, comment, 'created') as Record<string, unknown>,
      },
      context: { actor: login },
      vars: { PR_DEPLOY_TARGETS: targets },
    });
    const decision = run.jobs.find((job) => job.id === 'pr / command')?.outputs['decision'];
    const deployed = runningDigests(world, 'octo-app-staging').includes(digest);
    const deployJob = run.jobs.find((job) => job.id === 'pr / deploy / deploy');
    comments.push({ login, commentId: comment.id, run, decision, deployJob, deployed });
    expectThat(
      flow,
      `/deploy staging by ${login === 'writer' ? 'a collaborator' : 'an outsider'}`,
      expected,
      `${decision ?? 'no decision'}, ${deployJob?.result === 'success' && deployed ? 'deployed' : 'not deployed'}`,
      login === 'writer' ? began : commentBegan,
    );
  }
  return { pr: pr.number, head, build, digest, comments };
}

export interface FailingCanary {
  sha: string;
  run: WorkflowRun;
  /** The failing release's digest. */
  digest: string;
  canary: StepRun | undefined;
  /** What rolled the canary back, as its log says (`analysis`, `alarm`, …). */
  rolledBackBy: string | undefined;
  before: string[];
  after: string[];
  production: JobRun | undefined;
  reviews: ReviewRequest[];
  publishedBefore: number;
  /** Everything published while the release ran, and what of it went to staging's topic. */
  messages: PublishedMessage[];
  toStaging: PublishedMessage[];
  posts: SlackPost[];
}

export async function failingCanary(flow: Flow): Promise<FailingCanary> {
  const { world } = flow;
  const began = performance.now();
  const sha = commit(4);
  world.repository.commits.add(sha);
  const before = world.runningImages('octo-app-staging');
  const reviewsBefore = world.reviews.length;
  const publishedBefore = world.emulator.sns.published.length;
  const postsBefore = world.slack.posts.length;
  const run = await pushRun(world, 'push to main: v3, whose canary fails on staging', sha, 'v3');
  // Its rollback has moved staging's traffic back to the old revision before the job ends.
  flow.failedCanaryEndedAt = Date.now();
  const staging = run.jobs.find((job) => job.id === 'pipeline / staging / deploy');
  const canary = staging?.steps.find((step) => step.name === 'Canary');
  const rolledBackBy = /Rolled back \(([^)]+)\)/.exec(canary?.log.join('\n') ?? '')?.[1];
  const production = run.jobs.find((job) => job.id === 'pipeline / production');
  const after = world.runningImages('octo-app-staging');
  const reviews = world.reviews.slice(reviewsBefore);
  expectThat(
    flow,
    'a failing canary is rolled back and production is never asked',
    'canary failure (rolled back by: analysis), back on the previous image, production skipped, 0 reviews',
    `canary ${canary?.outcome ?? 'did not run'} (rolled back by: ${rolledBackBy ?? '-'}), ${after.join() === before.join() ? 'back on the previous image' : `now ${after.join()}`}, production ${production?.result ?? 'missing'}, ${reviews.length} reviews`,
    began,
  );
  // The record step's notification: one message on staging's alarm topic naming the release,
  // the step and the run; one post to the repository's Slack webhook. Successes sent nothing.
  const digest = run.jobs.find((job) => job.id === 'pipeline / build')?.outputs['digest'] ?? '';
  const messages = world.emulator.sns.published.slice(publishedBefore);
  const toStaging = messages.filter((m) => world.stagingTopics.includes(m.topicArn));
  const names = (text: string) =>
    [digest !== '' && text.includes(digest) && 'digest', text.includes(sha) && 'commit']
      .filter(Boolean)
      .join('+') || 'neither';
  const posts = world.slack.posts.slice(postsBefore);
  expectThat(
    flow,
    'the rolled-back release is announced on the alarm topic and in Slack',
    `0 before; 1 to staging's topic "Deploy rolled back: ${APP} to staging" (digest+commit, step canary); 1 Slack post accepted (digest)`,
    `${publishedBefore} before; ${toStaging.length} to staging's topic${messages.length > toStaging.length ? ` (+${messages.length - toStaging.length} elsewhere)` : ''} "${toStaging[0]?.subject ?? '-'}" (${names(toStaging[0]?.message ?? '')}, step ${/^Step: +(.+)$/m.exec(toStaging[0]?.message ?? '')?.[1] ?? '-'}); ${posts.length} Slack post ${posts.every((p) => p.status === 200) ? 'accepted' : 'refused'} (${posts[0]?.body.includes(digest.slice(7, 19)) ? 'digest' : 'no digest'})`,
    began,
  );
  return {
    sha,
    run,
    digest,
    canary,
    rolledBackBy,
    before,
    after,
    production,
    reviews,
    publishedBefore,
    messages,
    toStaging,
    posts,
  };
}

export interface Promote {
  run: WorkflowRun;
  stagingBefore: string[];
  promoted: string;
  production: string[];
  reviews: ReviewRequest[];
}

/** What staging runs now, to production after approval. */
export async function promoteByDispatch(flow: Flow): Promise<Promote> {
  const { world, released } = flow;
  const began = performance.now();
  const stagingBefore = runningDigests(world, 'octo-app-staging');
  const reviewsBefore = world.reviews.length;
  const run = await world.run('dispatch promote: what staging runs now → production', {
    workflow: '.github/workflows/promote-caller.yml',
    event: { name: 'workflow_dispatch', payload: { inputs: { digest: '' } } },
    inputs: { digest: '' },
    context: { sha: commit(4), ref: 'refs/heads/main', actor: 'writer' },
    vars: {
      ...VARS,
      // Staging's repository as its deploy document names it (the emulator's registry).
      STAGING_ECR_REPOSITORY_URI: released['staging-repository'] ?? '',
    },
    workspaceSource: world.appSource('pr'),
  });
  const promoted = run.jobs.find((job) => job.id === 'promote')?.outputs['digest'] ?? '';
  const production = runningDigests(world, 'octo-app-production');
  const reviews = world.reviews.slice(reviewsBefore);
  expectThat(
    flow,
    "promote: production runs staging's digest (the pull request's), after 1 review",
    `success, staging ${short(released['pr'])}, promoted ${short(released['pr'])}, production ${short(released['pr'])}, 1 review`,
    `${run.conclusion}, staging ${short(stagingBefore.join(' '))}, promoted ${short(promoted)}, production ${production.map(short).join(' ')}, ${reviews.length} review`,
    began,
  );
  return { run, stagingBefore, promoted, production, reviews };
}

export interface Rollback {
  run: WorkflowRun;
  outputs: Record<string, string>;
  staging: string[];
  reviews: ReviewRequest[];
}

/** Staging back to its previous successful deployment (v2; the failed v3 does not count). */
export async function rollbackByDispatch(flow: Flow): Promise<Rollback> {
  const { world, released } = flow;
  const began = performance.now();
  const reviewsBefore = world.reviews.length;
  await pastFailedCanaryMinute(flow);
  const run = await world.run('dispatch rollback of staging: its previous successful release', {
    workflow: '.github/workflows/rollback-caller.yml',
    event: { name: 'workflow_dispatch', payload: { inputs: { environment: 'staging' } } },
    inputs: { environment: 'staging' },
    context: { sha: commit(4), ref: 'refs/heads/main', actor: 'writer' },
    vars: VARS,
    workspaceSource: world.appSource('v2'),
  });
  const outputs = run.jobs.find((job) => job.id === 'rollback')?.outputs ?? {};
  const staging = runningDigests(world, 'octo-app-staging');
  const reviews = world.reviews.slice(reviewsBefore);
  expectThat(
    flow,
    "rollback: staging runs v2's digest again, without review",
    `success, back to ${short(released['v2'])} (commit ${commit(2).slice(0, 7)}), staging ${short(released['v2'])}, 0 reviews`,
    `${run.conclusion}, back to ${short(outputs['digest'])} (commit ${(outputs['sha'] ?? '-').slice(0, 7)}), staging ${staging.map(short).join(' ')}, ${reviews.length} reviews`,
    began,
  );
  return { run, outputs, staging, reviews };
}

/** A staging job (its OIDC token's claims) asks for production's role. */
export async function trustPolicies(flow: Flow): Promise<ActionRun> {
  const { world } = flow;
  const began = performance.now();
  world.issuer.setContext({
    environment: 'staging',
    jobWorkflowRef: `${SUITE}/.github/workflows/deploy.yml@${SUITE_REF}`,
  });
  const reach = await runAction({
    action: 'actions/oidc-assume/action.yml',
    inputs: { 'role-to-assume': ROLES.production, 'aws-region': REGION },
    oidc: world.issuer,
    env: { AWS_ENDPOINT_URL: world.emulator.url },
    timeoutMs: 30_000,
  });
  world.actionRuns.push(reach);
  flow.log(`\n════ a staging job assumes production's role`);
  // As GitHub shows it: workflow commands rendered, masked values as ***.
  for (const line of runnerView(reach)) flow.log(`  ${line}`);
  expectThat(
    flow,
    "a staging job cannot assume production's role",
    'failure',
    reach.exitCode === 0 ? 'success' : 'failure',
    began,
  );
  return reach;
}

/** The scenarios in the order they build on each other, named as the rehearsal reports them. */
export const SCENARIOS: readonly { name: string; play: (flow: Flow) => Promise<unknown> }[] = [
  { name: 'push to main', play: pushToMain },
  { name: 'a pull request and its comments', play: pullRequestComments },
  { name: 'a release whose canary fails', play: failingCanary },
  { name: 'promote by workflow_dispatch', play: promoteByDispatch },
  { name: 'rollback by workflow_dispatch', play: rollbackByDispatch },
  { name: 'the trust policies', play: trustPolicies },
];

/** One scenario; one that throws (a workflow the runner refuses) is a failed verdict, not the end. */
export async function playScenario(
  flow: Flow,
  scenario: (typeof SCENARIOS)[number],
): Promise<void> {
  const began = performance.now();
  try {
    await scenario.play(flow);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    expectThat(flow, scenario.name, 'runs to the end', `stopped: ${message}`, began);
  }
}
