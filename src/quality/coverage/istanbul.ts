// Istanbul's JSON reports (quality-gates.md "Istanbul"), read entry by entry.
// coverage-final.json: per file `statementMap`, `s`, `branchMap`, `b`; a line's hits are the
// largest count of the statements starting on it (istanbul-lib-coverage file-coverage.js), a
// branch's line is its `loc` start (or `line`). `all: true` placeholders (files never loaded)
// carry zero counts, so merging by sum gives what istanbul's merge() does.
// coverage-summary.json: only totals per file (`lines`, `branches` {total, covered, …}) and a
// `total` entry, skipped: such files get stated totals and no lines.
import { ReportError } from '../report-file.ts';
import type { Count } from './model.ts';
import { ParsedReport } from './parsed-report.ts';
import { readJsonEntries } from './json-entries.ts';

interface Location {
  readonly start?: { readonly line?: unknown };
}

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function hits(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function startLine(location: unknown): number | undefined {
  const line = (location as Location | undefined)?.start?.line;
  return typeof line === 'number' && Number.isSafeInteger(line) && line > 0 ? line : undefined;
}

export async function parseIstanbulFinal(file: string): Promise<ParsedReport> {
  const report = new ParsedReport();
  await readJsonEntries(file, (key, value) => {
    const entry = object(value);
    const statementMap = object(entry?.statementMap);
    const statements = object(entry?.s);
    if (!entry || !statementMap || !statements) {
      throw new ReportError(
        file,
        `the entry ${JSON.stringify(key.slice(0, 80))} has no statementMap/s: not a coverage-final.json`,
      );
    }
    const path = typeof entry.path === 'string' && entry.path !== '' ? entry.path : key;
    const lines = report.linesOf(path);
    for (const id in statementMap) {
      const line = startLine(statementMap[id]);
      if (line !== undefined) lines.max(line, hits(statements[id]));
    }
    const branchMap = object(entry.branchMap);
    const branches = object(entry.b);
    if (!branchMap || !branches) return lines.compact();
    for (const id in branchMap) {
      const branch = object(branchMap[id]);
      const line = startLine(branch?.loc) ?? (typeof branch?.line === 'number' ? branch.line : 0);
      const counts = branches[id];
      if (!line || !Array.isArray(counts) || counts.length === 0) continue;
      lines.addBranches(line, counts.filter((taken) => hits(taken) > 0).length, counts.length);
    }
    lines.compact();
  });
  if (report.files.size === 0) throw new ReportError(file, 'the report names no file');
  return report;
}

function statedCount(value: unknown): Count | undefined {
  const metric = object(value);
  const total = metric?.total;
  const covered = metric?.covered;
  if (typeof total !== 'number' || typeof covered !== 'number') return undefined;
  if (!(total >= 0 && covered >= 0 && covered <= total)) return undefined;
  return { covered, total };
}

export async function parseIstanbulSummary(file: string): Promise<ParsedReport> {
  const report = new ParsedReport();
  await readJsonEntries(file, (key, value) => {
    if (key === 'total') return;
    const entry = object(value);
    const lines = statedCount(entry?.lines);
    if (!lines) {
      throw new ReportError(
        file,
        `the entry ${JSON.stringify(key.slice(0, 80))} has no lines {total, covered}: not a coverage-summary.json`,
      );
    }
    const branches = statedCount(entry?.branches);
    report.files.set(key, {
      lines: undefined,
      statedTotals: branches ? { lines, branches } : { lines },
    });
  });
  return report;
}
