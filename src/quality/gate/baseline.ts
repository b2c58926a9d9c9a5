// The baseline: the `result` JSON of an earlier quality-gate run (on the main branch), whose
// facts the regression rules compare with: coverage drop, new findings, p95 growth.
import { UserError } from '../../lib/errors.ts';
import { type GateFacts, type RuleResult, rule } from './result.ts';

export interface Baseline {
  readonly file: string;
  readonly facts: GateFacts;
}

export function parseBaseline(file: string, text: string, resultVersion: number): Baseline {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `${file} is not JSON (${(error as Error).message.split('\n')[0]}): give the result file of an earlier quality-gate run.`,
    );
  }
  const body = json as { version?: unknown; facts?: unknown; rules?: unknown };
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof body.facts !== 'object' ||
    body.facts === null ||
    !Array.isArray(body.rules)
  ) {
    throw new UserError(
      `${file} is not the result of a quality-gate run (no facts and rules): give the result-file an earlier run wrote.`,
    );
  }
  if (body.version !== resultVersion) {
    throw new UserError(
      `${file} is a version ${String(body.version)} result; this quality-gate reads version ${resultVersion}: run the gate on the base branch again to refresh it.`,
    );
  }
  const facts = body.facts as Record<string, unknown>;
  return {
    file,
    facts: {
      ...(isCoverage(facts.coverage) ? { coverage: facts.coverage } : {}),
      ...(isFindings(facts.findings) ? { findings: facts.findings } : {}),
      ...(isPerformance(facts.performance) ? { performance: facts.performance } : {}),
    },
  };
}

function isCoverage(value: unknown): value is NonNullable<GateFacts['coverage']> {
  const v = value as Record<string, unknown> | null;
  return typeof v === 'object' && v !== null && typeof v.percent === 'number';
}

function isFindings(value: unknown): value is NonNullable<GateFacts['findings']> {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.fingerprints) &&
    v.fingerprints.every((f) => typeof f === 'string')
  );
}

function isPerformance(value: unknown): value is NonNullable<GateFacts['performance']> {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    (v.p95Seconds === undefined || typeof v.p95Seconds === 'number')
  );
}

/**
 * The baseline's figure a regression rule compares with, or the rule skipped saying why: no
 * baseline at all, or a baseline without that figure. Never a silent pass.
 */
export function fromBaseline<T>(
  name: string,
  baseline: Baseline | undefined,
  pick: (facts: GateFacts) => T | undefined,
  what: string,
  shown: { readonly figure?: string; readonly threshold: string },
): { readonly before: T } | { readonly skipped: RuleResult } {
  if (!baseline) {
    return {
      skipped: rule(name, 'skip', { ...shown, baseline: 'no baseline', note: 'no baseline' }),
    };
  }
  const before = pick(baseline.facts);
  if (before === undefined) {
    return {
      skipped: rule(name, 'skip', {
        ...shown,
        baseline: 'none',
        note: `${baseline.file} has no ${what}`,
      }),
    };
  }
  return { before };
}
