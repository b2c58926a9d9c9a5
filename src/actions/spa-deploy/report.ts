// What a spa-deploy run shows: one log line per phase, a short table in the job summary, the
// outputs and the versioned `result`.
import type { DeployResult, RollbackResult, SpaEvent } from '../../spa/index.ts';
import type { Summary } from '../../runner/summary.ts';

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;

/** The log line for a progress event. */
export function eventLine(event: SpaEvent): string {
  switch (event.type) {
    case 'plan':
      return `Plan: ${event.upload} files to upload (${bytes(event.bytes)}), ${event.unchanged} unchanged`;
    case 'assets-uploaded':
      return `Uploaded ${event.count} files (${bytes(event.bytes)}); entry points go live next`;
    case 'live':
      return `Release ${event.release} is live: ${event.entryPoints} entry point${event.entryPoints === 1 ? '' : 's'} rewritten`;
    case 'invalidation-started':
      return `Invalidation ${event.id} of ${shortList(event.paths)}`;
    case 'invalidation-completed':
      return `Invalidation ${event.id} completed after ${seconds(event.waitedMs)}`;
    case 'pruned':
      return `Pruned releases ${event.releases.join(', ')}: ${event.objects} objects deleted`;
  }
}

/** Up to ten paths, then how many more: a long list belongs in the result JSON. */
function shortList(paths: readonly string[]): string {
  const shown = paths.slice(0, 10).join(' ');
  return paths.length > 10 ? `${shown} and ${paths.length - 10} more` : shown;
}

export function deploySummary(summary: Summary, result: DeployResult, where: string): void {
  const headline: Record<DeployResult['outcome'], string> = {
    deployed: `**Deployed** release ${result.release} to ${where}.`,
    unchanged: `**Unchanged:** ${where} already serves this build (release ${result.release}); nothing uploaded, nothing invalidated.`,
    'dry-run': `**Dry run:** nothing was uploaded to ${where}.`,
  };
  summary.paragraph(headline[result.outcome]);
  summary.table(
    ['files', 'uploaded', 'bytes', 'unchanged', 'deleted', 'invalidated', 'time to live'],
    [
      [
        String(result.files),
        String(result.uploaded.count),
        bytes(result.uploaded.bytes),
        String(result.unchanged),
        String(result.deleted),
        invalidated(result.invalidation),
        seconds(result.timeToLiveMs),
      ],
    ],
  );
}

export function rollbackSummary(summary: Summary, result: RollbackResult, where: string): void {
  summary.paragraph(
    result.outcome === 'rolled-back'
      ? `**Rolled back** ${where} from release ${result.previousRelease ?? '-'} to ${result.release}.`
      : result.outcome === 'dry-run'
        ? `**Dry run:** rolling back to ${result.release} would rewrite ${result.rewritten} entry points.`
        : `**Unchanged:** release ${result.release} is already live.`,
  );
  summary.table(
    ['entry points rewritten', 'invalidated', 'time to live'],
    [[String(result.rewritten), invalidated(result.invalidation), seconds(result.timeToLiveMs)]],
  );
}

function invalidated(invalidation: DeployResult['invalidation']): string {
  if (invalidation === undefined) return 'nothing';
  const paths = invalidation.paths
    .slice(0, 20)
    .map((p) => `\`${p}\``)
    .join(' ');
  const more = invalidation.paths.length > 20 ? ` and ${invalidation.paths.length - 20} more` : '';
  return `${paths}${more} (${invalidation.id}${invalidation.completed ? ', completed' : ''})`;
}

export function deployBody(result: DeployResult): Record<string, unknown> {
  return {
    outcome: result.outcome,
    mode: 'deploy',
    release: result.release,
    previousRelease: result.previousRelease ?? null,
    files: result.files,
    uploaded: result.uploaded,
    copied: result.copied,
    unchanged: result.unchanged,
    deleted: result.deleted,
    prunedReleases: result.prunedReleases,
    invalidation: result.invalidation ?? null,
    timeToLiveMs: result.timeToLiveMs ?? null,
  };
}

export function rollbackBody(result: RollbackResult): Record<string, unknown> {
  return {
    outcome: result.outcome,
    mode: 'rollback',
    release: result.release,
    previousRelease: result.previousRelease ?? null,
    rewritten: result.rewritten,
    invalidation: result.invalidation ?? null,
    timeToLiveMs: result.timeToLiveMs ?? null,
  };
}
