// The coverage entry point: reads reports of any supported format, normalises their paths
// against the workspace and merges them by file (a line is covered when any report covered it).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCobertura } from './cobertura.ts';
import { detectCoverageFormat } from './detect.ts';
import { parseGo } from './go.ts';
import { parseIstanbulFinal, parseIstanbulSummary } from './istanbul.ts';
import { parseJacoco } from './jacoco.ts';
import { parseLcov } from './lcov.ts';
import { type Count, type Coverage, type CoverageFormat, type FileCoverage } from './model.ts';
import type { ParsedReport } from './parsed-report.ts';
import { normalisePath } from './paths.ts';

const PARSERS: Record<CoverageFormat, (file: string) => Promise<ParsedReport>> = {
  lcov: parseLcov,
  cobertura: parseCobertura,
  jacoco: parseJacoco,
  'istanbul-summary': parseIstanbulSummary,
  'istanbul-final': parseIstanbulFinal,
  go: parseGo,
};

export interface ReadCoverageOptions {
  /** The workspace root (absolute): report paths are made relative to it. */
  readonly workspace: string;
  /** The reports' format, when stated; otherwise each report's is detected from its content. */
  readonly format?: CoverageFormat;
  /** Go's module path; read from `<workspace>/go.mod` when a Go report needs it and it is unset. */
  readonly goModule?: string;
}

/** Reads and merges coverage reports. A missing, empty or malformed report is a ReportError. */
export async function readCoverage(
  files: readonly string[],
  options: ReadCoverageOptions,
): Promise<Coverage> {
  const reports: { file: string; format: CoverageFormat }[] = [];
  const merged = new Map<string, FileCoverage>();
  let goModule = options.goModule;
  for (const file of files) {
    const format = options.format ?? (await detectCoverageFormat(file));
    reports.push({ file, format });
    const parsed = await PARSERS[format](file);
    if (format === 'go' && goModule === undefined) goModule = await moduleOf(options.workspace);
    const context = { workspace: options.workspace, sources: parsed.sources, goModule };
    for (const [raw, data] of parsed.files) {
      const { path, outsideWorkspace } = normalisePath(raw, context);
      const file: FileCoverage = { path, outsideWorkspace, ...data };
      const before = merged.get(path);
      merged.set(path, before ? mergeFiles(before, file) : file);
    }
  }
  return { reports, files: merged };
}

/**
 * Two reports of one file. Line detail wins over stated totals; two line-level reports add up
 * (LineHits.merge); two totals-only reports keep the larger covered count, a lower bound, since
 * totals cannot say which lines either covered.
 */
function mergeFiles(a: FileCoverage, b: FileCoverage): FileCoverage {
  if (a.lines && b.lines) {
    a.lines.merge(b.lines);
    return { ...a, statements: larger(a.statements, b.statements) };
  }
  if (a.lines || b.lines) return a.lines ? a : b;
  const lines = larger(a.statedTotals?.lines, b.statedTotals?.lines)!;
  const branches = larger(a.statedTotals?.branches, b.statedTotals?.branches);
  return { ...a, statedTotals: branches ? { lines, branches } : { lines } };
}

function larger(a: Count | undefined, b: Count | undefined): Count | undefined {
  if (!a || !b) return a ?? b;
  return { covered: Math.max(a.covered, b.covered), total: Math.max(a.total, b.total) };
}

async function moduleOf(workspace: string): Promise<string | undefined> {
  const text = await readFile(join(workspace, 'go.mod'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : /^module\s+(\S+)/m.exec(text)?.[1];
}
