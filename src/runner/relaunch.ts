// Runs this same script again in a `node` started with V8 flags. V8 freezes its flags once it has
// started (`v8.setFlagsFromString` is too late for them), and an action's `runs.main` cannot pass
// any. Where the platform has execve (Linux, macOS), the process becomes that `node` itself: same
// pid, stdio, environment and runner files, and the runner's signals reach it directly. Elsewhere
// a child is started, which inherits all of that; the parent forwards the cancel signals to it and
// exits with its code.
import { spawn } from 'node:child_process';

/**
 * Resolves `false` in the relaunched process (or where none can be started: the caller then runs
 * the work itself), and `true` in a parent once its child has exited with this process's code.
 * With execve it does not return in the process that called it.
 */
export function relaunchedWith(flags: readonly string[]): Promise<boolean> {
  if (flags.every((flag) => process.execArgv.includes(flag))) {
    dieWithParent();
    return Promise.resolve(false);
  }
  const args = [...process.execArgv, ...flags, ...process.argv.slice(1)];
  if (typeof process.execve === 'function') {
    try {
      process.execve(process.execPath, [process.execPath, ...args], process.env);
    } catch {
      // Could not replace the process (resources, a sandbox): fall back to a child.
    }
  }
  return relaunchAsChild(args);
}

function relaunchAsChild(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      args,
      // Its own process group: a terminal's Ctrl-C reaches the parent alone, which forwards it
      // once (a second SIGINT would end the child before it has rolled back).
      // The IPC channel only tells the child when the parent is gone (dieWithParent).
      { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true },
    );
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    for (const signal of signals) process.on(signal, forward);
    const done = (relaunched: boolean) => {
      for (const signal of signals) process.off(signal, forward);
      resolve(relaunched);
    };
    child.once('error', () => done(false));
    child.once('exit', (code, signal) => {
      // A child killed by a signal failed; 128 + n is how a shell would report it.
      process.exitCode = code ?? (signal ? 128 + signalNumber(signal) : 1);
      done(true);
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 1;
}

/**
 * A parent killed outright (SIGKILL, the runner's last resort) takes the child with it, as it
 * would have taken the work had it run in-process: its channel closes, and the child ends at once.
 */
function dieWithParent(): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}
