// .github/workflows/promote.yml and rollback.yml run through the local workflow runner, called by
// the shipped templates (workflows-templates/aws-ship-suite-promote.yml and -rollback.yml) on
// workflow_dispatch, against the GitHub REST emulator's Deployments history: promote what staging
// runs, promote a named digest, roll back to the previous deployment (image and site release),
// and the refusals (a contract migration since, an actor without permission, nothing to roll back).
//
// deploy.yml is DEPLOY_CONTRACT below: a stand-in with the inputs and outputs of the flow
// contract's deploy.yml that records the GitHub Deployment with deploy-command start and finish
// as the real one does and shows what it was given; the real deploy.yml (its deploy document,
// canary, SPA) has its own tests. It runs in the environment, with the reviewers, permissions and
// OIDC token of the real job.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import type { GitHubEmulator } from '../emulator/github/server.ts';
import type { Deployment, Repository } from '../emulator/github/store.ts';
import type { OidcIssuer } from '../harness/index.ts';
import {
  runWorkflow,
  type ReviewRequest,
  type WorkflowRun,
} from '../harness/workflow-runner/index.ts';
import { startWorkflowWorld, type WorkflowWorld } from '../flow/workflow-world.ts';

const ACCOUNT = '123456789012';
const STAGING_ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-staging-deploy`;
const PRODUCTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-production-deploy`;
const STAGING_REPOSITORY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-staging`;
const A = 'a1'.repeat(20);
const B = 'b2'.repeat(20);
const C = 'c3'.repeat(20);
const D1 = `sha256:${'1d'.repeat(32)}`;
const D2 = `sha256:${'2d'.repeat(32)}`;
const D3 = `sha256:${'3d'.repeat(32)}`;
const suiteRoot = new URL('../..', import.meta.url).pathname;

const DEPLOY_CONTRACT = `
name: deploy
on:
  workflow_call:
    inputs:
      environment: { type: string, required: true }
      digest: { type: string, required: true }
      role-to-assume: { type: string, required: true }
      aws-region: { type: string, required: true }
      image-repository: { type: string, default: '' }
      cluster: { type: string, default: '' }
      service: { type: string, default: '' }
      database-secret-id: { type: string, default: '' }
      smoke-url: { type: string, default: '' }
      alarms: { type: string, default: '' }
      promote-from: { type: string, default: '' }
      site-artifact: { type: string, default: '' }
      site-release: { type: string, default: '' }
      contract-migrations: { type: boolean, default: false }
      migrations: { type: string, default: migrations/ }
      ref: { type: string, default: '' }
      command: { type: string, default: push }
      pull-request: { type: string, default: '' }
      comment-id: { type: string, default: '' }
      canary-percent: { type: string, default: '10' }
      canary-bake: { type: string, default: 10m }
      bake-time: { type: string, default: 10m }
    secrets:
      slack-webhook-url: { required: false }
    outputs:
      deployment-id:
        value: \${{ jobs.deploy.outputs.deployment-id }}
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-24.04
    environment: \${{ inputs.environment }}
    concurrency:
      group: aws-ship-suite-deploy-\${{ inputs.environment }}
      cancel-in-progress: false
    permissions:
      contents: read
      deployments: write
      id-token: write
      pull-requests: write
    outputs:
      deployment-id: \${{ steps.record.outputs.deployment-id }}
      given: \${{ steps.given.outputs.given }}
      site-index: \${{ steps.site.outputs.index }}
    steps:
      - id: given
        env:
          DIGEST: \${{ inputs.digest }}
          REF: \${{ inputs.ref }}
          COMMAND: \${{ inputs.command }}
          PROMOTE_FROM: \${{ inputs.promote-from }}
          SITE_RELEASE: \${{ inputs.site-release }}
          SITE_ARTIFACT: \${{ inputs.site-artifact }}
          ROLE: \${{ inputs.role-to-assume }}
          REGION: \${{ inputs.aws-region }}
        run: |
          echo "given=$(jq -nc '{digest: env.DIGEST, ref: env.REF, command: env.COMMAND, promoteFrom: env.PROMOTE_FROM, siteRelease: env.SITE_RELEASE, siteArtifact: env.SITE_ARTIFACT, role: env.ROLE, region: env.REGION}')" >> "$GITHUB_OUTPUT"
      # As the real one: the site artifact from this run, and what it holds.
      - if: inputs.site-artifact != ''
        uses: actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0
        with:
          name: \${{ inputs.site-artifact }}
          path: aws-ship-suite-site
      - id: site
        if: inputs.site-artifact != ''
        run: echo "index=$(cat aws-ship-suite-site/index.html)" >> "$GITHUB_OUTPUT"
      - id: record
        uses: OWNER/aws-ship-suite/actions/deploy-command@main
        with:
          mode: start
          environment: \${{ inputs.environment }}
          sha: \${{ inputs.ref }}
          command: \${{ inputs.command }}
          actor: \${{ github.actor }}
          image-digest: \${{ inputs.digest }}
          site-artifact: \${{ inputs.site-artifact }}
          site-run-id: \${{ inputs.site-artifact != '' && github.run_id || '' }}
      - uses: OWNER/aws-ship-suite/actions/deploy-command@main
        with:
          mode: finish
          environment: \${{ inputs.environment }}
          deployment-id: \${{ steps.record.outputs.deployment-id }}
          outcome: success
`;

// The pipeline's build job as far as the site goes: built once, uploaded as an artifact of its run.
const SITE_BUILD = `
name: site-build
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      - env:
          CONTENT: \${{ vars.SITE_CONTENT }}
        run: mkdir -p dist && printf '%s' "$CONTENT" > dist/index.html
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        with:
          name: \${{ vars.SITE_ARTIFACT }}
          path: dist
          if-no-files-found: error
`;

const VARS = {
  AWS_REGION: 'us-east-1',
  STAGING_DEPLOY_ROLE_ARN: STAGING_ROLE,
  PRODUCTION_DEPLOY_ROLE_ARN: PRODUCTION_ROLE,
};

let world: WorkflowWorld;
let github: GitHubEmulator;
let issuer: OidcIssuer;
let checkout: string;
const runs: WorkflowRun[] = [];

beforeAll(async () => {
  world = await startWorkflowWorld();
  ({ issuer, github } = world);
  checkout = mkdtempSync(join(tmpdir(), 'promote-rollback-workflow-'));
  world.onClose(() => rmSync(checkout, { recursive: true, force: true }));
  const workflows = join(checkout, '.github/workflows');
  mkdirSync(workflows, { recursive: true });
  for (const name of ['promote', 'rollback']) {
    copyFileSync(
      join(suiteRoot, `workflows-templates/aws-ship-suite-${name}.yml`),
      join(workflows, `${name}-caller.yml`),
    );
    symlinkSync(join(suiteRoot, `.github/workflows/${name}.yml`), join(workflows, `${name}.yml`));
  }
  writeFileSync(join(workflows, 'deploy.yml'), DEPLOY_CONTRACT);
  writeFileSync(join(workflows, 'site-build.yml'), SITE_BUILD);
  symlinkSync(join(suiteRoot, 'actions'), join(checkout, 'actions'));
  symlinkSync(join(suiteRoot, 'dist'), join(checkout, 'dist'));
});

afterAll(async () => {
  expect(await world.close(runs)).toEqual([]);
});

let repositories = 0;

/** An app repository with its people: writer (write), reader (read). */
function appRepository(): Repository {
  const repository = github.store.addRepository({ fullName: `octo-org/app-${++repositories}` });
  github.store.setRole(repository, 'writer', 'write');
  github.store.setRole(repository, 'reader', 'read');
  return repository;
}

/** A deployment as deploy.yml records it: its payload, then its statuses. */
function deployed(
  repository: Repository,
  environment: string,
  sha: string,
  states: Deployment['statuses'][number]['state'][],
  payload: Record<string, unknown>,
): Deployment {
  const creator = github.accounts.get('github-actions[bot]');
  repository.commits.add(sha);
  const deployment: Deployment = {
    id: github.store.nextId(),
    sha,
    ref: sha,
    task: 'deploy',
    environment,
    payload: {
      schema: 'aws-ship-suite/deployment@1',
      actor: 'writer',
      command: 'push',
      ...payload,
    },
    description: null,
    creator,
    createdAt: new Date(
      Date.parse('2026-12-01T10:00:00Z') + repository.deployments.length * 3600_000,
    ),
    transientEnvironment: false,
    productionEnvironment: environment === 'production',
    statuses: states.map((state, i) => ({
      id: github.store.nextId(),
      state,
      creator,
      description: '',
      logUrl: '',
      environmentUrl: '',
      createdAt: new Date(Date.parse('2026-12-01T10:00:00Z') + i * 60_000),
    })),
  };
  repository.deployments.push(deployment);
  return deployment;
}

/** staging ran A (D1, site aaaa…) and now runs B (D2, site bbbb…); C (D3) failed after it. */
function stagingHistory(repository: Repository) {
  const first = deployed(repository, 'staging', A, ['in_progress', 'success', 'inactive'], {
    imageDigest: D1,
    siteRelease: A.slice(0, 12),
  });
  const second = deployed(repository, 'staging', B, ['in_progress', 'success'], {
    imageDigest: D2,
    siteRelease: B.slice(0, 12),
  });
  deployed(repository, 'staging', C, ['in_progress', 'failure'], { imageDigest: D3 });
  return { first, second };
}

async function dispatch(
  repository: Repository,
  workflow: 'promote' | 'rollback',
  inputs: Record<string, string>,
  options: {
    actor?: string;
    vars?: Record<string, string>;
    review?: (request: ReviewRequest) => Promise<'approve' | 'reject'>;
  } = {},
): Promise<WorkflowRun> {
  const run = await runWorkflow({
    checkout,
    workflow: `.github/workflows/${workflow}-caller.yml`,
    event: { name: 'workflow_dispatch', payload: { inputs } },
    inputs,
    context: { actor: options.actor ?? 'writer', owner: repository.owner, repo: repository.name },
    suiteRepository: 'OWNER/aws-ship-suite',
    oidc: issuer,
    vars: { ...VARS, ...options.vars },
    github,
    environments: {
      staging: {},
      production: { reviewers: ['release-managers'] },
    },
    review: options.review ?? (async () => 'approve'),
    stepTimeoutMs: 50_000,
  });
  runs.push(run);
  return run;
}

/** A pipeline run of the app repository that built and uploaded its site as `site-<sha>`. */
async function siteBuilt(repository: Repository, sha: string, runId: string, content: string) {
  const run = await runWorkflow({
    checkout,
    workflow: '.github/workflows/site-build.yml',
    event: { name: 'push' },
    context: { owner: repository.owner, repo: repository.name, sha, runId },
    vars: { SITE_CONTENT: content, SITE_ARTIFACT: `site-${sha}` },
    github,
  });
  runs.push(run);
  expect(run.conclusion).toBe('success');
  return { name: `site-${sha}`, runId: Number(runId) };
}

const given = (run: WorkflowRun, job: string) =>
  JSON.parse(run.job(job).outputs.given ?? '{}') as Record<string, string>;

const newest = (repository: Repository, environment: string) =>
  repository.deployments.filter((d) => d.environment === environment).at(-1);

const steps = (run: WorkflowRun, job: string) =>
  run.job(job).steps.map((step) => [step.name, step.outcome]);

describe('the stand-in', () => {
  it("declares deploy.yml's inputs as deploy.yml does (name, type, required)", () => {
    const inputsOf = (text: string) => {
      const inputs = (
        parse(text) as {
          on: { workflow_call: { inputs: Record<string, { type: string; required?: boolean }> } };
        }
      ).on.workflow_call.inputs;
      return Object.fromEntries(
        Object.entries(inputs).map(([name, i]) => [name, [i.type, i.required === true]]),
      );
    };
    const real = inputsOf(readFileSync(join(suiteRoot, '.github/workflows/deploy.yml'), 'utf8'));
    const standIn = inputsOf(DEPLOY_CONTRACT);
    // Every input promote.yml and rollback.yml pass exists in both, the same way.
    for (const name of [
      'environment',
      'digest',
      'ref',
      'command',
      'promote-from',
      'site-release',
      'site-artifact',
      'role-to-assume',
      'aws-region',
      'migrations',
      'canary-percent',
      'canary-bake',
      'bake-time',
    ]) {
      expect([name, standIn[name]]).toEqual([name, real[name]]);
    }
    expect(Object.keys(real).filter((name) => real[name]![1])).toEqual(
      Object.keys(standIn).filter((name) => standIn[name]![1]),
    );
  });

  it("declares deploy.yml's secrets as deploy.yml does (name, required)", () => {
    const secretsOf = (text: string) =>
      Object.entries(
        (
          parse(text) as {
            on: { workflow_call: { secrets?: Record<string, { required?: boolean } | null> } };
          }
        ).on.workflow_call.secrets ?? {},
      ).map(([name, secret]) => [name, secret?.required === true]);
    const real = secretsOf(readFileSync(join(suiteRoot, '.github/workflows/deploy.yml'), 'utf8'));
    expect(real).toContainEqual(['slack-webhook-url', false]);
    expect(secretsOf(DEPLOY_CONTRACT)).toEqual(real);
  });
});

describe('promote', () => {
  it("what staging runs now goes to production after its reviewers: staging's commit and digest, recorded", async () => {
    const repository = appRepository();
    const { second } = stagingHistory(repository);
    const reviewed: string[] = [];
    const run = await dispatch(
      repository,
      'promote',
      { digest: '' },
      {
        review: async (request) => {
          reviewed.push(`${request.job} → ${request.environment}`);
          return 'approve';
        },
      },
    );
    expect(run.conclusion).toBe('success');
    expect(run.job('promote / resolve').outputs).toMatchObject({
      decision: 'proceed',
      environment: 'production',
      sha: B,
      'image-digest': D2,
      'source-deployment-id': String(second.id),
    });
    expect(given(run, 'promote / deploy / deploy')).toEqual({
      digest: D2,
      ref: B,
      command: 'promote',
      promoteFrom: '',
      siteRelease: '',
      siteArtifact: '',
      role: PRODUCTION_ROLE,
      region: 'us-east-1',
    });
    expect(reviewed).toEqual(['promote / deploy / deploy → production']);
    const record = newest(repository, 'production');
    expect({
      sha: record?.sha,
      payload: record?.payload,
      states: record?.statuses.map((s) => s.state),
    }).toEqual({
      sha: B,
      payload: expect.objectContaining({ command: 'promote', actor: 'writer', imageDigest: D2 }),
      states: ['in_progress', 'success'],
    });
  }, 120_000);

  it('gives resolve no id-token and no environment; only the deploy job holds them', async () => {
    const repository = appRepository();
    stagingHistory(repository);
    const run = await dispatch(repository, 'promote', { digest: '' });
    expect(run.job('promote / resolve')).toMatchObject({
      permissions: { contents: 'read', deployments: 'read' },
      idToken: false,
    });
    expect(run.job('promote / resolve').environment).toBeUndefined();
    expect(run.job('promote / deploy / deploy')).toMatchObject({
      environment: 'production',
      idToken: true,
      concurrency: { group: 'aws-ship-suite-deploy-production', cancelInProgress: false },
    });
  }, 120_000);

  it("a named digest staging ran: that deployment's commit; copied from staging's registry when it is another", async () => {
    const repository = appRepository();
    const { first } = stagingHistory(repository);
    const run = await dispatch(
      repository,
      'promote',
      { digest: D1 },
      { vars: { STAGING_ECR_REPOSITORY_URI: STAGING_REPOSITORY } },
    );
    expect(run.conclusion).toBe('success');
    expect(run.job('promote / resolve').outputs).toMatchObject({
      sha: A,
      'image-digest': D1,
      'source-deployment-id': String(first.id),
    });
    expect(given(run, 'promote / deploy / deploy')).toMatchObject({
      digest: D1,
      ref: A,
      promoteFrom: `${STAGING_REPOSITORY}@${D1}`,
    });
  }, 120_000);

  it.each([
    ['failed in staging', D3],
    ['never ran in staging', `sha256:${'9e'.repeat(32)}`],
  ])(
    'a digest that %s: refused in resolve with the reason, nothing deployed',
    async (_, digest) => {
      const repository = appRepository();
      stagingHistory(repository);
      const run = await dispatch(repository, 'promote', { digest });
      expect(run.conclusion).toBe('failure');
      expect(run.job('promote / resolve').steps[0]?.annotations[0]?.message).toBe(
        `${digest} never ran successfully in staging (its last 30 deployments): promote only what staging has run.`,
      );
      expect(run.job('promote / deploy').result).toBe('skipped');
      expect(newest(repository, 'production')).toBeUndefined();
    },
    60_000,
  );

  it('a release production ran before, across a contract migration applied there since: refused, nothing deployed', async () => {
    const repository = appRepository();
    stagingHistory(repository);
    deployed(repository, 'production', A, ['success', 'inactive'], { imageDigest: D1 });
    const contract = deployed(repository, 'production', B, ['in_progress', 'success'], {
      imageDigest: D2,
      contractMigrations: ['0007'],
    });
    const before = repository.deployments.length;
    const run = await dispatch(repository, 'promote', { digest: D1 });
    expect(run.job('promote / resolve').outputs).toMatchObject({
      decision: 'rejected',
      'reason-code': 'contract-migration',
    });
    expect(run.job('promote / resolve').steps[0]?.annotations[0]?.message).toBe(
      `Promoting ${A.slice(0, 7)} to production would run a release older than contract migration 0007, applied by deployment ${contract.id} (${B.slice(0, 7)}, @writer) at ${contract.createdAt.toISOString()}: that release needs schema the migration removed. Promote a newer release instead.`,
    );
    expect(run.job('promote / site').result).toBe('skipped');
    expect(run.job('promote / deploy').result).toBe('skipped');
    expect(repository.deployments).toHaveLength(before);
  }, 60_000);

  it('a digest that is not one: one line, refused before anything is read', async () => {
    const repository = appRepository();
    stagingHistory(repository);
    const run = await dispatch(repository, 'promote', { digest: 'latest; rm -rf /' });
    expect(run.job('promote / resolve').steps[0]?.annotations.map((a) => a.message)).toEqual([
      "Input 'image-digest' is 'latest; rm -rf /': use sha256: and 64 hex digits, or leave it empty to promote what 'promote-from' runs now.",
    ]);
    expect(run.job('promote / deploy').result).toBe('skipped');
  }, 60_000);
});

describe('promote: the site build staging had', () => {
  it('goes to production with the image: downloaded from the pipeline run that built it, published by deploy.yml, recorded', async () => {
    const repository = appRepository();
    const site = await siteBuilt(repository, B, '5550001', '<h1>release B</h1>');
    const source = deployed(repository, 'staging', B, ['in_progress', 'success'], {
      imageDigest: D2,
      siteRelease: B.slice(0, 12),
      siteArtifact: site,
    });
    const run = await dispatch(repository, 'promote', { digest: '' });
    expect(run.conclusion).toBe('success');
    expect(run.job('promote / resolve').outputs).toMatchObject({
      decision: 'proceed',
      'source-deployment-id': String(source.id),
      'site-artifact': `site-${B}`,
      'site-run-id': '5550001',
    });
    // The site job holds actions: read and nothing else: no environment, no OIDC token.
    expect(run.job('promote / site')).toMatchObject({
      result: 'success',
      permissions: { actions: 'read' },
      idToken: false,
    });
    expect(run.job('promote / site').environment).toBeUndefined();
    expect(steps(run, 'promote / site')).toEqual([
      ['Download the site build', 'success'],
      ['Explain a missing site build', 'skipped'],
      ['Carry the site build into this run', 'success'],
    ]);
    // deploy.yml gets the same build, as staging's release id (the same commit).
    expect(given(run, 'promote / deploy / deploy')).toMatchObject({
      digest: D2,
      ref: B,
      siteArtifact: `site-${B}`,
    });
    expect(run.job('promote / deploy / deploy').outputs['site-index']).toBe('<h1>release B</h1>');
    // Production's record says where its site came from: this run, which holds the copy.
    expect(newest(repository, 'production')?.payload).toMatchObject({
      imageDigest: D2,
      siteArtifact: { name: `site-${B}`, runId: 9876543210 },
    });
  }, 120_000);

  it('a site build that is gone (expired): the promotion fails in the site job with one line, nothing deployed', async () => {
    const repository = appRepository();
    deployed(repository, 'staging', B, ['in_progress', 'success'], {
      imageDigest: D2,
      siteRelease: B.slice(0, 12),
      siteArtifact: { name: `site-${B}`, runId: 5550404 },
    });
    const before = repository.deployments.length;
    const reviewed: string[] = [];
    const run = await dispatch(
      repository,
      'promote',
      { digest: '' },
      {
        review: async (request) => {
          reviewed.push(request.job);
          return 'approve';
        },
      },
    );
    expect(run.conclusion).toBe('failure');
    const site = run.job('promote / site');
    expect(site.result).toBe('failure');
    expect(site.steps.flatMap((step) => step.annotations.map((a) => a.message))).toEqual([
      `The site build site-${B} of run 5550404 cannot be downloaded (artifacts expire, after 90 days by default): nothing was promoted. Promote a newer release staging ran (its build is kept), or ship ${B.slice(0, 7)}'s code again through the pipeline (a new build and digest).`,
      'Process completed with exit code 1.',
    ]);
    expect(steps(run, 'promote / site').at(-1)).toEqual([
      'Carry the site build into this run',
      'skipped',
    ]);
    expect(run.job('promote / deploy').result).toBe('skipped');
    expect(reviewed).toEqual([]);
    expect(repository.deployments).toHaveLength(before);
  }, 120_000);

  it('a release without a site: the site job skipped, promoted without one', async () => {
    const repository = appRepository();
    deployed(repository, 'staging', B, ['in_progress', 'success'], { imageDigest: D2 });
    const run = await dispatch(repository, 'promote', { digest: '' });
    expect(run.conclusion).toBe('success');
    expect(run.job('promote / site')).toMatchObject({
      result: 'skipped',
      reason:
        "if: success() && (needs.resolve.outputs.decision == 'proceed' && needs.resolve.outputs.site-artifact != '') was false",
    });
    expect(given(run, 'promote / deploy / deploy')).toMatchObject({ digest: D2, siteArtifact: '' });
    expect(newest(repository, 'production')?.payload).toMatchObject({ siteArtifact: null });
  }, 120_000);

  it('refused in resolve: neither the site nor the deploy runs', async () => {
    const repository = appRepository();
    deployed(repository, 'staging', B, ['in_progress', 'success'], {
      imageDigest: D2,
      siteArtifact: { name: `site-${B}`, runId: 5550001 },
    });
    const run = await dispatch(repository, 'promote', { digest: '' }, { actor: 'reader' });
    expect(run.job('promote / site').result).toBe('skipped');
    expect(run.job('promote / deploy').result).toBe('skipped');
    expect(newest(repository, 'production')).toBeUndefined();
  }, 60_000);
});

describe('rollback', () => {
  it('staging goes back to its previous successful deployment: commit, image and site release', async () => {
    const repository = appRepository();
    const { first } = stagingHistory(repository);
    const run = await dispatch(repository, 'rollback', { environment: 'staging' });
    expect(run.conclusion).toBe('success');
    expect(run.job('rollback / resolve').outputs).toMatchObject({
      decision: 'proceed',
      environment: 'staging',
      sha: A,
      'image-digest': D1,
      'site-release': A.slice(0, 12),
      'source-deployment-id': String(first.id),
    });
    expect(given(run, 'rollback / deploy / deploy')).toEqual({
      digest: D1,
      ref: A,
      command: 'rollback',
      promoteFrom: '',
      siteRelease: A.slice(0, 12),
      siteArtifact: '',
      role: STAGING_ROLE,
      region: 'us-east-1',
    });
    expect(steps(run, 'rollback / deploy / deploy').map(([, outcome]) => outcome)).toEqual([
      'success',
      'skipped',
      'skipped',
      'success',
      'success',
    ]);
    const record = newest(repository, 'staging');
    expect([record?.sha, record?.payload, record?.statuses.map((s) => s.state)]).toEqual([
      A,
      expect.objectContaining({ command: 'rollback', imageDigest: D1, actor: 'writer' }),
      ['in_progress', 'success'],
    ]);

    // Again: further back than the release it restored, never forward to the one rolled away from.
    const again = await dispatch(repository, 'rollback', { environment: 'staging' });
    expect(again.job('rollback / resolve').steps[0]?.annotations[0]?.message).toBe(
      'staging has no earlier successful deployment to roll back to.',
    );
    expect(again.job('rollback / deploy').result).toBe('skipped');
  }, 120_000);

  it('production: with production role, behind its reviewers; a rejection deploys nothing', async () => {
    const repository = appRepository();
    deployed(repository, 'production', A, ['success', 'inactive'], { imageDigest: D1 });
    deployed(repository, 'production', B, ['success'], { imageDigest: D2 });
    const before = repository.deployments.length;
    const run = await dispatch(
      repository,
      'rollback',
      { environment: 'production' },
      { review: async () => 'reject' },
    );
    expect(run.job('rollback / resolve').outputs).toMatchObject({
      decision: 'proceed',
      sha: A,
      'needs-approval': 'true',
    });
    expect(run.job('rollback / deploy / deploy').result).toBe('failure');
    expect(run.job('rollback / deploy / deploy').steps).toEqual([]);
    expect(repository.deployments).toHaveLength(before);
  }, 120_000);

  it('across a contract migration applied since: refused with which, when and by which deployment', async () => {
    const repository = appRepository();
    const { first } = stagingHistory(repository);
    const contract = deployed(repository, 'staging', B, ['in_progress', 'success'], {
      imageDigest: D2,
      actor: 'reader',
      contractMigrations: ['0007'],
    });
    const before = repository.deployments.length;
    const run = await dispatch(repository, 'rollback', { environment: 'staging' });
    expect(run.conclusion).toBe('failure');
    expect(run.job('rollback / resolve').outputs).toMatchObject({
      decision: 'rejected',
      'reason-code': 'contract-migration',
    });
    expect(run.job('rollback / resolve').steps[0]?.annotations[0]?.message).toBe(
      `Rolling staging back to ${A.slice(0, 7)} (deployment ${first.id}) would run a release older than contract migration 0007, applied by deployment ${contract.id} (${B.slice(0, 7)}, @reader) at ${contract.createdAt.toISOString()}: that release needs schema the migration removed. Deploy a fix forward instead.`,
    );
    const resolve = run.job('rollback / resolve').steps[0]!;
    expect(resolve.summary).toContain(
      '| decision | command | environment | commit | image | site release | by | why |',
    );
    expect(resolve.summary).toContain('| rejected | rollback | staging |');
    // The reason once, as the error line: not echoed again in the log.
    expect(resolve.log.filter((line) => line.includes('contract migration 0007'))).toHaveLength(1);
    expect(run.job('rollback / deploy').result).toBe('skipped');
    expect(repository.deployments).toHaveLength(before);
  }, 60_000);

  it.each([
    [
      'reader',
      '@reader has read access to this repository; commands in staging need write or admin.',
    ],
    [
      'outsider',
      '@outsider has no access to this repository; commands in staging need write or admin.',
    ],
  ])(
    'dispatched by %s: refused, nothing deployed',
    async (actor, message) => {
      const repository = appRepository();
      stagingHistory(repository);
      const before = repository.deployments.length;
      const run = await dispatch(repository, 'rollback', { environment: 'staging' }, { actor });
      expect(run.job('rollback / resolve').outputs).toMatchObject({
        decision: 'rejected',
        'reason-code': 'permission',
        actor,
      });
      expect(run.job('rollback / resolve').steps[0]?.annotations[0]?.message).toBe(message);
      expect(run.job('rollback / deploy').result).toBe('skipped');
      expect(repository.deployments).toHaveLength(before);
    },
    60_000,
  );

  it('nothing to roll back: refused with the reason', async () => {
    const repository = appRepository();
    deployed(repository, 'staging', A, ['in_progress', 'success'], { imageDigest: D1 });
    const run = await dispatch(repository, 'rollback', { environment: 'staging' });
    expect(run.job('rollback / resolve').steps[0]?.annotations[0]?.message).toBe(
      'staging has no earlier successful deployment to roll back to.',
    );
    expect(run.job('rollback / deploy').result).toBe('skipped');
  }, 60_000);
});
