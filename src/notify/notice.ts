// What a notification says about a deploy that did not go out: what (repository, image digest,
// commit), where (environment, deployment), why (the canary's rollback reason or the step that
// failed) and a link to the run. Only a failed or rolled-back deploy makes one: a success says
// nothing, and a cancelled run was stopped by someone who already knows.

export type DeployEnd = 'success' | 'failure' | 'cancelled';

export interface DeployFacts {
  /** owner/name */
  readonly repository: string;
  readonly environment: string;
  readonly outcome: DeployEnd;
  /** The canary rolled the service back (its status was ROLLBACK_*). */
  readonly rolledBack: boolean;
  /** Why: the canary's rollback reason, or what the failed step said. */
  readonly reason: string | undefined;
  /** Which step failed, in words (e.g. "migrations (expand)"). */
  readonly failedStep: string | undefined;
  readonly imageDigest: string | undefined;
  readonly sha: string | undefined;
  readonly deploymentId: number | undefined;
  /** The workflow run's URL; empty when unknown. */
  readonly runUrl: string;
}

export interface Notice {
  readonly kind: 'rolled-back' | 'failed';
  readonly repository: string;
  readonly environment: string;
  readonly imageDigest: string | undefined;
  readonly sha: string | undefined;
  readonly deploymentId: number | undefined;
  readonly failedStep: string | undefined;
  readonly reason: string;
  readonly runUrl: string;
}

/** The longest reason a notification carries, in characters; the run has the rest. */
export const REASON_CHARACTERS = 1_500;

export function noticeOf(facts: DeployFacts): Notice | undefined {
  if (facts.outcome !== 'failure') return undefined;
  const kind = facts.rolledBack ? 'rolled-back' : 'failed';
  const given = oneLineText(facts.reason ?? '');
  const reason =
    given !== ''
      ? truncate(given, REASON_CHARACTERS)
      : facts.failedStep
        ? `the step "${oneLineText(facts.failedStep)}" failed; the run's log says why`
        : "the run's log says why";
  return {
    kind,
    repository: facts.repository,
    environment: facts.environment,
    imageDigest: facts.imageDigest,
    sha: facts.sha,
    deploymentId: facts.deploymentId,
    failedStep: facts.failedStep ? oneLineText(facts.failedStep) : undefined,
    reason,
    runUrl: facts.runUrl,
  };
}

/** "rolled back" or "failed", for sentences. */
export const verbOf = (notice: Notice): string =>
  notice.kind === 'rolled-back' ? 'rolled back' : 'failed';

/** The digest's first 12 hex digits after sha256:, as people read them. */
export const shortDigest = (digest: string): string =>
  digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, '$1…');

/** Line breaks and other control characters become spaces; runs of spaces one. */
export function oneLineText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are what it replaces
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim()
  );
}

/** At most `max` characters (code points), ending in … when cut. */
export function truncate(text: string, max: number): string {
  const characters = [...text];
  if (characters.length <= max) return text;
  return `${characters.slice(0, max - 1).join('')}…`;
}
