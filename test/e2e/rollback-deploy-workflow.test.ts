// rollback.yml with the real deploy.yml behind it, called by the shipped template on
// workflow_dispatch, against the AWS emulator at 120x and the GitHub REST emulator: staging's
// previous successful deployment (from the Deployments history) is deployed again by its digest,
// from the one role ARN the caller passes (cluster, service and repository from the environment's
// deploy document), and recorded as a rollback. promote-rollback-workflow.test.ts covers the
// decisions and refusals with a stand-in of deploy.yml's interface.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Deployment, Repository } from '../emulator/github/store.ts';
import { seedBlueGreenApp } from '../emulator/seed-app.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { cleanupActionRuns, type OidcIssuer, startOidcIssuer } from '../harness/index.ts';
import {
  findLeakedSecretsInRun,
  runWorkflow,
  type WorkflowRun,
} from '../harness/workflow-runner/index.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-deploy-staging`;
const IMAGE_REPOSITORY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop`;
const A = 'a1'.repeat(20);
const B = 'b2'.repeat(20);
const D1 = `sha256:${'1d'.repeat(32)}`;
const D2 = `sha256:${'2d'.repeat(32)}`;
const suiteRoot = new URL('../..', import.meta.url).pathname;

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
  issuer = await startOidcIssuer();
  github = await startGitHubEmulator();
  repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
  github.store.setRole(repository, 'writer', 'write');
  emulator = await startEmulator({ timeScale: 120, seed: 17 });
  emulator.sts.addOidcProvider({
    url: issuer.url,
    clientIds: ['sts.amazonaws.com'],
    accountId: ACCOUNT,
  });
  emulator.sts.addRole({
    arn: ROLE,
    trust: {
      webIdentity: {
        issuer: issuer.url,
        audience: 'sts.amazonaws.com',
        subject: 'repo:octo-org/octo-app:environment:staging',
        jobWorkflowRef: 'OWNER/aws-ship-suite/.github/workflows/deploy.yml@*',
      },
    },
  });
  seedBlueGreenApp(emulator, {
    name: 'shop-staging',
    cluster: 'staging',
    account: ACCOUNT,
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
  checkout = mkdtempSync(join(tmpdir(), 'rollback-deploy-workflow-'));
  const workflows = join(checkout, '.github/workflows');
  mkdirSync(workflows, { recursive: true });
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
  writeFileSync(join(workflows, 'rollback-caller.yml'), caller);
  for (const name of ['rollback.yml', 'deploy.yml']) {
    symlinkSync(join(suiteRoot, '.github/workflows', name), join(workflows, name));
  }
  symlinkSync(join(suiteRoot, 'actions'), join(checkout, 'actions'));
  symlinkSync(join(suiteRoot, 'dist'), join(checkout, 'dist'));

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
  try {
    expect(
      findLeakedSecretsInRun(run, [
        ...run.secrets,
        issuer.requestToken,
        ...issuer.issued.map((token) => token.token),
        ...emulator.sts.issuedSecrets(),
      ]),
    ).toEqual([]);
  } finally {
    await run?.cleanup();
    await cleanupActionRuns();
    await issuer.close();
    await emulator.close();
    await github.close();
    rmSync(checkout, { recursive: true, force: true });
  }
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
  const running = emulator.ecs
    .tasks()
    .filter((t) => t.lastStatus === 'RUNNING' && t.clusterArn?.endsWith(':cluster/staging'))
    .map(
      (t) =>
        emulator.ecs.taskDefinitions.byArn(t.taskDefinitionArn ?? '')?.definition
          .containerDefinitions?.[0]?.image,
    );
  expect([...new Set(running)]).toEqual([`${IMAGE_REPOSITORY}@${D1}`]);
  const record = repository.deployments.at(-1);
  expect([record?.sha, record?.payload, record?.statuses.map((s) => s.state)]).toEqual([
    A,
    expect.objectContaining({ command: 'rollback', imageDigest: D1, actor: 'writer' }),
    ['in_progress', 'success'],
  ]);
});
