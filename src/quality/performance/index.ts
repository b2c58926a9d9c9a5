// Performance reports: k6 summaries and ecs-canary-deploy's result, into one model. See
// src/quality/README.md, "Findings and performance".
import { ReportError, readJsonReport, sniff } from '../report-file.ts';
import { canaryReport } from './canary.ts';
import { k6Report } from './k6.ts';
import type { PerformanceReport } from './model.ts';

export * from './model.ts';

/** A summary is a few KiB; a performance report past this is not one. */
const MAX_BYTES = 16 * 1024 * 1024;

export type PerformanceFormat = 'k6' | 'ecs-canary-deploy';

export function detectPerformanceFormat(head: string): PerformanceFormat | undefined {
  if (/"suiteVersion"\s*:/.test(head) && /"(outcome|resultVersion)"\s*:/.test(head)) {
    return 'ecs-canary-deploy';
  }
  if (/"(metrics|root_group)"\s*:/.test(head) || /"results"\s*:\s*\{/.test(head)) return 'k6';
  return undefined;
}

export async function readPerformanceFile(
  file: string,
  options: { format?: PerformanceFormat } = {},
): Promise<PerformanceReport> {
  const head = await sniff(file);
  const format = options.format ?? detectPerformanceFormat(head);
  if (format === undefined) {
    throw new ReportError(
      file,
      "not a performance report this reads (k6 --summary-export or handleSummary JSON, ecs-canary-deploy's result): state its format if it is one of them",
    );
  }
  const data = await readJsonReport(file, MAX_BYTES);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ReportError(file, 'not a JSON object');
  }
  const json = data as Record<string, unknown>;
  return format === 'k6' ? k6Report(file, json) : canaryReport(file, json);
}

export async function readPerformance(
  files: readonly string[],
  options: { format?: PerformanceFormat } = {},
): Promise<PerformanceReport[]> {
  const reports: PerformanceReport[] = [];
  for (const file of files) reports.push(await readPerformanceFile(file, options));
  return reports;
}
