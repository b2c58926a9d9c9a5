// How the root action shows a deploy: a line per phase, the versioned result, a short summary table.
import type { DeployEnvironmentEvent } from '../../deploy/ports.ts';
import type { DeployEnvironmentResult } from '../../deploy/run.ts';
import type { Summary } from '../../runner/summary.ts';
import type { DeployConfig } from './inputs.ts';

export function describeEvent(
  event: DeployEnvironmentEvent,
  config: DeployConfig,
): string | undefined {
  if (event.type === 'recorded') {
    return `Deployment ${event.deploymentId} of ${config.record.sha} to ${config.environment}: ${event.state}.`;
  }
  if (event.type !== 'phase') return undefined;
  switch (event.phase) {
    case 'assume':
      return `Assuming ${config.canary.assume?.roleArn ?? 'the deploy role'} for ${config.environment}`;
    case 'plan':
      return 'Planning the expand migrations';
    case 'migrate':
      return 'Applying the expand migrations';
    default:
      return undefined;
  }
}

/** Which of the target the deploy document gave (the inputs given override it). */
export function describeTarget(config: DeployConfig): string {
  const document = config.document;
  if (document?.read !== true) throw new Error('describeTarget before the document was read');
  const gave = document.gave.map(([input, value]) => `${input} ${value}`).join(', ');
  return `Read the deploy document ${document.name}: ${gave}.`;
}

export function resultBody(
  config: DeployConfig,
  result: DeployEnvironmentResult,
  canary: Record<string, unknown> | undefined,
  migrations: unknown,
): Record<string, unknown> {
  return {
    outcome: result.outcome,
    ...(result.outcome === 'succeeded'
      ? {}
      : { failedPhase: result.failedPhase, reason: result.reason }),
    environment: config.environment,
    sha: config.record.sha,
    imageDigest: config.digest,
    deployDocument: config.document?.read ? config.document.name : null,
    deploymentId: result.deploymentId,
    migrationsApplied: result.migrationsApplied,
    migrations: migrations ?? null,
    canary: canary ?? null,
  };
}

export function summarize(
  summary: Summary,
  config: DeployConfig,
  result: DeployEnvironmentResult,
): void {
  const canary = result.canary;
  summary.table(
    ['', ''],
    [
      ['Environment', config.environment],
      [
        'Service',
        `\`${config.canary.deploy.service}\` in cluster \`${config.canary.deploy.cluster}\`${config.document?.read ? ` (deploy document \`${config.document.name}\`)` : ''}`,
      ],
      ['Release', `\`${config.digest}\``],
      ['Deployment', String(result.deploymentId)],
      ['Migrations applied', result.migrationsApplied.join(', ') || 'none'],
      ['Canary', canary ? `${canary.status ?? '—'} (verdict ${canary.verdict ?? '—'})` : 'not run'],
      [
        'Outcome',
        result.outcome === 'succeeded' ? 'succeeded' : `${result.outcome}: ${result.reason}`,
      ],
    ],
  );
}
