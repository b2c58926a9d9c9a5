// .github/workflows/infra.yml run through the local workflow runner, called by the shipped caller
// template (workflows-templates/aws-ship-suite-infra.yml), on an app repository whose CDK app is a
// small one (one stack per stage) so each run's real `cdk synth` stays cheap.
//
// What is real: the workflow files, GitHub's expression and job-graph semantics, the suite's
// bundles (oidc-assume, infra-diff), the cdk CLI's synth and `cdk diff` (against the emulator's
// CloudFormation DescribeStacks/GetTemplate, through the bootstrap lookup role the diff role may
// assume), the GitHub emulator's comments and token permissions.
//
// Declared stand-ins on the steps' PATH (no registry and no change sets here):
// - `npm ci` links the suite's installed packages into the app's folder instead of downloading;
// - `cdk deploy` is recorded instead of creating change sets: the stand-in asks STS who it is
//   with the job's credentials (so the role the job assumed is proven to reach cdk), reads the
//   stage's templates from the assembly it was given, and writes both to a record file. Every
//   other cdk command is the real CLI.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
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
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
const DIFF_ROLE = role('octo-app-infra-diff');
const LOOKUP_ROLE = role(`cdk-hnb659fds-lookup-role-${ACCOUNT}-us-east-1`);
const deployRole = (environment: string) => role(`octo-app-${environment}-infra`);

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
let deployRecord: string;
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
  const trust = (environment: string) => ({
    webIdentity: {
      issuer: issuer.url,
      audience: 'sts.amazonaws.com',
      subject: `repo:octo-org/octo-app:environment:${environment}`,
      jobWorkflowRef: 'OWNER/aws-ship-suite/.github/workflows/infra.yml@*',
    },
  });
  emulator.sts.addRole({ arn: DIFF_ROLE, trust: trust('infra-diff') });
  emulator.sts.addRole({ arn: deployRole('staging'), trust: trust('staging') });
  emulator.sts.addRole({ arn: deployRole('production'), trust: trust('production') });
  // cdk bootstrap --trust-for-lookup: the lookup role trusts the diff role's account.
  emulator.sts.addRole({ arn: LOOKUP_ROLE, trust: { principals: [DIFF_ROLE] } });

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
  deployRecord = join(work, 'cdk-deploy.jsonl');
  makeStandIns(standIns);

  checkout = join(work, 'checkout');
  mkdirSync(join(checkout, '.github/workflows'), { recursive: true });
  writeFileSync(
    join(checkout, '.github/workflows/infrastructure.yml'),
    readFileSync(
      join(suiteRoot, 'workflows-templates/aws-ship-suite-infra.yml'),
      'utf8',
    ).replaceAll('$default-branch', 'main'),
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
  const realCdk = join(suiteRoot, 'node_modules/aws-cdk/bin/cdk');
  writeFileSync(
    join(modules, '.bin/cdk'),
    `#!/bin/sh
# Stand-in declared in test/e2e/infra-workflow.test.ts: cdk deploy is recorded, the rest is cdk.
if [ "$1" = deploy ]; then exec node ${JSON.stringify(join(directory, 'cdk-deploy.mjs'))} "$@"; fi
exec node ${JSON.stringify(realCdk)} "$@"
`,
  );
  writeFileSync(
    join(directory, 'cdk-deploy.mjs'),
    `// cdk deploy stand-in (test/e2e/infra-workflow.test.ts): who it runs as, and what it would deploy.
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
const require = createRequire(${JSON.stringify(join(suiteRoot, 'package.json'))});
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const args = process.argv.slice(3);
const app = args[args.indexOf('--app') + 1];
const patterns = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--app' && args[i - 1] !== '--require-approval' && args[i - 1] !== '--progress');
const manifest = (dir) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const stacks = {};
for (const [id, artifact] of Object.entries(manifest(app).artifacts ?? {})) {
  if (artifact.type !== 'cdk:cloud-assembly') continue;
  const dir = join(app, artifact.properties.directoryName);
  for (const [, stack] of Object.entries(manifest(dir).artifacts ?? {})) {
    if (stack.type !== 'aws:cloudformation:stack') continue;
    const path = stack.displayName ?? id;
    if (!patterns.some((p) => p === path || (p.endsWith('/*') && path.startsWith(p.slice(0, -1))))) continue;
    stacks[stack.properties.stackName] = JSON.parse(readFileSync(join(dir, stack.properties.templateFile), 'utf8'));
  }
}
if (Object.keys(stacks).length === 0) { console.error('No stacks match the name(s) ' + patterns.join(' ')); process.exit(1); }
const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
appendFileSync(process.env.CDK_DEPLOY_RECORD, JSON.stringify({ args, arn: identity.Arn, stacks }) + '\\n');
for (const name of Object.keys(stacks)) console.log(' ✅  ' + name + ' (stand-in: recorded, not deployed)');
`,
  );
  const bin = join(directory, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/sh
# npm stand-in declared in test/e2e/infra-workflow.test.ts: no registry here, so npm ci links the
# suite's installed packages (aws-cdk, aws-cdk-lib among them) and cdk's deploy stand-in.
if [ "$1" != ci ]; then echo "npm stand-in: only npm ci is declared, not: $*" >&2; exit 2; fi
if [ ! -f package-lock.json ]; then echo "npm error The \\\`npm ci\\\` command can only install with an existing package-lock.json" >&2; exit 1; fi
ln -s ${JSON.stringify(modules)} node_modules && echo "added the suite's packages (npm ci stand-in)"
`,
  );
  chmodSync(join(modules, '.bin/cdk'), 0o755);
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
    },
    environments: { production: { reviewers: ['infra-reviewers'] } },
    review,
    workspaceRepository: appRemote,
    machineEnv: {
      AWS_ENDPOINT_URL: emulator.url,
      CDK_DEPLOY_RECORD: deployRecord,
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
        expect(readRecords()).toHaveLength(1);
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
    const [staging, production] = readRecords();
    expect(staging).toMatchObject({
      args: expect.arrayContaining(['--require-approval', 'never', 'staging/*']),
      arn: expect.stringContaining(':assumed-role/octo-app-staging-infra/'),
    });
    expect(Object.keys(staging!.stacks)).toEqual(['shop-staging']);
    expect(production).toMatchObject({
      args: expect.arrayContaining(['production/*']),
      arn: expect.stringContaining(':assumed-role/octo-app-production-infra/'),
    });
    expect(Object.keys(production!.stacks)).toEqual(['shop-production']);
    // main's templates, synthesized once in the run and deployed as they were synthesized.
    expect(JSON.stringify(staging!.stacks['shop-staging'])).toContain('"DisplayName":"alerts"');
    expect(JSON.stringify(staging!.stacks['shop-staging'])).not.toContain('AWS::SQS::Queue');
  }, 600_000);
});

describe('infra.yml when production is rejected', () => {
  it('leaves production untouched and fails its job with the reviewer named', async () => {
    const before = readRecords().length;
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
    const records = readRecords().slice(before);
    expect(records.map((r) => r.args.at(-1))).toEqual(['staging/*']);
  }, 600_000);
});

function readRecords(): { args: string[]; arn: string; stacks: Record<string, unknown> }[] {
  if (!existsSync(deployRecord)) return [];
  return readFileSync(deployRecord, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(
      (line) =>
        JSON.parse(line) as { args: string[]; arn: string; stacks: Record<string, unknown> },
    );
}
