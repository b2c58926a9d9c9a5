// Parses and lints the migrations of a plan or apply beside the main thread's work. In a worker
// thread (lint-worker.ts) when the bundle has one: it starts before the files are read, so loading
// and compiling the WASM parser, the parse and the lint run on another core while the main thread
// reads the files, connects and applies (bench/README.md, "rds-migrate against psql"). Without it
// (the sources under a test runner that cannot start it, a bundle without the file), in this
// thread a file at a time, yielding between files, so the apply's round trips go on between them.
// Either way the parse runs in file order, ahead of the apply; the apply asks `refusal` before each
// migration, so a file the parser refuses is never sent (and if the apply gets there first, the
// server's own parser refuses it).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type Finding, type LintOptions, lintMigration } from './lint/lint.ts';
import type { FromWorker, ToWorker } from './lint-worker-protocol.ts';
import { type Migration, parseMigration } from './migration-set.ts';
import { ParseFailure, loadParser } from './parser.ts';

export interface LintOutcome {
  /** The findings of every file that parsed. */
  findings: Finding[];
  /** The first file PostgreSQL's parser refuses, if any: the files after it are not checked. */
  failure: ParseFailure | undefined;
}

export interface LintJob {
  /** Settles once every file is parsed and linted, or the first that does not parse is found. */
  done: Promise<LintOutcome>;
  /** The parse failure of this migration or of one before it, once the parse has found it. */
  refusal(script: string): ParseFailure | undefined;
}

/** Where the parse stands: the first refused file, once found. */
interface Progress {
  failed: { index: number; failure: ParseFailure } | undefined;
}

/**
 * The worker beside this module: lint-worker.js in the bundle (an entry of its own, beside the
 * chunks), lint-worker.ts in the sources. Undefined when it is not there.
 */
export function lintWorkerFile(moduleUrl: string = import.meta.url): string | undefined {
  const name = moduleUrl.endsWith('.ts') ? 'lint-worker.ts' : 'lint-worker.js';
  const file = fileURLToPath(new URL(name, moduleUrl));
  return existsSync(file) ? file : undefined;
}

/**
 * The worker to lint in: only with another core to run it on (on one, a thread of its own would
 * only add its start, about 25 ms of CPU, to the same work).
 */
export function lintWorker(
  parallelism: number = availableParallelism(),
  file: string | undefined = lintWorkerFile(),
): string | undefined {
  return parallelism > 1 ? file : undefined;
}

/**
 * Starts the parser now and lints `migrations` once they are read. If reading fails, the job ends
 * with that error (the caller has it from `migrations` too).
 */
export function startLint(
  migrations: Promise<readonly Migration[]>,
  options: LintOptions,
  signal?: AbortSignal,
  workerFile: string | undefined = lintWorker(),
): LintJob {
  const progress: Progress = { failed: undefined };
  const done = workerFile
    ? inWorker(workerFile, migrations, options, progress, signal)
    : inThisThread(migrations, options, progress, signal);
  done.catch(() => {}); // awaited by the run; a run that ends early must not leave it unhandled
  let order: Map<string, number> | undefined;
  void migrations.then(
    (all) => (order = new Map(all.map((m, index) => [m.script, index]))),
    () => {},
  );
  return {
    done,
    refusal: (script) => {
      const index = order?.get(script);
      const { failed } = progress;
      return failed && index !== undefined && failed.index <= index ? failed.failure : undefined;
    },
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function inThisThread(
  migrations: Promise<readonly Migration[]>,
  options: LintOptions,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<LintOutcome> {
  const [all] = await Promise.all([migrations, loadParser()]);
  const findings: Finding[] = [];
  for (const [index, migration] of all.entries()) {
    signal?.throwIfAborted();
    try {
      findings.push(...lintMigration(parseMigration(migration), options));
    } catch (error) {
      if (!(error instanceof ParseFailure)) throw error;
      progress.failed = { index, failure: error };
      return { findings, failure: error };
    }
    await nextTurn();
  }
  return { findings, failure: undefined };
}

function inWorker(
  file: string,
  migrations: Promise<readonly Migration[]>,
  options: LintOptions,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<LintOutcome> {
  const worker = new Worker(file, { workerData: options });
  const findings: Finding[] = [];
  const outcome = new Promise<LintOutcome>((resolve, reject) => {
    const onAbort = () => stop(signal!.reason);
    const stop = (error: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
      void worker.terminate();
    };
    const settle = (result: LintOutcome) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    if (signal?.aborted) return stop(signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'linted') findings.push(...message.findings);
      else if (message.type === 'refused') {
        const { script, line, column, detail } = message.failure;
        const failure = new ParseFailure(script, line, column, detail, new Error(detail));
        progress.failed = { index: message.index, failure };
        settle({ findings, failure });
      } else if (message.type === 'done') settle({ findings, failure: undefined });
      else stop(new Error(`the lint worker failed: ${message.message}`));
    });
    worker.on('error', stop);
    worker.on('exit', (code) =>
      stop(new Error(`the lint worker exited (${code}) before it was done`)),
    );
    migrations.then(
      (all) => worker.postMessage({ migrations: all } satisfies ToWorker),
      (error: unknown) => stop(error),
    );
  });
  return outcome;
}

/**
 * The findings of each migration, in order, parsed and linted a file at a time so that only one
 * file's parse trees are held; throws the ParseFailure of the first file the parser refuses.
 */
export async function lintEach(
  migrations: readonly Migration[],
  options: LintOptions,
  signal?: AbortSignal,
): Promise<Finding[][]> {
  await loadParser();
  return migrations.map((migration) => {
    signal?.throwIfAborted();
    return lintMigration(parseMigration(migration), options);
  });
}
