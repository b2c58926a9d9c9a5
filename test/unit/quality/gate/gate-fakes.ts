// Fakes for the gate's ports: coverage and test results built in memory, changed lines given,
// a fixed clock.
import {
  LineHits,
  type Coverage,
  type FileCoverage,
} from '../../../../src/quality/coverage/model.ts';
import type { GateOptions } from '../../../../src/quality/gate.ts';
import type {
  ChangedLines,
  GateFindingsReport,
  GatePerformanceReport,
  GatePorts,
} from '../../../../src/quality/gate/ports.ts';
import {
  DEFAULT_THRESHOLDS,
  SEVERITIES,
  type Severity,
} from '../../../../src/quality/gate/thresholds.ts';
import { ReportError } from '../../../../src/quality/report-file.ts';
import type { FailedTest, TestResults } from '../../../../src/quality/tests/model.ts';

/** `{ 'src/a.ts': { 1: 3, 2: 0 } }`: hits by line, per file; `null`: totals only. */
export function coverageOf(
  files: Record<string, Record<number, number> | { covered: number; total: number }>,
): Coverage {
  const map = new Map<string, FileCoverage>();
  for (const [path, lines] of Object.entries(files)) {
    if ('total' in lines && 'covered' in lines) {
      map.set(path, {
        path,
        outsideWorkspace: false,
        lines: undefined,
        statedTotals: { lines: lines as { covered: number; total: number } },
      });
      continue;
    }
    const hits = new LineHits();
    for (const [line, count] of Object.entries(lines)) hits.add(Number(line), count);
    hits.compact();
    map.set(path, { path, outsideWorkspace: false, lines: hits });
  }
  return { reports: [{ file: 'lcov.info', format: 'lcov' }], files: map };
}

export function failedTest(name: string, extra: Partial<FailedTest> = {}): FailedTest {
  return {
    outcome: 'failed',
    name,
    classname: 'suite',
    suite: 'suite',
    file: 'test/a.test.ts',
    line: 4,
    message: 'expected 1 to be 2',
    report: 'junit.xml',
    ...extra,
  };
}

export function testResults(
  counts: Partial<TestResults['counts']>,
  failures: FailedTest[] = [],
): TestResults {
  const full = { total: 10, passed: 10, failed: 0, errored: 0, skipped: 0, flaky: 0, ...counts };
  return { reports: ['junit.xml'], counts: full, failures, flaky: [], notKept: 0 };
}

export function findingsReport(
  findings: { id: string; severity: Severity; file?: string; line?: number }[],
): GateFindingsReport {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity] += 1;
  return {
    file: 'trivy.json',
    omitted: 0,
    counts,
    findings: findings.map((f) => ({
      tool: 'Trivy',
      id: f.id,
      severity: f.severity,
      message: `${f.id} in a package`,
      fingerprint: `fp-${f.id}`,
      ...(f.file ? { location: { file: f.file, ...(f.line ? { line: f.line } : {}) } } : {}),
    })),
  };
}

export function performanceReport(
  p95Seconds: number | undefined,
  errorRate: number | undefined,
): GatePerformanceReport {
  return {
    file: 'k6.json',
    p95Seconds,
    errorRate,
    notes: p95Seconds === undefined ? ['no http_req_duration'] : [],
  };
}

export interface World {
  coverage?: Coverage | ReportError;
  tests?: TestResults | ReportError;
  findings?: GateFindingsReport[] | ReportError;
  performance?: GatePerformanceReport[] | ReportError;
  changed?: ChangedLines;
  now?: number;
}

const give = async <T>(value: T | ReportError | undefined, kind: string): Promise<T> => {
  if (value instanceof ReportError) throw value;
  if (value === undefined) throw new Error(`the test gave no ${kind}`);
  return value;
};

export function ports(world: World): GatePorts & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    readers: {
      coverage: () => give(world.coverage, 'coverage'),
      tests: () => give(world.tests, 'tests'),
      findings: () => give(world.findings, 'findings'),
      performance: () => give(world.performance, 'performance'),
    },
    changedLines: {
      async changedLines(baseRef) {
        asked.push(baseRef);
        if (!world.changed) throw new Error('no changed lines in this test');
        return world.changed;
      },
    },
    now: () => world.now ?? Date.parse('2026-12-07T06:00:00Z'),
  };
}

/** Options judging the kinds named, with plain report paths (the fakes ignore them). */
export function options(
  kinds: ('coverage' | 'tests' | 'findings' | 'performance')[],
  extra: Partial<GateOptions> = {},
): GateOptions {
  return {
    workspace: '/tmp',
    reports: Object.fromEntries(kinds.map((k) => [k, [`${k}.report`]])),
    requirements: {},
    thresholds: DEFAULT_THRESHOLDS,
    coverageTargets: [],
    waivers: [],
    ...extra,
  };
}
