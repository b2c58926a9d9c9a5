// Inline waivers: `-- rds-migrate: allow <rule>[, <rule>] because <reason>` on the line before a
// statement (or at the end of its first line) lets that one statement break those rules. A reason
// is required: the waiver is the record of why.
import type { Statement } from '../parser.ts';

export interface Waiver {
  line: number;
  rules: string[];
  reason: string | undefined;
}

const WAIVER =
  /--\s*rds-migrate:\s*allow\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?:because\s+(.*\S))?\s*$/i;

export function findWaivers(text: string): Waiver[] {
  const waivers: Waiver[] = [];
  text.split('\n').forEach((line, index) => {
    const match = WAIVER.exec(line);
    if (match) {
      waivers.push({
        line: index + 1,
        rules: match[1]!.split(',').map((r) => r.trim().toLowerCase()),
        reason: match[2],
      });
    }
  });
  return waivers;
}

/** The statement a waiver covers: the one on its line, else the first that starts after it. */
export function waivedStatement(
  waiver: Waiver,
  statements: readonly Statement[],
): Statement | undefined {
  return (
    statements.findLast((s) => s.line === waiver.line) ??
    statements.find((s) => s.line > waiver.line)
  );
}
