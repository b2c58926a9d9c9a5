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
 * Reads a plain `DA:n,n[,…]` line straight from its bytes (DA lines are most of an lcov file,
 * so none of them becomes a string) into the current record. Anything else (another tag, a
 * space, a number that is not plain) is left to the general path, which reads it or says what
 * is wrong.
 */
function rawDa(into: LineHits | undefined, bytes: Buffer, start: number, end: number): boolean {
  if (!into || bytes[start] !== D || bytes[start + 1] !== A || bytes[start + 2] !== COLON) {
    return false;
  }
  let index = start + 3;
  let number = 0;
  for (; index < end && bytes[index]! >= ZERO && bytes[index]! <= NINE; index += 1) {
    number = number * 10 + (bytes[index]! - ZERO);
  }
  const digits = index - start - 3;
  if (digits === 0 || digits > 9 || number === 0 || bytes[index] !== COMMA) return false;
  index += 1;
  const from = index;
  let hits = 0;
  for (; index < end && bytes[index]! >= ZERO && bytes[index]! <= NINE; index += 1) {
    hits = hits * 10 + (bytes[index]! - ZERO);
  }
  if (index === from || index - from > 15 || (index < end && bytes[index] !== COMMA)) return false;
  into.add(number, hits);
  return true;
}

export async function parseLcov(file: string): Promise<ParsedReport> {
  const report = new ParsedReport();
  let current: LineHits | undefined;
  let records = 0;
  const raw = (bytes: Buffer, start: number, end: number) => rawDa(current, bytes, start, end);
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
