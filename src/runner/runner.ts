// The GitHub Actions runner protocol: inputs from INPUT_* variables, outputs, env, state and the
// summary through the runner's files, masks and annotations through workflow commands.
// The suite speaks it directly instead of loading @actions/core, whose HTTP stack (undici) costs
// about 45 ms of start-up per step (see bench/README.md): the OIDC token is fetched by src/github.
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import {
  type AnnotationLevel,
  type AnnotationProperties,
  fileCommandEntry,
  logText,
  workflowCommand,
} from './commands.ts';
import type { Summary } from './summary.ts';

export interface Runner {
  /** The raw input as the runner set it, or undefined when the variable is absent. */
  input(name: string): string | undefined;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  setSecret(value: string): void;
  saveState(name: string, value: string): void;
  state(name: string): string;
  info(message: string): void;
  debug(message: string): void;
  annotate(level: AnnotationLevel, message: string, properties?: AnnotationProperties): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  writeSummary(summary: Summary): void;
  setFailed(message: string): void;
  readonly env: NodeJS.ProcessEnv;
}

export interface RunnerOptions {
  env?: NodeJS.ProcessEnv;
  write?: (text: string) => void;
}

export function createRunner(options: RunnerOptions = {}): Runner {
  const env = options.env ?? process.env;
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const masked = new Set<string>();

  const appendTo = (variable: string, name: string, value: string): boolean => {
    const file = env[variable];
    if (!file) return false;
    appendFileSync(file, fileCommandEntry(name, value), { encoding: 'utf8' });
    return true;
  };

  const runner: Runner = {
    env,
    input: (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`],
    setOutput(name, value) {
      if (!appendTo('GITHUB_OUTPUT', name, value))
        runner.debug(`no GITHUB_OUTPUT file: output ${name} not set`);
    },
    exportVariable(name, value) {
      env[name] = value;
      appendTo('GITHUB_ENV', name, value);
    },
    setSecret(value) {
      // Mask each line as well: the runner matches masks per line of log output.
      for (const secret of [value, ...value.split(/\r?\n/)]) {
        if (secret.trim().length === 0 || masked.has(secret)) continue;
        masked.add(secret);
        write(workflowCommand('add-mask', secret));
      }
    },
    saveState(name, value) {
      if (!appendTo('GITHUB_STATE', name, value))
        runner.debug(`no GITHUB_STATE file: state ${name} not saved`);
    },
    state: (name) => env[`STATE_${name}`] ?? '',
    info: (message) => write(logText(message, EOL)),
    debug: (message) => write(workflowCommand('debug', message)),
    annotate: (level, message, properties = {}) =>
      write(workflowCommand(level, message, { ...properties })),
    async group(title, body) {
      write(workflowCommand('group', title));
      try {
        return await body();
      } finally {
        write(workflowCommand('endgroup', ''));
      }
    },
    writeSummary(summary) {
      const file = env.GITHUB_STEP_SUMMARY;
      if (file && !summary.isEmpty()) appendFileSync(file, summary.stringify(), 'utf8');
    },
    setFailed(message) {
      process.exitCode = 1;
      write(workflowCommand('error', message));
    },
  };
  return runner;
}
