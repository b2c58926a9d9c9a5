// Cold-start measurement: a recording proxy that notes when each request arrives, one timed spawn,
// and the statistics the report prints. bench/run.ts sets up the scenario and drives the rounds.
import { spawn } from 'node:child_process';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

/**
 * A local HTTP proxy in the bench process. It notes `performance.now()` the moment a request's
 * headers have arrived, then forwards the request unchanged (Host header included, so SigV4
 * signatures still verify) to `target` and pipes the answer back.
 */
export interface RecordingProxy {
  readonly url: string;
  /** Forgets earlier arrivals; call just before a timed spawn. */
  arm(): void;
  /** Arrival times (performance.now()) since the last `arm()`. */
  readonly arrivals: readonly number[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  let arrivals: number[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    arrivals.push(performance.now());
    forward(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');

  return {
    url: `http://127.0.0.1:${address.port}`,
    arm() {
      arrivals = [];
    },
    get arrivals() {
      return arrivals;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export interface SpawnSpec {
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface TimedRun {
  /** Spawn to the first request at the AWS proxy (undefined when none arrived). */
  firstAwsRequestMs: number | undefined;
  /** Spawn to the first request at the OIDC token proxy (undefined when none arrived). */
  tokenRequestMs: number | undefined;
  /** Spawn to process exit. */
  exitMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

const RUN_TIMEOUT_MS = 30_000;

/**
 * Spawns `node <args>` as the runner's node handler does (no shell, stdin closed, stdout and
 * stderr piped and read) and times it from just before `spawn` to the first arrival at each proxy
 * and to exit. Resolves once the process has exited and its streams are closed.
 */
export function timedSpawn(
  spec: SpawnSpec,
  proxies: { aws: RecordingProxy; token: RecordingProxy },
): Promise<TimedRun> {
  proxies.aws.arm();
  proxies.token.arm();
  return new Promise<TimedRun>((resolve, reject) => {
    let exitAt = 0;
    const started = performance.now();
    const child = spawn(process.execPath, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', () => (exitAt = performance.now()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      const since = (at: number | undefined) => (at === undefined ? undefined : at - started);
      resolve({
        firstAwsRequestMs: since(proxies.aws.arrivals[0]),
        tokenRequestMs: since(proxies.token.arrivals[0]),
        exitMs: (exitAt || performance.now()) - started,
        exitCode,
        signal,
        output,
      });
    });
  });
}

export interface Summary {
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** Median (mean of the middle two for an even count), nearest-rank p90, min and max. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (index: number): number => sorted[Math.min(Math.max(index, 0), sorted.length - 1)]!;
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? at(Math.floor(middle)) : (at(middle - 1) + at(middle)) / 2;
  return {
    median,
    p90: at(Math.ceil(0.9 * sorted.length) - 1),
    min: at(0),
    max: at(sorted.length - 1),
  };
}

/** A Markdown table (it reads as plain text too): `textColumns` left-aligned, the rest right. */
export function formatTable(header: string[], rows: string[][], textColumns = 1): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells
      .map((cell, column) =>
        column < textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join(' | ')} |`;
  const rule = widths
    .map((width, column) =>
      column < textColumns ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`,
    )
    .join(' | ');
  return [line(header), `| ${rule} |`, ...rows.map(line)].join('\n');
}
