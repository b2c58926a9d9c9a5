// The parse and the lint of a plan or apply, in a worker thread (started by lint-job.ts): loading
// and compiling PostgreSQL's parser (WASM), parsing and linting are CPU work that runs on another
// core while the main thread connects and applies. Started before the files are read, it loads the
// parser first, then takes the migrations in one message and answers a message per file, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { type LintOptions, lintMigration } from './lint/lint.ts';
import { type Migration, parseMigration } from './migration-set.ts';
import { ParseFailure, loadParser } from './parser.ts';
import type { FromWorker, ToWorker } from './lint-worker-protocol.ts';

const port = parentPort as NonNullable<typeof parentPort>;
if (!parentPort) throw new Error('lint-worker.ts runs as a worker thread (lint-job.ts starts it)');
const options = workerData as LintOptions;
const post = (message: FromWorker) => port.postMessage(message);
const parser = loadParser();

port.once('message', (message: ToWorker) => void lint(message.migrations));

async function lint(migrations: readonly Migration[]): Promise<void> {
  try {
    await parser;
    for (const [index, migration] of migrations.entries()) {
      try {
        post({
          type: 'linted',
          index,
          findings: lintMigration(parseMigration(migration), options),
        });
      } catch (error) {
        if (!(error instanceof ParseFailure)) throw error;
        const { script, line, column, detail } = error;
        post({ type: 'refused', index, failure: { script, line, column, detail } });
        break;
      }
    }
    post({ type: 'done' });
  } catch (error) {
    post({ type: 'crashed', message: String((error as Error)?.stack ?? error) });
  } finally {
    port.close();
  }
}
