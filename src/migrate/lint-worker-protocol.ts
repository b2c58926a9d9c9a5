// The messages between lint-job.ts and its worker thread, lint-worker.ts.
import type { Finding } from './lint/lint.ts';
import type { Migration } from './migration-set.ts';

/** The one message to the worker: the migrations, once read and cut by the lexer. */
export interface ToWorker {
  migrations: readonly Migration[];
}

/** Where the parser refused a file, and its message (a ParseFailure, less its cause). */
export interface Refusal {
  script: string;
  line: number;
  column: number;
  detail: string;
}

/** A message per file, in file order, then `done`; or `crashed` when the worker itself failed. */
export type FromWorker =
  | { type: 'linted'; index: number; findings: Finding[] }
  | { type: 'refused'; index: number; failure: Refusal }
  | { type: 'done' }
  | { type: 'crashed'; message: string };
