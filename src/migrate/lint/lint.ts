// Lints migrations on their parse trees, rule by rule, with phases and waivers: destructive
// statements belong in contract migrations (run after production is fully promoted); in an expand
// migration they fail unless allow-destructive is set or an inline waiver gives a reason.
import type { ParsedMigration } from '../migration-set.ts';
import type { Statement } from '../parser.ts';
import { expandDoBlocks } from './do-blocks.ts';
import { DO_BLOCK_NOT_CHECKED, RULES, RULE_IDS, type Severity } from './rules.ts';
import { trackedContext } from './tracking.ts';
import { findWaivers, waivedStatement } from './waivers.ts';

export interface Finding {
  rule: string;
  severity: Severity;
  script: string;
  line: number;
  column: number;
  detail: string;
  why: string;
  fix: string;
  /** The waiver's reason, when an inline waiver covers this finding. */
  waived?: string;
}

export interface LintOptions {
  allowDestructive: boolean;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** Findings that fail the lint: errors nobody waived. */
export function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error' && f.waived === undefined);
}

export function lintMigration(migration: ParsedMigration, options: LintOptions): Finding[] {
  const { phase } = migration;
  const context = trackedContext({
    runnerLockTimeout: options.lockTimeoutMs > 0,
    runnerStatementTimeout: options.statementTimeoutMs > 0,
    multiPart: migration.parts.length > 1,
  });
  // A DO block's statements are linted where they stand; a waiver before the block covers them.
  const { units, gaps } = expandDoBlocks(migration.statements);
  const statements = units.map((u) => u.statement);
  const findings: Finding[] = [];
  const waivers = findWaivers(migration.text);
  const waiverOf = new Map<Statement, Map<string, string>>();
  for (const waiver of waivers) {
    const at = { script: migration.script, line: waiver.line, column: 1 };
    const unknown = waiver.rules.filter((r) => !RULE_IDS.has(r));
    if (unknown.length > 0) {
      findings.push({
        ...at,
        rule: 'unknown-rule-in-waiver',
        severity: 'error',
        detail: unknown.join(', '),
        why: 'A waiver must name rules that exist, or it silently waives nothing.',
        fix: `Use rule ids from the README: ${[...RULE_IDS].slice(0, 3).join(', ')}, ...`,
      });
    }
    if (!waiver.reason) {
      findings.push({
        ...at,
        rule: 'waiver-without-reason',
        severity: 'error',
        detail: waiver.rules.join(', '),
        why: 'A waiver is the record of why a risky statement is fine here.',
        fix: 'Write it as -- rds-migrate: allow <rule> because <reason>.',
      });
      continue;
    }
    const statement = waivedStatement(waiver, statements);
    if (!statement) continue;
    const rules = waiverOf.get(statement) ?? new Map<string, string>();
    for (const rule of waiver.rules) rules.set(rule, waiver.reason);
    waiverOf.set(statement, rules);
  }

  const waived = (rule: string, covered: readonly Statement[]) =>
    covered.map((s) => waiverOf.get(s)?.get(rule)).findLast((r) => r !== undefined);

  for (const gap of gaps) {
    const reason = waived(DO_BLOCK_NOT_CHECKED.id, gap.blocks);
    findings.push({
      rule: DO_BLOCK_NOT_CHECKED.id,
      severity: DO_BLOCK_NOT_CHECKED.severity,
      script: migration.script,
      line: gap.line,
      column: gap.column,
      detail: gap.detail,
      why: DO_BLOCK_NOT_CHECKED.why,
      fix: DO_BLOCK_NOT_CHECKED.fix,
      ...(reason !== undefined ? { waived: reason } : {}),
    });
  }

  for (const { statement, blocks } of units) {
    for (const rule of RULES) {
      for (const detail of rule.check(statement, context)) {
        let severity = rule.severity;
        if (rule.destructive && (phase === 'contract' || options.allowDestructive)) {
          severity = 'warning';
        }
        const reason = waived(rule.id, [...blocks, statement]);
        const block = blocks.at(-1);
        findings.push({
          rule: rule.id,
          severity,
          script: migration.script,
          line: statement.line,
          column: statement.column,
          detail: block ? `${detail} (in the DO block at line ${block.line})` : detail,
          why:
            rule.destructive && phase === 'expand' && severity === 'error'
              ? `${rule.why} This is an expand migration: mark it -- rds-migrate: contract to run it after promotion.`
              : rule.why,
          fix:
            block && rule.concurrentFix
              ? `${rule.fix} Move the statement out of the DO block first: PostgreSQL runs no concurrent statement inside one.`
              : rule.fix,
          ...(reason !== undefined ? { waived: reason } : {}),
        });
      }
    }
    context.track(statement);
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

export function lintMigrations(
  migrations: readonly ParsedMigration[],
  options: LintOptions,
): Finding[] {
  return migrations.flatMap((m) => lintMigration(m, options));
}
