// The world the ecs-canary-deploy end-to-end tests run in: the AWS emulator at 120× (an emulated
// minute is half a second), the job's credentials in the environment, every run's log scanned
// for them, and one seeded app per test so nothing one test deploys disturbs another.
import { beforeAll, expect } from '@jest/globals';
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
  startOidcIssuer,
} from '../harness/index.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, expectSuccess, result } from './step-assertions.ts';

export const ACCOUNT = '123456789012';
/** With `oidcRole`: a role the job's OIDC token may assume. */
export const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;
/** The log line that says the canary takes production traffic (with CANARY_INPUTS_AT_120X). */
export const CANARY_TRAFFIC = /Traffic on the new revision: production 20%/;

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
  const started = () => {
    if (!emulator) throw new Error('the emulator starts in beforeAll');
    return emulator;
  };

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

  const steps = useActionSteps('actions/ecs-canary-deploy/action.yml', {
    defaults: () => ({
      env: {
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        AWS_ENDPOINT_URL: started().url,
      },
      timeoutMs: 50_000,
      ...(issuer ? { oidc: issuer } : {}),
    }),
    secrets: (runs) => {
      expect(runs.length).toBeGreaterThan(0);
      return [
        keys.secretAccessKey,
        ...(emulator?.sts.issuedSecrets() ?? []),
        ...(issuer ? [issuer.requestToken, ...issuer.issued.map((t) => t.token)] : []),
      ];
    },
    close: async () => {
      await issuer?.close();
      await emulator?.close();
    },
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
    run: (inputs, timeoutMs = 50_000, post = true) => steps.run({ inputs, timeoutMs, post }),
    start: (inputs, post = true) => steps.start({ inputs, post }),
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

/** The ARN revision `n` of the app's family gets when registered. */
export const revision = (app: BlueGreenApp, n: number) => app.v1.replace(/:1$/, `:${n}`);

/** A step that deployed: it succeeded and the deployment ended SUCCESSFUL. */
export function expectDeployed(run: ActionRun): void {
  expectSuccess(run);
  expect(run.outputs.status).toBe('SUCCESSFUL');
}

/** A step that failed because `decidedBy` rolled the deployment back, and the rollback finished. */
export function expectRolledBack(
  run: ActionRun,
  decidedBy: 'alarm' | 'analysis' | 'circuit-breaker',
): void {
  expectFailure(run, new RegExp(`^Rolled back \\(${decidedBy}\\): `));
  expect(run.outputs.status).toBe('ROLLBACK_SUCCESSFUL');
  expect(result(run)).toMatchObject({ outcome: 'rolled-back', decidedBy });
}
