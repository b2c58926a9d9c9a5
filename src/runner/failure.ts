import { formatDuration } from '../lib/durations.ts';
import { isUserError, oneLine } from '../lib/errors.ts';
import type { Runner } from './runner.ts';

/**
 * The one error boundary of every action: a UserError becomes its detail lines and one failing
 * line; anything else is reported as unexpected, with its stack only in the debug log.
 */
export function failStep(runner: Runner, error: unknown): void {
  if (isUserError(error)) {
    for (const line of error.details) runner.info(line);
    runner.setFailed(error.message);
    return;
  }
  if (error instanceof Error && error.stack) runner.debug(error.stack);
  runner.setFailed(`Unexpected error (please report it): ${oneLine(error)}`);
}

/** Aborts the controller when the runner cancels the job (SIGINT, then SIGTERM). */
export function abortOnCancel(controller: AbortController): () => void {
  const cancel = (signal: NodeJS.Signals) =>
    controller.abort(new Error(`the job was cancelled (${signal})`));
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  return () => {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  };
}

/** Aborts the controller when the step's `timeout` of `ms` runs out; returns the disarm. */
export function abortAfter(controller: AbortController, ms: number): () => void {
  const reason = new Error(`the timeout of ${formatDuration(ms)} ran out`);
  const timer = setTimeout(() => controller.abort(reason), ms);
  return () => clearTimeout(timer);
}
