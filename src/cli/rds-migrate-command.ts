// The rds-migrate command line (entry: rds-migrate.ts): the action's adapter and engine, run from a terminal, another
// CI, or the app's image (mode ecs-task). The database URL comes from the environment only
// (DATABASE_URL), never from the command line, where other users could read it.
//   node dist/rds-migrate/cli.js <lint|plan|apply|validate> [--migrations dir] [--phase expand] ...
import { parseArgs } from 'node:util';
import { COMMANDS, INPUTS } from '../actions/rds-migrate/inputs.ts';
import { shown } from '../lib/errors.ts';
import { run } from '../actions/rds-migrate/main.ts';
import { logText } from '../runner/commands.ts';
import { createTerminalRunner } from '../runner/terminal-runner.ts';

const SECRET_INPUTS = new Set(['database-url', 'shadow-database-url']);
const USAGE = `usage: rds-migrate <lint|plan|apply|validate> [--<input> <value> ...] [--json] [--summary file] [--verbose]
  inputs: ${Object.keys(INPUTS)
    .filter((name) => name !== 'command' && !SECRET_INPUTS.has(name))
    .map((name) => `--${name}`)
    .join(' ')}
  database: DATABASE_URL (or SHADOW_DATABASE_URL for validate) in the environment, or --secret-id
  plan, apply: --database-state auto|live|new (auto: no tables and no history is new, its
    findings reported, none blocking; otherwise findings of pending migrations block)
  lint: --base-ref main judges only the migrations added or changed since main's merge base`;

export function main(argv: string[]): Promise<void> | undefined {
  const inputOptions = Object.fromEntries(
    Object.keys(INPUTS)
      .filter((name) => name !== 'command' && !SECRET_INPUTS.has(name))
      .map((name) => [name, { type: 'string' as const }]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...inputOptions,
        json: { type: 'boolean' },
        summary: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    say(
      process.stderr,
      `error: ${(error as Error).message} (database URLs come from DATABASE_URL and SHADOW_DATABASE_URL, never flags)\n${USAGE}`,
    );
    process.exitCode = 2;
    return undefined;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    say(values.help ? process.stdout : process.stderr, USAGE);
    if (!values.help) process.exitCode = 2;
    return undefined;
  }
  const command = positionals[0]!;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    say(
      process.stderr,
      `error: unknown command ${shown(command)}: use one of ${COMMANDS.join(', ')}\n${USAGE}`,
    );
    process.exitCode = 2;
    return undefined;
  }
  const inputs: Record<string, string> = { command };
  for (const name of Object.keys(inputOptions)) {
    const value = (values as Record<string, unknown>)[name];
    if (typeof value === 'string') inputs[name] = value;
  }
  if (process.env.DATABASE_URL) inputs['database-url'] = process.env.DATABASE_URL;
  if (process.env.SHADOW_DATABASE_URL)
    inputs['shadow-database-url'] = process.env.SHADOW_DATABASE_URL;
  const runner = createTerminalRunner({
    inputs,
    env: { ...process.env, GITHUB_WORKSPACE: process.cwd() },
    verbose: values.verbose === true,
    summaryFile: values.summary,
    // With --json, stdout carries the result alone.
    out: (text) => void (values.json ? process.stderr : process.stdout).write(text),
    err: (text) => void process.stderr.write(text),
  });
  return run(runner, { paths: 'anywhere' }).then(() => {
    if (values.json && runner.outputs.result) process.stdout.write(`${runner.outputs.result}\n`);
  });
}

/**
 * A usage line, echoing what was typed: inside a workflow step (`run:`) its output is read for
 * workflow commands, so text that looks like one goes out as text (see logText).
 */
function say(stream: NodeJS.WriteStream, text: string): void {
  stream.write(process.env.GITHUB_ACTIONS === 'true' ? logText(text) : `${text}\n`);
}
