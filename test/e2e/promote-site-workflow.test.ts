// The site a promotion ships is the build staging had: the real deploy.yml deploys a digest and
// the site artifact of its run to staging (recording the artifact and the run id in the GitHub
// Deployment), then a promote caller (the shipped template's job, with 1m bakes), in a later run,
// calls the real promote.yml,
// whose site job downloads that artifact from the earlier run and whose deploy.yml call publishes
// it to production's bucket: the same files under the same release, next to the same digest. An
// expired artifact stops the promotion before production changes. The committed bundles run
// against the AWS emulator at 120x and the GitHub emulator.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedBlueGreenApp } from '../emulator/seed-app.ts';
import type { Emulator } from '../emulator/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import {
  runWorkflow,
  type WorkflowRun,
  type WorkflowRunOptions,
} from '../harness/workflow-runner/index.ts';
import { temporaryCheckout } from '../flow/checkout.ts';
import { startAws, startWorkflowWorld, type WorkflowWorld } from '../flow/workflow-world.ts';

const ACCOUNT = '123456789012';
const REPOSITORY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop`;
const roleFor = (environment: string) => `arn:aws:iam::${ACCOUNT}:role/shop-deploy-${environment}`;
const DIGEST = `sha256:${'6a'.repeat(32)}`;
const SHA = 'c0ffee07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f1';
const RELEASE = SHA.slice(0, 12);
const BUILD_RUN = '7001';

// The pipeline's build and staging jobs as far as the site goes: the SPA built once and uploaded
// as site-<sha>, then deploy.yml to staging with that artifact.
const SHIP = `
name: ship
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      - run: |
          mkdir -p dist/assets
          echo '<!doctype html><script src="/assets/app.5f5f5f5f.js"></script>' > dist/index.html
          echo 'console.log("release c0ffee")' > dist/assets/app.5f5f5f5f.js
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        with:
          name: site-\${{ github.sha }}
          path: dist
          if-no-files-found: error
  staging:
    needs: build
    permissions:
      contents: read
      deployments: write
      id-token: write
      pull-requests: write
    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@main
    with:
      environment: staging
      digest: ${DIGEST}
      role-to-assume: ${roleFor('staging')}
      aws-region: us-east-1
      site-artifact: site-\${{ github.sha }}
      canary-percent: '20'
      canary-bake: 1m
      bake-time: 1m
`;

// The template's promote job (workflows-templates/aws-ship-suite-promote.yml), bakes shortened.
const PROMOTE = `
name: Promote to production
on:
  workflow_dispatch:
    inputs:
      digest: { type: string, required: false, default: '' }
permissions: {}
jobs:
  promote:
    permissions:
      actions: read
      contents: read
      deployments: write
      id-token: write
      pull-requests: write
    uses: OWNER/aws-ship-suite/.github/workflows/promote.yml@main
    with:
      digest: \${{ inputs.digest }}
      role-to-assume: ${roleFor('production')}
      aws-region: us-east-1
      canary-percent: '20'
      canary-bake: 1m
      bake-time: 1m
`;

let world: WorkflowWorld;
let emulator: Emulator;
let app: Repository;
let checkout: { path: string; remove: () => void };
const runs: WorkflowRun[] = [];

const sites = {
  staging: { bucket: 'shop-staging-site', distributionId: '' },
  production: { bucket: 'shop-production-site', distributionId: '' },
};

beforeAll(async () => {
  world = await startWorkflowWorld({ commits: [SHA] });
  app = world.repository;
  emulator = await startAws(world, {
    timeScale: 120,
    seed: 29,
    account: ACCOUNT,
    roles: (['staging', 'production'] as const).map((environment) => ({
      arn: roleFor(environment),
      environment,
    })),
  });
  for (const environment of ['staging', 'production'] as const) {
    seedBlueGreenApp(emulator, {
      name: `shop-${environment}`,
      cluster: environment,
      account: ACCOUNT,
      repository: REPOSITORY,
    });
    const site = sites[environment];
    emulator.s3.createBucket(site.bucket);
    site.distributionId = emulator.cloudfront.createDistribution(site.bucket).id;
    emulator.ssm.put(
      `/aws-ship-suite/shop-deploy-${environment}`,
      JSON.stringify({
        version: 1,
        environment,
        deployRoleArn: roleFor(environment),
        ecr: { repositoryName: 'shop', repositoryUri: REPOSITORY },
        ecs: { cluster: environment, service: `shop-${environment}` },
        alarms: { canary: [] },
        site,
      }),
    );
  }
  checkout = temporaryCheckout('promote-site-workflow', {
    workflows: { 'ship.yml': SHIP, 'promote-caller.yml': PROMOTE },
    suiteWorkflows: ['deploy.yml', 'promote.yml'],
  });
  world.onClose(() => checkout.remove());
}, 60_000);

afterAll(async () => {
  expect(await world.close(runs)).toEqual([]);
});

async function runOf(
  workflow: string,
  runId: string,
  options: Partial<WorkflowRunOptions>,
): Promise<WorkflowRun> {
  const run = await runWorkflow({
    checkout: checkout.path,
    workflow: `.github/workflows/${workflow}`,
    event: { name: 'push' },
    context: { owner: 'octo-org', repo: 'octo-app', sha: SHA, runId, actor: 'writer' },
    suiteRepository: 'OWNER/aws-ship-suite',
    oidc: world.issuer,
    github: world.github,
    machineEnv: { AWS_ENDPOINT_URL: emulator.url },
    environments: { staging: {}, production: { reviewers: ['release-managers'] } },
    review: async () => ({ decision: 'approve', reviewer: 'alice' }),
    stepTimeoutMs: 100_000,
    ...options,
  });
  runs.push(run);
  return run;
}

const promote = (runId: string) =>
  runOf('promote-caller.yml', runId, {
    event: { name: 'workflow_dispatch', payload: { inputs: { digest: '' } } },
    inputs: { digest: '' },
  });

/** The site's files in the bucket, key → body (spa-deploy's own records under .spa-deploy/ aside). */
const filesOf = (bucket: string) =>
  Object.fromEntries(
    [...(emulator.s3.bucket(bucket)?.objects.entries() ?? [])]
      .filter(([key]) => !key.startsWith('.spa-deploy/'))
      .map(([key, object]) => [key, object.body.toString('utf8')]),
  );
/** The release spa-deploy made live, from its state record. */
const liveOf = (bucket: string) =>
  [...(emulator.s3.bucket(bucket)?.objects.entries() ?? [])]
    .filter(([key]) => key.startsWith('.spa-deploy/') && key.endsWith('.json'))
    .map(([, object]) => (JSON.parse(object.body.toString('utf8')) as { live?: string }).live)
    .filter(Boolean);

const production = () => app.deployments.filter((d) => d.environment === 'production');

describe("promote.yml: production gets staging's site build next to staging's digest", () => {
  let shipped: WorkflowRun;
  let promoted: WorkflowRun;
  beforeAll(async () => {
    shipped = await runOf('ship.yml', BUILD_RUN, {});
    if (process.env.DEBUG_PROMOTE_SITE) {
      for (const job of shipped.jobs)
        console.log(job.id, job.result, job.log.slice(-40).join('\n'));
    }
    promoted = await promote('7002');
  }, 240_000);

  it('staging records the site build it published: the artifact and the run that uploaded it', () => {
    expect(shipped.conclusion).toBe('success');
    expect(shipped.job('staging').outputs['site-release']).toBe(RELEASE);
    const staging = app.deployments.find((d) => d.environment === 'staging');
    expect(staging?.payload).toMatchObject({
      imageDigest: DIGEST,
      siteRelease: RELEASE,
      siteArtifact: { name: `site-${SHA}`, runId: Number(BUILD_RUN) },
    });
  });

  it('promote carries that build from the earlier run and publishes the same files as the same release', () => {
    expect(promoted.conclusion).toBe('success');
    expect(promoted.job('promote / site')).toMatchObject({
      result: 'success',
      permissions: { actions: 'read' },
      idToken: false,
    });
    const deploy = promoted.job('promote / deploy / deploy');
    expect(deploy.steps.map((step) => [step.name, step.outcome])).toEqual(
      expect.arrayContaining([
        ['Canary', 'success'],
        ['Download the site', 'success'],
        ['Deploy the site', 'success'],
      ]),
    );
    expect(promoted.job('promote / deploy').outputs).toMatchObject({
      image: `${REPOSITORY}@${DIGEST}`,
      'site-release': RELEASE,
    });
    const stagingFiles = filesOf(sites.staging.bucket);
    expect(Object.keys(stagingFiles).length).toBeGreaterThan(0);
    expect(stagingFiles['index.html']).toContain('app.5f5f5f5f.js');
    expect(filesOf(sites.production.bucket)).toEqual(stagingFiles);
    expect(liveOf(sites.production.bucket)).toEqual([RELEASE]);
    expect(liveOf(sites.staging.bucket)).toEqual([RELEASE]);
  });

  it("production's record: the same commit, digest and site release, its build kept in this run", () => {
    expect(production().map((d) => [d.sha, d.payload, d.statuses.at(-1)?.state])).toEqual([
      [
        SHA,
        expect.objectContaining({
          command: 'promote',
          imageDigest: DIGEST,
          siteRelease: RELEASE,
          siteArtifact: { name: `site-${SHA}`, runId: 7002 },
        }),
        'success',
      ],
    ]);
  });

  it('an expired build: the promotion stops in its site job, production unchanged', async () => {
    await shipped.cleanup();
    const before = { records: production().length, files: filesOf(sites.production.bucket) };
    const tasks = emulator.ecs.taskDefinitions.list({}).taskDefinitionArns;
    const again = await promote('7003');
    expect(again.conclusion).toBe('failure');
    expect(
      again.job('promote / site').steps.flatMap((s) => s.annotations.map((a) => a.message)),
    ).toEqual([
      expect.stringMatching(
        new RegExp(`^The site build site-${SHA} of run ${BUILD_RUN} cannot be downloaded`),
      ),
      'Process completed with exit code 1.',
    ]);
    expect(again.job('promote / deploy').result).toBe('skipped');
    expect(production()).toHaveLength(before.records);
    expect(filesOf(sites.production.bucket)).toEqual(before.files);
    expect(emulator.ecs.taskDefinitions.list({}).taskDefinitionArns).toEqual(tasks);
  }, 120_000);
});
