// infra-diff's one entry: read what `cdk diff` printed, keep the pull request's one infrastructure
// comment up to date (created once, then edited in place), and say what changed.
import type { PullRequestRef, StickyComment, StickyCommentPort } from '../quality/comment-port.ts';
import { type CdkDiff, parseCdkDiff } from './cdk-diff.ts';
import { INFRA_DIFF_MARKER, renderComment } from './comment.ts';

export interface InfraDiffRequest {
  /** Everything `cdk diff` printed (its diff goes to stderr). */
  readonly output: string;
  readonly exitCode: number;
  readonly pullRequest: PullRequestRef;
  readonly commit?: string | undefined;
  readonly runUrl?: string | undefined;
}

export interface InfraDiffPorts {
  readonly comments: StickyCommentPort;
}

export type InfraDiffOutcome = 'differences' | 'no-differences' | 'diff-failed';

export interface InfraDiffResult {
  readonly outcome: InfraDiffOutcome;
  readonly diff: CdkDiff;
  readonly comment: StickyComment;
}

export async function postInfraDiff(
  request: InfraDiffRequest,
  ports: InfraDiffPorts,
): Promise<InfraDiffResult> {
  if (!Number.isInteger(request.exitCode) || request.exitCode < 0) {
    throw new RangeError(`an exit code is a whole number from 0: ${request.exitCode}`);
  }
  const diff = parseCdkDiff(request.output);
  const body = renderComment({
    diff,
    exitCode: request.exitCode,
    commit: request.commit,
    runUrl: request.runUrl,
  });
  const comment = await ports.comments.upsert(request.pullRequest, INFRA_DIFF_MARKER, body);
  const outcome: InfraDiffOutcome =
    request.exitCode !== 0
      ? 'diff-failed'
      : diff.stacks.some((s) => s.changed)
        ? 'differences'
        : 'no-differences';
  return { outcome, diff, comment };
}
