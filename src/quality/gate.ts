// The quality gate's one entry: reads the reports of each kind, judges every rule of the policy,
// applies waivers, compares with a baseline, and returns one verdict with every rule's figure.
// A report that is missing, empty or malformed fails the gate (unless its kind is optional), and
// a run that judged nothing fails: the gate never passes on nothing.
import type { CoverageFormat, Coverage } from './coverage/model.ts';
import { overallLines } from './coverage/model.ts';
import type { Baseline } from './gate/baseline.ts';
import { expandGlobs } from './gate/find-reports.ts';
import type { CoverageTarget, ReportRequirement } from './gate/policy.ts';
import type { GatePorts } from './gate/ports.ts';
import {
  type GateFacts,
  type GateResult,
  type Offender,
  REPORT_KINDS,
  type ReportKind,
  type RuleResult,
  rule,
} from './gate/result.ts';
import {
  coverageDrop,
  coverageFacts,
  coverageTarget,
  minCoverage,
  minPatchCoverage,
  patchCoverage,
} from './gate/rules/coverage.ts';
import { judgeFindings } from './gate/rules/findings.ts';
import { judgePerformance } from './gate/rules/performance.ts';
import { allowSkipped, maxFailedTests } from './gate/rules/tests.ts';
import type { Thresholds } from './gate/thresholds.ts';
import { type Waiver, WaiverBook } from './gate/waivers.ts';
import { ReportError } from './report-file.ts';
import type { TestResults } from './tests/model.ts';

export interface GateOptions {
  /** Absolute; report globs and report paths are relative to it. */
  readonly workspace: string;
  /** Globs per report kind; a kind absent or empty is not judged. */
  readonly reports: Readonly<Partial<Record<ReportKind, readonly string[]>>>;
  /** Kinds given are required unless optional here; a kind required here must be given. */
  readonly requirements: Readonly<Partial<Record<ReportKind, ReportRequirement>>>;
  readonly coverageFormat?: CoverageFormat;
  readonly thresholds: Thresholds;
  readonly coverageTargets: readonly CoverageTarget[];
  /** Patch coverage is measured against the merge base with this ref. */
  readonly baseRef?: string;
  readonly baseline?: Baseline;
  readonly waivers: readonly Waiver[];
}

export * from './gate/result.ts';

/** Rules that judge the reports, as opposed to the gate's own bookkeeping. */
const BOOKKEEPING = new Set(['reports', 'waivers']);

export async function evaluateGate(options: GateOptions, ports: GatePorts): Promise<GateResult> {
  const problems: Offender[] = [];
  const warnings: string[] = [];
  const reportsRead: { kind: ReportKind; file: string }[] = [];
  const waivers = new WaiverBook(options.waivers, ports.now());

  /** Reads one kind's reports; a problem fails the gate, or warns when the kind is optional. */
  const read = async <T>(
    kind: ReportKind,
    reader: (files: string[]) => Promise<T>,
  ): Promise<T | undefined> => {
    const globs = options.reports[kind] ?? [];
    const optional = options.requirements[kind] === 'optional';
    const complain = (message: string, file?: string) => {
      if (optional) warnings.push(`${message} (optional ${kind} report)`);
      else problems.push({ message, ...(file ? { file } : {}) });
    };
    if (globs.length === 0) {
      if (options.requirements[kind] === 'required')
        complain(`the policy requires ${kind} reports and none were given`);
      return undefined;
    }
    const expanded = await expandGlobs(globs, options.workspace);
    if ('problem' in expanded) {
      complain(`${kind}: ${expanded.problem}`);
      return undefined;
    }
    try {
      const value = await reader(expanded.files);
      for (const file of expanded.files) reportsRead.push({ kind, file });
      return value;
    } catch (error) {
      if (!(error instanceof ReportError)) throw error;
      complain(`${kind}: ${error.message}`);
      return undefined;
    }
  };

  const { readers, changedLines } = ports;
  const { thresholds } = options;
  const rules: RuleResult[] = [];
  const facts: { -readonly [K in keyof GateFacts]: GateFacts[K] } = {};

  const coverage = await read<Coverage>('coverage', (files) =>
    readers.coverage(files, {
      workspace: options.workspace,
      ...(options.coverageFormat ? { format: options.coverageFormat } : {}),
    }),
  );
  if (coverage) {
    rules.push(minCoverage(coverage, thresholds.minCoverage));
    for (const target of options.coverageTargets) rules.push(coverageTarget(coverage, target));
    const overall = coverageFacts(overallLines(coverage));
    if (overall) facts.coverage = overall;
    if (thresholds.minPatchCoverage !== undefined && options.baseRef !== undefined) {
      const changes = await changedLines.changedLines(options.baseRef, options.workspace);
      const patch = patchCoverage(coverage, changes);
      const patchFacts = coverageFacts(patch.count);
      if (patchFacts) facts.patchCoverage = patchFacts;
      rules.push(minPatchCoverage(patch, thresholds.minPatchCoverage, changes.base));
    } else if (thresholds.minPatchCoverage !== undefined) {
      rules.push(rule('min-patch-coverage', 'skip', { note: 'no base ref to compare with' }));
    }
    rules.push(coverageDrop(facts.coverage, options.baseline, thresholds.maxCoverageDrop));
  }

  const tests = await read<TestResults>('tests', (files) => readers.tests(files));
  if (tests) {
    rules.push(maxFailedTests(tests, thresholds.maxFailedTests, waivers));
    rules.push(allowSkipped(tests, thresholds.allowSkipped));
    facts.tests = tests.counts;
  }

  const findingsReader = readers.findings;
  if (findingsReader) {
    const findings = await read('findings', (files) => findingsReader(files));
    if (findings) {
      const judged = judgeFindings(findings, thresholds.failOn, options.baseline, waivers);
      rules.push(judged.failOn, judged.newFindings);
      facts.findings = judged.facts;
    }
  } else if ((options.reports.findings ?? []).length > 0) {
    problems.push({ message: 'findings reports cannot be read by this build yet' });
  }

  const performanceReader = readers.performance;
  if (performanceReader) {
    const performance = await read('performance', (files) => performanceReader(files));
    if (performance) {
      const judged = judgePerformance(performance, thresholds, options.baseline);
      rules.push(...judged.rules);
      facts.performance = judged.facts;
    }
  } else if ((options.reports.performance ?? []).length > 0) {
    problems.push({ message: 'performance reports cannot be read by this build yet' });
  }

  const waiverJudgement = waivers.judge();
  if (waiverJudgement.result) rules.push(waiverJudgement.result);
  warnings.push(...waiverJudgement.warnings);

  const judged = rules.some((r) => !BOOKKEEPING.has(r.rule) && r.verdict !== 'skip');
  const given = REPORT_KINDS.filter((kind) => (options.reports[kind] ?? []).length > 0);
  if (!judged && problems.length === 0) {
    problems.push({
      message:
        given.length === 0
          ? 'no reports were given: name coverage, tests, findings or performance reports'
          : 'no rule could judge the reports given: nothing passes on nothing',
    });
  }
  rules.unshift(
    rule('reports', problems.length > 0 ? 'fail' : 'pass', {
      figure: `${reportsRead.length} read`,
      threshold: 'all readable',
      offenders: problems,
    }),
  );
  const failedRules = rules.filter((r) => r.verdict === 'fail').map((r) => r.rule);
  return {
    verdict: failedRules.length > 0 ? 'fail' : 'pass',
    failedRules,
    rules,
    warnings,
    reports: reportsRead,
    facts,
  };
}
