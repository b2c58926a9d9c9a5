import { spawn, type ChildProcess } from 'node:child_process';

export type OutputStream = 'stdout' | 'stderr';

export interface StepProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface StepProcess {
  child: ChildProcess;
  done: Promise<StepProcessResult>;
}

export interface StepProcessOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  /** Every complete line of either stream, in arrival order. */
  onLine: (line: string, stream: OutputStream) => void;
}

/** Runs `node <script>` as the runner's node handler does: no shell, no stdin, own env. */
export function spawnNodeStep(script: string, options: StepProcessOptions): StepProcess {
  return spawnStep(process.execPath, [script], options);
}

/** Runs a step's process (node, or a shell for `run:` steps): no stdin, own env, lines as they come. */
export function spawnStep(
  command: string,
  args: readonly string[],
  options: StepProcessOptions,
): StepProcess {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text: Record<OutputStream, string> = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    const splitter = new LineSplitter();
    const readable = child[stream];
    readable.setEncoding('utf8');
    readable.on('data', (chunk: string) => {
      text[stream] += chunk;
      for (const line of splitter.push(chunk)) options.onLine(line, stream);
    });
    readable.on('end', () => {
      for (const line of splitter.flush()) options.onLine(line, stream);
    });
  }

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);

  const done = new Promise<StepProcessResult>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' waits for both streams to end, so every line has been delivered.
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        stdout: text.stdout,
        stderr: text.stderr,
        durationMs: performance.now() - started,
        timedOut,
      });
    });
  });
  return { child, done };
}

/** Splits a stream into lines on LF, CRLF or a lone CR, as .NET's ReadLine does. */
export class LineSplitter {
  private pending = '';

  push(chunk: string): string[] {
    let text = this.pending + chunk;
    // A CR at the end may be the first half of a CRLF that arrives with the next chunk.
    let held = '';
    if (text.endsWith('\r')) {
      held = '\r';
      text = text.slice(0, -1);
    }
    const parts = text.split(/\r\n|\r|\n/);
    this.pending = (parts.pop() ?? '') + held;
    return parts;
  }

  flush(): string[] {
    const rest = this.pending.replace(/\r$/, '');
    const hadContent = this.pending !== '';
    this.pending = '';
    return hadContent ? [rest] : [];
  }
}
