// Where assumed credentials go: the environment of later steps, or a named profile in the shared
// credentials and config files. What will be exported is decided here, before anything is written,
// so the post step can clean up after a failure half-way too.
import { join } from 'node:path';
import type { ProfileFiles } from './aws-profile.ts';
import type { AwsCredentials } from './ports.ts';

const CREDENTIAL_VARIABLES: readonly string[] = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

export interface DeliveryEnv {
  AWS_SHARED_CREDENTIALS_FILE?: string | undefined;
  AWS_CONFIG_FILE?: string | undefined;
}

export interface Delivery {
  /** Variables to export to later steps, in order. */
  variables: [name: string, value: string][];
  profile?: { name: string; files: ProfileFiles };
}

/** What the post step needs to undo a delivery. */
export interface DeliveryRecord {
  exported: string[];
  profile?: { name: string; files: ProfileFiles };
}

export function planDelivery(
  credentials: Required<AwsCredentials>,
  options: { region: string; profile: string | undefined; jobDirectory: string; env: DeliveryEnv },
): Delivery {
  const { region, profile, jobDirectory, env } = options;
  const variables: Delivery['variables'] = [
    ['AWS_REGION', region],
    ['AWS_DEFAULT_REGION', region],
  ];
  if (profile === undefined) {
    variables.push(
      ['AWS_ACCESS_KEY_ID', credentials.accessKeyId],
      ['AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey],
      ['AWS_SESSION_TOKEN', credentials.sessionToken],
    );
    return { variables };
  }
  // Files the job already points at are shared with its other steps; otherwise the job's own.
  const files: ProfileFiles = {
    credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE || join(jobDirectory, 'credentials'),
    configFile: env.AWS_CONFIG_FILE || join(jobDirectory, 'config'),
  };
  if (!env.AWS_SHARED_CREDENTIALS_FILE)
    variables.push(['AWS_SHARED_CREDENTIALS_FILE', files.credentialsFile]);
  if (!env.AWS_CONFIG_FILE) variables.push(['AWS_CONFIG_FILE', files.configFile]);
  return { variables, profile: { name: profile, files } };
}

export function deliveryRecord(delivery: Delivery): DeliveryRecord {
  return {
    exported: delivery.variables.map(([name]) => name),
    ...(delivery.profile ? { profile: delivery.profile } : {}),
  };
}

/** The credential variables a delivery exported: the post step clears these, and only these. */
export function credentialVariables(record: DeliveryRecord): string[] {
  return record.exported.filter((name) => CREDENTIAL_VARIABLES.includes(name));
}
