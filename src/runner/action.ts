// The skeleton every action's adapter runs in: abort wiring (cancellation and the step's timeout),
// the one error boundary with the failed `result` JSON, the summary written in a `finally`, and
// outputs typed by the action's registry. An adapter supplies `main` (and `post`) and nothing else.
import { UserError, oneLine } from '../lib/errors.ts';
import { RESULT_VERSION, SUITE_VERSION } from '../lib/version.ts';
import { abortAfter, abortOnCancel, failStep } from './failure.ts';
import { runMainOrPost } from './phases.ts';
import type { Runner } from './runner.ts';
import { Summary } from './summary.ts';

export interface MainStep<Output extends string> {
  readonly runner: Runner;
  readonly summary: Summary;
  /** Aborts on cancellation (SIGINT, SIGTERM) and, once armed, when the step's timeout runs out. */
  readonly signal: AbortSignal;
  /** Arms the step's timeout. */
  timeoutAfter(ms: number): void;
  /** Sets one of the action's declared outputs. */
  setOutput(name: Output, value: string): void;
  /** Sets the versioned `result` output. The first one set stands: a later failure keeps it. */
  setResult(body: Readonly<Record<string, unknown>>): void;
  /** Facts a failure's `result` carries besides its reason (the image already pushed, …). */
  readonly failureFacts: Record<string, unknown>;
  /** Runs when main fails, before the failed result and summary line: outputs of its own. */
  onFailure(report: (reason: string) => void): void;
  /** Runs in the `finally`, last registered first. */
  onCleanup(cleanup: () => void | Promise<void>): void;
}

export interface ActionSteps<Output extends string> {
  readonly name: string;
  /** The outputs action.yml declares; `result` among them. */
  readonly outputs: readonly Output[];
  main(step: MainStep<Output>): Promise<void>;
  /** The post step, when the action has one: run by the runner at the end of the job. */
  post?(runner: Runner): Promise<void>;
}

export function runAction<Output extends string>(
  steps: ActionSteps<Output>,
  runner: Runner,
): Promise<void> {
  const { post } = steps;
  if (post === undefined) return runMain(steps, runner);
  return runMainOrPost(runner, {
    main: (r) => runMain(steps, r),
    post: async (r) => {
      try {
        await post(r);
      } catch (error) {
        failStep(r, error);
      }
    },
  });
}

async function runMain<Output extends string>(
  steps: ActionSteps<Output>,
  runner: Runner,
): Promise<void> {
  const summary = new Summary().heading(steps.name);
  const controller = new AbortController();
  const cleanups: (() => void | Promise<void>)[] = [abortOnCancel(controller)];
  const failureReports: ((reason: string) => void)[] = [];
  const declared = new Set<string>(steps.outputs);
  let resultSet = false;

  const setOutput = (name: Output, value: string) => {
    if (!declared.has(name)) throw new Error(`${steps.name} declares no output '${name}'`);
    runner.setOutput(name, value);
  };
  const step: MainStep<Output> = {
    runner,
    summary,
    signal: controller.signal,
    timeoutAfter: (ms) => void cleanups.push(abortAfter(controller, ms)),
    setOutput,
    setResult(body) {
      if (resultSet) return;
      resultSet = true;
      setOutput(
        'result' as Output,
        JSON.stringify({ version: RESULT_VERSION, suiteVersion: SUITE_VERSION, ...body }),
      );
    },
    failureFacts: {},
    onFailure: (report) => void failureReports.push(report),
    onCleanup: (cleanup) => void cleanups.push(cleanup),
  };

  try {
    await steps.main(step);
  } catch (caught) {
    // Whatever an abort interrupted (a build, a request), the step stopped for the abort's reason.
    const error =
      controller.signal.aborted && !(caught instanceof UserError)
        ? new UserError(`Stopped: ${oneLine(controller.signal.reason)}.`, { cause: caught })
        : caught;
    const reason = oneLine(error);
    for (const report of failureReports) report(reason);
    summary.paragraph(`**Failed:** ${reason}`);
    step.setResult({ outcome: 'failed', reason, ...step.failureFacts });
    failStep(runner, error);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        runner.debug(`cleanup failed: ${oneLine(error)}`);
      }
    }
    runner.writeSummary(summary);
  }
}
