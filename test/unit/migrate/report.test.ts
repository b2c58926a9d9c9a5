// The plan as Markdown: each statement on one line, cut short, without flattening all of it.
import { describe, expect, it } from '@jest/globals';
import { shorten } from '../../../src/migrate/report.ts';

/** What shorten must equal: the whole statement flattened, then cut. */
const flattenedThenCut = (sql: string, max: number) => {
  const flat = sql.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

describe('shorten', () => {
  it('puts a short statement on one line, whitespace runs as one space', () => {
    expect(shorten('CREATE TABLE t (\n    id int\n)')).toBe('CREATE TABLE t ( id int )');
  });

  it('cuts a long statement to the maximum, an ellipsis last', () => {
    const sql = `CREATE FUNCTION f() RETURNS void AS $$\nBEGIN\n${'  PERFORM 1;\n'.repeat(500)}END $$`;
    const short = shorten(sql);
    expect(short).toHaveLength(100);
    expect(short).toBe(flattenedThenCut(sql, 100));
  });

  it('reads only the start of a statement, yet agrees with flattening all of it', () => {
    // Long whitespace runs before the cut: the start read first is not enough, and a run may
    // straddle where a read stops.
    for (const gap of [1, 150, 199, 200, 201, 799, 5000]) {
      for (const max of [5, 100]) {
        const sql = `SELECT${' '.repeat(gap)}1,${'\t\n'.repeat(gap)}${'x'.repeat(3 * max)}`;
        expect(shorten(sql, max)).toBe(flattenedThenCut(sql, max));
        expect(shorten(sql.slice(0, 20 + gap), max)).toBe(
          flattenedThenCut(sql.slice(0, 20 + gap), max),
        );
      }
    }
  });
});
