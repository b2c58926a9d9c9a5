// How oidc-assume shows what it did: log lines for the engine's events, outputs and the summary.
import { formatDuration } from '../../lib/durations.ts';
import type { ReadDocument } from '../../deploy-document/read.ts';
import type { AssumeEvent, AssumeResult } from '../../oidc/assume.ts';
import type { DeliveryRecord } from '../../oidc/delivery.ts';
import type { MainStep } from '../../runner/action.ts';
import type { Summary } from '../../runner/summary.ts';
import type { OUTPUTS, OidcAssumeConfig } from './inputs.ts';

type Step = MainStep<(typeof OUTPUTS)[number]>;

export function describeEvent(event: AssumeEvent): string {
  if (event.type === 'retrying') {
    return `${event.call} attempt ${event.attempt} failed: ${event.reason}; retrying in ${formatDuration(event.delayMs)}`;
  }
  return `${event.call}: assumed ${event.arn}, valid until ${event.expiration.toISOString()}`;
}

export function setOutputs(
  step: Step,
  config: OidcAssumeConfig,
  result: AssumeResult,
  document: ReadDocument | undefined,
): void {
  const expiration = result.credentials.expiration.toISOString();
  step.setOutput('aws-account-id', result.accountId);
  step.setOutput('authenticated-arn', result.arn);
  step.setOutput('aws-expiration', expiration);
  if (config.outputCredentials) {
    step.setOutput('aws-access-key-id', result.credentials.accessKeyId);
    step.setOutput('aws-secret-access-key', result.credentials.secretAccessKey);
    step.setOutput('aws-session-token', result.credentials.sessionToken);
  }
  if (document) step.setOutput('deploy-document', document.json);
  step.setResult({
    outcome: 'assumed',
    via: result.via,
    roleArn: config.roleArn,
    sessionName: config.sessionName,
    accountId: result.accountId,
    arn: result.arn,
    expiration,
    profile: config.profile ?? null,
    deployDocument: document?.name ?? null,
  });
}

export function summarize(
  summary: Summary,
  config: OidcAssumeConfig,
  result: AssumeResult,
  delivered: DeliveryRecord,
  document: ReadDocument | undefined,
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
        delivered.profile
          ? `profile \`${delivered.profile.name}\``
          : 'environment variables of later steps',
      ],
      ...(document
        ? [['Deploy document', `\`${document.name}\` (version ${document.document.version})`]]
        : []),
    ],
  );
}
