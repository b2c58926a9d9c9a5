// What the command says on the pull request. Every value in these texts is one the engine
// checked (an environment name, a full SHA, a login, a cleaned lock reason, a number), never
// the comment's own words.
import { usage } from './grammar.ts';
import type { CommandPolicy } from './policy.ts';
import type { DeploymentRecord, EnvironmentLock } from './ports.ts';

/** Hidden, so a later step can find the command's own replies. */
export const REPLY_MARKER = '<!-- aws-ship-suite deploy-command -->';

const run = (runUrl: string) => (runUrl ? ` ([run](${runUrl}))` : '');

export function refusalReply(
  actor: string,
  reason: string,
  runUrl: string,
  prefix: string,
  code: string,
): string {
  const help =
    code === 'invalid-command'
      ? `\n\n${usage(prefix)
          .map((l) => `- ${l}`)
          .join('\n')}`
      : '';
  return `${REPLY_MARKER}\n### 👎 Not done\n\n@${actor}: ${reason}${run(runUrl)}\n\n<sub>reason: \`${code}\`</sub>${help}`;
}

export function proceedReply(
  result: {
    verb: string;
    environment: string;
    sha: string;
    actor: string;
    reason: string;
    dryRun: boolean;
  },
  runUrl: string,
): string {
  const title = result.dryRun
    ? '🧪 Dry run'
    : result.verb === 'promote'
      ? '⏳ Promotion requested'
      : '🚀 Deploy started';
  return `${REPLY_MARKER}\n### ${title}\n\n@${result.actor}: ${result.reason}${run(runUrl)}\n\n| environment | commit |\n| --- | --- |\n| ${result.environment} | \`${result.sha}\` |`;
}

export function doneReply(actor: string, reason: string): string {
  return `${REPLY_MARKER}\n@${actor}: ${reason}`;
}

export function lockedReply(lock: EnvironmentLock, claimed: boolean): string {
  const what = claimed ? 'Locked' : 'Already locked';
  return `${REPLY_MARKER}\n### 🔒 ${what}: ${lock.environment}\n\n| held by | pull request | since | reason |\n| --- | --- | --- | --- |\n| @${lock.holder} | #${lock.pullRequest} | ${lock.since} | ${lock.reason ? `\`${lock.reason}\`` : ''} |`;
}

export function helpReply(policy: CommandPolicy): string {
  return `${REPLY_MARKER}\n### Commands\n\n${usage(policy.prefix)
    .map((l) => `- ${l}`)
    .join(
      '\n',
    )}\n\nEnvironments reachable from a comment: ${policy.environments.join(', ')}. ${policy.production} only through \`${policy.prefix}promote\` and its reviewers.`;
}

export interface StatusRow {
  readonly environment: string;
  readonly deployments: readonly DeploymentRecord[];
  readonly lock: EnvironmentLock | undefined;
}

/** Who deployed what, when: one table per environment (the job summary shows the same). */
export function statusReply(rows: readonly StatusRow[]): string {
  return `${REPLY_MARKER}\n${statusTables(rows)}`;
}

export function statusTables(rows: readonly StatusRow[]): string {
  return rows
    .map((row) => {
      const lock = row.lock
        ? `\n\n🔒 locked by @${row.lock.holder} for #${row.lock.pullRequest} since ${row.lock.since}`
        : '';
      if (row.deployments.length === 0)
        return `### ${row.environment}\n\nNo deployments yet.${lock}`;
      const lines = row.deployments.map(
        (d) =>
          `| ${d.id} | ${d.state ?? 'created'} | \`${d.sha.slice(0, 12)}\` | ${d.facts.imageDigest ? `\`${d.facts.imageDigest.slice(0, 19)}…\`` : ''} | @${d.facts.actor} | ${d.createdAt} |`,
      );
      return `### ${row.environment}\n\n| deployment | state | commit | image | by | when |\n| --- | --- | --- | --- | --- | --- |\n${lines.join('\n')}${lock}`;
    })
    .join('\n\n');
}
