// The root action (action.yml at the repository's root, dist/deploy/) run as the runner runs it:
// one environment deployed in one step against the AWS emulator at 120x, the GitHub emulator and
// PostgreSQL. The step assumes the deploy role with the job's OIDC token, applies the expand
// migrations, runs the canary of the digest and records all of it as a GitHub Deployment.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CANARY_INPUTS_AT_120X,
  type BlueGreenApp,
  seedBlueGreenApp,
} from '../emulator/seed-app.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import { type PostgresServer, startPostgres } from '../postgres/server.ts';
import { type ActionRun, type OidcIssuer, startOidcIssuer } from '../harness/index.ts';
import { writeOrdersMigrations } from '../flow/app-migrations.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, expectSuccess, result } from './step-assertions.ts';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-deploy-staging`;
const REGISTRY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const DIGEST = `sha256:${'4f'.repeat(32)}`;
/** The harness's default github.sha, known to the GitHub emulator. */
const SHA = 'a3f1c9e07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f';
const TOKEN = 'ghs_rootactione2e000000000000000000000000';
/** The canary's fast inputs but hook-timeout, which the root action leaves at its default. */
const FAST = Object.fromEntries(
  Object.entries(CANARY_INPUTS_AT_120X).filter(([name]) => name !== 'hook-timeout'),
);

let emulator: Emulator;
let github: GitHubEmulator;
let repository: Repository;
let issuer: OidcIssuer;
let postgres: PostgresServer;
let database: string;
let workspace: string;

/**
 * With LOAD_HOOK_LOG=<file> in the test's environment, every step logs what it loads from
 * dist/deploy/ (bench/load-hook.mjs; the figures in bench/README.md).
 */
const LOAD_HOOK = process.env['LOAD_HOOK_LOG']
  ? {
      NODE_OPTIONS: `--import=${new URL('../../bench/load-hook.mjs', import.meta.url).pathname}`,
      LOAD_HOOK_LOG: process.env['LOAD_HOOK_LOG'],
    }
  : {};

const steps = useActionSteps('action.yml', {
  defaults: () => ({
    env: { AWS_ENDPOINT_URL: emulator.url, GITHUB_API_URL: github.url, ...LOAD_HOOK },
    oidc: issuer,
    githubToken: TOKEN,
    cwd: workspace,
    timeoutMs: 50_000,
  }),
  secrets: (runs) => {
    expect(runs.length).toBeGreaterThanOrEqual(3);
    return [
      TOKEN,
      issuer.requestToken,
      ...issuer.issued.map((t) => t.token),
      ...emulator.sts.issuedSecrets(),
      postgres.password,
    ];
  },
  close: async () => {
    await issuer?.close();
    await emulator?.close();
    await github?.close();
    await postgres?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  },
});

beforeAll(async () => {
  issuer = await startOidcIssuer({ context: { environment: 'staging' } });
  github = await startGitHubEmulator();
  repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
  repository.commits.add(SHA);
  github.addToken({
    token: TOKEN,
    permissions: { contents: 'read', deployments: 'write' },
    repositories: ['octo-org/octo-app'],
  });
  emulator = await startEmulator({ timeScale: 120, seed: 23 });
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
      },
    },
  });
  postgres = await startPostgres();
  database = await postgres.createDatabase('shop');
  putDatabaseSecret('staging/shop/db', database);
  workspace = mkdtempSync(join(tmpdir(), 'root-action-'));
  writeOrdersMigrations(workspace);
});

/** The database's connection in Secrets Manager, in RDS's secret shape. */
function putDatabaseSecret(id: string, dbname: string): void {
  emulator.secretsManager.put(id, {
    engine: 'postgres',
    username: postgres.user,
    password: postgres.password,
    host: '127.0.0.1',
    port: postgres.port,
    dbname,
  });
}

function app(name: string): BlueGreenApp {
  return seedBlueGreenApp(emulator, { name, account: ACCOUNT, repository: `${REGISTRY}/${name}` });
}

const inputsFor = (target: BlueGreenApp, more: Record<string, string> = {}) => ({
  ...FAST,
  environment: 'staging',
  'role-to-assume': ROLE,
  'aws-region': 'us-east-1',
  cluster: target.cluster,
  service: target.name,
  'image-repository': `${REGISTRY}/${target.name}`,
  digest: DIGEST,
  ...more,
});

const running = (target: BlueGreenApp) => [
  ...new Set(
    emulator.ecs
      .tasks()
      .filter(
        (t) => t.lastStatus === 'RUNNING' && t.clusterArn?.endsWith(`:cluster/${target.cluster}`),
      )
      .map((t) => t.taskDefinitionArn ?? ''),
  ),
];
const imageOf = (arn: string) =>
  emulator.ecs.taskDefinitions.byArn(arn)?.definition.containerDefinitions?.[0]?.image;
/** Calls that change a service or register a revision. */
const serviceChanges = () =>
  emulator.calls.filter((c) =>
    ['RegisterTaskDefinition', 'UpdateService', 'CreateService'].includes(c.action),
  ).length;
const records = () =>
  repository.deployments.map((d) => ({
    id: d.id,
    environment: d.environment,
    sha: d.sha,
    payload: d.payload,
    states: d.statuses.map((s) => s.state),
  }));

describe('the root action', () => {
  describe('deploys one environment in one step', () => {
    let shop: BlueGreenApp;
    let run: ActionRun;
    beforeAll(async () => {
      shop = app('shop');
      run = await steps.run({ inputs: inputsFor(shop, { 'secret-id': 'staging/shop/db' }) });
    }, 60_000);

    it('succeeds, with the canary and the record in its outputs', () => {
      expectSuccess(run);
      expect(run.outputs).toMatchObject({
        status: 'SUCCESSFUL',
        verdict: 'pass',
        'migrations-applied': '2',
        'task-definition-arn': shop.v1.replace(/:1$/, ':2'),
        'deployment-id': String(repository.deployments[0]?.id),
      });
      expect(result(run)).toMatchObject({
        version: 1,
        outcome: 'succeeded',
        environment: 'staging',
        sha: SHA,
        imageDigest: DIGEST,
        migrationsApplied: ['1', '2'],
        canary: { outcome: 'succeeded', status: 'SUCCESSFUL' },
      });
    });

    it('records a GitHub Deployment: in_progress, then success, with the digest and migrations', () => {
      expect(records()).toEqual([
        {
          id: expect.any(Number),
          environment: 'staging',
          sha: SHA,
          payload: expect.objectContaining({
            imageDigest: DIGEST,
            migrationVersions: ['1', '2'],
            command: 'push',
            actor: 'octocat',
          }),
          states: ['in_progress', 'success'],
        },
      ]);
    });

    it('applies the expand migrations and leaves the contract one', async () => {
      const columns = await postgres.query<{ column_name: string }>(
        database,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY 1",
      );
      expect(columns.map((row) => row.column_name)).toEqual(['id', 'placed_at', 'status']);
    });

    it('runs the digest, by digest, on the service', () => {
      const [arn, ...others] = running(shop);
      expect(others).toEqual([]);
      expect(imageOf(arn ?? '')).toBe(`${REGISTRY}/shop@${DIGEST}`);
    });

    it("assumes the role with the job's OIDC token, once for the whole step", () => {
      expect(emulator.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity')).toHaveLength(
        1,
      );
    });
  });

  it.each([
    ['a digest that is not one', { digest: 'latest' }, /^Input 'digest' is 'latest': use sha256:/],
    [
      'an image repository with a tag',
      { 'image-repository': `${REGISTRY}/cart:v2` },
      /Input 'image-repository'/,
    ],
    ['a bad canary-percent', { 'canary-percent': '0' }, /^Input 'canary-percent' is '0'/],
    ['a role name', { 'role-to-assume': 'deployer' }, /^Input 'role-to-assume' is 'deployer'/],
    ['a bad environment', { environment: 'stag ing' }, /^Input 'environment' is 'stag ing'/],
    ['a commit that is not one', { ref: 'main' }, /^Input 'ref' is 'main'/],
  ])(
    'refuses %s before anything: one line, no AWS call, no Deployment',
    async (_, bad, message) => {
      const cart = app(`cart${Math.floor(Math.random() * 1e6)}`);
      const calls = emulator.calls.length;
      const deployments = repository.deployments.length;
      const run = await steps.run({ inputs: inputsFor(cart, bad) });
      expectFailure(run, message);
      expect(result(run)).toMatchObject({ version: 1, outcome: 'failed' });
      expect(emulator.calls.length).toBe(calls);
      expect(repository.deployments.length).toBe(deployments);
    },
  );

  describe('a canary that fails its analysis', () => {
    let cart: BlueGreenApp;
    let run: ActionRun;
    beforeAll(async () => {
      cart = app('cart');
      emulator.scenario.setBehaviour(cart.v1.replace(/:1$/, ':2'), { errorRate: 0.3 });
      run = await steps.run({ inputs: inputsFor(cart) });
    }, 60_000);

    it('is rolled back and the step fails with the reason', () => {
      expectFailure(run, /^Rolled back \(analysis\): /);
      expect(run.outputs.status).toBe('ROLLBACK_SUCCESSFUL');
      expect(run.outputs['migrations-applied']).toBe('0');
      expect(result(run)).toMatchObject({
        outcome: 'rolled-back',
        failedPhase: 'canary',
        canary: { outcome: 'rolled-back', decidedBy: 'analysis' },
      });
      expect(running(cart)).toEqual([cart.v1]);
    });

    it('records the Deployment as failure', () => {
      const record = records().at(-1);
      expect(record).toMatchObject({
        environment: 'staging',
        states: ['in_progress', 'failure'],
        payload: expect.objectContaining({ imageDigest: DIGEST, migrationVersions: [] }),
      });
      expect(run.outputs['deployment-id']).toBe(String(record?.id));
    });
  });

  describe('a migration that fails', () => {
    let orders: BlueGreenApp;
    let run: ActionRun;
    let brokenWorkspace: string;
    let changesBefore: number;
    beforeAll(async () => {
      orders = app('orders');
      const brokenDatabase = await postgres.createDatabase('orders');
      putDatabaseSecret('staging/orders/db', brokenDatabase);
      brokenWorkspace = mkdtempSync(join(tmpdir(), 'root-action-broken-'));
      mkdirSync(join(brokenWorkspace, 'migrations'));
      writeFileSync(
        join(brokenWorkspace, 'migrations', 'V1__orders.sql'),
        'CREATE TABLE orders (id bigint PRIMARY KEY);\n',
      );
      writeFileSync(
        join(brokenWorkspace, 'migrations', 'V2__refunds.sql'),
        'ALTER TABLE refunds ADD COLUMN reason text;\n',
      );
      changesBefore = serviceChanges();
      run = await steps.run({
        inputs: inputsFor(orders, { 'secret-id': 'staging/orders/db' }),
        cwd: brokenWorkspace,
      });
    }, 60_000);
    afterAll(() => rmSync(brokenWorkspace, { recursive: true, force: true }));

    it('stops before the canary: no task definition registered, the service untouched', () => {
      expectFailure(run, /^The migrations failed, so the canary did not start: .*refunds/);
      expect(run.outputs['migrations-applied']).toBe('1');
      expect(result(run)).toMatchObject({
        outcome: 'failed',
        failedPhase: 'migrate',
        migrationsApplied: ['1'],
        canary: null,
      });
      expect(running(orders)).toEqual([orders.v1]);
      expect(serviceChanges()).toBe(changesBefore);
    });

    it('records the Deployment as failure, with the versions it meant to apply', () => {
      expect(records().at(-1)).toMatchObject({
        environment: 'staging',
        states: ['in_progress', 'failure'],
        payload: expect.objectContaining({ migrationVersions: ['1', '2'] }),
      });
    });
  });

  describe('with the deploy document', () => {
    // The document the stack writes for the role (infra/lib/ship-stack.ts), the fields a deploy reads.
    const NAME = '/aws-ship-suite/shop-deploy-staging';
    const documentOf = (target: BlueGreenApp, more: Record<string, unknown> = {}) =>
      JSON.stringify({
        version: 1,
        environment: 'staging',
        deployRoleArn: ROLE,
        ecr: { repositoryName: target.name, repositoryUri: `${REGISTRY}/${target.name}` },
        ecs: { cluster: target.cluster, service: target.name },
        alarms: { canary: [] },
        ...more,
      });
    /** Only what a caller must give: the rest is the document's. */
    const minimal = {
      ...FAST,
      environment: 'staging',
      'role-to-assume': ROLE,
      'aws-region': 'us-east-1',
      digest: DIGEST,
    };
    const ssmReads = () => emulator.calls.filter((c) => c.service === 'ssm').length;
    afterAll(() => emulator.ssm.delete(NAME));

    describe('given only the environment, the role, the region and the digest', () => {
      let parcel: BlueGreenApp;
      let run: ActionRun;
      let readsBefore: number;
      beforeAll(async () => {
        parcel = app('parcel');
        putDatabaseSecret('staging/parcel/db', await postgres.createDatabase('parcel'));
        emulator.ssm.put(
          NAME,
          documentOf(parcel, { migration: { databaseSecretArn: 'staging/parcel/db' } }),
        );
        readsBefore = ssmReads();
        run = await steps.run({ inputs: minimal });
      }, 60_000);

      it('deploys the digest to the service the document names, its migrations applied', () => {
        expectSuccess(run);
        expect(run.outputs).toMatchObject({ status: 'SUCCESSFUL', 'migrations-applied': '2' });
        expect(result(run)).toMatchObject({
          outcome: 'succeeded',
          deployDocument: NAME,
          migrationsApplied: ['1', '2'],
        });
        const [arn, ...others] = running(parcel);
        expect(others).toEqual([]);
        expect(imageOf(arn ?? '')).toBe(`${REGISTRY}/parcel@${DIGEST}`);
      });

      it('reads the document once, with the assumed role, and says what it took from it', () => {
        expect(ssmReads() - readsBefore).toBe(1);
        expect(run.log).toContain(
          `Read the deploy document ${NAME}: image-repository ${REGISTRY}/parcel, cluster ${parcel.cluster}, service parcel, secret-id staging/parcel/db.`,
        );
      });
    });

    it('an input given overrides the document', async () => {
      const crate = app('crate');
      emulator.ssm.put(
        NAME,
        documentOf(crate, { ecs: { cluster: 'not-this-cluster', service: 'not-this-service' } }),
      );
      const run = await steps.run({
        inputs: { ...minimal, cluster: crate.cluster, service: crate.name },
      });
      expectSuccess(run);
      expect(run.log).toContain(
        `Read the deploy document ${NAME}: image-repository ${REGISTRY}/crate.`,
      );
      expect(imageOf(running(crate)[0] ?? '')).toBe(`${REGISTRY}/crate@${DIGEST}`);
    }, 60_000);

    it('reads no document when the inputs name the whole target', async () => {
      const tote = app('tote');
      emulator.ssm.delete(NAME);
      const readsBefore = ssmReads();
      const run = await steps.run({ inputs: inputsFor(tote) });
      expectSuccess(run);
      expect(ssmReads()).toBe(readsBefore);
      expect(result(run)).toMatchObject({ deployDocument: null });
    }, 60_000);

    it.each([
      [
        'absent',
        undefined,
        /^no deploy document at \/aws-ship-suite\/shop-deploy-staging: deploy the stack \(infra\/\), check role-to-assume, or give image-repository, cluster and service as inputs$/,
      ],
      [
        'of another version',
        JSON.stringify({
          version: 2,
          ecr: { repositoryName: 'x' },
          ecs: { cluster: 'c', service: 's' },
        }),
        /^The deploy document at \/aws-ship-suite\/shop-deploy-staging has version 2; /,
      ],
      [
        'without a repository URI',
        JSON.stringify({
          version: 1,
          ecr: { repositoryName: 'x' },
          ecs: { cluster: 'c', service: 's' },
        }),
        /^Input 'image-repository' is empty and the deploy document at \/aws-ship-suite\/shop-deploy-staging has no ecr.repositoryUri: /,
      ],
      [
        'naming a cluster no deploy can use',
        JSON.stringify({
          version: 1,
          ecr: { repositoryName: 'x', repositoryUri: `${REGISTRY}/x` },
          ecs: { cluster: 'a b', service: 's' },
        }),
        /^The deploy document at \/aws-ship-suite\/shop-deploy-staging gives ecs.cluster 'a b', which this deploy cannot use \(Input 'cluster' .*\): redeploy the stack \(infra\/\), or give cluster as an input\.$/,
      ],
    ])(
      'a document %s: one line, after the assume and the read only, no Deployment',
      async (_, document, message) => {
        if (document === undefined) emulator.ssm.delete(NAME);
        else emulator.ssm.put(NAME, document);
        const calls = emulator.calls.length;
        const deployments = repository.deployments.length;
        const run = await steps.run({ inputs: minimal });
        expectFailure(run, message);
        expect(result(run)).toMatchObject({ version: 1, outcome: 'failed' });
        // The assume (and its identity check) and the read: nothing else reached AWS.
        expect(emulator.calls.slice(calls).map((c) => c.action)).toEqual([
          'AssumeRoleWithWebIdentity',
          'GetCallerIdentity',
          'GetParameter',
        ]);
        expect(repository.deployments.length).toBe(deployments);
        expect(run.post?.exitCode).toBe(0);
      },
    );

    it('a bad input is refused before the role is assumed, the document unread', async () => {
      const calls = emulator.calls.length;
      const run = await steps.run({ inputs: { ...minimal, 'canary-percent': '0' } });
      expectFailure(run, /^Input 'canary-percent' is '0'/);
      expect(emulator.calls.length).toBe(calls);
    });
  });

  it('cancelled mid-canary: rolled back, the old revision serving, the Deployment inactive', async () => {
    const basket = app('basket');
    const step = steps.start({ inputs: inputsFor(basket) });
    await step.waitForOutput(/Traffic on the new revision: production 20%/, 30_000);
    const run = await step.cancel({ sigintTimeoutMs: 10_000, sigtermTimeoutMs: 2000 });
    expectFailure(run, /^Rolled back \(cancelled\): /);
    expect(result(run)).toMatchObject({ outcome: 'rolled-back', failedPhase: 'canary' });
    expect(run.post?.log).toMatch(/Nothing to roll back/);
    const final = await emulator.ecs.settled(run.outputs['service-deployment-arn'] ?? '');
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(running(basket)).toEqual([basket.v1]);
    expect(records().at(-1)).toMatchObject({
      id: Number(run.outputs['deployment-id']),
      states: ['in_progress', 'inactive'],
    });
  }, 60_000);

  it('main killed mid-canary: the post step rolls back and records the Deployment as failure', async () => {
    const till = app('till');
    const step = steps.start({ inputs: inputsFor(till) });
    await step.waitForOutput(/Traffic on the new revision: production 20%/, 30_000);
    step.kill('SIGKILL');
    const run = await step.result;
    expect(run.signal).toBe('SIGKILL');
    expect(run.post?.log).toMatch(/The main step did not finish: rolling back/);
    expect(run.post?.log).toMatch(/failure \(the main step ended before it recorded the outcome\)/);
    expect(run.post?.exitCode).toBe(0);
    const final = await emulator.ecs.settled(run.outputs['service-deployment-arn'] ?? '');
    expect(final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(running(till)).toEqual([till.v1]);
    expect(records().at(-1)).toMatchObject({
      id: Number(run.outputs['deployment-id']),
      states: ['in_progress', 'failure'],
    });
  }, 60_000);
});
