// Parses and lints the migrations of a plan or apply in this thread, a file at a time, yielding
// between files so the connection's and the apply's round trips go on between them. It begins
// when the run says so (`start`): at once when the findings decide the run (plan, a live database),
// else once the apply's first message is on its way, so the parser's load and the parse run while
// the server works, not while the connection is made. The parse runs in file order, ahead of the
// apply as far as it gets; the apply asks `refusal` before each migration, so a file the parser has
// refused is never sent (and if the apply gets there first, the server's own parser refuses it).
// A worker thread did this before: about 60 ms passed before its first line ran, its start and a
// second copy of the parser's loader cost about 50 ms of CPU, and it took a core from the server
// on a two-core runner; in this thread the same apply takes as long, with 50 ms less CPU and
// 17 MB less memory (bench/README.md, "rds-migrate against psql").
import { type Finding, type LintOptions, lintMigration } from './lint/lint.ts';
import { type Migration, nextTurn, parseMigration } from './migration-set.ts';
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
  /**
   * Lets the parse begin on the next turn of the event loop: the run calls it when it needs the
   * findings, or once the apply's first message is on its way (run.ts). Idempotent.
   */
  start(): void;
}

/** Where the parse stands: the first refused file, once found. */
interface Progress {
  failed: { index: number; failure: ParseFailure } | undefined;
}

/**
 * The parse and the lint of `migrations`, once read, from the turn after `start()`. If reading
 * fails, the job ends with that error (the caller has it from `migrations` too).
 */
export function startLint(
  migrations: Promise<readonly Migration[]>,
  options: LintOptions,
  signal?: AbortSignal,
): LintJob {
  const progress: Progress = { failed: undefined };
  let start = () => {};
  const started = new Promise<void>((resolve) => (start = resolve));
  // A cancelled run ends the job even if it never started.
  if (signal?.aborted) start();
  else signal?.addEventListener('abort', () => start(), { once: true });
  const done = started
    .then(nextTurn)
    .then(() => lintInTurns(migrations, options, progress, signal));
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
    start,
  };
}

async function lintInTurns(
  migrations: Promise<readonly Migration[]>,
  options: LintOptions,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<LintOutcome> {
  signal?.throwIfAborted();
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
