// k6's end-of-test summaries (reference/quality-gates.md, "Performance: k6"; grafana/k6
// internal/js/summary-wrapper.js):
// - handleSummary's data: `metrics.<m>.values["p(95)"]` (ms), `metrics.<m>.thresholds{expr:{ok}}`,
//   rates as `{rate, passes, fails}`, where for http_req_failed "passes" are failed requests;
// - `--summary-export`: the same values flattened onto the metric, a rate's `rate` renamed
//   `value`, and `thresholds{expr: !ok}`, so **true means failed**;
// - `--new-machine-readable-summary`: `results.metrics[{name, type, values}]`, no thresholds.
// Trend keys follow summaryTrendStats: a script that drops p(95) gives no p95, said in a note.
// A test without HTTP requests has no http_req_duration: its p95 is missing, never 0.
import { ReportError } from '../report-file.ts';
import type { PerformanceReport, PerformanceSource, ThresholdResult } from './model.ts';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** A metric's figures and its thresholds (ok per expression), in whichever shape. */
interface Metric {
  values: Json;
  thresholds: ThresholdResult[];
}

function metricsOf(
  data: Json,
  file: string,
): { source: PerformanceSource; metrics: Map<string, Metric> } {
  const metrics = new Map<string, Metric>();
  const results = data['results'];
  if (isRecord(results) && Array.isArray(results['metrics'])) {
    for (const m of results['metrics']) {
      if (isRecord(m) && typeof m['name'] === 'string' && isRecord(m['values'])) {
        metrics.set(m['name'], { values: m['values'], thresholds: [] });
      }
    }
    return { source: 'k6-machine-readable', metrics };
  }
  if (!isRecord(data['metrics'])) {
    throw new ReportError(
      file,
      'a k6 summary without metrics: write it with --summary-export or handleSummary',
    );
  }
  let source: PerformanceSource = 'k6-summary-export';
  for (const [name, metric] of Object.entries(data['metrics'])) {
    if (!isRecord(metric)) continue;
    const shaped = isRecord(metric['values']);
    if (shaped) source = 'k6-handle-summary';
    const values = shaped ? (metric['values'] as Json) : metric;
    const raw = isRecord(metric['thresholds']) ? metric['thresholds'] : {};
    const thresholds = Object.entries(raw).map(([expression, verdict]) => ({
      metric: name,
      expression,
      // handleSummary: {ok}; --summary-export: true when the threshold failed.
      ok: isRecord(verdict) ? verdict['ok'] === true : verdict === false,
    }));
    metrics.set(name, { values, thresholds });
  }
  return { source, metrics };
}

export function k6Report(file: string, data: Json): PerformanceReport {
  const { source, metrics } = metricsOf(data, file);
  const notes: string[] = [];
  const duration = metrics.get('http_req_duration');
  let p95Seconds: number | undefined;
  if (!duration) notes.push('no http_req_duration: the test made no HTTP requests');
  else {
    const p95 = finite(duration.values['p(95)']);
    if (p95 === undefined) {
      notes.push('http_req_duration has no p(95): add it to summaryTrendStats');
    } else p95Seconds = p95 / 1000;
  }
  const failed = metrics.get('http_req_failed')?.values;
  const errorRate = failed ? (finite(failed['rate']) ?? finite(failed['value'])) : undefined;
  if (errorRate === undefined) notes.push('no http_req_failed rate');
  const count = finite(metrics.get('http_reqs')?.values['count']);
  const passes = failed ? finite(failed['passes']) : undefined;
  const fails = failed ? finite(failed['fails']) : undefined;
  const requests =
    count ?? (passes !== undefined && fails !== undefined ? passes + fails : undefined);
  const checks = metrics.get('checks')?.values;
  const checkPasses = checks ? finite(checks['passes']) : undefined;
  const checkFails = checks ? finite(checks['fails']) : undefined;
  return {
    file,
    source,
    p95Seconds,
    errorRate,
    requests,
    ...(checkPasses !== undefined && checkFails !== undefined
      ? { checks: { passes: checkPasses, fails: checkFails } }
      : {}),
    thresholds: [...metrics.values()].flatMap((m) => m.thresholds),
    notes,
  };
}
