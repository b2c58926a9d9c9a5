// The event matrix of the pipeline caller template (workflows-templates/aws-ship-suite-pipeline.yml)
// and the real .github/workflows/pipeline.yml, run through the local workflow runner: per event,
// which jobs run, which are skipped and why, which permissions and OIDC access each job held, and
// what the pieces were handed (the same digest to both environments, production promoted from
// staging's image, each environment's contract migrations in its own deploy, staging's first).
// The actions and deploy.yml are stand-ins that record their inputs
// (test/fixtures/pipeline/README.md): this is about the workflow files' decisions; ./dev rehearse
// runs the real ones on the emulated stack.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { issueCommentEvent } from '../emulator/github/events.ts';
import type { GitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import type { OidcIssuer } from '../harness/index.ts';
import {
  runWorkflow,
  type ReviewRequest,
  type WorkflowRun,
  type WorkflowRunOptions,
} from '../harness/workflow-runner/index.ts';
import { startWorkflowWorld, VARS, type WorkflowWorld } from '../flow/workflow-world.ts';

const suiteRoot = new URL('../..', import.meta.url).pathname;
const fixtures = join(suiteRoot, 'test/fixtures/pipeline');
const SHA = 'a3f1c9e07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f';
const HEAD = 'b7e2d4c6a8f0e1d3c5b7a9f2e4d6c8b0a1f3e5d7';
const DIGEST = `sha256:${'5e'.repeat(32)}`;
const STAGING_IMAGE = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/octo-app-staging@${DIGEST}`;

// Comment deploys: the shipped caller template of pr-command.yml, with the same variables.
const PR_TEMPLATE = 'workflows-templates/aws-ship-suite-pr-command.yml';

let world: WorkflowWorld;
let github: GitHubEmulator;
let appRepository: Repository;
let issuer: OidcIssuer;
let checkout: string;
let appSource: string;
const runs: WorkflowRun[] = [];

beforeAll(async () => {
  world = await startWorkflowWorld({ commits: [SHA, HEAD] });
  ({ issuer, github, repository: appRepository } = world);
  // The app: its tests are one script (the template's test-command set to it).
  appSource = mkdtempSync(join(tmpdir(), 'pipeline-matrix-app-'));
  world.onClose(() => rmSync(appSource, { recursive: true, force: true }));
  writeFileSync(join(appSource, 'test.sh'), 'echo "tests: 12 passed"\n', { mode: 0o755 });
  writeFileSync(
    join(appSource, 'site.sh'),
    'mkdir -p dist && echo "<h1>octo-app</h1>" > dist/index.html\n',
    {
      mode: 0o755,
    },
  );
  checkout = mkdtempSync(join(tmpdir(), 'pipeline-matrix-'));
  world.onClose(() => rmSync(checkout, { recursive: true, force: true }));
  mkdirSync(join(checkout, '.github/workflows'), { recursive: true });
  const template = readFileSync(
    join(suiteRoot, 'workflows-templates/aws-ship-suite-pipeline.yml'),
    'utf8',
  );
  const caller = template
    .replace('[$default-branch]', '[main]')
    .replace('test-command: npm ci && npm test', 'test-command: ./test.sh')
    .replace(/# (test-reports: \S+).*/, '$1')
    .replace(/# site-command: .*/, 'site-command: ./site.sh');
  if (!caller.includes('test-command: ./test.sh') || !caller.includes('\n      test-reports:')) {
    throw new Error('the template has no test-command or test-reports to set');
  }
  writeFileSync(join(checkout, '.github/workflows/ship.yml'), caller);
  symlinkSync(
    join(suiteRoot, '.github/workflows/pipeline.yml'),
    join(checkout, '.github/workflows/pipeline.yml'),
  );
  symlinkSync(
    join(fixtures, '.github/workflows/deploy.yml'),
    join(checkout, '.github/workflows/deploy.yml'),
  );
  // The actions: stand-ins, but deploy-command (pr-command.yml's decision) is the real bundle.
  mkdirSync(join(checkout, 'actions'));
  for (const name of ['oidc-assume', 'ecr-build-push', 'quality-gate', 'record.mjs']) {
    symlinkSync(join(fixtures, 'actions', name), join(checkout, 'actions', name));
  }
  symlinkSync(join(suiteRoot, 'actions/deploy-command'), join(checkout, 'actions/deploy-command'));
  symlinkSync(join(suiteRoot, 'dist'), join(checkout, 'dist'));
  // Comments: the shipped caller template of pr-command.yml.
  writeFileSync(
    join(checkout, '.github/workflows/pr.yml'),
    readFileSync(join(suiteRoot, PR_TEMPLATE), 'utf8'),
  );
  symlinkSync(
    join(suiteRoot, '.github/workflows/pr-command.yml'),
    join(checkout, '.github/workflows/pr-command.yml'),
  );
}, 60_000);

afterAll(async () => {
  expect(await world.close(runs)).toEqual([]);
});

interface Recorded {
  action: string;
  job?: string;
  idToken?: boolean;
  inputs: Record<string, unknown>;
}

interface Ship {
  run: WorkflowRun;
  recorded: Recorded[];
  reviews: ReviewRequest[];
  /** Job id → result, or `skipped: why`. */
  table: Record<string, string>;
}

async function ship(
  event: WorkflowRunOptions['event'],
  options: Partial<WorkflowRunOptions> = {},
): Promise<Ship> {
  const record = join(mkdtempSync(join(tmpdir(), 'pipeline-record-')), 'record.jsonl');
  writeFileSync(record, '');
  const reviews: ReviewRequest[] = [];
  const run = await runWorkflow({
    checkout,
    workflow: '.github/workflows/ship.yml',
    event,
    suiteRepository: 'OWNER/aws-ship-suite',
    oidc: issuer,
    github,
    vars: VARS,
    workspaceSource: appSource,
    environments: { production: { reviewers: ['release-managers'] } },
    review: async (request) => {
      reviews.push(request);
      return { decision: 'approve', reviewer: 'alice' };
    },
    ...options,
    machineEnv: { PIPELINE_RECORD: record, ...options.machineEnv },
  });
  runs.push(run);
  const recorded = readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Recorded);
  rmSync(join(record, '..'), { recursive: true, force: true });
  const table = Object.fromEntries(
    run.jobs.map((job) => [
      job.id,
      job.result === 'skipped' ? `skipped: ${job.reason ?? ''}` : job.result,
    ]),
  );
  return { run, recorded, reviews, table };
}

const pullRequest = (headRepository: string) => ({
  name: 'pull_request',
  payload: {
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7,
      head: { ref: 'feature', sha: HEAD, repo: { full_name: headRepository } },
      base: { ref: 'main', repo: { full_name: 'octo-org/octo-app' } },
    },
    repository: { full_name: 'octo-org/octo-app', name: 'octo-app', owner: { login: 'octo-org' } },
    sender: { login: 'octocat', type: 'User' },
  },
});
const PR_CONTEXT = {
  ref: 'refs/pull/7/merge',
  sha: SHA,
  headRef: 'feature',
  baseRef: 'main',
};

const DEPLOY_PERMISSIONS = {
  contents: 'read',
  deployments: 'write',
  'id-token': 'write',
  'pull-requests': 'write',
};

describe('push to main: the whole flow, production behind its reviewers', () => {
  let shipped: Ship;
  beforeAll(async () => {
    shipped = await ship({ name: 'push' });
  }, 120_000);

  it('runs every job but the pull request image status', () => {
    expect(shipped.run.conclusion).toBe('success');
    expect(shipped.table).toEqual({
      'pipeline / verify': 'success',
      'pipeline / build': 'success',
      'pipeline / image-status':
        "skipped: if: success() && (github.event_name == 'pull_request') was false",
      'pipeline / staging / deploy': 'success',
      'pipeline / staging': 'success',
      'pipeline / staging-checks': 'success',
      'pipeline / production / deploy': 'success',
      'pipeline / production': 'success',
      pipeline: 'success',
    });
  });

  it('gives each job only its permissions, and an OIDC token only to environment jobs', () => {
    const held = (id: string) => {
      const job = shipped.run.job(id);
      return { permissions: job.permissions, idToken: job.idToken, environment: job.environment };
    };
    expect(held('pipeline / verify')).toEqual({
      permissions: { contents: 'read' },
      idToken: false,
      environment: undefined,
    });
    expect(held('pipeline / build')).toEqual({
      permissions: { contents: 'read', 'id-token': 'write' },
      idToken: true,
      environment: 'staging',
    });
    expect(held('pipeline / staging-checks')).toEqual({
      permissions: { contents: 'read' },
      idToken: false,
      environment: undefined,
    });
    for (const environment of ['staging', 'production']) {
      expect(held(`pipeline / ${environment} / deploy`)).toEqual({
        permissions: DEPLOY_PERMISSIONS,
        idToken: true,
        environment,
      });
    }
  });

  it("asks production's reviewers, and only them, after staging's checks passed", () => {
    expect(shipped.reviews).toEqual([
      {
        job: 'pipeline / production / deploy',
        environment: 'production',
        reviewers: ['release-managers'],
      },
    ]);
    const order = shipped.run.jobs.map((job) => job.id);
    expect(order.indexOf('pipeline / staging-checks')).toBeLessThan(
      order.indexOf('pipeline / production / deploy'),
    );
  });

  it('builds once with staging role and document, and deploys that one digest to both', () => {
    const actions = shipped.recorded.map((r) => `${r.action}${r.job ? ` in ${r.job}` : ''}`);
    expect(actions).toEqual([
      'quality-gate in verify',
      'oidc-assume in build',
      'ecr-build-push in build',
      'deploy.yml',
      'quality-gate in staging-checks',
      'deploy.yml',
    ]);
    const steps = shipped.run.job('pipeline / build').steps;
    expect(steps.map((step) => [step.name, step.outcome]).slice(1)).toEqual([
      ['Build the site', 'success'],
      ['Upload the site', 'success'],
      ["Assume staging's deploy role", 'success'],
      ['Build and push the image', 'success'],
    ]);
    const [, assume, build, staging, gate, production] = shipped.recorded;
    expect(assume?.inputs).toMatchObject({
      'role-to-assume': VARS.STAGING_DEPLOY_ROLE_ARN,
      'deploy-document': 'true',
    });
    expect(assume?.idToken).toBe(true);
    expect(build?.inputs).toMatchObject({ repository: 'octo-app-staging' });
    expect(staging?.inputs).toMatchObject({
      environment: 'staging',
      digest: DIGEST,
      'role-to-assume': VARS.STAGING_DEPLOY_ROLE_ARN,
      'promote-from': '',
      'site-artifact': `site-${SHA}`,
      // Staging's contract phase runs in its deploy, before production's reviewers are asked.
      'contract-migrations': true,
      command: 'push',
    });
    expect(gate?.inputs['performance']).toBe('aws-ship-suite-canary-result.json');
    expect(production?.inputs).toMatchObject({
      environment: 'production',
      digest: DIGEST,
      'promote-from': STAGING_IMAGE,
      'site-artifact': `site-${SHA}`,
      'role-to-assume': VARS.PRODUCTION_DEPLOY_ROLE_ARN,
      'contract-migrations': true,
    });
  });

  it('outputs the release and where it runs', () => {
    expect(shipped.run.job('pipeline').outputs).toMatchObject({
      digest: DIGEST,
      image: STAGING_IMAGE,
      'production-image': `111122223333.dkr.ecr.eu-west-1.amazonaws.com/octo-app-production@${DIGEST}`,
    });
  });
});

describe('the other events', () => {
  it('workflow_dispatch: the same flow, recorded as a dispatch', async () => {
    const { run, recorded, table } = await ship({ name: 'workflow_dispatch' });
    expect(run.conclusion).toBe('success');
    expect(table['pipeline / production / deploy']).toBe('success');
    expect(
      recorded.filter((r) => r.action === 'deploy.yml').map((r) => r.inputs['command']),
    ).toEqual(['dispatch', 'dispatch']);
  }, 120_000);

  it("a pull request from a branch: tests and the head's image, no deploy", async () => {
    const { run, recorded, table } = await ship(pullRequest('octo-org/octo-app'), {
      context: PR_CONTEXT,
    });
    expect(run.conclusion).toBe('success');
    expect(table).toEqual({
      'pipeline / verify': 'success',
      'pipeline / build': 'success',
      'pipeline / image-status': 'success',
      'pipeline / staging':
        "skipped: if: success() && (github.event_name == 'push' || github.event_name == 'workflow_dispatch') was false",
      'pipeline / staging-checks': 'skipped: needs staging, which was skipped',
      'pipeline / production': 'skipped: needs staging-checks, which was skipped',
      pipeline: 'success',
    });
    expect(run.job('pipeline / image-status').permissions).toEqual({ statuses: 'write' });
    expect(recorded.some((r) => r.action === 'deploy.yml')).toBe(false);
    expect(
      appRepository.checks.get(HEAD)?.statuses.map((s) => [s.context, s.state, s.description]),
    ).toEqual([['aws-ship-suite/image', 'success', DIGEST]]);
  }, 120_000);

  it("a pull request from a fork: tests only, the build skipped (a fork's run gets no OIDC token)", async () => {
    const { run, recorded, table } = await ship(pullRequest('outsider/octo-app'), {
      context: PR_CONTEXT,
    });
    expect(run.conclusion).toBe('success');
    expect(table['pipeline / verify']).toBe('success');
    expect(table['pipeline / build']).toBe(
      "skipped: if: success() && (github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository) was false",
    );
    expect(table['pipeline / image-status']).toBe(
      "skipped: if: success() && (github.event_name == 'pull_request') was false",
    );
    expect(recorded.map((r) => r.action)).toEqual(['quality-gate']);
    expect(
      issuer.issued.filter((t) => t.claims['sub'] === 'repo:octo-org/octo-app:pull_request'),
    ).toEqual([]);
  }, 120_000);

  it('a push to a feature branch: the pipeline template is not triggered, nothing runs', async () => {
    const { run, recorded } = await ship(
      { name: 'push' },
      { context: { ref: 'refs/heads/feature' } },
    );
    expect(run).toMatchObject({
      conclusion: 'not triggered',
      notTriggered: 'not triggered: push to branch feature matches none of on.push.branches (main)',
      jobs: [],
    });
    expect(recorded).toEqual([]);
  });

  it("a closed pull request: not triggered (pull_request's default types)", async () => {
    const closed = pullRequest('octo-org/octo-app');
    const { run } = await ship(
      { name: 'pull_request', payload: { ...closed.payload, action: 'closed' } },
      { context: PR_CONTEXT },
    );
    expect(run.notTriggered).toBe(
      'not triggered: pull_request of type closed is not the default types of on.pull_request.types (opened, synchronize, reopened)',
    );
  });

  it('a tag push: not triggered either (the template filters branches only)', async () => {
    const { run } = await ship({ name: 'push' }, { context: { ref: 'refs/tags/v1.0.0' } });
    expect(run.notTriggered).toBe(
      'not triggered: push of tag v1.0.0: on.push filters branches only',
    );
  });

  it('an issue comment: the pipeline template does not run (comments go to pr-command.yml)', async () => {
    await expect(ship({ name: 'issue_comment' })).rejects.toThrow(
      '.github/workflows/ship.yml does not run on issue_comment (on: push, pull_request, workflow_dispatch)',
    );
  });

  it("a canary whose figures fail staging's gate never reaches production or its reviewers", async () => {
    const { run, reviews, table } = await ship(
      { name: 'push' },
      { machineEnv: { FAIL_GATE_IN_JOB: 'staging-checks' } },
    );
    void run;
    expect(table['pipeline / staging-checks']).toBe('failure');
    expect(table['pipeline / production']).toBe(
      'skipped: needs staging-checks, which ended in failure',
    );
    expect(reviews).toEqual([]);
  }, 120_000);
});

describe("the caller's settings, checked before anything is built", () => {
  it('an unset role variable and a wrong region: one line each, nothing built or deployed', async () => {
    const { run, recorded, table } = await ship(
      { name: 'push' },
      { vars: { ...VARS, PRODUCTION_DEPLOY_ROLE_ARN: '', AWS_REGION: 'Ireland' } },
    );
    expect(run.conclusion).toBe('failure');
    const check = run.job('pipeline / verify').steps[0];
    expect(check?.annotations.map((a) => a.message)).toEqual([
      "production-role-to-assume must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got '': set it to the stack's DeployRoleArn output (the caller template reads vars.PRODUCTION_DEPLOY_ROLE_ARN).",
      "aws-region must be a region such as eu-west-1, got 'Ireland': set it to the stacks' region (the caller template reads vars.AWS_REGION).",
      'Process completed with exit code 1.',
    ]);
    expect(table['pipeline / build']).toMatch(/^skipped: if: success\(\) && /);
    expect(run.job('pipeline / staging').result).toBe('skipped');
    expect(run.job('pipeline / production').result).toBe('skipped');
    expect(recorded).toEqual([]);
  }, 120_000);

  it('a variable carrying a workflow command is shown inert, and the same role twice is refused', async () => {
    const { run } = await ship(
      { name: 'push' },
      {
        vars: {
          ...VARS,
          STAGING_DEPLOY_ROLE_ARN: 'x\n::warning::injected',
          PRODUCTION_DEPLOY_ROLE_ARN: VARS.STAGING_DEPLOY_ROLE_ARN,
        },
      },
    );
    const messages = run.job('pipeline / verify').steps[0]?.annotations.map((a) => a.message);
    expect(messages).toEqual([
      "staging-role-to-assume must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got 'x?::warning::injected': set it to the stack's DeployRoleArn output (the caller template reads vars.STAGING_DEPLOY_ROLE_ARN).",
      'Process completed with exit code 1.',
    ]);
    const same = await ship(
      { name: 'push' },
      { vars: { ...VARS, PRODUCTION_DEPLOY_ROLE_ARN: VARS.STAGING_DEPLOY_ROLE_ARN } },
    );
    expect(same.run.job('pipeline / verify').steps[0]?.annotations[0]?.message).toBe(
      "staging-role-to-assume and production-role-to-assume are the same role: each environment's stack has its own deploy role.",
    );
    expect(same.recorded).toEqual([]);
  }, 120_000);
});

describe('issue comments: pr-command.yml decides, deploy.yml runs only what it authorised', () => {
  /** A pull request whose head passed its checks and has its image (the pipeline's status). */
  function pullRequestWithImage(headRepository?: string): number {
    const issue = github.store.addPullRequest(appRepository, {
      author: github.accounts.get('writer'),
      ...(headRepository ? { headRepository } : {}),
    });
    const sha = issue.pull!.headSha;
    github.store.addCheckRun(appRepository, sha, 'test', 'success');
    github.store.addCommitStatus(appRepository, sha, 'aws-ship-suite/image', 'success', DIGEST);
    return issue.number;
  }

  async function comment(number: number, login: string, action: 'created' | 'edited' = 'created') {
    const made = github.store.addComment(
      appRepository,
      number,
      github.accounts.get(login),
      '/deploy staging',
    );
    const record = join(mkdtempSync(join(tmpdir(), 'pipeline-record-')), 'record.jsonl');
    writeFileSync(record, '');
    const run = await runWorkflow({
      checkout,
      workflow: '.github/workflows/pr.yml',
      event: {
        name: 'issue_comment',
        payload: issueCommentEvent(github, made, action) as Record<string, unknown>,
      },
      context: { actor: login },
      suiteRepository: 'OWNER/aws-ship-suite',
      oidc: issuer,
      github,
      vars: VARS,
      machineEnv: { PIPELINE_RECORD: record },
      stepTimeoutMs: 50_000,
    });
    runs.push(run);
    const recorded = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    rmSync(join(record, '..'), { recursive: true, force: true });
    const table = Object.fromEntries(
      run.jobs.map((job) => [
        job.id,
        job.result === 'skipped' ? `skipped: ${job.reason ?? ''}` : job.result,
      ]),
    );
    return { run, recorded, table, head: appRepository.issues.get(number)!.pull!.headSha };
  }

  const DEPLOY_SKIPPED =
    "skipped: if: success() && (needs.command.outputs.decision == 'proceed' && needs.command.outputs.dry-run != 'true' && (needs.command.outputs.command == 'deploy' || needs.command.outputs.command == 'rollback')) was false";

  it("a collaborator's /deploy staging: the head's image to staging, at the head's SHA", async () => {
    const { run, recorded, table, head } = await comment(pullRequestWithImage(), 'writer');
    expect(table).toEqual({
      'pr / command': 'success',
      'pr / deploy / deploy': 'success',
      'pr / deploy': 'success',
      pr: 'success',
    });
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
    expect(run.job('pr / deploy / deploy')).toMatchObject({
      permissions: DEPLOY_PERMISSIONS,
      idToken: true,
      environment: 'staging',
    });
    expect(recorded.map((line) => (JSON.parse(line) as Recorded).inputs)).toEqual([
      expect.objectContaining({
        environment: 'staging',
        digest: DIGEST,
        ref: head,
        command: 'deploy',
        // The template passes the role and region; the stack's deploy document names the rest.
        'role-to-assume': VARS.STAGING_DEPLOY_ROLE_ARN,
        'aws-region': VARS.AWS_REGION,
        cluster: '',
        'image-repository': '',
      }),
    ]);
  }, 120_000);

  it('an edited comment: the pr-command template is not triggered, nothing runs', async () => {
    const { run, recorded } = await comment(pullRequestWithImage(), 'writer', 'edited');
    expect(run).toMatchObject({
      conclusion: 'not triggered',
      notTriggered:
        'not triggered: issue_comment of type edited is not one of on.issue_comment.types (created)',
      jobs: [],
    });
    expect(recorded).toEqual([]);
  });

  it("an outsider's /deploy staging: refused by the command job, the deploy skipped", async () => {
    const { run, recorded, table } = await comment(pullRequestWithImage(), 'outsider');
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'rejected',
      'reason-code': 'permission',
    });
    expect(table['pr / deploy']).toBe(DEPLOY_SKIPPED);
    expect(recorded).toEqual([]);
  }, 120_000);

  it("a collaborator's /deploy staging on a fork's pull request: refused, the deploy skipped", async () => {
    const { run, recorded, table } = await comment(
      pullRequestWithImage('outsider/octo-app'),
      'writer',
    );
    expect(run.job('pr / command').outputs).toMatchObject({
      decision: 'rejected',
      'reason-code': 'fork',
    });
    expect(table['pr / deploy']).toBe(DEPLOY_SKIPPED);
    expect(recorded).toEqual([]);
  }, 120_000);
});

describe("the deploy.yml stand-in is deploy.yml's interface", () => {
  type Inputs = Record<string, { type?: string; required?: boolean; default?: unknown }>;
  const inputsOf = (path: string) =>
    (parse(readFileSync(path, 'utf8')) as { on: { workflow_call: { inputs: Inputs } } }).on
      .workflow_call.inputs;
  const shape = (inputs: Inputs) =>
    Object.fromEntries(
      Object.entries(inputs).map(([name, input]) => [
        name,
        `${input.type ?? 'string'}${input.required ? ', required' : ''}`,
      ]),
    );

  it('declares every input the real deploy.yml declares, with its type and requiredness', () => {
    const real = shape(inputsOf(join(suiteRoot, '.github/workflows/deploy.yml')));
    const standIn = shape(inputsOf(join(fixtures, '.github/workflows/deploy.yml')));
    expect(standIn).toEqual(real);
  });

  it('declares the secrets the real deploy.yml declares, with their requiredness', () => {
    type Secrets = Record<string, { required?: boolean } | null>;
    const secretsOf = (path: string) =>
      Object.entries(
        (parse(readFileSync(path, 'utf8')) as { on: { workflow_call: { secrets?: Secrets } } }).on
          .workflow_call.secrets ?? {},
      ).map(([name, secret]) => `${name}${secret?.required ? ', required' : ''}`);
    const real = secretsOf(join(suiteRoot, '.github/workflows/deploy.yml'));
    expect(real).toContain('slack-webhook-url');
    expect(secretsOf(join(fixtures, '.github/workflows/deploy.yml'))).toEqual(real);
  });
});
