// What a deploy-command run shows: its outputs (only values the engine checked), one line in the
// log, and a short table in the job summary. The comment's text is never printed.
import type { CommandResult } from '../../deploy-command/command.ts';
import type { DispatchResult } from '../../deploy-command/dispatch.ts';
import { statusTables } from '../../deploy-command/replies.ts';
import type { Summary } from '../../runner/summary.ts';
import type { OUTPUTS } from './inputs.ts';

type Output = (typeof OUTPUTS)[number];
export type Outputs = Partial<Record<Exclude<Output, 'result'>, string>>;

export function commandOutputs(result: CommandResult, commentId: number): Outputs {
  const base: Outputs = { decision: result.decision, 'comment-id': String(commentId) };
  switch (result.decision) {
    case 'ignored':
      return { ...base, 'reason-code': result.reasonCode };
    case 'rejected':
      return {
        ...base,
        'reason-code': result.reasonCode,
        command: result.verb,
        environment: result.environment ?? '',
        actor: result.actor,
      };
    case 'done':
      return {
        ...base,
        command: result.verb,
        environment: result.environment ?? '',
        actor: result.actor,
      };
    case 'proceed':
      return {
        ...base,
        command: result.verb,
        environment: result.environment,
        sha: result.sha,
        'dry-run': String(result.dryRun),
        force: String(result.force),
        'pull-request': String(result.pullRequest),
        actor: result.actor,
        'image-digest': result.imageDigest ?? '',
        'source-deployment-id':
          result.sourceDeploymentId === undefined ? '' : String(result.sourceDeploymentId),
        'needs-approval': String(result.needsApproval),
      };
  }
}

export function logLine(result: CommandResult): string {
  switch (result.decision) {
    case 'ignored':
      return `Ignored (${result.reasonCode}): ${result.reason}`;
    case 'rejected':
      return `Refused (${result.reasonCode}): ${result.reason}`;
    case 'done':
      return `Done: ${result.reason}`;
    case 'proceed':
      return `Go: ${result.reason}`;
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function summarise(summary: Summary, result: CommandResult): void {
  const row =
    result.decision === 'ignored'
      ? ['ignored', '', '', '', '', result.reason]
      : [
          result.decision,
          result.verb,
          result.environment ?? '',
          result.decision === 'proceed' ? `\`${result.sha}\`` : '',
          `@${result.actor}`,
          result.reason,
        ];
  summary.paragraph(
    `| decision | command | environment | commit | by | why |\n| --- | --- | --- | --- | --- | --- |\n| ${row.map(cell).join(' | ')} |`,
  );
  if (result.decision === 'done' && result.status !== undefined) {
    summary.paragraph(statusTables(result.status));
  }
}

export function dispatchOutputs(result: DispatchResult): Outputs {
  const base: Outputs = {
    decision: result.decision,
    command: result.verb,
    environment: result.environment,
    actor: result.actor,
  };
  if (result.decision === 'rejected') return { ...base, 'reason-code': result.reasonCode };
  return {
    ...base,
    sha: result.sha,
    'image-digest': result.imageDigest,
    'source-deployment-id': String(result.sourceDeploymentId),
    'site-release': result.siteRelease ?? '',
    'site-artifact': result.siteArtifact?.name ?? '',
    'site-run-id': result.siteArtifact ? String(result.siteArtifact.runId) : '',
    'needs-approval': String(result.needsApproval),
  };
}

export function summariseDispatch(summary: Summary, result: DispatchResult): void {
  const row = [
    result.decision,
    result.verb,
    result.environment,
    result.decision === 'proceed' ? `\`${result.sha}\`` : '',
    result.decision === 'proceed' ? `\`${result.imageDigest}\`` : '',
    result.decision === 'proceed' ? (result.siteRelease ?? '') : '',
    `@${result.actor}`,
    result.reason,
  ];
  summary.paragraph(
    `| decision | command | environment | commit | image | site release | by | why |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n| ${row.map(cell).join(' | ')} |`,
  );
}
