// A `run:` step as the runner runs it on Linux: the script written to a file under RUNNER_TEMP
// and run by the step's shell (`bash -e {0}` when none is named, `bash --noprofile --norc -eo
// pipefail {0}` for `shell: bash`, `sh -e {0}` for `shell: sh`), workflow commands read from
// its output and file commands from fresh files, parsed as the harness parses them.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKeyValueFile, parsePathFile } from '../file-commands.ts';
import { createStepFiles, type RunDirectories } from '../runner-env.ts';
import { spawnStep } from '../step-process.ts';
import { WorkflowCommandProcessor, type Annotation } from '../workflow-commands.ts';

export interface ShellStepResult {
  outcome: 'success' | 'failure';
  outputs: Record<string, string>;
  exportedEnv: Record<string, string>;
  paths: string[];
  masks: string[];
  annotations: Annotation[];
  lines: string[];
  summary: string;
  timedOut: boolean;
}

const SHELLS: Record<string, readonly string[]> = {
  '': ['bash', '-e'],
  bash: ['bash', '--noprofile', '--norc', '-eo', 'pipefail'],
  sh: ['sh', '-e'],
};

export function shellFor(shell: string): readonly string[] | undefined {
  return SHELLS[shell];
}

export async function runShellStep(options: {
  script: string;
  shell: string;
  directories: RunDirectories;
  /** The environment without the file-command paths, which are added here. */
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
}): Promise<ShellStepResult> {
  const shell = shellFor(options.shell);
  if (shell === undefined) throw new Error(`shell '${options.shell}' is not supported`);
  const [command = 'bash', ...args] = shell;
  const files = createStepFiles(options.directories);
  const scriptPath = join(options.directories.runnerTemp, `${randomUUID()}.sh`);
  writeFileSync(scriptPath, options.script);
  const commands = new WorkflowCommandProcessor({
    allowUnsecureCommands: options.env['ACTIONS_ALLOW_UNSECURE_COMMANDS'] === 'true',
  });
  const lines: string[] = [];
  const process = spawnStep(command, [...args, scriptPath], {
    env: { ...options.env, ...files },
    cwd: options.cwd,
    timeoutMs: options.timeoutMs,
    onLine: (line) => {
      lines.push(line);
      commands.processLine(line);
    },
  });
  const result = await process.done;
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  let fileCommandFailed = false;
  const parse = (path: string, name: string) => {
    const parsed = parseKeyValueFile(read(path));
    if (parsed.error !== undefined) {
      commands.runnerIssue('error', `Unable to process file command '${name}' successfully.`);
      commands.runnerIssue('error', parsed.error);
      fileCommandFailed = true;
    }
    return parsed.values;
  };
  const exportedEnv = { ...commands.env, ...parse(files.GITHUB_ENV, 'env') };
  const outputs = { ...commands.outputs, ...parse(files.GITHUB_OUTPUT, 'output') };
  if (result.timedOut) lines.push(`The step exceeded its ${options.timeoutMs} ms and was killed.`);
  else if (result.exitCode !== 0) {
    commands.runnerIssue('error', `Process completed with exit code ${result.exitCode ?? 'null'}.`);
  }
  return {
    outcome:
      result.exitCode === 0 && !commands.failed && !fileCommandFailed && !result.timedOut
        ? 'success'
        : 'failure',
    outputs,
    exportedEnv,
    paths: [...commands.paths, ...parsePathFile(read(files.GITHUB_PATH))],
    masks: commands.masks,
    annotations: commands.annotations,
    lines,
    summary: read(files.GITHUB_STEP_SUMMARY),
    timedOut: result.timedOut,
  };
}
