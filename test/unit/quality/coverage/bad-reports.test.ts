import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempReports } from '../temp-reports.ts';
import { readCoverage } from '../../../../src/quality/coverage/read-coverage.ts';
import type { CoverageFormat } from '../../../../src/quality/coverage/model.ts';
import { ReportError } from '../../../../src/quality/report-file.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/quality/coverage/', import.meta.url));
const reports = tempReports('quality-coverage-');
const report = reports.write;

async function failure(file: string, format?: CoverageFormat): Promise<ReportError> {
  const error = await readCoverage([file], format ? { workspace: reports.dir, format } : { workspace: reports.dir })
    .then(() => undefined)
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ReportError);
  return error as ReportError;
}

describe('a report that cannot be read', () => {
  it('names a missing file', async () => {
    const error = await failure(join(reports.dir, 'nowhere.info'));
    expect(error.message).toBe(`${join(reports.dir, 'nowhere.info')}: no such file`);
  });

  it.each(['', '  \n\n'])('refuses an empty report (%j)', async (content) => {
    const file = await report('empty.info', content);
    expect((await failure(file)).message).toBe(`${file}: the report is empty`);
  });

  it('refuses an empty report whose format was stated', async () => {
    const file = await report('empty.xml', '');
    expect((await failure(file, 'cobertura')).message).toBe(`${file}: the report is empty`);
  });

  it('asks for the format when it cannot tell', async () => {
    const file = await report('notes.txt', 'hello\n');
    expect((await failure(file)).message).toMatch(/cannot tell the coverage format .*: state it$/);
  });

  it('says when a JUnit report was given as coverage', async () => {
    const file = await report('junit.xml', '<testsuites><testsuite/></testsuites>');
    expect((await failure(file)).message).toMatch(/a JUnit test report, not a coverage report$/);
  });
});

describe('malformed lcov', () => {
  it.each([
    ['SF:a.ts\nDA:1,1\nDA:two,1\nend_of_record\n', 3, /DA line number is not a non-negative integer/],
    ['SF:a.ts\nDA:1,-4\n', 2, /DA hit count/],
    ['TN:\nDA:1,1\n', 2, /DA: outside a record \(no SF: before it\)/],
    ['SF:a.ts\nBRDA:1,0,0\n', 2, /BRDA: wants line,block,branch,taken/],
    ['SF:a.ts\nDA:1,1\n<html>\n', 3, /is not an lcov line/],
  ])('%j fails at line %i', async (content, line, reason) => {
    const file = await report('bad.info', content);
    const error = await failure(file, 'lcov');
    expect(error.position).toEqual({ line });
    expect(error.message).toMatch(reason);
    expect(error.message.startsWith(`${file}:${line}: `)).toBe(true);
  });

  it('refuses a text file with no SF record', async () => {
    const file = await report('tn.info', 'TN:\n');
    expect((await failure(file)).message).toMatch(/no SF: record/);
  });
});

describe('malformed XML', () => {
  it('names the line and column of a Cobertura report cut short', async () => {
    const whole = await readFile(`${fixtures}cobertura-coveragepy.xml`, 'utf8');
    const file = await report('cut.xml', whole.slice(0, whole.indexOf('<line number="5"')));
    const error = await failure(file);
    expect(error.message).toMatch(/^.*cut\.xml:\d+:\d+: unclosed tag: line/);
    expect(error.position).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it('names the line of a mismatched tag', async () => {
    const file = await report(
      'mismatch.xml',
      '<?xml version="1.0"?>\n<coverage>\n<packages>\n</package>\n</coverage>\n',
    );
    expect((await failure(file)).message).toBe(`${file}:4:11: unexpected close tag.`);
  });

  it('names the line of a bad attribute value', async () => {
    const file = await report(
      'hits.xml',
      '<coverage>\n<packages><package><classes>\n<class filename="a.py"><lines>\n<line number="1" hits="many"/>\n</lines></class></classes></package></packages></coverage>',
    );
    expect((await failure(file)).message).toMatch(
      /hits\.xml:4:\d+: <line> hits is not a non-negative integer: 'many'$/,
    );
  });

  it('refuses a JaCoCo report whose root is something else', async () => {
    const file = await report('other.xml', '<?xml version="1.0"?><coverage/>');
    expect((await failure(file, 'jacoco')).message).toMatch(/the root is <coverage>, not JaCoCo's <report>/);
  });

  it('reads a Cobertura report that starts with a byte-order mark', async () => {
    const whole = await readFile(`${fixtures}cobertura-coveragepy.xml`);
    const file = await report('bom.xml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), whole]));
    const coverage = await readCoverage([file], { workspace: '/home/runner/work/shop/shop' });
    expect(coverage.files.size).toBe(2);
  });

  it('never fetches or expands an external entity', async () => {
    const file = await report(
      'xxe.xml',
      '<?xml version="1.0"?><!DOCTYPE report [<!ENTITY x SYSTEM "file:///etc/passwd">]><report><package name="&x;"/></report>',
    );
    expect((await failure(file, 'jacoco')).message).toMatch(/undefined entity|entity/i);
  });
});

describe('malformed JSON', () => {
  it('names the byte where a coverage-final.json is cut off', async () => {
    const whole = await readFile(`${fixtures}jest/coverage-final.json`);
    const file = await report('cut.json', whole.subarray(0, 5000));
    const error = await failure(file, 'istanbul-final');
    expect(error.position).toEqual({ byte: 5000 });
    expect(error.message).toMatch(/the file ends inside a value .*\(truncated\?\)$/);
  });

  it('names the byte of a syntax error inside an entry', async () => {
    const text = '{"a.ts": {"path": "a.ts", "statementMap": {"0": {"start": {"line": 1}}}, "s": {"0": 1 2}}}';
    const file = await report('syntax.json', text);
    const error = await failure(file, 'istanbul-final');
    expect(error.position).toEqual({ byte: text.indexOf('2}}}') });
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('names the byte of data after the top-level object', async () => {
    const text = '{"total": {"lines": {"total": 1, "covered": 1}}} x';
    const file = await report('trailing.json', text);
    expect((await failure(file)).position).toEqual({ byte: text.length - 1 });
  });

  it('refuses a top level that is not an object', async () => {
    const file = await report('array.json', '[1, 2]');
    expect((await failure(file, 'istanbul-summary')).message).toBe(
      `${file} (byte 0): the top level is not an object`,
    );
  });

  it('refuses a trailing comma', async () => {
    const text = '{"a.ts": {"lines": {"total": 2, "covered": 1}},}';
    const file = await report('comma.json', text);
    expect((await failure(file, 'istanbul-summary')).position).toEqual({ byte: text.length - 1 });
  });

  it('refuses a summary entry without line totals', async () => {
    const file = await report('nolines.json', '{"a.ts": {"statements": {"total": 2}}}');
    expect((await failure(file, 'istanbul-summary')).message).toMatch(
      /the entry "a\.ts" has no lines \{total, covered\}: not a coverage-summary\.json$/,
    );
  });

  it('places a byte in a multi-byte file by bytes, not characters', async () => {
    const text = '{"é/ü.ts": {"lines": {"total": 2, "covered": 1}}, "b": {"lines": {"total": x}}}';
    const file = await report('utf8.json', text);
    const error = await failure(file, 'istanbul-summary');
    expect(error.position).toEqual({ byte: Buffer.byteLength(text.slice(0, text.indexOf('x'))) });
  });
});

describe('malformed Go coverprofiles', () => {
  it.each([
    ['mode: set\nexample.com/a.go:1.1,2.2 1\n', 2, /not a block/],
    ['mode: sometimes\n', 1, /the first line is not 'mode: set\|count\|atomic'/],
    ['mode: set\na.go:5.1,2.2 1 1\n', 2, /the block ends before it starts/],
    ['mode: set\na.go:1.1,2.2 1 1\nmode: count\n', 3, /mixes modes/],
  ])('%j fails at line %i', async (content, line, reason) => {
    const file = await report('bad.out', content);
    const error = await failure(file, 'go');
    expect(error.position).toEqual({ line });
    expect(error.message).toMatch(reason);
  });
});
