// .github/workflows/infra.yml run through the local workflow runner, called by the shipped caller
// template (workflows-templates/aws-ship-suite-infra.yml), on an app repository whose CDK app is a
// small one (one stack per stage) so each run's real `cdk synth` stays cheap.
//
// What is real: the workflow files, GitHub's expression and job-graph semantics, the suite's
// bundles (oidc-assume, infra-diff), the roles the jobs assume (infra/lib/infra-roles.ts
// synthesized and loaded into the emulator with their trust and policies), the cdk CLI's synth,
// `cdk diff` (against the emulator's CloudFormation DescribeStacks/GetTemplate, through the
// bootstrap lookup role the diff role may assume) and `cdk deploy` (the bootstrap version
// parameter, the deploy and file-publishing roles, the template uploaded to the staging bucket,
// a change set created, described and executed, the stack's events), the GitHub emulator's
// comments and token permissions.
//
// Declared stand-in on the steps' PATH (no registry here): `npm ci` links the suite's installed
// packages (aws-cdk, aws-cdk-lib among them) into the app's folder instead of downloading.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  STSClient,
  type Credentials,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { InfraRoles } from '../../infra/lib/infra-roles.ts';
import { cdkBootstrap } from '../emulator/cdk-bootstrap.ts';
import { loadTemplate, type CfnTemplate } from '../emulator/template-loader.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import { cleanupActionRuns, type OidcIssuer, startOidcIssuer } from '../harness/index.ts';
import {
  findLeakedSecretsInRun,
  runWorkflow,
  type ReviewDecision,
  type ReviewRequest,
  type WorkflowRun,
} from '../harness/workflow-runner/index.ts';

const ACCOUNT = '123456789012';
const suiteRoot = new URL('../..', import.meta.url).pathname;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const DIFF_ROLE = role('octo-app-staging-infra-diff');
const LOOKUP_ROLE = role(`cdk-hnb659fds-lookup-role-${ACCOUNT}-us-east-1`);
const BOOTSTRAP_DEPLOY_ROLE = role(`cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`);
const deployRole = (environment: string) => role(`octo-app-${environment}-infra`);
const templateText = readFileSync(
  join(suiteRoot, 'workflows-templates/aws-ship-suite-infra.yml'),
  'utf8',
);
/** The job_workflow_ref of infra.yml's jobs: the template's `uses:` (`@main`) as GitHub claims it. */
const INFRA_WORKFLOW_REF = /uses: (\S+\/infra\.yml)@(\S+)/
  .exec(templateText)!
  .slice(1)
  .join('@refs/heads/');

// The app's CDK app: one stage per GitHub environment, its settings in a file the commits change.
const APP = `import { readFileSync } from 'node:fs';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
const settings = JSON.parse(readFileSync('settings.json', 'utf8'));
const app = new App();
for (const name of ['staging', 'production']) {
  const stage = new Stage(app, name, { env: { account: '${ACCOUNT}', region: 'us-east-1' } });
  const stack = new Stack(stage, 'App', { stackName: \`shop-\${name}\` });
  new Topic(stack, 'Alerts', { displayName: settings.alerts });
  if (settings.queue) new Queue(stack, 'Orders', { queueName: settings.queue });
}
app.synth();
`;

let github: GitHubEmulator;
let emulator: Emulator;
let issuer: OidcIssuer;
let repository: Repository;
let work: string;
let checkout: string;
let appRemote: string;
let standIns: string;
const runs: WorkflowRun[] = [];
const commits: Record<'bare' | 'main' | 'feature' | 'featureAgain' | 'fork', string> = {
  bare: '',
  main: '',
  feature: '',
  featureAgain: '',
  fork: '',
};

beforeAll(async () => {
  issuer = await startOidcIssuer();
  github = await startGitHubEmulator();
  repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
  emulator = await startEmulator();
  emulator.sts.addOidcProvider({
    url: issuer.url,
    clientIds: ['sts.amazonaws.com'],
    accountId: ACCOUNT,
  });
  // The roles as the suite's stack makes them (infra/lib/infra-roles.ts), synthesized and loaded
  // with their trust policies (the GitHub issuer standing for token.actions.githubusercontent.com)
  // and identity policies; the account bootstrapped as `cdk bootstrap` leaves it.
  loadTemplate(emulator, infraRolesTemplate(), {
    stackName: 'octo-app-infra-roles',
    issuers: { 'https://token.actions.githubusercontent.com': issuer.url },
  });
  cdkBootstrap(emulator, { account: ACCOUNT, region: 'us-east-1' });

  work = mkdtempSync(join(tmpdir(), 'infra-workflow-'));
  appRemote = join(work, 'app.git');
  makeAppRepository(appRemote);
  for (const commit of Object.keys(commits) as (keyof typeof commits)[]) {
    commits[commit] = execFileSync('git', ['rev-parse', commit], {
      cwd: appRemote,
      encoding: 'utf8',
    }).trim();
    repository.commits.add(commits[commit]);
  }
  // Staging runs what main synthesizes today (the template as cdk deployed it).
  emulator.cloudformation.putStack({ name: 'shop-staging', template: deployedTemplate() });

  standIns = join(work, 'stand-ins');
  makeStandIns(standIns);

  checkout = join(work, 'checkout');
  mkdirSync(join(checkout, '.github/workflows'), { recursive: true });
  writeFileSync(
    join(checkout, '.github/workflows/infrastructure.yml'),
    templateText.replaceAll('$default-branch', 'main'),
  );
  symlinkSync(
    join(suiteRoot, '.github/workflows/infra.yml'),
    join(checkout, '.github/workflows/infra.yml'),
  );
  symlinkSync(join(suiteRoot, 'actions'), join(checkout, 'actions'));
  symlinkSync(join(suiteRoot, 'dist'), join(checkout, 'dist'));
});

afterAll(async () => {
  try {
    for (const run of runs) {
      expect(
        findLeakedSecretsInRun(run, [
          ...run.secrets,
          issuer.requestToken,
          ...issuer.issued.map((token) => token.token),
          ...emulator.sts.issuedSecrets(),
        ]),
      ).toEqual([]);
    }
  } finally {
    await Promise.all(runs.map((run) => run.cleanup()));
    await cleanupActionRuns();
    await issuer.close();
    await emulator.close();
    await github.close();
    rmSync(work, { recursive: true, force: true });
  }
});

function makeAppRepository(bare: string): void {
  const source = join(work, 'app-source');
  mkdirSync(join(source, 'infra'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], {
      cwd: source,
      encoding: 'utf8',
    });
  const write = (settings: object) =>
    writeFileSync(join(source, 'infra/settings.json'), `${JSON.stringify(settings)}\n`);
  git('init', '--quiet', '--initial-branch=main');
  writeFileSync(join(source, 'README.md'), 'octo-app\n');
  git('add', '.');
  git('commit', '--quiet', '-m', 'before the CDK app');
  git('branch', 'bare');
  writeFileSync(join(source, 'infra/app.mjs'), APP);
  writeFileSync(join(source, 'infra/cdk.json'), '{ "app": "node app.mjs" }\n');
  writeFileSync(
    join(source, 'infra/package.json'),
    '{ "name": "octo-app-infra", "private": true, "devDependencies": { "aws-cdk": "2.1149.0", "aws-cdk-lib": "2.278.0" } }\n',
  );
  writeFileSync(
    join(source, 'infra/package-lock.json'),
    '{ "name": "octo-app-infra", "lockfileVersion": 3, "requires": true, "packages": {} }\n',
  );
  write({ alerts: 'alerts' });
  git('add', '.');
  git('commit', '--quiet', '-m', 'infra');
  git('checkout', '--quiet', '-b', 'feature');
  write({ alerts: 'shop alerts', queue: 'orders' });
  git('commit', '--quiet', '-am', 'orders queue');
  git('checkout', '--quiet', '-b', 'featureAgain');
  write({ alerts: 'shop alerts v2', queue: 'orders' });
  git('commit', '--quiet', '-am', 'rename the alerts');
  git('checkout', '--quiet', '-b', 'fork', 'main');
  write({ alerts: 'pwned' });
  git('commit', '--quiet', '-am', 'from a fork');
  execFileSync('git', ['clone', '--quiet', '--bare', source, bare]);
  for (const branch of ['bare', 'feature', 'featureAgain', 'fork']) {
    execFileSync('git', ['branch', '--quiet', '-f', branch, `refs/heads/${branch}`], { cwd: bare });
  }
}

/** main's staging stack as `cdk synth` writes it (what a deploy of main left in CloudFormation). */
function deployedTemplate(): object {
  return {
    Resources: {
      Alerts91F83244: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'alerts' } },
    },
    Parameters: {
      BootstrapVersion: {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/cdk-bootstrap/hnb659fds/version',
        Description:
          'Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]',
      },
    },
    Rules: {
      CheckBootstrapVersion: {
        Assertions: [
          {
            Assert: {
              'Fn::Not': [
                { 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] },
              ],
            },
            AssertDescription:
              "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
          },
        ],
      },
    },
  };
}

function makeStandIns(directory: string): void {
  const modules = join(directory, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const entry of readdirSync(join(suiteRoot, 'node_modules'))) {
    if (entry !== '.bin') symlinkSync(join(suiteRoot, 'node_modules', entry), join(modules, entry));
  }
  symlinkSync(join(suiteRoot, 'node_modules/aws-cdk/bin/cdk'), join(modules, '.bin/cdk'));
  const bin = join(directory, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/sh
# npm stand-in declared in test/e2e/infra-workflow.test.ts: no registry here, so npm ci links the
# suite's installed packages (aws-cdk, aws-cdk-lib among them).
if [ "$1" != ci ]; then echo "npm stand-in: only npm ci is declared, not: $*" >&2; exit 2; fi
if [ ! -f package-lock.json ]; then echo "npm error The \\\`npm ci\\\` command can only install with an existing package-lock.json" >&2; exit 1; fi
ln -s ${JSON.stringify(modules)} node_modules && echo "added the suite's packages (npm ci stand-in)"
`,
  );
  chmodSync(join(bin, 'npm'), 0o755);
}

const PULL_REQUEST_OWNERS = { same: 'octo-org/octo-app', fork: 'outsider/octo-app' };

function pullRequestEvent(
  number: number,
  head: string,
  from: keyof typeof PULL_REQUEST_OWNERS,
  base = commits.main,
) {
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        head: { sha: head, ref: 'feature', repo: { full_name: PULL_REQUEST_OWNERS[from] } },
        base: { sha: base, ref: 'main', repo: { full_name: 'octo-org/octo-app' } },
      },
      repository: { full_name: 'octo-org/octo-app', default_branch: 'main' },
    },
  };
}

async function infraRun(
  event: { name: string; payload: Record<string, unknown> },
  context: { sha: string; ref: string },
  review: (request: ReviewRequest) => Promise<ReviewDecision> = async () => 'approve',
  roles: Record<string, string> = {},
): Promise<WorkflowRun> {
  const run = await runWorkflow({
    checkout,
    workflow: '.github/workflows/infrastructure.yml',
    event,
    context: { ...context, eventName: event.name, workflow: 'Infrastructure' },
    suiteRepository: 'OWNER/aws-ship-suite',
    github,
    oidc: issuer,
    vars: {
      AWS_REGION: 'us-east-1',
      STAGING_INFRA_ROLE_ARN: deployRole('staging'),
      PRODUCTION_INFRA_ROLE_ARN: deployRole('production'),
      INFRA_DIFF_ROLE_ARN: DIFF_ROLE,
      ...roles,
    },
    environments: { production: { reviewers: ['infra-reviewers'] } },
    review,
    workspaceRepository: appRemote,
    machineEnv: {
      AWS_ENDPOINT_URL: emulator.url,
      CDK_DISABLE_VERSION_CHECK: '1',
      PATH: [
        join(standIns, 'bin'),
        dirname(process.execPath),
        process.env['PATH'] ?? '/usr/bin:/bin',
      ].join(':'),
    },
    stepTimeoutMs: 180_000,
  });
  runs.push(run);
  return run;
}

const results = (run: WorkflowRun) =>
  Object.fromEntries(run.jobs.map((job) => [job.id, job.result]));
const logOf = (run: WorkflowRun, job: string) =>
  run
    .job(job)
    .steps.flatMap((s) => s.log)
    .join('\n');

describe('infra.yml on a pull request', () => {
  let number: number;
  let firstCommentId: number;

  it('synthesizes without credentials, diffs with the read-only role and comments once', async () => {
    number = github.store.addPullRequest(repository, {
      author: github.accounts.get('octo-org'),
      headSha: commits.feature,
    }).number;
    const run = await infraRun(pullRequestEvent(number, commits.feature, 'same'), {
      sha: commits.feature,
      ref: `refs/pull/${number}/merge`,
    });

    expect(results(run)).toEqual({
      infra: 'success',
      'infra / synth': 'success',
      'infra / diff': 'success',
      'infra / comment': 'success',
      'infra / staging': 'skipped',
      'infra / production': 'skipped',
    });
    // Least privilege per job: code from the pull request runs only where nothing can be written.
    expect(run.job('infra / synth')).toMatchObject({
      permissions: { contents: 'read' },
      idToken: false,
    });
    expect(run.job('infra / diff')).toMatchObject({
      permissions: { contents: 'read', 'id-token': 'write' },
      idToken: true,
      environment: 'infra-diff',
    });
    expect(run.job('infra / comment')).toMatchObject({
      permissions: { 'pull-requests': 'write' },
      idToken: false,
    });
    expect(run.job('infra / staging').reason).toMatch(/if: .* was false/);

    // The diff ran the base commit's tooling on the pull request's synthesized templates.
    expect(logOf(run, 'infra / diff')).toContain(`Cloned ${appRemote} at ${commits.main}`);
    expect(emulator.sts.assumed.map((a) => a.roleArn)).toEqual(
      expect.arrayContaining([DIFF_ROLE, LOOKUP_ROLE]),
    );

    const comments = github.store.comments(repository, number);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body).toContain('<!-- aws-ship-suite infra-diff -->');
    expect(body).toContain('2 of 2 stacks with differences.');
    expect(body).toContain(
      '| staging/App (shop-staging) (aws://123456789012/us-east-1) | 1 | 1 | 0 | 0 | – |',
    );
    expect(body).toContain('[+] AWS::SQS::Queue App/Orders');
    expect(body).toContain('[+] shop alerts');
    expect(body).not.toContain('does not implement'); // the tool's chatter stays in the log
    firstCommentId = comments[0]!.id;
    expect(run.outputs).toEqual({});
    expect(run.job('infra / comment').outputs).toEqual({ outcome: 'differences' });
  }, 600_000);

  it('edits the same comment in place after another push', async () => {
    github.store.push(repository, number, commits.featureAgain);
    const run = await infraRun(pullRequestEvent(number, commits.featureAgain, 'same'), {
      sha: commits.featureAgain,
      ref: `refs/pull/${number}/merge`,
    });
    expect(run.conclusion).toBe('success');
    const comments = github.store.comments(repository, number);
    expect(comments.map((c) => c.id)).toEqual([firstCommentId]);
    expect(comments[0]!.body).toContain('[+] shop alerts v2');
    expect(comments[0]!.body).toContain(`\`${commits.featureAgain.slice(0, 12)}\``);
    expect(logOf(run, 'infra / comment')).toContain('Pull-request comment updated');
  }, 600_000);

  it('comments a failed diff with the end of its output, and fails the diff job', async () => {
    const other = github.store.addPullRequest(repository, {
      author: github.accounts.get('octo-org'),
      headSha: commits.feature,
    }).number;
    const fault = emulator.faults.inject({ service: 'cloudformation', kind: 'server-error' });
    let run: WorkflowRun;
    try {
      run = await infraRun(pullRequestEvent(other, commits.feature, 'same'), {
        sha: commits.feature,
        ref: `refs/pull/${other}/merge`,
      });
    } finally {
      fault.remove();
    }
    expect(results(run)).toMatchObject({
      'infra / diff': 'failure',
      'infra / comment': 'success',
    });
    expect(run.job('infra / diff').outputs['exit-code']).not.toBe('0');
    const [comment, ...more] = github.store.comments(repository, other);
    expect(more).toEqual([]);
    expect(comment!.body).toMatch(/\*\*`cdk diff` failed \(exit code [1-9]\d*\)\*\*/);
    expect(comment!.body).toContain(
      'The request processing has failed because of an unknown error',
    );
    expect(run.job('infra / comment').outputs).toEqual({ outcome: 'diff-failed' });
  }, 600_000);

  it('says so, with no credentials asked for, when the base commit has no CDK app yet', async () => {
    const issued = issuer.issued.length;
    const first = github.store.addPullRequest(repository, {
      author: github.accounts.get('octo-org'),
      headSha: commits.feature,
    }).number;
    const run = await infraRun(pullRequestEvent(first, commits.feature, 'same', commits.bare), {
      sha: commits.feature,
      ref: `refs/pull/${first}/merge`,
    });
    expect(results(run)).toMatchObject({ 'infra / diff': 'success', 'infra / comment': 'success' });
    expect(issuer.issued.length).toBe(issued);
    const [comment] = github.store.comments(repository, first);
    expect(comment!.body).toContain('No stack was diffed.');
    expect(comment!.body).toContain(
      'The base commit has no infra/package-lock.json: a pull request that adds the CDK app is not diffed',
    );
    expect(run.job('infra / comment').outputs).toEqual({ outcome: 'no-differences' });
  }, 600_000);

  it("gives a fork's pull request no credentials and no comment", async () => {
    const issued = issuer.issued.length;
    const fork = github.store.addPullRequest(repository, {
      author: github.accounts.get('outsider'),
      headSha: commits.fork,
      headRepository: PULL_REQUEST_OWNERS.fork,
    }).number;
    const run = await infraRun(pullRequestEvent(fork, commits.fork, 'fork'), {
      sha: commits.fork,
      ref: `refs/pull/${fork}/merge`,
    });
    expect(results(run)).toEqual({
      infra: 'success',
      'infra / synth': 'success',
      'infra / diff': 'skipped',
      'infra / comment': 'skipped',
      'infra / staging': 'skipped',
      'infra / production': 'skipped',
    });
    expect(run.job('infra / diff').reason).toMatch(/head\.repo\.full_name == github\.repository/);
    expect(issuer.issued.length).toBe(issued);
    expect(github.store.comments(repository, fork)).toEqual([]);
  }, 600_000);
});

const deploymentsOf = (stackName: string) =>
  emulator.cloudformation.deployments.filter((d) => d.stackName === stackName);
/** The bootstrap roles a session of `roleName` assumed (cdk running with its credentials). */
const assumedBy = (roleName: string) =>
  emulator.sts.assumed
    .filter((a) => a.callerArn?.includes(`:assumed-role/${roleName}/`))
    .map((a) => a.roleArn);

describe('infra.yml on a push to the default branch', () => {
  it('deploys the synthesized stacks to staging, then to production once approved', async () => {
    const reviews: ReviewRequest[] = [];
    const run = await infraRun(
      {
        name: 'push',
        payload: {
          ref: 'refs/heads/main',
          after: commits.main,
          repository: { full_name: 'octo-org/octo-app', default_branch: 'main' },
        },
      },
      { sha: commits.main, ref: 'refs/heads/main' },
      async (request) => {
        reviews.push(request);
        // Production waits while staging is already deployed.
        expect(deploymentsOf('shop-staging')).toHaveLength(1);
        expect(emulator.cloudformation.template('shop-production')).toBeUndefined();
        return 'approve';
      },
    );
    expect(results(run)).toEqual({
      infra: 'success',
      'infra / synth': 'success',
      'infra / diff': 'skipped',
      'infra / comment': 'skipped',
      'infra / staging': 'success',
      'infra / production': 'success',
    });
    expect(reviews).toEqual([
      expect.objectContaining({ environment: 'production', reviewers: ['infra-reviewers'] }),
    ]);
    for (const environment of ['staging', 'production']) {
      expect(run.job(`infra / ${environment}`)).toMatchObject({
        environment,
        permissions: { contents: 'read', 'id-token': 'write' },
        concurrency: { group: `aws-ship-suite-deploy-${environment}`, cancelInProgress: false },
      });
    }
    // cdk ran as each job's infra role and went through the bootstrap roles it may assume.
    for (const environment of ['staging', 'production'])
      expect(new Set(assumedBy(`octo-app-${environment}-infra`))).toEqual(
        new Set([
          BOOTSTRAP_DEPLOY_ROLE,
          role(`cdk-hnb659fds-file-publishing-role-${ACCOUNT}-us-east-1`),
        ]),
      );
    const [staging] = deploymentsOf('shop-staging');
    const [production] = deploymentsOf('shop-production');
    // Staging existed (an update); production is created. Each by the bootstrap deploy role,
    // with CloudFormation's execution role, from the template cdk uploaded to the staging bucket.
    expect(staging).toMatchObject({
      changeSetType: 'UPDATE',
      callerArn: expect.stringContaining(':assumed-role/cdk-hnb659fds-deploy-role-'),
      roleArn: role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`),
    });
    expect(production).toMatchObject({ changeSetType: 'CREATE' });
    expect(production!.changes).toContainEqual({
      action: 'Add',
      logicalId: 'Alerts91F83244',
      resourceType: 'AWS::SNS::Topic',
    });
    // main's templates, synthesized once in the run and deployed as they were synthesized:
    // GetTemplate (what the next diff reads) returns them.
    const deployed = JSON.stringify(emulator.cloudformation.template('shop-staging'));
    expect(deployed).toContain('"DisplayName":"alerts"');
    expect(deployed).not.toContain('AWS::SQS::Queue');
    expect(emulator.cloudformation.template('shop-production')).toEqual(
      JSON.parse(production!.templateBody),
    );
    expect(logOf(run, 'infra / staging')).toMatch(/✅ +staging\/App \(shop-staging\)/);
    expect(logOf(run, 'infra / production')).toContain('CREATE_COMPLETE');
  }, 600_000);
});

describe('infra.yml when production is rejected', () => {
  it('leaves production untouched and fails its job with the reviewer named', async () => {
    const before = emulator.cloudformation.deployments.length;
    const production = emulator.cloudformation.template('shop-production');
    const run = await infraRun(
      {
        name: 'push',
        payload: {
          ref: 'refs/heads/main',
          after: commits.main,
          repository: { full_name: 'octo-org/octo-app', default_branch: 'main' },
        },
      },
      { sha: commits.main, ref: 'refs/heads/main' },
      async () => ({ decision: 'reject', reviewer: 'carol' }),
    );
    expect(run.job('infra / staging').result).toBe('success');
    expect(run.job('infra / production').result).toBe('failure');
    expect(run.job('infra / production').reason).toContain('carol');
    expect(run.job('infra / production').steps).toEqual([]);
    // Staging already runs main's templates: cdk's change set has no changes and nothing executes.
    expect(logOf(run, 'infra / staging')).toContain('no changes');
    expect(emulator.cloudformation.deployments.length).toBe(before);
    expect(emulator.cloudformation.template('shop-production')).toEqual(production);
  }, 600_000);
});

describe("infra.yml's roles reach only their own bootstrap roles", () => {
  const sts = (credentials?: Credentials) =>
    new STSClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      maxAttempts: 1,
      ...(credentials
        ? {
            credentials: {
              accessKeyId: credentials.AccessKeyId!,
              secretAccessKey: credentials.SecretAccessKey!,
              sessionToken: credentials.SessionToken!,
            },
          }
        : {}),
    });
  const sessionOf = async (roleArn: string, environment: string) => {
    const client = sts();
    try {
      const token = issuer.mintToken({
        aud: 'sts.amazonaws.com',
        sub: `repo:octo-org/octo-app:environment:${environment}`,
        job_workflow_ref: INFRA_WORKFLOW_REF,
      });
      const answer = await client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: 'job',
          WebIdentityToken: token,
        }),
      );
      return answer.Credentials!;
    } finally {
      client.destroy();
    }
  };
  /** Which of the account's bootstrap roles a session may assume, kind by kind. */
  const reachable = async (credentials: Credentials) => {
    const client = sts(credentials);
    const result: Record<string, boolean> = {};
    try {
      for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
        const RoleArn = role(`cdk-hnb659fds-${kind}-role-${ACCOUNT}-us-east-1`);
        result[kind] = await client
          .send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'cdk' }))
          .then(
            () => true,
            (error: { name?: string }) => {
              expect(error.name).toBe('AccessDenied');
              return false;
            },
          );
      }
    } finally {
      client.destroy();
    }
    return result;
  };

  it('lets the diff role assume only the lookup role, and the deploy role only the deploy and publishing roles', async () => {
    expect(await reachable(await sessionOf(DIFF_ROLE, 'infra-diff'))).toEqual({
      deploy: false,
      'file-publishing': false,
      'image-publishing': false,
      lookup: true,
    });
    expect(await reachable(await sessionOf(deployRole('staging'), 'staging'))).toEqual({
      deploy: true,
      'file-publishing': true,
      'image-publishing': true,
      lookup: false,
    });
  });
});

describe("infra.yml's roles refuse the jobs they do not name", () => {
  it("refuses the diff role to a push's deploy job: nothing is deployed", async () => {
    const before = emulator.cloudformation.deployments.length;
    const run = await infraRun(
      {
        name: 'push',
        payload: {
          ref: 'refs/heads/main',
          after: commits.feature,
          repository: { full_name: 'octo-org/octo-app', default_branch: 'main' },
        },
      },
      { sha: commits.feature, ref: 'refs/heads/main' },
      async () => 'approve',
      { STAGING_INFRA_ROLE_ARN: DIFF_ROLE },
    );
    expect(run.job('infra / staging').result).toBe('failure');
    expect(run.job('infra / production').result).toBe('skipped');
    expect(logOf(run, 'infra / staging')).toContain('AccessDenied');
    expect(logOf(run, 'infra / staging')).not.toContain('cdk deploy');
    expect(emulator.cloudformation.deployments.length).toBe(before);
    expect(JSON.stringify(emulator.cloudformation.template('shop-staging'))).not.toContain(
      'AWS::SQS::Queue',
    );
  }, 600_000);

  it("refuses a deploy role to a pull request's diff job: no diff and no comment", async () => {
    const number = github.store.addPullRequest(repository, {
      author: github.accounts.get('octo-org'),
      headSha: commits.feature,
    }).number;
    const lookups = assumedBy('octo-app-staging-infra').length;
    const run = await infraRun(
      pullRequestEvent(number, commits.feature, 'same'),
      { sha: commits.feature, ref: `refs/pull/${number}/merge` },
      async () => 'approve',
      { INFRA_DIFF_ROLE_ARN: deployRole('staging') },
    );
    expect(run.job('infra / diff').result).toBe('failure');
    expect(logOf(run, 'infra / diff')).toContain('AccessDenied');
    expect(logOf(run, 'infra / diff')).not.toContain('Stack staging/App');
    expect(assumedBy('octo-app-staging-infra')).toHaveLength(lookups);
    // The assume step failed before cdk diff: no diff text, so no comment job.
    expect(run.job('infra / comment').result).toBe('skipped');
    expect(github.store.comments(repository, number)).toEqual([]);
  }, 600_000);
});

/** The stack's infra roles for staging and production, as the suite's stack synthesizes them. */
function infraRolesTemplate(): CfnTemplate {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'infra-roles-')) });
  const stack = new Stack(app, 'Roles', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const provider = new iam.OidcProviderNative(stack, 'GitHubOidc', {
    url: 'https://token.actions.githubusercontent.com',
    clientIds: ['sts.amazonaws.com'],
  });
  const stackOf = (name: string) => ({ account: ACCOUNT, region: 'us-east-1', stackName: name });
  for (const environment of ['staging', 'production'])
    new InfraRoles(stack, `${environment}Infra`, {
      prefix: `octo-app-${environment}`,
      repository: 'octo-org/octo-app',
      environment,
      diffEnvironment: 'infra-diff',
      workflowRef: INFRA_WORKFLOW_REF,
      providerArn: provider.oidcProviderArn,
      deployTargets: [stackOf(`shop-${environment}`)],
      diffTargets: [stackOf('shop-staging'), stackOf('shop-production')],
    });
  return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
}
