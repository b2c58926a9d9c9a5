// What a rollback deploys: the release that ran before the current one. When the current
// deployment is itself a rollback, "before" means before the release it restored was first
// there: a second rollback goes further back, never forward to the release just rolled away from.
import type { DeploymentRecord } from './ports.ts';

/** How far back the history is read: a rollback's target, a named digest, contracts since. */
export const HISTORY_WINDOW = 30;

const sameRelease = (a: DeploymentRecord, b: DeploymentRecord) =>
  a.sha === b.sha && a.facts.imageDigest === b.facts.imageDigest;

/** `history` is the environment's, newest first. */
export function rollbackTarget(history: readonly DeploymentRecord[]): DeploymentRecord | undefined {
  let at = history.findIndex((d) => d.state === 'success');
  if (at < 0) return history.find((d) => d.succeeded);
  while (history[at]!.facts.command === 'rollback') {
    const from = at;
    const restored = history.findIndex(
      (d, k) => k > from && d.succeeded && sameRelease(d, history[from]!),
    );
    if (restored < 0) break;
    at = restored;
  }
  const release = history[at]!;
  return history.slice(at + 1).find((d) => d.succeeded && !sameRelease(d, release));
}
