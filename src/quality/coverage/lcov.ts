// lcov tracefiles (quality-gates.md "lcov"): `SF:` opens a file's record, `DA:line,count[,md5]`
// gives line hits, `BRDA:line,block,branch,taken` one branch (`-` = never taken), and
// `end_of_record` closes it (trailing spaces seen). LF/LH/BRF/BRH are recomputed from DA/BRDA,
// so a report without them reads the same; TN, FN/FNDA/FNF/FNH (and lcov 2's FNL/FNA), VER
// are not needed for line coverage and skipped.
import { ReportError, readLines } from '../report-file.ts';
import type { LineHits } from './model.ts';
import { readRawLcovLine } from './lcov-raw.ts';
import { ParsedReport, count } from './parsed-report.ts';

export async function parseLcov(file: string): Promise<ParsedReport> {
  const report = new ParsedReport();
  let current: LineHits | undefined;
  let records = 0;
  const raw = (bytes: Buffer, start: number, end: number) =>
    readRawLcovLine(current, bytes, start, end);
  await readLines(
    file,
    (text) => {
    const line = text.trim();
    if (line === '') return;
    const colon = line.indexOf(':');
    const tag = colon === -1 ? line : line.slice(0, colon);
    const value = line.slice(colon + 1);
    switch (tag) {
      case 'SF':
        if (value.trim() === '') throw new Error('SF: names no file');
        current = report.linesOf(value.trim());
        records += 1;
        return;
      case 'DA': {
        const [number, hits] = value.split(',');
        inRecord(current, tag).add(count(number, 'DA line number'), count(hits, 'DA hit count'));
        return;
      }
      case 'BRDA': {
        const parts = value.split(',');
        if (parts.length !== 4) throw new Error('BRDA: wants line,block,branch,taken');
        const taken = parts[3] === '-' ? 0 : count(parts[3], 'BRDA taken count');
        const at = count(parts[0], 'BRDA line number');
        inRecord(current, tag).addBranches(at, taken > 0 ? 1 : 0, 1);
        return;
      }
      case 'end_of_record':
        current?.compact();
        current = undefined;
        return;
      default:
        if (colon === -1 || !/^[A-Z]+$/.test(tag)) {
          throw new Error(`'${line.slice(0, 40)}' is not an lcov line (TAG:value)`);
        }
    }
    },
    raw,
  );
  current?.compact();
  if (records === 0) throw new ReportError(file, 'no SF: record: this is not an lcov tracefile');
  return report;
}

function inRecord(current: LineHits | undefined, tag: string): LineHits {
  if (!current) throw new Error(`${tag}: outside a record (no SF: before it)`);
  return current;
}
