// .github/workflows/deploy.yml run through the local workflow runner, called the way an app
// repository calls it (OWNER/aws-ship-suite/.github/workflows/deploy.yml@main), against the AWS
// emulator at 120x: the committed bundles of oidc-assume and ecs-canary-deploy deploy one digest
// with the deploy job's OIDC token, which the role trusts only for the environment's subject and
// the suite's deploy workflow. Staging is given only its role: everything else comes from its
// deploy document (SSM /aws-ship-suite/<role name>), and it also ships the single-page app and
// the contract migrations; production overrides cluster and service.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedBlueGreenApp } from '../emulator/seed-app.ts';
import type { Emulator } from '../emulator/server.ts';
import type { GitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import type { OidcIssuer } from '../harness/index.ts';
import {
  runWorkflow,
  type WorkflowRun,
  type WorkflowRunOptions,
} from '../harness/workflow-runner/index.ts';
import { writeOrdersMigrations } from '../flow/app-migrations.ts';
import { temporaryCheckout } from '../flow/checkout.ts';
import { startAws, startWorkflowWorld, type WorkflowWorld } from '../flow/workflow-world.ts';

const ACCOUNT = '123456789012';
const REPOSITORY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const roleFor = (environment: string) => `arn:aws:iam::${ACCOUNT}:role/shop-deploy-${environment}`;
const DIGEST = `sha256:${'4f'.repeat(32)}`;

// The app repository's caller: the site's build, then one job per environment, each passing its
// own role.
const CALLER = `
name: release
on: push
permissions: {}
jobs:
  site:
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      - run: mkdir -p build/assets && echo '<!doctype html><script src="/assets/app.1a2b3c4d.js"></script>' > build/index.html && echo 'console.log(1)' > build/assets/app.1a2b3c4d.js
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        with:
          name: site
          path: build
  staging:
    needs: site
    permissions:
      contents: read
      deployments: write
      id-token: write
      pull-requests: write
    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@main
    with:
      environment: staging
      digest: \${{ vars.DIGEST }}
      role-to-assume: \${{ vars.STAGING_ROLE }}
      aws-region: us-east-1
      promote-from: \${{ vars.PROMOTE_FROM }}
      site-artifact: site
      contract-migrations: true
      canary-percent: '20'
      canary-bake: 1m
      bake-time: 1m
  production:
    needs: staging
    permissions:
      contents: read
      deployments: write
      id-token: write
      pull-requests: write
    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@main
    with:
      environment: production
      digest: \${{ vars.DIGEST }}
      role-to-assume: \${{ vars.PRODUCTION_ROLE }}
      aws-region: us-east-1
      cluster: production
      service: shop-production
      canary-percent: '20'
      canary-bake: 1m
      bake-time: 1m
`;

// Staging again, making a kept site release live again (spa-deploy rollback) with the same digest.
const SITE_ROLLBACK = `
name: site-rollback
on: push
permissions: {}
jobs:
  staging:
    permissions:
      contents: read
      deployments: write
      id-token: write
      pull-requests: write
    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@main
    with:
      environment: staging
      digest: \${{ vars.DIGEST }}
      role-to-assume: \${{ vars.STAGING_ROLE }}
      aws-region: us-east-1
      site-release: \${{ vars.SITE_RELEASE }}
      command: rollback
      canary-percent: '20'
      canary-bake: 1m
      bake-time: 1m
`;

let world: WorkflowWorld;
let emulator: Emulator;
let github: GitHubEmulator;
let appRepository: Repository;
/** The commit the runs deploy (the harness's default github.sha), known to the GitHub emulator. */
const SHA = 'a3f1c9e07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f';
let issuer: OidcIssuer;
let postgres: PostgresServer;
let database: string;
let checkout: string;
let appSource: string;

const runs: WorkflowRun[] = [];

// The documents the stack writes (infra/lib/ship-stack.ts), the fields a deploy reads. Production's
// names another cluster and service: the caller's inputs override them.
const documentName = (environment: string) => `/aws-ship-suite/shop-deploy-${environment}`;
let siteDistribution: string;
const documentFor = (environment: string) =>
  JSON.stringify({
    version: 1,
    environment,
    deployRoleArn: roleFor(environment),
    ecr: { repositoryName: 'shop', repositoryUri: `${REPOSITORY}/shop` },
    ecs:
      environment === 'staging'
        ? { cluster: 'staging', service: 'shop-staging' }
        : { cluster: 'not-this-cluster', service: 'not-this-service' },
    alarms: { canary: [] },
    ...(environment === 'staging'
      ? {
          migration: { databaseSecretArn: 'staging/shop/db' },
          site: { bucket: 'shop-staging-site', distributionId: siteDistribution },
        }
      : {}),
  });
const putDocuments = () => {
  for (const environment of ['staging', 'production'])
    emulator.ssm.put(documentName(environment), documentFor(environment));
};

beforeAll(async () => {
  world = await startWorkflowWorld({ writers: [], commits: [SHA] });
  ({ issuer, github, repository: appRepository } = world);
  emulator = await startAws(world, {
    timeScale: 120,
    seed: 17,
    account: ACCOUNT,
    roles: ['staging', 'production'].map((environment) => ({
      arn: roleFor(environment),
      environment,
    })),
  });
  for (const environment of ['staging', 'production']) {
    seedBlueGreenApp(emulator, {
      name: `shop-${environment}`,
      cluster: environment,
      account: ACCOUNT,
      repository: `${REPOSITORY}/shop`,
    });
  }
  emulator.s3.createBucket('shop-staging-site');
  siteDistribution = emulator.cloudfront.createDistribution('shop-staging-site').id;
  putDocuments();
  // Staging's database, its connection in Secrets Manager in RDS's secret shape.
  postgres = await startPostgres();
  world.onClose(() => postgres.stop());
  world.addSecrets(() => [postgres.password]);
  database = await postgres.createDatabase('shop');
  emulator.secretsManager.put('staging/shop/db', {
    engine: 'postgres',
    username: postgres.user,
    password: postgres.password,
    host: '127.0.0.1',
    port: postgres.port,
    dbname: database,
  });
  // What actions/checkout's stand-in checks out: the app repository's migrations.
  appSource = mkdtempSync(join(tmpdir(), 'deploy-workflow-app-'));
  world.onClose(() => rmSync(appSource, { recursive: true, force: true }));
  writeOrdersMigrations(appSource);
  // A checkout holding the app's caller and, where the runner resolves the suite's own
  // references, the suite's workflow, actions and bundles.
  const workspace = temporaryCheckout('deploy-workflow', {
    workflows: { 'release.yml': CALLER, 'site-rollback.yml': SITE_ROLLBACK },
    suiteWorkflows: ['deploy.yml'],
  });
  checkout = workspace.path;
  world.onClose(workspace.remove);
});

afterAll(async () => {
  expect(await world.close(runs)).toEqual([]);
});

async function release(options: Partial<WorkflowRunOptions> = {}): Promise<WorkflowRun> {
  const run = await runWorkflow({
    checkout,
    workflow: '.github/workflows/release.yml',
    event: { name: 'push' },
    suiteRepository: 'OWNER/aws-ship-suite',
    oidc: issuer,
    vars: {
      DIGEST,
      STAGING_ROLE: roleFor('staging'),
      PRODUCTION_ROLE: roleFor('production'),
      PROMOTE_FROM: '',
    },
    machineEnv: { AWS_ENDPOINT_URL: emulator.url },
    github,
    workspaceSource: appSource,
    environments: { production: { reviewers: ['release-managers'] } },
    review: async () => ({ decision: 'approve', reviewer: 'alice' }),
    stepTimeoutMs: 50_000,
    ...options,
  });
  runs.push(run);
  return run;
}

const servicesImage = (cluster: string) => {
  const running = emulator.ecs
    .tasks()
    .filter(
      (task) => task.lastStatus === 'RUNNING' && task.clusterArn?.endsWith(`:cluster/${cluster}`),
    )
    .map((task) => task.taskDefinitionArn ?? '');
  return [...new Set(running)];
};

const imageOf = (arn: string) =>
  emulator.ecs.taskDefinitions.byArn(arn)?.definition.containerDefinitions?.[0]?.image;

describe('deploy.yml called for staging, then production behind its reviewers', () => {
  let run: WorkflowRun;
  beforeAll(async () => {
    run = await release();
  }, 120_000);

  it('deploys the digest to both environments from their deploy documents, migrating and shipping the site where the document names them', () => {
    expect(run.conclusion).toBe('success');
    for (const environment of ['staging', 'production']) {
      const deploy = run.job(`${environment} / deploy`);
      const staging = environment === 'staging' ? 'success' : 'skipped';
      expect(deploy).toMatchObject({ result: 'success', environment });
      expect(deploy.steps.map((step) => [step.name, step.outcome])).toEqual([
        ['Check the release', 'success'],
        ['Assume the deploy role', 'success'],
        ['Resolve the target', 'success'],
        ['Check out the migrations', staging],
        ['Plan the migrations (expand)', staging],
        ['Record the deployment', 'success'],
        ['Promote the image', 'skipped'],
        ['Migrate (expand)', staging],
        ['Canary', 'success'],
        ['Download the site', staging],
        ['Deploy the site', staging],
        ['Migrate (contract)', staging],
        ['Record the outcome', 'success'],
      ]);
      expect(run.job(environment).outputs).toMatchObject({
        status: 'SUCCESSFUL',
        verdict: 'pass',
        'task-definition-arn': `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/shop-${environment}:2`,
        image: `${REPOSITORY}/shop@${DIGEST}`,
        'site-release': environment === 'staging' ? SHA.slice(0, 12) : '',
      });
    }
  });

  it("reads each role's document with that role, and takes production's cluster and service from the caller's inputs", () => {
    const reads = emulator.calls.filter((call) => call.service === 'ssm');
    expect(reads.map((call) => [call.action, call.status])).toEqual([
      ['GetParameter', 200],
      ['GetParameter', 200],
    ]);
    expect(run.job('production / deploy').steps[2]?.log.join('\n')).toContain(
      `Deploying ${REPOSITORY}/shop@${DIGEST} to production/shop-production.`,
    );
  });

  it("ships the site to the document's bucket as release <commit's first 12 hex>, after the canary", () => {
    const keys = [...(emulator.s3.bucket('shop-staging-site')?.objects.keys() ?? [])];
    expect(keys).toEqual(expect.arrayContaining(['index.html']));
    expect(keys.some((key) => key.includes('app.1a2b3c4d.js'))).toBe(true);
    expect(run.job('staging').outputs['site-release']).toBe(SHA.slice(0, 12));
  });

  it('applies the expand migrations before the canary and the contract one after it', async () => {
    expect(run.job('staging').outputs['migrations-applied']).toBe('2');
    const contract = run.job('staging / deploy').steps.find((s) => s.name === 'Migrate (contract)');
    expect(contract?.outcome).toBe('success');
    const columns = await postgres.query<{ column_name: string }>(
      database,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY 1",
    );
    expect(columns.map((row) => row.column_name)).toEqual(['id', 'status']);
  });

  it('runs the digest, by digest, on both services', () => {
    for (const cluster of ['staging', 'production']) {
      const [arn, ...others] = servicesImage(cluster);
      expect(others).toEqual([]);
      expect(arn).toBe(`arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/shop-${cluster}:2`);
      expect(imageOf(arn ?? '')).toBe(`${REPOSITORY}/shop@${DIGEST}`);
    }
  });

  it('records each deploy as a GitHub Deployment: the commit, the digest, the migrations, then success', () => {
    const records = appRepository.deployments.map((deployment) => ({
      environment: deployment.environment,
      sha: deployment.sha,
      payload: deployment.payload,
      states: deployment.statuses.map((status) => status.state),
    }));
    expect(records).toEqual([
      {
        environment: 'staging',
        sha: SHA,
        payload: expect.objectContaining({
          imageDigest: DIGEST,
          migrationVersions: ['1', '2'],
          // [promote-rollback] the contract phase's migrations, which a later rollback may not cross.
          contractMigrations: ['3'],
          siteRelease: SHA.slice(0, 12),
          // The build that release came from, in this run: what promote.yml ships again.
          siteArtifact: { name: 'site', runId: 9876543210 },
          command: 'push',
          actor: 'octocat',
        }),
        states: ['in_progress', 'success'],
      },
      {
        environment: 'production',
        sha: SHA,
        payload: expect.objectContaining({
          imageDigest: DIGEST,
          migrationVersions: [],
          contractMigrations: [],
          siteRelease: null,
          siteArtifact: null,
        }),
        states: ['in_progress', 'success'],
      },
    ]);
    expect(run.job('staging').outputs['deployment-id']).toBe(
      String(appRepository.deployments[0]?.id),
    );
  });

  it('holds exactly contents: read, deployments: write and id-token: write, in one concurrency group per environment', () => {
    expect(run.job('staging / deploy')).toMatchObject({
      permissions: {
        contents: 'read',
        deployments: 'write',
        'id-token': 'write',
        'pull-requests': 'write',
      },
      idToken: true,
      concurrency: { group: 'aws-ship-suite-deploy-staging', cancelInProgress: false },
    });
    expect(run.job('production / deploy').concurrency?.group).toBe(
      'aws-ship-suite-deploy-production',
    );
  });

  it("asks production's reviewers, and only them", () => {
    expect(run.job('staging / deploy').approval).toBeUndefined();
    expect(run.job('production / deploy').approval).toEqual({
      decision: 'approve',
      reviewer: 'alice',
    });
  });

  it("assumes each role with the job's environment subject and the suite's deploy workflow", () => {
    const claims = issuer.issued.map((token) => [
      token.claims['sub'],
      token.claims['job_workflow_ref'],
    ]);
    expect(claims).toContainEqual([
      'repo:octo-org/octo-app:environment:production',
      'OWNER/aws-ship-suite/.github/workflows/deploy.yml@refs/heads/main',
    ]);
  });
});

describe('deploy.yml with site-release', () => {
  it('makes a kept site release live again (spa-deploy rollback) and records it in the payload', async () => {
    const recordsBefore = appRepository.deployments.length;
    const run = await release({
      workflow: '.github/workflows/site-rollback.yml',
      vars: { DIGEST, STAGING_ROLE: roleFor('staging'), SITE_RELEASE: SHA.slice(0, 12) },
    });
    expect(run.conclusion).toBe('success');
    const deploy = run.job('staging / deploy');
    expect(deploy.steps.find((step) => step.name === 'Deploy the site')?.outcome).toBe('success');
    expect(deploy.steps.find((step) => step.name === 'Download the site')?.outcome).toBe('skipped');
    expect(run.job('staging').outputs['site-release']).toBe(SHA.slice(0, 12));
    expect(appRepository.deployments.slice(recordsBefore).map((d) => d.payload)).toEqual([
      expect.objectContaining({ command: 'rollback', siteRelease: SHA.slice(0, 12) }),
    ]);
  }, 120_000);

  it('fails on a release spa-deploy does not keep, and records the deploy as failed', async () => {
    const recordsBefore = appRepository.deployments.length;
    const run = await release({
      workflow: '.github/workflows/site-rollback.yml',
      vars: { DIGEST, STAGING_ROLE: roleFor('staging'), SITE_RELEASE: 'no-such-release' },
    });
    const deploy = run.job('staging / deploy');
    expect(deploy.result).toBe('failure');
    const site = deploy.steps.find((step) => step.name === 'Deploy the site');
    expect(site?.outcome).toBe('failure');
    expect(site?.annotations[0]?.message).toMatch(/no-such-release/);
    expect(
      appRepository.deployments
        .slice(recordsBefore)
        .map((d) => d.statuses.map((status) => status.state)),
    ).toEqual([['in_progress', 'failure']]);
  }, 120_000);
});

describe('what deploy.yml refuses', () => {
  it('a digest that is not one, before any credentials are assumed', async () => {
    const assumedBefore = emulator.calls.filter(
      (call) => call.action === 'AssumeRoleWithWebIdentity',
    ).length;
    const recordsBefore = appRepository.deployments.length;
    const run = await release({
      vars: {
        DIGEST: 'latest',
        STAGING_ROLE: roleFor('staging'),
        PRODUCTION_ROLE: roleFor('production'),
        PROMOTE_FROM: '',
      },
    });
    expect(run.conclusion).toBe('failure');
    const deploy = run.job('staging / deploy');
    expect(deploy.steps.map((step) => step.outcome)).toEqual([
      'failure',
      ...Array.from({ length: 12 }, () => 'skipped'),
    ]);
    expect(appRepository.deployments).toHaveLength(recordsBefore);
    expect(deploy.steps[0]?.annotations[0]?.message).toBe(
      "digest must be sha256: followed by 64 lowercase hex digits, got 'latest': pass the digest ecr-build-push output.",
    );
    expect(run.job('production')).toMatchObject({
      result: 'skipped',
      reason: 'needs staging, which ended in failure',
    });
    expect(
      emulator.calls.filter((call) => call.action === 'AssumeRoleWithWebIdentity').length,
    ).toBe(assumedBefore);
  });

  it('a digest carrying a workflow command, without running the command', async () => {
    const run = await release({
      vars: {
        DIGEST: 'latest\n::warning::injected',
        STAGING_ROLE: roleFor('staging'),
        PRODUCTION_ROLE: roleFor('production'),
        PROMOTE_FROM: '',
      },
    });
    const check = run.job('staging / deploy').steps[0];
    expect(check?.annotations.map((annotation) => [annotation.level, annotation.message])).toEqual([
      [
        'error',
        "digest must be sha256: followed by 64 lowercase hex digits, got 'latest?::warning::injected': pass the digest ecr-build-push output.",
      ],
      ['error', 'Process completed with exit code 1.'],
    ]);
  });

  it.each([
    [
      'another digest',
      `111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop@sha256:${'0a'.repeat(32)}`,
      `promote-from names sha256:${'0a'.repeat(32)}, not the digest being deployed (${DIGEST}): promote the digest you deploy.`,
    ],
    [
      'a tag',
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop:latest',
      "promote-from must be <registry>/<repository>@sha256:<64 hex>, got '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop:latest': pass the image output of the environment before.",
    ],
  ])('a promote-from with %s, before any credentials are assumed', async (_name, from, message) => {
    const assumedBefore = emulator.calls.filter(
      (call) => call.action === 'AssumeRoleWithWebIdentity',
    ).length;
    const run = await release({
      vars: {
        DIGEST,
        STAGING_ROLE: roleFor('staging'),
        PRODUCTION_ROLE: roleFor('production'),
        PROMOTE_FROM: from,
      },
    });
    const deploy = run.job('staging / deploy');
    expect(deploy.result).toBe('failure');
    expect(deploy.steps[0]?.annotations[0]?.message).toBe(message);
    expect(
      emulator.calls.filter((call) => call.action === 'AssumeRoleWithWebIdentity').length,
    ).toBe(assumedBefore);
  });

  it('an environment without a deploy document, in one line, before anything is recorded or changed', async () => {
    const recordsBefore = appRepository.deployments.length;
    emulator.ssm.delete(documentName('staging'));
    try {
      const run = await release();
      const deploy = run.job('staging / deploy');
      expect(deploy.result).toBe('failure');
      expect(deploy.steps.map((step) => step.outcome)).toEqual([
        'success',
        'failure',
        ...Array.from({ length: 11 }, () => 'skipped'),
      ]);
      expect(deploy.steps[1]?.annotations.map((a) => a.message)).toContain(
        'no deploy document at /aws-ship-suite/shop-deploy-staging: deploy the stack (infra/) or check role-to-assume',
      );
      expect(appRepository.deployments).toHaveLength(recordsBefore);
    } finally {
      putDocuments();
    }
  });

  it('production when its reviewers reject, after staging', async () => {
    const recordsBefore = appRepository.deployments.length;
    const run = await release({ review: async () => ({ decision: 'reject', reviewer: 'bob' }) });
    expect(appRepository.deployments.slice(recordsBefore).map((d) => d.environment)).toEqual([
      'staging',
    ]);
    expect(run.job('staging / deploy').result).toBe('success');
    expect(run.job('production / deploy')).toMatchObject({
      result: 'failure',
      reason: 'the deployment to production was rejected by bob',
      steps: [],
    });
  });
});
