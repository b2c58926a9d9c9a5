// The flow's world: the app repository octo-org/octo-app calling the suite as a release names it,
// on the stacks infra/bin/rehearsal.ts synthesizes (both environments' deploy roles with their
// trust policies, deploy documents, repositories, clusters and services) loaded into the AWS
// emulator at 120x (its ECR in front of a real docker-registry, images built with buildah), the
// GitHub emulator (collaborators, pull requests, statuses, Deployments), a local OIDC issuer, a
// real PostgreSQL behind each stack's database secret and a Slack stand-in. `./dev rehearse`
// (scripts/rehearse.ts) and test/e2e/flow-rehearsal.test.ts run test/flow/scenarios.ts in it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { type SlackStandIn, startSlackStandIn } from '../emulator/slack-webhook.ts';
import { type LoadedStack, loadTemplate, readStageTemplates } from '../emulator/template-loader.ts';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import {
  type ActionRun,
  cleanupActionRuns,
  findLeakedSecrets,
  type OidcIssuer,
  startOidcIssuer,
} from '../harness/index.ts';
import {
  findLeakedSecretsInRun,
  formatRunLog,
  runWorkflow,
  type ReviewRequest,
  type WorkflowRun,
  type WorkflowRunOptions,
} from '../harness/workflow-runner/index.ts';
import { writeOrdersMigrations } from './app-migrations.ts';
import { linkSuite } from './checkout.ts';
import {
  ACCOUNTS,
  type Environment,
  REGION,
  ROLES,
  runningImages,
  VARS,
} from './workflow-world.ts';

const suiteRoot = new URL('../..', import.meta.url).pathname;
export const ORG = 'octo-org';
export const APP = `${ORG}/octo-app`;
// The suite as a release names itself (scripts/release.ts rewrites OWNER/aws-ship-suite/…@main
// to this form); the stacks' deploy roles trust its deploy and pipeline workflows at this ref.
export const SUITE = 'octo-org/aws-ship-suite';
export const SUITE_REF = 'refs/heads/main';
export { ACCOUNTS, type Environment, REGION, ROLES, VARS };
/** Staging's API revision that answers 30 % of its requests with a 5xx: the third release
 * deployed there (v3, after v2 and the pull request's), whose canary must fail. */
const BAD_REVISION_NUMBER = 4;
/** The n-th commit of the app repository (a fixed 40-hex SHA). */
export const commit = (n: number) =>
  `${String(n).padStart(2, '0')}${'c0ffee'.repeat(6)}00`.slice(0, 40);

export type FlowRunOptions = Omit<
  WorkflowRunOptions,
  'checkout' | 'suiteRepository' | 'github' | 'oidc'
>;

export interface FlowWorld {
  readonly emulator: Emulator;
  readonly github: GitHubEmulator;
  readonly issuer: OidcIssuer;
  readonly postgres: PostgresServer;
  readonly slack: SlackStandIn;
  /** octo-org/octo-app, where `writer` has write access. */
  readonly repository: Repository;
  /** By stack name (`octo-app-staging`, `octo-app-production`, their edge stacks). */
  readonly stacks: ReadonlyMap<string, LoadedStack>;
  /** The repository's SLACK_WEBHOOK_URL secret; its URL must appear in no log. */
  readonly slackWebhookUrl: string;
  /** The local /health every canary is smoke-checked on. */
  readonly smokeUrl: string;
  /** Staging's alarm topics (its deploy document's notifications.topicArn among them). */
  readonly stagingTopics: readonly string[];
  /** Every workflow run so far, in order. */
  readonly runs: readonly WorkflowRun[];
  /** Actions run on their own (outside a workflow), scanned for leaks with the runs. */
  readonly actionRuns: ActionRun[];
  /** Every environment review asked for so far (each approved by alice). */
  readonly reviews: readonly ReviewRequest[];
  /** The app's source at a version: what actions/checkout's stand-in puts in the workspace. */
  appSource(version: string): string;
  /** The columns of the orders table in an environment's database, comma-separated. */
  columnsOf(environment: Environment): Promise<string>;
  /** The images of the RUNNING tasks of a cluster, one per task definition. */
  runningImages(cluster: string): string[];
  /** Runs a workflow of the app's checkout, logs it as GitHub shows it, keeps it in `runs`. */
  run(title: string, options: FlowRunOptions): Promise<WorkflowRun>;
  /** Every secret handed out so far: tokens, credentials, passwords, the webhook. */
  secrets(): string[];
  /** One line per secret found in any run's (or action run's) log, summary or annotations. */
  leaks(): string[];
  close(): Promise<void>;
}

export interface FlowWorldOptions {
  /** Where the world's progress and every run's log go; nothing is printed by default. */
  log?: (line: string) => void;
}

export async function startFlowWorld(options: FlowWorldOptions = {}): Promise<FlowWorld> {
  const log = options.log ?? (() => {});
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    const errors: unknown[] = [];
    for (const closer of closers.reverse()) {
      try {
        await closer();
      } catch (error) {
        errors.push(error);
      }
    }
    closers.length = 0;
    if (errors.length > 0) throw new AggregateError(errors, 'closing the flow world failed');
  };
  try {
    return await build(log, closers, close);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

async function build(
  log: (line: string) => void,
  closers: (() => Promise<void> | void)[],
  close: () => Promise<void>,
): Promise<FlowWorld> {
  closers.push(() => cleanupActionRuns());
  const scratch = await mkdtemp(join(tmpdir(), 'rehearsal-'));
  closers.push(() => rm(scratch, { recursive: true, force: true }));
  const issuer = await startOidcIssuer({ context: { owner: ORG, repo: 'octo-app' } });
  closers.push(() => issuer.close());
  const emulator = await startEmulator({
    timeScale: 120,
    seed: 7,
    ecr: { registry: true },
    secretsManager: { region: REGION },
  });
  closers.push(() => emulator.close());
  const github = await startGitHubEmulator();
  closers.push(() => github.close());
  const slack = await startSlackStandIn();
  closers.push(() => slack.close());
  const slackWebhookUrl = slack.createWebhook();
  const repository = github.store.addRepository({ fullName: APP });
  github.store.setRole(repository, 'writer', 'write');

  const stacks = loadStacks(emulator, issuer, scratch, log);
  const stagingStack = stacks.get('octo-app-staging');
  if (stagingStack === undefined) throw new Error('the rehearsal app has no octo-app-staging');
  misbehaveOnStaging(emulator, stagingStack);

  const postgres = await startPostgres();
  closers.push(() => postgres.stop());
  const databases = await connectDatabases(emulator, postgres, stacks);

  const health = await startHealth();
  closers.push(() => new Promise<void>((resolve) => health.server.close(() => resolve())));
  const smokeUrl = health.url;
  pointSmokeUrls(emulator, stacks, smokeUrl);

  const checkout = writeCheckout(scratch, smokeUrl);
  const storageConf = join(scratch, 'storage.conf');
  writeFileSync(
    storageConf,
    `[storage]\ndriver = "vfs"\ngraphroot = "${scratch}/storage"\nrunroot = "${scratch}/run"\n`,
  );

  const runs: WorkflowRun[] = [];
  const actionRuns: ActionRun[] = [];
  // Each run's temporary directories go before the servers they talked to.
  closers.push(async () => {
    await Promise.all([...runs, ...actionRuns].map((r) => r.cleanup()));
  });
  const reviews: ReviewRequest[] = [];

  const appSource = (version: string): string => {
    const dir = join(scratch, `octo-app-${version}`);
    writeOrdersMigrations(dir);
    writeFileSync(join(dir, 'app.txt'), `octo-app ${version}\n`);
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
  };

  const columnsOf = async (environment: Environment) =>
    (
      await postgres.query<{ column_name: string }>(
        databases[environment],
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY 1",
      )
    )
      .map((row) => row.column_name)
      .join(',');

  const run = async (title: string, options: FlowRunOptions): Promise<WorkflowRun> => {
    const began = performance.now();
    log(`\n════ ${title}`);
    const result = await runWorkflow({
      checkout,
      suiteRepository: SUITE,
      github,
      oidc: issuer,
      environments: { production: { reviewers: ['release-managers'] } },
      review: async (request) => {
        reviews.push(request);
        log(
          `  ⏸ ${request.job} waits for ${request.environment}'s reviewers: approved by alice (the script)`,
        );
        return { decision: 'approve', reviewer: 'alice' };
      },
      stepTimeoutMs: 90_000,
      secrets: { SLACK_WEBHOOK_URL: slackWebhookUrl },
      ...options,
      machineEnv: {
        AWS_ENDPOINT_URL: emulator.url,
        CONTAINERS_STORAGE_CONF: storageConf,
        BUILDAH_ISOLATION: 'chroot',
        ...options.machineEnv,
      },
    });
    runs.push(result);
    for (const line of formatRunLog(result)) log(`  ${line}`);
    log(`  (${((performance.now() - began) / 1000).toFixed(1)} s)`);
    return result;
  };

  const secrets = () =>
    [
      ...runs.flatMap((r) => r.secrets),
      ...actionRuns.map((r) => r.githubToken),
      issuer.requestToken,
      ...issuer.issued.map((t) => t.token),
      ...emulator.sts.issuedSecrets(),
      postgres.password,
      emulator.ecr.password,
      ...emulator.ecr.issuedTokens,
      slackWebhookUrl,
      new URL(slackWebhookUrl).pathname,
    ].filter(Boolean);

  return {
    emulator,
    github,
    issuer,
    postgres,
    slack,
    repository,
    stacks,
    slackWebhookUrl,
    smokeUrl,
    stagingTopics: (stagingStack.created ?? [])
      .filter((c) => c.type === 'AWS::SNS::Topic')
      .map((c) => stagingStack.resolve({ Ref: c.logicalId }))
      .filter((arn): arn is string => typeof arn === 'string'),
    runs,
    actionRuns,
    reviews,
    appSource,
    columnsOf,
    runningImages: (cluster) => runningImages(emulator, cluster),
    run,
    secrets,
    leaks: () => {
      const all = secrets();
      return [
        ...runs.flatMap((r) => findLeakedSecretsInRun(r, all)),
        ...actionRuns.flatMap((r) => findLeakedSecrets(r, all)),
      ];
    },
    close,
  };
}

/** Both environments' stacks, synthesized from infra/ and loaded into the emulator. */
function loadStacks(
  emulator: Emulator,
  issuer: OidcIssuer,
  scratch: string,
  log: (line: string) => void,
): Map<string, LoadedStack> {
  const cdkOut = join(scratch, 'cdk.out');
  const synth = execFileSync(process.execPath, ['infra/bin/rehearsal.ts', cdkOut], {
    cwd: suiteRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const line of synth.split('\n').filter(Boolean)) log(line);
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
      log(
        `stack ${stackName}: ${loaded.created.length} resources in the emulator (${roles} IAM roles), ${loaded.unmodelled.length} not modelled`,
      );
    }
  }
  return stacks;
}

/** Staging's API: live traffic on the stack's listener; the bad revision answers 30 % of its
 * requests with a 5xx. */
function misbehaveOnStaging(emulator: Emulator, stagingStack: LoadedStack): void {
  const created = (type: string, prefix: string) =>
    stagingStack.created.find((c) => c.type === type && c.logicalId.startsWith(prefix))?.logicalId;
  const apiRevision1 = stagingStack.resolve({
    Ref: created('AWS::ECS::TaskDefinition', 'ApiTask') ?? '',
  });
  const listener = stagingStack.resolve({
    Ref: created('AWS::ElasticLoadBalancingV2::Listener', 'ApiAlbHttps') ?? '',
  });
  if (typeof apiRevision1 !== 'string' || typeof listener !== 'string') {
    throw new Error('the staging stack has no API task definition or HTTPS listener');
  }
  emulator.scenario.setRequestRate(listener, 20);
  emulator.scenario.setBehaviour(apiRevision1.replace(/:1$/, `:${BAD_REVISION_NUMBER}`), {
    errorRate: 0.3,
  });
}

/** Each environment's database: its connection written into the stack's own database secret
 * (the deploy document names it). */
async function connectDatabases(
  emulator: Emulator,
  postgres: PostgresServer,
  stacks: ReadonlyMap<string, LoadedStack>,
): Promise<Record<Environment, string>> {
  const databases = {} as Record<Environment, string>;
  for (const environment of Object.keys(ACCOUNTS) as Environment[]) {
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
  return databases;
}

/** The smoke check: the stacks' test listeners (the documents' ecs.smokeUrl) are names that do
 * not resolve here, so each canary is smoke-checked on a local /health that answers 200. */
async function startHealth(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    response.writeHead(request.url === '/health' ? 200 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health` };
}

/** promote.yml and rollback.yml take the smoke URL from the deploy document only: each
 * document's ecs.smokeUrl is pointed at the local /health, as a stack whose test listener the
 * runners reach. */
function pointSmokeUrls(
  emulator: Emulator,
  stacks: ReadonlyMap<string, LoadedStack>,
  smokeUrl: string,
): void {
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
      document.ecs.smokeUrl = smokeUrl;
      emulator.ssm.put(name, JSON.stringify(document));
    }
  }
}

/** The comment caller of the README, with the Slack webhook passed by name. */
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

/** The suite's references as a release writes them. */
const asReleased = (text: string) =>
  text.replace(/OWNER\/aws-ship-suite\/([^@\s]+)@main/g, `${SUITE}/$1@${SUITE_REF}`);

/** The app repository's checkout: its callers (the pipeline, promote and rollback templates, the
 * README's comment caller) and, where the runner resolves the suite's references, the suite's
 * workflows as a release writes them, its actions and bundles. */
function writeCheckout(scratch: string, smokeUrl: string): string {
  const checkout = join(scratch, 'checkout');
  const workflows = join(checkout, '.github/workflows');
  mkdirSync(workflows, { recursive: true });
  const template = readFileSync(
    join(suiteRoot, 'workflows-templates/aws-ship-suite-pipeline.yml'),
    'utf8',
  );
  const shipCaller = asReleased(template)
    .replace('[$default-branch]', '[main]')
    // No Docker here: the build runs buildah; canaries bake 1m (0.5 s at 120x).
    .replace(
      'test-command: npm ci && npm test',
      `test-command: ./test.sh\n      builder: buildah\n      canary-bake: 1m\n      bake-time: 1m\n      staging-smoke-url: ${smokeUrl}\n      production-smoke-url: ${smokeUrl}`,
    )
    .replace(/# site-command: .*/, 'site-command: ./site.sh');
  writeFileSync(join(workflows, 'ship.yml'), shipCaller);
  writeFileSync(join(workflows, 'pr.yml'), PR_CALLER);
  // The dispatch callers, as the templates are, their canaries baking 1m too.
  for (const name of ['promote', 'rollback']) {
    const text = readFileSync(
      join(suiteRoot, `workflows-templates/aws-ship-suite-${name}.yml`),
      'utf8',
    );
    const bakes = 'aws-region: ${{ vars.AWS_REGION }}';
    if (!text.includes(bakes)) throw new Error(`the ${name} template passes no aws-region`);
    writeFileSync(
      join(workflows, `${name}-caller.yml`),
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
    writeFileSync(join(workflows, name), asReleased(text));
  }
  linkSuite(checkout);
  return checkout;
}
