// A local rehearsal of the suite's deploy flow: the bundled actions run exactly as the runner
// runs them, against the AWS emulator and a local GitHub OIDC issuer. It grows with each action;
// today: the credentials every deploy job starts with (oidc-assume), then canary deployments to
// staging (ecs-canary-deploy), one healthy and one whose 5xx rate makes it roll back. The
// emulator runs ECS 120x faster than the wall clock: a minute of bake takes half a second.
//
//   ./dev rehearse            (or: npm run build && npm run rehearse)
import { CANARY_INPUTS_AT_120X, seedBlueGreenApp } from '../test/emulator/seed-app.ts';
import { startEmulator } from '../test/emulator/server.ts';
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
const STAGING_ROLE = 'arn:aws:iam::111122223333:role/octo-app-deploy-staging';
const PRODUCTION_ROLE = 'arn:aws:iam::444455556666:role/octo-app-deploy-production';
const ARTIFACTS_ROLE = 'arn:aws:iam::777788889999:role/octo-app-artifacts';
const subject = (environment: string) => `repo:${ORG}/${REPO}:environment:${environment}`;
const WORKFLOW = `${ORG}/${REPO}/.github/workflows/deploy.yml@refs/heads/main`;

const issuer = await startOidcIssuer({
  context: { owner: ORG, repo: REPO, environment: 'staging', ref: 'refs/heads/main' },
});
const trustFor = (environment: string) => ({
  webIdentity: { issuer: issuer.url, audience: 'sts.amazonaws.com', subject: subject(environment) },
});
const emulator = await startEmulator({
  timeScale: 120,
  seed: 7,
  sts: {
    oidcProviders: [
      { url: issuer.url, clientIds: ['sts.amazonaws.com'], accountId: '111122223333' },
      { url: issuer.url, clientIds: ['sts.amazonaws.com'], accountId: '444455556666' },
    ],
    roles: [
      { arn: STAGING_ROLE, trust: trustFor('staging') },
      { arn: PRODUCTION_ROLE, trust: trustFor('production') },
      { arn: ARTIFACTS_ROLE, trust: { principals: [PRODUCTION_ROLE], externalId: 'octo-release' } },
    ],
  },
});

// Staging's ECS service `shop`, steady on shop:1 behind an ALB with blue/green target groups.
const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop';
const shop = seedBlueGreenApp(emulator, { name: 'shop', cluster: 'staging', repository: ECR });
// shop:3 answers 30 % of its requests with a 5xx.
emulator.scenario.setBehaviour(shop.v1.replace(/:1$/, ':3'), { errorRate: 0.3 });

const CANARY = {
  ...CANARY_INPUTS_AT_120X,
  'aws-region': 'eu-west-1',
  cluster: 'staging',
  service: 'shop',
};

interface Step {
  action?: string;
  title: string;
  environment: string;
  inputs: Record<string, string>;
  env?: (previous: ActionRun[]) => Record<string, string>;
  oidc?: boolean;
  expect: 'success' | 'failure';
}

const steps: Step[] = [
  {
    title: 'staging job: assume the staging deploy role',
    environment: 'staging',
    inputs: { 'role-to-assume': STAGING_ROLE, 'allowed-account-ids': '111122223333' },
    expect: 'success',
  },
  {
    action: 'ecs-canary-deploy',
    title: 'staging job: deploy shop v2 as a canary (20 % of traffic, judged against v1)',
    environment: 'staging',
    inputs: { ...CANARY, images: `app=${ECR}:v2` },
    env: (previous) => previous[0]!.exportedEnv,
    oidc: false,
    expect: 'success',
  },
  {
    action: 'ecs-canary-deploy',
    title: 'staging job: deploy shop v3, whose 5xx rate makes the analysis roll it back',
    environment: 'staging',
    inputs: { ...CANARY, images: `app=${ECR}:v3` },
    env: (previous) => previous[0]!.exportedEnv,
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
    title: 'production job (after approval): assume the production deploy role',
    environment: 'production',
    inputs: { 'role-to-assume': PRODUCTION_ROLE, 'allowed-account-ids': '444455556666' },
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
    env: (previous) => previous.at(-1)!.exportedEnv,
    oidc: false,
    expect: 'success',
  },
];

const runs: ActionRun[] = [];
const rows: string[][] = [];
let mismatches = 0;
try {
  console.log(`AWS emulator: ${emulator.url}    OIDC issuer: ${issuer.url}`);
  console.log(
    `Bundles: dist/<action>/index.js, run as the runner runs them (node ${process.version})\n`,
  );
  for (const [index, step] of steps.entries()) {
    issuer.setContext({ environment: step.environment, jobWorkflowRef: WORKFLOW });
    const run = await runAction({
      action: `actions/${step.action ?? 'oidc-assume'}/action.yml`,
      timeoutMs: 60_000,
      inputs: { 'aws-region': 'eu-west-1', ...step.inputs },
      ...(step.oidc === false ? {} : { oidc: issuer }),
      env: { AWS_ENDPOINT_URL: emulator.url, ...step.env?.(runs) },
    });
    runs.push(run);
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
      step.inputs['role-to-assume']?.split('/').pop() ?? step.inputs.images ?? '',
      outcome,
      run.outputs['aws-account-id'] ?? run.outputs.status ?? '-',
      `${run.durationMs.toFixed(0)} ms`,
    ]);
  }

  const secrets = [
    issuer.requestToken,
    ...issuer.issued.map((t) => t.token),
    ...runs.flatMap((r) => [
      r.exportedEnv.AWS_SECRET_ACCESS_KEY ?? '',
      r.exportedEnv.AWS_SESSION_TOKEN ?? '',
    ]),
  ];
  const leaks = runs.flatMap((run) => findLeakedSecrets(run, secrets));
  console.log(
    'step | environment | action | role or image | outcome | account or ECS status | time',
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
  await cleanupActionRuns();
}
