// The lcov lines that make up most of a tracefile, read straight from the bytes: DA and BRDA
// into the current record, and the tags line coverage does not need (TN, FN*, LF/LH, BRF/BRH,
// VER) skipped, none of them made into a string. A line this does not recognise exactly (SF,
// end_of_record, a space, a number that is not plain, junk) is left to lcov.ts's general path,
// which reads it or says what is wrong.
import type { LineHits } from './model.ts';

const COLON = 0x3a;
const COMMA = 0x2c;
const DASH = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** A tag of up to 4 capitals packed into a number, to compare without making a string. */
function packTag(tag: string): number {
  let code = 0;
  for (let index = 0; index < tag.length; index += 1) code = code * 32 + (tag.charCodeAt(index) - 64);
  return code;
}

const DA = packTag('DA');
const BRDA = packTag('BRDA');
const SKIPPED = new Set(
  ['TN', 'VER', 'FN', 'FNL', 'FNA', 'FNDA', 'FNF', 'FNH', 'LF', 'LH', 'BRF', 'BRH'].map(packTag),
);

/** The digits at `index`, or -1 when there are none or too many to be a count. */
function digitsAt(bytes: Buffer, index: number, end: number): [value: number, next: number] {
  let value = 0;
  let at = index;
  for (; at < end && bytes[at]! >= ZERO && bytes[at]! <= NINE; at += 1) {
    value = value * 10 + (bytes[at]! - ZERO);
  }
  return at === index || at - index > 15 ? [-1, at] : [value, at];
}

export function readRawLcovLine(
  into: LineHits | undefined,
  bytes: Buffer,
  start: number,
  end: number,
): boolean {
  let tag = 0;
  let index = start;
  for (; index < end && index - start < 5; index += 1) {
    const byte = bytes[index]!;
    if (byte === COLON) break;
    if (byte < 0x41 || byte > 0x5a) return false;
    tag = tag * 32 + (byte - 64);
  }
  if (bytes[index] !== COLON || index === start) return false;
  if (SKIPPED.has(tag)) return true;
  if (!into || (tag !== DA && tag !== BRDA)) return false;
  const [line, afterLine] = digitsAt(bytes, index + 1, end);
  if (line < 1 || line > 0x7fffffff || bytes[afterLine] !== COMMA) return false;
  if (tag === DA) {
    const [hits, afterHits] = digitsAt(bytes, afterLine + 1, end);
    if (hits < 0 || (afterHits < end && bytes[afterHits] !== COMMA)) return false;
    into.add(line, hits);
    return true;
  }
  // BRDA:line,block,branch,taken: block and branch are names (coverage.py: "jump to line 5");
  // exactly three commas, taken after the last one.
  let commas = 1;
  let last = afterLine;
  for (let at = afterLine + 1; at < end; at += 1) {
    if (bytes[at] === COMMA) {
      commas += 1;
      last = at;
    }
  }
  if (commas !== 3) return false;
  if (bytes[last + 1] === DASH && last + 2 === end) {
    into.addBranches(line, 0, 1);
    return true;
  }
  const [taken, afterTaken] = digitsAt(bytes, last + 1, end);
  if (taken < 0 || afterTaken !== end) return false;
  into.addBranches(line, taken > 0 ? 1 : 0, 1);
  return true;
}
