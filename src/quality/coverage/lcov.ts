// lcov tracefiles (quality-gates.md "lcov"): `SF:` opens a file's record, `DA:line,count[,md5]`
// gives line hits, `BRDA:line,block,branch,taken` one branch (`-` = never taken), and
// `end_of_record` closes it (trailing spaces seen). LF/LH/BRF/BRH are recomputed from DA/BRDA,
// so a report without them reads the same; TN, FN/FNDA/FNF/FNH (and lcov 2's FNL/FNA), VER
// are not needed for line coverage and skipped.
import { ReportError, readLines } from '../report-file.ts';
import type { LineHits } from './model.ts';
import { ParsedReport, count } from './parsed-report.ts';

const D = 0x44;
const A = 0x41;
const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * The DA line's two numbers read straight from its characters (DA lines are most of an lcov
 * file, so no substring or array is made for them), or undefined when the line is not a plain
 * `DA:n,n[,…]`: the general path then reads it or says what is wrong.
 */
function fastDa(line: string, into: LineHits | undefined): boolean {
  if (!into || line.charCodeAt(0) !== D || line.charCodeAt(1) !== A || line.charCodeAt(2) !== COLON) {
    return false;
  }
  let index = 3;
  let number = 0;
  let digits = 0;
  for (let c = line.charCodeAt(index); c >= ZERO && c <= NINE; c = line.charCodeAt(++index)) {
    number = number * 10 + (c - ZERO);
    digits += 1;
  }
  if (digits === 0 || digits > 9 || line.charCodeAt(index) !== COMMA) return false;
  index += 1;
  let hits = 0;
  digits = 0;
  for (let c = line.charCodeAt(index); c >= ZERO && c <= NINE; c = line.charCodeAt(++index)) {
    hits = hits * 10 + (c - ZERO);
    digits += 1;
  }
  if (digits === 0 || digits > 15 || (index < line.length && line.charCodeAt(index) !== COMMA)) {
    return false;
  }
  if (number === 0) return false;
  into.add(number, hits);
  return true;
}

export async function parseLcov(file: string): Promise<ParsedReport> {
  const report = new ParsedReport();
  let current: LineHits | undefined;
  let records = 0;
  await readLines(file, (raw) => {
    if (fastDa(raw, current)) return;
    const line = raw.trim();
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
  });
  current?.compact();
  if (records === 0) throw new ReportError(file, 'no SF: record: this is not an lcov tracefile');
  return report;
}

function inRecord(current: LineHits | undefined, tag: string): LineHits {
  if (!current) throw new Error(`${tag}: outside a record (no SF: before it)`);
  return current;
}
