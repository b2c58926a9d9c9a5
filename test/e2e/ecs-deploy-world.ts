// The world the ecs-canary-deploy end-to-end tests run in: the AWS emulator at 120× (an emulated
// minute is half a second), the job's credentials in the environment, every run's log scanned
// for them, and one seeded app per test so nothing one test deploys disturbs another.
import { afterAll, beforeAll, expect } from '@jest/globals';
import {
  CANARY_INPUTS_AT_120X,
  type BlueGreenApp,
  seedBlueGreenApp,
} from '../emulator/seed-app.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import {
  type ActionRun,
  type RunningAction,
  type OidcIssuer,
  cleanupActionRuns,
  expectNoSecretsIn,
  runAction,
  startAction,
  startOidcIssuer,
} from '../harness/index.ts';

const ACTION = 'actions/ecs-canary-deploy/action.yml';
export const ACCOUNT = '123456789012';
/** With `oidcRole`: a role the job's OIDC token may assume. */
export const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;

export interface EcsDeployWorld {
  readonly emulator: Emulator;
  /** With `oidcRole`: the job's OIDC issuer, trusted by DEPLOY_ROLE. */
  readonly issuer: OidcIssuer;
  /** A cluster, ALB and service `name`, steady on `<name>:1` (image tag v1), with production traffic. */
  app(name: string, requestsPerSecond?: number): BlueGreenApp;
  /** Fast canary inputs deploying `tag` of the app's image. */
  inputsFor(app: BlueGreenApp, tag: string, more?: Record<string, string>): Record<string, string>;
  run(inputs: Record<string, string>, timeoutMs?: number, post?: boolean): Promise<ActionRun>;
  start(inputs: Record<string, string>, post?: boolean): RunningAction;
  /** How many calls of an AWS action the emulator has answered. */
  calls(action: string): number;
  /** Task definitions of the app's RUNNING tasks, deduplicated. */
  running(app: BlueGreenApp): string[];
}

/** Registers the hooks of one test file and returns its world. */
export function useEcsDeployWorld(options: {
  keys: { accessKeyId: string; secretAccessKey: string };
  seed: number;
  /** Run every step as a job with `id-token: write`, and let its token assume DEPLOY_ROLE. */
  oidcRole?: boolean;
}): EcsDeployWorld {
  const { keys } = options;
  let emulator: Emulator | undefined;
  let issuer: OidcIssuer | undefined;
  const runs: ActionRun[] = [];
  const started = () => {
    if (!emulator) throw new Error('the emulator starts in beforeAll');
    return emulator;
  };
  const env = () => ({
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_ENDPOINT_URL: started().url,
  });

  const job = () => (issuer ? { oidc: issuer } : {});

  beforeAll(async () => {
    emulator = await startEmulator({ timeScale: 120, seed: options.seed });
    emulator.sts.addCredentials({ ...keys, arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
    if (options.oidcRole) {
      issuer = await startOidcIssuer({ context: { environment: 'production' } });
      emulator.sts.addOidcProvider({
        url: issuer.url,
        clientIds: ['sts.amazonaws.com'],
        accountId: ACCOUNT,
      });
      emulator.sts.addRole({
        arn: DEPLOY_ROLE,
        trust: {
          webIdentity: {
            issuer: issuer.url,
            audience: 'sts.amazonaws.com',
            subject: 'repo:octo-org/octo-app:environment:production',
          },
        },
      });
    }
  });

  afterAll(async () => {
    try {
      expect(runs.length).toBeGreaterThan(0);
      const secrets = [
        keys.secretAccessKey,
        ...(emulator?.sts.issuedSecrets() ?? []),
        ...(issuer ? [issuer.requestToken, ...issuer.issued.map((t) => t.token)] : []),
      ];
      for (const run of runs) expectNoSecretsIn(run, secrets);
    } finally {
      await issuer?.close();
      await emulator?.close();
      await cleanupActionRuns();
    }
  });

  return {
    get emulator() {
      return started();
    },
    get issuer() {
      if (!issuer) throw new Error('the issuer starts in beforeAll, with oidcRole: true');
      return issuer;
    },
    app: (name, requestsPerSecond) =>
      seedBlueGreenApp(started(), {
        name,
        account: ACCOUNT,
        ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }),
      }),
    inputsFor: (app, tag, more = {}) => ({
      ...CANARY_INPUTS_AT_120X,
      'aws-region': 'us-east-1',
      cluster: app.cluster,
      service: app.name,
      images: `app=${app.image(tag)}`,
      ...more,
    }),
    async run(inputs, timeoutMs = 50_000, post = true) {
      const result = await runAction({
        action: ACTION,
        inputs,
        env: env(),
        timeoutMs,
        post,
        ...job(),
      });
      runs.push(result);
      return result;
    },
    start(inputs, post = true) {
      const running = startAction({
        action: ACTION,
        inputs,
        env: env(),
        timeoutMs: 50_000,
        post,
        ...job(),
      });
      void running.result.then(
        (r) => runs.push(r),
        () => undefined,
      );
      return running;
    },
    calls: (action) => started().calls.filter((c) => c.action === action).length,
    running: (app) => [
      ...new Set(
        started()
          .ecs.tasks()
          .filter(
            (t) => t.lastStatus === 'RUNNING' && t.clusterArn?.endsWith(`:cluster/${app.cluster}`),
          )
          .map((t) => t.taskDefinitionArn ?? ''),
      ),
    ],
  };
}
