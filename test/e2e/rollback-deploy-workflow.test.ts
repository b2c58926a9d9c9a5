// rollback.yml with the real deploy.yml behind it, called by the shipped template on
// workflow_dispatch, against the AWS emulator at 120x and the GitHub REST emulator: staging's
// previous successful deployment (from the Deployments history) is deployed again by its digest,
// from the one role ARN the caller passes (cluster, service and repository from the environment's
// deploy document), and recorded as a rollback. promote-rollback-workflow.test.ts covers the
// decisions and refusals with a stand-in of deploy.yml's interface.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { GitHubEmulator } from '../emulator/github/server.ts';
import type { Deployment, Repository } from '../emulator/github/store.ts';
import type { Emulator } from '../emulator/server.ts';
import type { OidcIssuer } from '../harness/index.ts';
import { runWorkflow, type WorkflowRun } from '../harness/workflow-runner/index.ts';
import { temporaryCheckout } from '../flow/checkout.ts';
import {
  runningImages,
  startStagingShop,
  startWorkflowWorld,
  type WorkflowWorld,
} from '../flow/workflow-world.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-deploy-staging`;
const IMAGE_REPOSITORY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop`;
const A = 'a1'.repeat(20);
const B = 'b2'.repeat(20);
const D1 = `sha256:${'1d'.repeat(32)}`;
const D2 = `sha256:${'2d'.repeat(32)}`;
const suiteRoot = new URL('../..', import.meta.url).pathname;

let world: WorkflowWorld;
let emulator: Emulator;
let github: GitHubEmulator;
let repository: Repository;
let issuer: OidcIssuer;
let checkout: string;
let run: WorkflowRun;

function deployed(sha: string, states: Deployment['statuses'][number]['state'][], digest: string) {
  const creator = github.accounts.get('github-actions[bot]');
  repository.commits.add(sha);
  const createdAt = new Date(
    Date.parse('2026-12-01T10:00:00Z') + repository.deployments.length * 3600_000,
  );
  const deployment: Deployment = {
    id: github.store.nextId(),
    sha,
    ref: sha,
    task: 'deploy',
    environment: 'staging',
    payload: {
      schema: 'aws-ship-suite/deployment@1',
      actor: 'writer',
      command: 'push',
      imageDigest: digest,
    },
    description: null,
    creator,
    createdAt,
    transientEnvironment: false,
    productionEnvironment: false,
    statuses: states.map((state) => ({
      id: github.store.nextId(),
      state,
      creator,
      description: '',
      logUrl: '',
      environmentUrl: '',
      createdAt,
    })),
  };
  repository.deployments.push(deployment);
  return deployment;
}

beforeAll(async () => {
  world = await startWorkflowWorld();
  ({ issuer, github, repository } = world);
  emulator = await startStagingShop(world, {
    account: ACCOUNT,
    role: ROLE,
    repository: IMAGE_REPOSITORY,
  });
  // The stack's deploy document for staging (infra/lib/ship-stack.ts): no database, no site.
  emulator.ssm.put(
    '/aws-ship-suite/shop-deploy-staging',
    JSON.stringify({
      version: 1,
      environment: 'staging',
      deployRoleArn: ROLE,
      ecr: { repositoryName: 'shop', repositoryUri: IMAGE_REPOSITORY },
      ecs: { cluster: 'staging', service: 'shop-staging' },
      alarms: { canary: [] },
    }),
  );
  // The shipped template, with the short bakes a test can wait for.
  const template = readFileSync(
    join(suiteRoot, 'workflows-templates/aws-ship-suite-rollback.yml'),
    'utf8',
  );
  const caller = template.replace(
    '      aws-region: ${{ vars.AWS_REGION }}\n',
    "      aws-region: ${{ vars.AWS_REGION }}\n      canary-percent: '20'\n      canary-bake: 1m\n      bake-time: 1m\n",
  );
  expect(caller).not.toBe(template);
  const workspace = temporaryCheckout('rollback-deploy-workflow', {
    workflows: { 'rollback-caller.yml': caller },
    suiteWorkflows: ['rollback.yml', 'deploy.yml'],
  });
  checkout = workspace.path;
  world.onClose(workspace.remove);

  deployed(A, ['in_progress', 'success', 'inactive'], D1);
  deployed(B, ['in_progress', 'success'], D2);
  run = await runWorkflow({
    checkout,
    workflow: '.github/workflows/rollback-caller.yml',
    event: { name: 'workflow_dispatch', payload: { inputs: { environment: 'staging' } } },
    inputs: { environment: 'staging' },
    context: { actor: 'writer' },
    suiteRepository: 'OWNER/aws-ship-suite',
    oidc: issuer,
    vars: { AWS_REGION: 'us-east-1', STAGING_DEPLOY_ROLE_ARN: ROLE },
    machineEnv: { AWS_ENDPOINT_URL: emulator.url },
    github,
    stepTimeoutMs: 100_000,
  });
}, 240_000);

afterAll(async () => {
  expect(await world.close([run])).toEqual([]);
});

it("deploys staging's previous release again: its digest runs, recorded as a rollback of its commit", () => {
  const log = run.jobs
    .flatMap((job) =>
      job.steps
        .filter((s) => s.outcome === 'failure')
        .map((s) => `${job.id} / ${s.name}: ${s.annotations.map((a) => a.message).join('; ')}`),
    )
    .join('\n');
  expect([run.conclusion, log]).toEqual(['success', '']);
  expect(run.job('rollback / resolve').outputs).toMatchObject({
    decision: 'proceed',
    sha: A,
    'image-digest': D1,
  });
  expect(runningImages(emulator, 'staging')).toEqual([`${IMAGE_REPOSITORY}@${D1}`]);
  const record = repository.deployments.at(-1);
  expect([record?.sha, record?.payload, record?.statuses.map((s) => s.state)]).toEqual([
    A,
    expect.objectContaining({ command: 'rollback', imageDigest: D1, actor: 'writer' }),
    ['in_progress', 'success'],
  ]);
});
