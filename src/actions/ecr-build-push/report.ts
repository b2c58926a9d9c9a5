// What ecr-build-push shows people and workflows: log lines for the engine's events, the summary's
// tables, and the `result` JSON. Formatting only.
import type {
  BuildAndPushEvent,
  BuildAndPushResult,
  ImageFacts,
  ScanOutcome,
} from '../../ecr/build-and-push.ts';
import { SEVERITIES, describeFinding, findingsAtOrAbove } from '../../ecr/scan.ts';
import { formatDuration } from '../../lib/durations.ts';
import type { Summary } from '../../runner/summary.ts';

export function describeEvent(event: BuildAndPushEvent): string {
  switch (event.type) {
    case 'logged-in':
      return `Logged in to ${event.hosts.join(', ')} (credentials in ${event.authFile}, removed after the job).`;
    case 'repository': {
      const { repository } = event;
      return `${event.created ? 'Created' : 'Pushing to'} repository ${repository.name} in registry ${event.registry} (tags ${repository.immutable ? 'immutable' : 'mutable'}, scan on push ${repository.scanOnPush ? 'on' : 'off'}).`;
    }
    case 'cache-repository':
      return event.status === 'created'
        ? `Created repository ${event.name} for the build cache.`
        : `No registry cache: repository ${event.name} does not exist, so a fresh runner rebuilds every step. Create it (or set create-repository: true), or set cache: false.`;
    case 'blob':
      return `${event.uploaded ? 'Uploaded' : 'Already in the registry:'} ${event.digest} (${formatBytes(event.size)})`;
    case 'manifest':
      return `Pushed manifest ${event.digest}`;
    case 'tag':
      return event.outcome === 'unchanged'
        ? `Tag ${event.tag} already names this image: nothing to do`
        : event.outcome === 'moved'
          ? `Moved tag ${event.tag} from ${event.previous} to this image`
          : `Tagged ${event.tag}`;
    case 'published': {
      const { image } = event;
      return image.outcome === 'pushed'
        ? `Pushed ${image.published.image}`
        : `Promoted ${image.source} to ${image.published.image} (${image.copied ? 'copied' : 'tags added'}; digest verified in the target).`;
    }
    case 'scan-waiting':
      return `Waiting for ECR's scan of ${event.digest} (${event.status}, ${formatDuration(event.elapsedMs)} so far)`;
    case 'scanned': {
      const { report, file } = event.scan;
      return `Scan ${report.status}: ${SEVERITIES.map((s) => `${report.severityCounts[s]} ${s.toLowerCase()}`).join(', ')}; findings in ${file}.`;
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The `result` output's body (its version fields come from the action skeleton). */
export function resultOf(result: BuildAndPushResult): Record<string, unknown> {
  const { published } = result;
  return {
    outcome: result.outcome,
    ...(result.outcome === 'promoted' ? { source: result.source, copied: result.copied } : {}),
    image: published.image,
    digest: published.digest,
    registry: result.registry,
    repository: result.repository.name,
    tags: published.tags,
    unchangedTags: published.unchangedTags,
    sizeBytes: published.sizeBytes,
    uploadedBytes: published.uploadedBytes,
    uploadedBlobs: published.uploadedBlobs,
    reusedBlobs: published.reusedBlobs,
  };
}

export function summarizeImage(summary: Summary, image: ImageFacts): void {
  const { published } = image;
  const promoted = image.outcome === 'promoted';
  const blobs = published.uploadedBlobs + published.reusedBlobs;
  summary.table(
    ['', ''],
    [
      ['Image', `\`${published.image}\``],
      [
        'Tags',
        published.tags
          .map((t) => `\`${t}\`${published.unchangedTags.includes(t) ? ' (already there)' : ''}`)
          .join(', '),
      ],
      ['Size', formatBytes(published.sizeBytes)],
      ...(promoted ? [['Promoted from', `\`${image.source}\``]] : []),
      ...(promoted ? [] : [['Build time', formatDuration(image.buildMs)]]),
      [promoted ? 'Copy time' : 'Push time', formatDuration(image.pushMs)],
      [
        'Cache',
        `${published.reusedBlobs} of ${blobs} blobs already in the registry; uploaded ${formatBytes(published.uploadedBytes)}`,
      ],
      ...(image.created
        ? [['Repository', 'created (immutable tags, scan on push, lifecycle policy)']]
        : []),
    ],
  );
}

export function summarizeScan(summary: Summary, { report, failOn }: ScanOutcome): void {
  summary.heading(`Scan (${report.scanType.toLowerCase()}, ${report.status})`, 3);
  summary.table(
    SEVERITIES.map((s) => s.toLowerCase()),
    [SEVERITIES.map((s) => String(report.severityCounts[s]))],
  );
  const shown = failOn ? findingsAtOrAbove(report, failOn) : report.findings.slice(0, 20);
  if (shown.length > 0) {
    summary.details(
      failOn ? `Findings at or above ${failOn.toLowerCase()}` : 'Most severe findings',
      shown.map((f) => `- ${describeFinding(f)}`).join('\n'),
    );
  }
}
