// A migration from text and its lint, for the lint tests.
import { checksumOf } from '../../../src/migrate/files.ts';
import { type Finding, type LintOptions, lintMigration } from '../../../src/migrate/lint/lint.ts';
import {
  type ParsedMigration,
  parseMigration,
  toMigration,
} from '../../../src/migrate/migration-set.ts';

export const OPTIONS: LintOptions = {
  allowDestructive: false,
  lockTimeoutMs: 5000,
  statementTimeoutMs: 60_000,
};

export function migration(text: string, script = 'V1__x.sql'): ParsedMigration {
  return parseMigration(
    toMigration({
      kind: 'versioned',
      version: [1n],
      description: 'x',
      script,
      path: script,
      text,
      checksum: checksumOf(text),
    }),
  );
}

export const lint = (text: string, options: Partial<LintOptions> = {}): Finding[] =>
  lintMigration(migration(text), { ...OPTIONS, ...options });

export const rulesOf = (text: string, options: Partial<LintOptions> = {}): string[] =>
  lint(text, options).map((f) => f.rule);
