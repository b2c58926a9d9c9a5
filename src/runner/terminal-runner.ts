// The Runner interface for a terminal or any CI that is not GitHub Actions: inputs from command
// line flags (and the database URL from the environment), plain log lines, annotations as
// `file:line:col: level: message`, outputs collected for the caller, the summary as Markdown on
// request. Lets the command line run the very adapter the action runs.
import { writeFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { logText } from './commands.ts';
import type { Runner } from './runner.ts';
import type { Summary } from './summary.ts';

export interface TerminalRunnerOptions {
  inputs: Record<string, string>;
  env: NodeJS.ProcessEnv;
  verbose: boolean;
  /** Write the job summary (Markdown) here, if set. */
  summaryFile: string | undefined;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface TerminalRunner extends Runner {
  readonly outputs: Readonly<Record<string, string>>;
}

export function createTerminalRunner(options: TerminalRunnerOptions): TerminalRunner {
  const outputs: Record<string, string> = {};
  const state: Record<string, string> = {};
  // Run from a workflow's `run:` step, its output is read for workflow commands all the same.
  const onRunner = options.env.GITHUB_ACTIONS === 'true';
  const line = (write: (text: string) => void, text: string) =>
    write(onRunner ? logText(text, EOL) : `${text}${EOL}`);
  return {
    env: options.env,
    outputs,
    input: (name) => options.inputs[name],
    setOutput(name, value) {
      outputs[name] = value;
    },
    exportVariable(name, value) {
      options.env[name] = value;
    },
    // Nothing masks a terminal's output; the adapter never prints a secret in the first place.
    setSecret() {},
    saveState(name, value) {
      state[name] = value;
    },
    state: (name) => state[name] ?? '',
    info: (message) => line(options.out, message),
    debug: (message) => {
      if (options.verbose) line(options.err, `debug: ${message}`);
    },
    annotate(level, message, properties = {}) {
      const where = properties.file
        ? `${properties.file}:${properties.line ?? 1}:${properties.col ?? 1}: `
        : '';
      line(options.err, `${where}${level}: ${message}`);
    },
    async group(title, body) {
      line(options.out, title);
      return body();
    },
    writeSummary(summary: Summary) {
      if (options.summaryFile && !summary.isEmpty()) {
        writeFileSync(options.summaryFile, summary.stringify(), 'utf8');
      }
    },
    setFailed(message) {
      process.exitCode = 1;
      line(options.err, `error: ${message}`);
    },
  };
}
