// Parses and lints the migrations a file at a time, yielding between files, so that against a new
// database (where findings are only reported) the apply's round trips go on while the parser
// works: the apply mostly waits on the server, and the parse fills that wait. The parse runs in
// file order, ahead of the apply; the apply asks `refusal` before each migration, so a file the
// parser refuses is never sent (and if the apply gets there first, the server's own parser
// refuses it).
import { type Finding, type LintOptions, lintMigration } from './lint/lint.ts';
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

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function startLint(
  migrations: readonly Migration[],
  options: LintOptions,
  signal?: AbortSignal,
): LintJob {
  const order = new Map(migrations.map((m, index) => [m.script, index]));
  let failed: { index: number; failure: ParseFailure } | undefined;
  const done = (async (): Promise<LintOutcome> => {
    await loadParser();
    const findings: Finding[] = [];
    for (const [index, migration] of migrations.entries()) {
      signal?.throwIfAborted();
      try {
        findings.push(...lintMigration(parseMigration(migration), options));
      } catch (error) {
        if (!(error instanceof ParseFailure)) throw error;
        failed = { index, failure: error };
        return { findings, failure: error };
      }
      await nextTurn();
    }
    return { findings, failure: undefined };
  })();
  done.catch(() => {}); // awaited by the run; a run that ends early must not leave it unhandled
  return {
    done,
    refusal: (script) => {
      const index = order.get(script);
      return failed && index !== undefined && failed.index <= index ? failed.failure : undefined;
    },
  };
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
