// ecs-canary-deploy's `result` JSON (src/runner/action.ts setResult: `version`, `suiteVersion`,
// then src/ecs/deploy/result.ts DeployResult): the canary's own p95 latency and error rate in
// production, from the analysis that decided (src/ecs/deploy/result.ts reportedVerdict: the one
// that rolled back, else the last gate, else the last look), among those that kept their metrics
// (gates and the rollback's, analysis-looks.ts). MetricJudgement.canary holds rates as fractions
// and latencies in seconds (src/canary/analysis/types.ts).
import type { AnalysisRecord, DeployResult } from '../../ecs/deploy/result.ts';
import type { MetricName } from '../../canary/analysis/types.ts';
import { RESULT_VERSION } from '../../lib/version.ts';
import { ReportError } from '../report-file.ts';
import type { PerformanceReport } from './model.ts';

type Json = Record<string, unknown>;

function decidingAnalysis(analyses: readonly AnalysisRecord[]): AnalysisRecord | undefined {
  const judged = analyses.filter((a) => Array.isArray(a.metrics));
  return (
    judged.findLast((a) => a.decision?.action === 'rollback') ??
    judged.findLast((a) => a.kind === 'gate') ??
    judged.at(-1)
  );
}

export function canaryReport(file: string, data: Json): PerformanceReport {
  const version = data['version'];
  if (typeof version !== 'number' || version > RESULT_VERSION) {
    throw new ReportError(
      file,
      `an ecs-canary-deploy result of version ${String(version)}, this quality-gate reads up to ${RESULT_VERSION}: use the same release of the suite for both`,
    );
  }
  const result = data as unknown as Partial<DeployResult> & { outcome?: string };
  const analyses = Array.isArray(result.analyses) ? result.analyses : [];
  const analysis = decidingAnalysis(analyses);
  if (!analysis) {
    throw new ReportError(
      file,
      `the deployment (outcome ${String(result.outcome ?? 'unknown')}) has no canary analysis with metrics: nothing measured the canary in production`,
    );
  }
  const canary = (name: MetricName) => {
    const value = analysis.metrics?.find((m) => m.name === name)?.canary;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const p95Seconds = canary('p95-latency');
  const errorRate = canary('error-rate') ?? canary('5xx-rate');
  const notes = [
    `the canary's ${analysis.kind} analysis at ${analysis.at} (${analysis.productionWeight}% of production traffic, verdict ${analysis.verdict})`,
  ];
  if (p95Seconds === undefined) notes.push('the analysis judged no p95-latency');
  if (errorRate === undefined) notes.push('the analysis judged no error-rate');
  return {
    file,
    source: 'ecs-canary-deploy',
    p95Seconds,
    errorRate,
    requests: analysis.traffic?.canaryRequests,
    thresholds: [],
    notes,
  };
}
