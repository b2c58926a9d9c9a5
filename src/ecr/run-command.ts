// Runs a builder command with no shell: argv as given, stdin closed, output line by line to the
// log. The environment is the job's, plus what the builder needs (its auth file).
import { spawn } from 'node:child_process';
import { UserError } from '../lib/errors.ts';
import type { Command } from './builder.ts';

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

export type CommandRunner = (command: Command, options: RunOptions) => Promise<void>;

export const runCommand: CommandRunner = (command, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command.command, command.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const tail: string[] = [];
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString('utf8')).split(/\r?\n/);
        rest = parts.pop() ?? '';
        for (const line of parts) {
          options.onLine(line);
          tail.push(line);
          if (tail.length > 5) tail.shift();
        }
      });
      stream.on('end', () => {
        if (rest) options.onLine(rest);
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new UserError(
            `The builder '${command.command}' is not installed on this runner: install it, or choose the other builder with the 'builder' input.`,
          ),
        );
      } else reject(error);
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const last = tail
        .filter((l) => l.trim())
        .slice(-1)[0]
        ?.trim();
      reject(
        new UserError(
          `${command.command} ${command.args[0]} failed (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`,
        ),
      );
    });
  });
