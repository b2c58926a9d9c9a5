import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { tempReports } from '../temp-reports.ts';
import { readCoverage } from '../../../../src/quality/coverage/read-coverage.ts';
import { LineHits, lineTotals, overallLines } from '../../../../src/quality/coverage/model.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/quality/coverage/', import.meta.url));
const reports = tempReports('quality-merge-');
const report = reports.write;

describe('merging reports by file', () => {
  it('counts a line covered when either job covered it, whatever path each wrote', async () => {
    const unit = await report(
      'unit.info',
      'SF:/home/runner/work/shop/shop/src/a.ts\nDA:1,1\nDA:2,0\nDA:3,0\nBRDA:2,0,0,0\nBRDA:2,0,1,1\nend_of_record\n',
    );
    const e2e = await report(
      'e2e.info',
      'SF:src\\a.ts\nDA:1,0\nDA:2,4\nDA:3,0\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nend_of_record\nSF:./src/b.ts\nDA:1,1\nend_of_record\n',
    );
    const coverage = await readCoverage([unit, e2e], { workspace: '/work/shop' });
    expect([...coverage.files.keys()]).toEqual(['src/a.ts', 'src/b.ts']);
    const a = coverage.files.get('src/a.ts')!;
    expect([...a.lines!.entries()]).toEqual([
      [1, 1],
      [2, 4],
      [3, 0],
    ]);
    expect(lineTotals(a)).toEqual({ covered: 2, total: 3 });
    // Each run took one of line 2's two branches; unnamed across formats, the merge keeps the
    // larger count taken (1 of 2), a lower bound of the union.
    expect(a.lines!.branches(2)).toEqual({ covered: 1, total: 2 });
    expect(overallLines(coverage)).toEqual({ covered: 3, total: 4 });
  });

  it('merges reports of different formats for the same files', async () => {
    const coverage = await readCoverage(
      [`${fixtures}coveragepy.lcov`, `${fixtures}cobertura-coveragepy.xml`],
      { workspace: '/home/runner/work/shop/shop' },
    );
    expect(coverage.reports.map((report) => report.format)).toEqual(['lcov', 'cobertura']);
    const cart = coverage.files.get('src/shop/cart.py')!;
    // lcov: 1,3,4 hit, 5 missed, 7 hit; Cobertura: 1,3,4 hit, 5 missed.
    expect(lineTotals(cart)).toEqual({ covered: 4, total: 5 });
  });

  it('prefers line detail to a summary, and keeps the larger of two summaries', async () => {
    const summary = await report(
      'coverage-summary.json',
      JSON.stringify({
        total: { lines: { total: 4, covered: 1 } },
        '/work/shop/src/a.ts': { lines: { total: 4, covered: 1, skipped: 0, pct: 25 } },
        '/work/shop/src/c.ts': { lines: { total: 10, covered: 2, skipped: 0, pct: 20 } },
      }),
    );
    const other = await report(
      'other-summary.json',
      JSON.stringify({
        '/work/shop/src/c.ts': {
          lines: { total: 10, covered: 7 },
          branches: { total: 2, covered: 1 },
        },
      }),
    );
    const lcov = await report('a.info', 'SF:src/a.ts\nDA:1,1\nDA:2,1\nDA:3,0\nDA:4,1\nend_of_record\n');
    const coverage = await readCoverage([summary, lcov, other], { workspace: '/work/shop' });
    expect(lineTotals(coverage.files.get('src/a.ts')!)).toEqual({ covered: 3, total: 4 });
    expect(coverage.files.get('src/a.ts')!.lines).toBeDefined();
    expect(coverage.files.get('src/c.ts')!.statedTotals).toEqual({
      lines: { covered: 7, total: 10 },
      branches: { covered: 1, total: 2 },
    });
    expect(coverage.files.get('src/c.ts')!.lines).toBeUndefined();
  });

  it('flags files outside the workspace and keeps them apart', async () => {
    const lcov = await report(
      'outside.info',
      'SF:/usr/lib/node_modules/x/index.js\nDA:1,1\nend_of_record\nSF:src/a.ts\nDA:1,0\nend_of_record\n',
    );
    const coverage = await readCoverage([lcov], { workspace: '/work/shop' });
    expect(coverage.files.get('/usr/lib/node_modules/x/index.js')!.outsideWorkspace).toBe(true);
    expect(coverage.files.get('src/a.ts')!.outsideWorkspace).toBe(false);
  });

  it("reads the Go module from the workspace's go.mod", async () => {
    await report('go.mod', 'module example.com/shop\n\ngo 1.23\n');
    const coverage = await readCoverage([`${fixtures}go-count.out`], { workspace: reports.dir });
    expect([...coverage.files.keys()]).toEqual(['cart/cart.go', 'price/price.go']);
  });
});

describe('reports bigger than a read', () => {
  it('reads coverage-final.json entries that span several 64 KiB reads', async () => {
    const report: Record<string, unknown> = {};
    for (let file = 0; file < 8; file += 1) {
      const statementMap: Record<number, unknown> = {};
      const s: Record<number, number> = {};
      for (let id = 0; id < 3000; id += 1) {
        statementMap[id] = { start: { line: id + 1, column: 0 }, end: { line: id + 1, column: 9 } };
        s[id] = id % 3; // every third statement never ran
      }
      const path = `/work/shop/src/f${file}.ts`;
      report[path] = { path, statementMap, fnMap: {}, branchMap: {}, s, f: {}, b: {} };
    }
    const file = await reports.write('coverage-final.json', JSON.stringify(report));
    const coverage = await readCoverage([file], { workspace: '/work/shop' });
    expect(coverage.files.size).toBe(8);
    expect(overallLines(coverage)).toEqual({ covered: 8 * 2000, total: 8 * 3000 });
    expect(coverage.files.get('src/f7.ts')!.lines!.get(3000)).toBe(2);
  });

  it('reads lcov lines that straddle two reads', async () => {
    const lines = ['SF:src/a.ts'];
    for (let line = 1; line <= 20_000; line += 1) lines.push(`DA:${line},${line % 2}`);
    lines.push('end_of_record');
    const file = await reports.write('big.info', lines.join('\r\n'));
    const coverage = await readCoverage([file], { workspace: '/work/shop' });
    expect(overallLines(coverage)).toEqual({ covered: 10_000, total: 20_000 });
  });
});

describe('LineHits', () => {
  it('grows to any line number, widens past 65534 hits and saturates at 2^32-2', () => {
    const hits = new LineHits();
    hits.add(3, 65_534);
    hits.add(100_000, 1);
    hits.add(3, 1);
    expect(hits.get(3)).toBe(65_535);
    hits.add(100_000, 2 ** 32);
    hits.add(100_000, 5);
    expect(hits.get(100_000)).toBe(2 ** 32 - 2);
    expect(hits.get(99_999)).toBeUndefined();
    expect(hits.lineCount).toEqual({ covered: 2, total: 2 });
    hits.compact();
    expect([...hits.entries()]).toEqual([
      [3, 65_535],
      [100_000, 2 ** 32 - 2],
    ]);
  });

  it('keeps a zero-hit line executable', () => {
    const hits = new LineHits();
    hits.add(2, 0);
    hits.max(4, 0);
    expect([...hits.entries()]).toEqual([
      [2, 0],
      [4, 0],
    ]);
    expect(hits.lineCount).toEqual({ covered: 0, total: 2 });
  });

  it('refuses line numbers below 1 and negative counts', () => {
    const hits = new LineHits();
    expect(() => hits.add(0, 1)).toThrow('line number 0 is not valid');
    expect(() => hits.add(1, -1)).toThrow('hit count -1 is not valid');
  });

  it('keeps branches apart from executable lines', () => {
    const hits = new LineHits();
    hits.addBranches(7, 1, 2);
    expect(hits.get(7)).toBeUndefined();
    expect(hits.branchCount).toEqual({ covered: 1, total: 2 });
    expect(hits.lineCount).toEqual({ covered: 0, total: 0 });
  });
});
