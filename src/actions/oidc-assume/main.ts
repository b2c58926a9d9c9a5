// Adapter: runner inputs -> oidc engine -> exported credentials, outputs and summary.
// The post step (same bundle, run again by the runner) clears what main exported or wrote.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ssmParameterStore } from '../../aws/ssm.ts';
import { sdkStsPort } from '../../aws/sts.ts';
import { type ReadDocument, readDeployDocument } from '../../deploy-document/read.ts';
import { idTokenFetcher } from '../../github/id-token.ts';
import { sleep } from '../../lib/clock.ts';
import { type CredentialSource, assumeRole } from '../../oidc/assume.ts';
import { removeProfile, writeProfile } from '../../oidc/aws-profile.ts';
import {
  type DeliveryRecord,
  credentialVariables,
  deliveryRecord,
  planDelivery,
} from '../../oidc/delivery.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { OUTPUTS, type OidcAssumeConfig, parseInputs } from './inputs.ts';
import { describeEvent, setOutputs, summarize } from './report.ts';

export function run(runner: Runner = createRunner()): Promise<void> {
  return runAction({ name: 'oidc-assume', outputs: OUTPUTS, main, post }, runner);
}

async function main(step: MainStep<(typeof OUTPUTS)[number]>): Promise<void> {
  const { runner } = step;
  const config = parseInputs((name) => runner.input(name), runner.env);
  if (config.maskAccountId) runner.setSecret(config.roleArn.split(':')[4]!);
  if (config.chainFrom) {
    // Masked already if an earlier step of this job exported them; masking again costs nothing.
    runner.setSecret(config.chainFrom.secretAccessKey);
    if (config.chainFrom.sessionToken) runner.setSecret(config.chainFrom.sessionToken);
  }
  step.timeoutAfter(config.timeoutMs);

  const source = credentialSource(config, runner.env);
  runner.info(
    `Assuming ${config.roleArn} as session ${config.sessionName} in ${config.region} ${source.kind === 'web-identity' ? `with the job's OIDC token (audience ${config.audience})` : 'with the credentials already in the environment (role chaining)'}`,
  );
  const result = await assumeRole(
    {
      roleArn: config.roleArn,
      sessionName: config.sessionName,
      durationSeconds: config.durationSeconds,
      policies: config.policies,
      source,
      allowedAccountIds: config.allowedAccountIds,
      retry: config.retry,
    },
    {
      sts: sdkStsPort({
        region: config.region,
        env: runner.env,
        connectTimeoutMs: config.connectTimeoutMs,
        requestTimeoutMs: config.requestTimeoutMs,
        action: 'oidc-assume',
      }),
      mask: (secret) => runner.setSecret(secret),
      sleep,
      signal: step.signal,
      onEvent: (event) => runner.info(describeEvent(event)),
    },
  );
  if (config.maskAccountId) runner.setSecret(result.accountId);

  // Read before anything is delivered: a missing or bad document leaves the job without credentials.
  let document: ReadDocument | undefined;
  if (config.deployDocument) {
    document = await readDeployDocument(config.roleArn, {
      parameters: ssmParameterStore({
        region: config.region,
        credentials: result.credentials,
        env: runner.env,
        connectTimeoutMs: config.connectTimeoutMs,
        requestTimeoutMs: config.requestTimeoutMs,
        retry: config.retry,
        action: 'oidc-assume',
      }),
      signal: step.signal,
    });
    runner.info(
      `Read the deploy document ${document.name} (version ${document.document.version}).`,
    );
  }

  const delivery = planDelivery(result.credentials, {
    region: config.region,
    profile: config.profile,
    jobDirectory: join(runner.env.RUNNER_TEMP || tmpdir(), 'aws-ship-suite', 'aws'),
    env: runner.env,
  });
  const record = deliveryRecord(delivery);
  runner.saveState('delivered', JSON.stringify(record));
  if (delivery.profile) {
    const { name, files } = delivery.profile;
    await writeProfile(files, name, result.credentials, config.region);
    runner.info(
      `Wrote profile '${name}' to ${files.credentialsFile}; use it with --profile ${name} or AWS_PROFILE=${name}.`,
    );
  }
  for (const [name, value] of delivery.variables) runner.exportVariable(name, value);

  setOutputs(step, config, result, document);
  summarize(step.summary, config, result, record, document);
  runner.info(`Authenticated as ${result.arn} in account ${result.accountId}.`);
}

function credentialSource(config: OidcAssumeConfig, env: NodeJS.ProcessEnv): CredentialSource {
  if (config.chainFrom) {
    return {
      kind: 'role-chaining',
      credentials: config.chainFrom,
      ...(config.externalId ? { externalId: config.externalId } : {}),
    };
  }
  return {
    kind: 'web-identity',
    audience: config.audience,
    fetchIdToken: idTokenFetcher(env, config.requestTimeoutMs),
  };
}

async function post(runner: Runner): Promise<void> {
  const saved = runner.state('delivered');
  if (!saved) {
    runner.info('Nothing to clean up: the main step delivered no credentials.');
    return;
  }
  const record = JSON.parse(saved) as DeliveryRecord;
  const cleared = credentialVariables(record);
  for (const name of cleared) runner.exportVariable(name, '');
  if (record.profile) await removeProfile(record.profile.files, record.profile.name);
  runner.info(
    [
      cleared.length ? `Cleared ${cleared.join(', ')} for the rest of the job.` : '',
      record.profile
        ? `Removed profile '${record.profile.name}' from ${record.profile.files.credentialsFile}.`
        : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
}
