// What every end-to-end test checks of a finished step, the same way for every action.
import { expect } from '@jest/globals';
import type { ActionRun } from '../harness/index.ts';

/** The step's own error annotations (not the runner's). */
export const errors = (run: ActionRun) =>
  run.annotations.filter((a) => a.level === 'error' && a.source === 'action');

/** The step's versioned JSON `result` output. */
export const result = (run: ActionRun) =>
  JSON.parse(run.outputs.result ?? '{}') as Record<string, unknown>;

/** A succeeded step: exit 0 and no error line of its own. */
export function expectSuccess(run: ActionRun): void {
  expect({ exit: run.exitCode, errors: errors(run) }).toEqual({ exit: 0, errors: [] });
}

/** A failed step: exit 1, exactly one error line matching `message`, no stack trace. */
export function expectFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode).toBe(1);
  expect(errors(run).map((e) => e.message)).toEqual([expect.stringMatching(message)]);
  expect(errors(run)[0]!.message).not.toContain('\n');
  expect(run.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}
