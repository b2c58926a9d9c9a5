// Adapter: runner inputs -> oidc engine -> exported credentials, outputs and summary.
// The post step (same bundle, run again by the runner) clears what main exported or wrote.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkStsPort } from '../../aws/sts.ts';
import { idTokenFetcher } from '../../github/id-token.ts';
import { sleep } from '../../lib/clock.ts';
import { formatDuration } from '../../lib/durations.ts';
import { UserError } from '../../lib/errors.ts';
import {
  type AssumeEvent,
  type AssumeResult,
  type CredentialSource,
  assumeRole,
} from '../../oidc/assume.ts';
import { type ProfileFiles, removeProfile, writeProfile } from '../../oidc/aws-profile.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import type { Summary } from '../../runner/summary.ts';
import { OUTPUTS, type OidcAssumeConfig, parseInputs } from './inputs.ts';

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;
type Output = (typeof OUTPUTS)[number];

interface SavedState {
  exported: string[];
  profile?: { name: string; files: ProfileFiles };
}

export function run(runner: Runner = createRunner()): Promise<void> {
  return runAction({ name: 'oidc-assume', outputs: OUTPUTS, main, post }, runner);
}

async function main(step: MainStep<Output>): Promise<void> {
  const { runner } = step;
  const config = parseInputs((name) => runner.input(name), runner.env);
  if (config.maskAccountId) runner.setSecret(config.roleArn.split(':')[4]!);
  const source = credentialSource(config, runner.env);
  if (source.kind === 'role-chaining') {
    // Masked already if an earlier step of this job exported them; masking again costs nothing.
    runner.setSecret(source.credentials.secretAccessKey);
    if (source.credentials.sessionToken) runner.setSecret(source.credentials.sessionToken);
  }
  step.timeoutAfter(config.timeoutMs);

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
  const state = await deliver(runner, config, result);
  setOutputs(step, config, result);
  summarize(step.summary, config, result, state);
  runner.info(`Authenticated as ${result.arn} in account ${result.accountId}.`);
}

function credentialSource(config: OidcAssumeConfig, env: NodeJS.ProcessEnv): CredentialSource {
  if (!config.roleChaining) {
    return {
      kind: 'web-identity',
      audience: config.audience,
      fetchIdToken: idTokenFetcher(env, config.requestTimeoutMs),
    };
  }
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new UserError(
      'role-chaining: true needs AWS credentials in the environment: run oidc-assume without role-chaining in an earlier step of this job.',
    );
  }
  return {
    kind: 'role-chaining',
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    ...(config.externalId ? { externalId: config.externalId } : {}),
  };
}

function describeEvent(event: AssumeEvent): string {
  if (event.type === 'retrying') {
    return `${event.call} attempt ${event.attempt} failed: ${event.reason}; retrying in ${formatDuration(event.delayMs)}`;
  }
  return `${event.call}: assumed ${event.arn}, valid until ${event.expiration.toISOString()}`;
}

/**
 * Credentials go to the environment of later steps, or to a named profile when one is asked for.
 * What will be written is saved for the post step first, so a failure half-way is cleaned up too.
 */
async function deliver(
  runner: Runner,
  config: OidcAssumeConfig,
  result: AssumeResult,
): Promise<SavedState> {
  const variables: [string, string][] = [
    ['AWS_REGION', config.region],
    ['AWS_DEFAULT_REGION', config.region],
  ];
  let profile: SavedState['profile'];
  if (config.profile === undefined) {
    variables.push(
      ['AWS_ACCESS_KEY_ID', result.credentials.accessKeyId],
      ['AWS_SECRET_ACCESS_KEY', result.credentials.secretAccessKey],
      ['AWS_SESSION_TOKEN', result.credentials.sessionToken],
    );
  } else {
    const jobDirectory = join(runner.env.RUNNER_TEMP || tmpdir(), 'aws-ship-suite', 'aws');
    const files: ProfileFiles = {
      credentialsFile: runner.env.AWS_SHARED_CREDENTIALS_FILE || join(jobDirectory, 'credentials'),
      configFile: runner.env.AWS_CONFIG_FILE || join(jobDirectory, 'config'),
    };
    if (!runner.env.AWS_SHARED_CREDENTIALS_FILE)
      variables.push(['AWS_SHARED_CREDENTIALS_FILE', files.credentialsFile]);
    if (!runner.env.AWS_CONFIG_FILE) variables.push(['AWS_CONFIG_FILE', files.configFile]);
    profile = { name: config.profile, files };
  }

  const state: SavedState = {
    exported: variables.map(([name]) => name),
    ...(profile ? { profile } : {}),
  };
  runner.saveState('delivered', JSON.stringify(state));
  if (profile) {
    await writeProfile(profile.files, profile.name, result.credentials, config.region);
    runner.info(
      `Wrote profile '${profile.name}' to ${profile.files.credentialsFile}; use it with --profile ${profile.name} or AWS_PROFILE=${profile.name}.`,
    );
  }
  for (const [name, value] of variables) runner.exportVariable(name, value);
  return state;
}

function setOutputs(step: MainStep<Output>, config: OidcAssumeConfig, result: AssumeResult): void {
  const expiration = result.credentials.expiration.toISOString();
  step.setOutput('aws-account-id', result.accountId);
  step.setOutput('authenticated-arn', result.arn);
  step.setOutput('aws-expiration', expiration);
  if (config.outputCredentials) {
    step.setOutput('aws-access-key-id', result.credentials.accessKeyId);
    step.setOutput('aws-secret-access-key', result.credentials.secretAccessKey);
    step.setOutput('aws-session-token', result.credentials.sessionToken);
  }
  step.setResult({
    outcome: 'assumed',
    via: result.via,
    roleArn: config.roleArn,
    sessionName: config.sessionName,
    accountId: result.accountId,
    arn: result.arn,
    expiration,
    profile: config.profile ?? null,
  });
}

function summarize(
  summary: Summary,
  config: OidcAssumeConfig,
  result: AssumeResult,
  state: SavedState,
): void {
  summary.table(
    ['', ''],
    [
      ['Role', `\`${config.roleArn}\``],
      ['Authenticated as', `\`${result.arn}\``],
      ['Session', `\`${config.sessionName}\``],
      [
        'Via',
        result.via === 'web-identity'
          ? `GitHub OIDC (audience \`${config.audience}\`)`
          : 'role chaining',
      ],
      ['Region', config.region],
      ['Expires', result.credentials.expiration.toISOString()],
      [
        'Credentials in',
        state.profile
          ? `profile \`${state.profile.name}\``
          : 'environment variables of later steps',
      ],
    ],
  );
}

async function post(runner: Runner): Promise<void> {
  const saved = runner.state('delivered');
  if (!saved) {
    runner.info('Nothing to clean up: the main step delivered no credentials.');
    return;
  }
  const state = JSON.parse(saved) as SavedState;
  const cleared = state.exported.filter((name) =>
    (CREDENTIAL_VARIABLES as readonly string[]).includes(name),
  );
  for (const name of cleared) runner.exportVariable(name, '');
  if (state.profile) await removeProfile(state.profile.files, state.profile.name);
  runner.info(
    [
      cleared.length ? `Cleared ${cleared.join(', ')} for the rest of the job.` : '',
      state.profile
        ? `Removed profile '${state.profile.name}' from ${state.profile.files.credentialsFile}.`
        : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
}
