import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { UserError } from '../../../src/lib/errors.ts';
import { RESULT_VERSION } from '../../../src/lib/version.ts';
import { type ActionSteps, runAction } from '../../../src/runner/action.ts';
import { createTerminalRunner } from '../../../src/runner/terminal-runner.ts';
import type { Summary } from '../../../src/runner/summary.ts';

const OUTPUTS = ['image', 'result'] as const;
type Output = (typeof OUTPUTS)[number];

function fakeRunner(state: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let summary = '';
  const runner = createTerminalRunner({
    inputs: {},
    env: {},
    verbose: true,
    summaryFile: undefined,
    out: (t) => void out.push(t.trimEnd()),
    err: (t) => void err.push(t.trimEnd()),
  });
  for (const [name, value] of Object.entries(state)) runner.saveState(name, value);
  runner.writeSummary = (s: Summary) => void (summary = s.stringify());
  return { runner, out, err, summary: () => summary };
}

const action = (main: ActionSteps<Output>['main'], post?: ActionSteps<Output>['post']) => ({
  name: 'test-action',
  outputs: OUTPUTS,
  main,
  ...(post ? { post } : {}),
});

beforeEach(() => {
  process.exitCode = undefined;
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('runAction', () => {
  it('sets the versioned result once and writes the summary after main', async () => {
    const { runner, summary } = fakeRunner();
    await runAction(
      action(async (step) => {
        step.setOutput('image', 'repo@sha256:1');
        step.setResult({ outcome: 'pushed' });
        step.setResult({ outcome: 'ignored' });
        step.summary.paragraph('done');
      }),
      runner,
    );
    expect(JSON.parse(runner.outputs.result!)).toEqual({
      version: RESULT_VERSION,
      suiteVersion: expect.any(String),
      outcome: 'pushed',
    });
    expect(runner.outputs.image).toBe('repo@sha256:1');
    expect(summary()).toBe('## test-action\n\ndone\n');
    expect(process.exitCode).toBeUndefined();
  });

  it('turns a user error into one failing line, the failed result with its facts, and the summary', async () => {
    const { runner, err, summary } = fakeRunner();
    const reported: string[] = [];
    await runAction(
      action(async (step) => {
        step.failureFacts.image = 'repo@sha256:1';
        step.onFailure((reason) => reported.push(reason));
        throw new UserError('Input x is wrong: fix it.');
      }),
      runner,
    );
    expect(process.exitCode).toBe(1);
    expect(err).toEqual(['error: Input x is wrong: fix it.']);
    expect(reported).toEqual(['Input x is wrong: fix it.']);
    expect(JSON.parse(runner.outputs.result!)).toMatchObject({
      outcome: 'failed',
      reason: 'Input x is wrong: fix it.',
      image: 'repo@sha256:1',
    });
    expect(summary()).toContain('**Failed:** Input x is wrong: fix it.');
  });

  it('keeps a result main set before failing', async () => {
    const { runner } = fakeRunner();
    await runAction(
      action(async (step) => {
        step.setResult({ outcome: 'rolled-back' });
        throw new UserError('Rolled back.');
      }),
      runner,
    );
    expect(JSON.parse(runner.outputs.result!).outcome).toBe('rolled-back');
  });

  it('says the step stopped for the abort reason, whatever the abort interrupted', async () => {
    const { runner, err } = fakeRunner();
    await runAction(
      action(async (step) => {
        step.timeoutAfter(1);
        await new Promise((_, reject) =>
          step.signal.addEventListener('abort', () => reject(new Error('socket closed'))),
        );
      }),
      runner,
    );
    expect(err).toEqual(['error: Stopped: the timeout of 1ms ran out.']);
  });

  it('reports an unexpected error as one line, its stack only in the debug log', async () => {
    const { runner, err } = fakeRunner();
    await runAction(
      action(async () => {
        throw new TypeError('x is undefined');
      }),
      runner,
    );
    expect(err.at(-1)).toBe('error: Unexpected error (please report it): x is undefined');
    expect(err.filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(err.some((l) => l.startsWith('debug: TypeError'))).toBe(true);
  });

  it('refuses an output the action does not declare', async () => {
    const { runner, err } = fakeRunner();
    await runAction(
      action(async (step) => step.setOutput('nope' as Output, 'x')),
      runner,
    );
    expect(err.at(-1)).toContain("declares no output 'nope'");
  });

  it('runs cleanups last-first even when main fails, and a failing cleanup does not hide the error', async () => {
    const { runner, err } = fakeRunner();
    const order: string[] = [];
    await runAction(
      action(async (step) => {
        step.onCleanup(() => void order.push('first'));
        step.onCleanup(() => {
          order.push('second');
          throw new Error('rm failed');
        });
        throw new UserError('boom');
      }),
      runner,
    );
    expect(order).toEqual(['second', 'first']);
    expect(err).toContain('error: boom');
  });

  it('runs post, not main, when main saved its phase, and fails post errors cleanly', async () => {
    const { runner, err } = fakeRunner({ phase: 'main' });
    let mainRan = false;
    await runAction(
      action(
        async () => void (mainRan = true),
        async () => {
          throw new UserError('cannot clean up');
        },
      ),
      runner,
    );
    expect(mainRan).toBe(false);
    expect(err).toEqual(['error: cannot clean up']);
  });
});
