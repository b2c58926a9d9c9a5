// Lints migrations on their parse trees, rule by rule, with phases and waivers: destructive
// statements belong in contract migrations (run after production is fully promoted); in an expand
// migration they fail unless allow-destructive is set or an inline waiver gives a reason.
import type { Migration } from '../migration-set.ts';
import type { Statement } from '../parser.ts';
import { alterCommands, list, relationName, unwrap } from './ast.ts';
import { type LintContext, RULES, RULE_IDS, type Severity } from './rules.ts';
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

function settingValue(statement: Statement): string | undefined {
  const arg = unwrap(list(statement.node.args)[0], 'A_Const');
  if (!arg) return undefined;
  const sval = (arg.sval as { sval?: string } | undefined)?.sval;
  if (sval !== undefined) return sval;
  return String((arg.ival as { ival?: number } | undefined)?.ival ?? 0);
}

/** The column of a CHECK (column IS NOT NULL) constraint, if that is what it is. */
function notNullCheckColumn(constraint: Record<string, unknown>): string | undefined {
  const test = unwrap(constraint.raw_expr, 'NullTest');
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = list(unwrap(test.arg, 'ColumnRef')?.fields);
  return fields.length === 1 ? (unwrap(fields[0], 'String')?.sval as string) : undefined;
}

function track(statement: Statement, context: MutableContext): void {
  const table = relationName(statement.node.relation);
  if (statement.type === 'CreateStmt' && table) context.createdTables.add(table);
  if (statement.type === 'VariableSetStmt') {
    const name = String(statement.node.name ?? '');
    if (name === 'lock_timeout' || name === 'statement_timeout') {
      if (statement.node.kind === 'VAR_SET_VALUE') {
        context.setTimeouts.set(name, settingValue(statement) ?? '');
      } else context.setTimeouts.delete(name);
    }
  }
  for (const command of alterCommands(statement)) {
    if (command.subtype === 'AT_AddConstraint') {
      const constraint = unwrap(command.def, 'Constraint');
      const column = constraint && notNullCheckColumn(constraint);
      if (constraint?.contype === 'CONSTR_CHECK' && column && table) {
        if (constraint.skip_validation === true) {
          context.notNullChecks.set(String(constraint.conname ?? ''), `${table}.${column}`);
        } else context.validatedNotNull.add(`${table}.${column}`);
      }
    }
    if (command.subtype === 'AT_ValidateConstraint' && command.name) {
      const column = context.notNullChecks.get(command.name);
      if (column) context.validatedNotNull.add(column);
    }
  }
}

interface MutableContext extends LintContext {
  createdTables: Set<string>;
  validatedNotNull: Set<string>;
  setTimeouts: Map<string, string>;
  notNullChecks: Map<string, string>;
}

export function lintMigration(migration: Migration, options: LintOptions): Finding[] {
  const { phase } = migration;
  const context: MutableContext = {
    createdTables: new Set(),
    validatedNotNull: new Set(),
    setTimeouts: new Map(),
    notNullChecks: new Map(),
    runnerLockTimeout: options.lockTimeoutMs > 0,
    runnerStatementTimeout: options.statementTimeoutMs > 0,
    multiPart: migration.parts.length > 1,
  };
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
    const statement = waivedStatement(waiver, migration.statements);
    if (!statement) continue;
    const rules = waiverOf.get(statement) ?? new Map<string, string>();
    for (const rule of waiver.rules) rules.set(rule, waiver.reason);
    waiverOf.set(statement, rules);
  }

  for (const statement of migration.statements) {
    for (const rule of RULES) {
      for (const detail of rule.check(statement, context)) {
        let severity = rule.severity;
        if (rule.destructive && (phase === 'contract' || options.allowDestructive)) {
          severity = 'warning';
        }
        const reason = waiverOf.get(statement)?.get(rule.id);
        findings.push({
          rule: rule.id,
          severity,
          script: migration.script,
          line: statement.line,
          column: statement.column,
          detail,
          why:
            rule.destructive && phase === 'expand' && severity === 'error'
              ? `${rule.why} This is an expand migration: mark it -- rds-migrate: contract to run it after promotion.`
              : rule.why,
          fix: rule.fix,
          ...(reason !== undefined ? { waived: reason } : {}),
        });
      }
    }
    track(statement, context);
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

export function lintMigrations(migrations: readonly Migration[], options: LintOptions): Finding[] {
  return migrations.flatMap((m) => lintMigration(m, options));
}
