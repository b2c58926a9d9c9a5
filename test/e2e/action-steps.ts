// One action's steps in one end-to-end test file: every step starts from the file's defaults, every
// finished step is kept, and once the file's tests are done every kept log is scanned for the
// file's secrets before what the file started is closed.
import { afterAll } from '@jest/globals';
import {
  type ActionRun,
  type RunActionOptions,
  type RunningAction,
  cleanupActionRuns,
  expectNoSecretsIn,
  runAction,
  startAction,
} from '../harness/index.ts';

/** A step's options; its inputs and env are merged over the defaults, the rest replaces them. */
export type StepOptions = Omit<RunActionOptions, 'action'>;

export interface ActionSteps {
  /** Runs a step to its end and keeps it. */
  run(options?: StepOptions): Promise<ActionRun>;
  /** Starts a step; it is kept when it finishes. */
  start(options?: StepOptions): RunningAction;
}

export interface ActionStepsSetup {
  /** What every step starts from; read when the step starts (after beforeAll). */
  defaults?: () => StepOptions;
  /**
   * After all the file's tests: what no kept step's log may show. Any check of the runs as a
   * whole (enough of them, secrets seen at all) belongs here too.
   */
  secrets: (runs: readonly ActionRun[]) => readonly string[];
  /** Then, whatever the scan found: stops what the file started. */
  close?: () => Promise<void> | void;
}

/** Registers the file's afterAll (or the describe block's) and returns its steps. */
export function useActionSteps(action: string, setup: ActionStepsSetup): ActionSteps {
  const runs: ActionRun[] = [];
  const options = (step: StepOptions): RunActionOptions => {
    const defaults = setup.defaults?.() ?? {};
    return {
      ...defaults,
      ...step,
      action,
      inputs: { ...defaults.inputs, ...step.inputs },
      env: { ...defaults.env, ...step.env },
    };
  };

  afterAll(async () => {
    try {
      const secrets = setup.secrets(runs);
      for (const run of runs) expectNoSecretsIn(run, secrets);
    } finally {
      await setup.close?.();
      await cleanupActionRuns();
    }
  });

  return {
    async run(step = {}) {
      const run = await runAction(options(step));
      runs.push(run);
      return run;
    },
    start(step = {}) {
      const running = startAction(options(step));
      void running.result.then(
        (run) => runs.push(run),
        () => undefined,
      );
      return running;
    },
  };
}
