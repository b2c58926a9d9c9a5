import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { readCoverage } from '../../../../src/quality/coverage/read-coverage.ts';
import {
  branchTotals,
  lineTotals,
  overallLines,
  type Coverage,
} from '../../../../src/quality/coverage/model.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/quality/coverage/', import.meta.url));
// jest wrote the jest/ reports in this worktree: their absolute paths start with it.
const JEST_WORKSPACE = '/work/wt-qcov';
const RUNNER_WORKSPACE = '/home/runner/work/shop/shop';

function summary(coverage: Coverage) {
  return Object.fromEntries(
    [...coverage.files.values()].map((file) => [
      file.path,
      { lines: lineTotals(file), branches: branchTotals(file) },
    ]),
  );
}

describe("jest's own reports (lcov, cobertura, json, json-summary of one run)", () => {
  const expected = {
    'src/lib/durations.ts': { lines: { covered: 28, total: 29 } },
    'src/lib/errors.ts': { lines: { covered: 9, total: 13 } },
    'src/lib/parse.ts': { lines: { covered: 11, total: 11 } },
  };

  it.each([
    ['lcov.info', 'lcov'],
    ['cobertura-coverage.xml', 'cobertura'],
    ['coverage-final.json', 'istanbul-final'],
    ['coverage-summary.json', 'istanbul-summary'],
  ])('%s is detected as %s and gives the line counts the summary states', async (name, format) => {
    const coverage = await readCoverage([`${fixtures}jest/${name}`], {
      workspace: JEST_WORKSPACE,
    });
    expect(coverage.reports).toEqual([{ file: `${fixtures}jest/${name}`, format }]);
    expect(summary(coverage)).toMatchObject(expected);
    expect(overallLines(coverage)).toEqual({ covered: 48, total: 53 });
    expect([...coverage.files.values()].every((file) => !file.outsideWorkspace)).toBe(true);
  });

  it('gives line detail from lcov, Cobertura and coverage-final, and none from the summary', async () => {
    const read = (name: string) =>
      readCoverage([`${fixtures}jest/${name}`], { workspace: JEST_WORKSPACE });
    const [lcov, cobertura, final, brief] = await Promise.all(
      ['lcov.info', 'cobertura-coverage.xml', 'coverage-final.json', 'coverage-summary.json'].map(
        read,
      ),
    );
    const lines = (coverage: Coverage) => [
      ...coverage.files.get('src/lib/errors.ts')!.lines!.entries(),
    ];
    expect(lines(lcov!).length).toBe(13);
    expect(lines(cobertura!).map(([line, hits]) => [line, hits > 0])).toEqual(
      lines(lcov!).map(([line, hits]) => [line, hits > 0]),
    );
    expect(lines(final!)).toEqual(lines(lcov!));
    expect(brief!.files.get('src/lib/errors.ts')!.lines).toBeUndefined();
    // lcov and coverage-final carry every branch; the summary states the same totals.
    expect(branchTotals(lcov!.files.get('src/lib/durations.ts')!)).toEqual({
      covered: 33,
      total: 34,
    });
    expect(branchTotals(final!.files.get('src/lib/durations.ts')!)).toEqual({
      covered: 33,
      total: 34,
    });
  });
});

describe('lcov dialects', () => {
  it("reads coverage.py's lcov (checksums on DA, FN with an end line, named BRDA branches, a space after end_of_record)", async () => {
    const coverage = await readCoverage([`${fixtures}coveragepy.lcov`], {
      workspace: RUNNER_WORKSPACE,
    });
    const file = coverage.files.get('src/shop/cart.py')!;
    expect([...file.lines!.entries()]).toEqual([
      [1, 1],
      [3, 1],
      [4, 1],
      [5, 0],
      [7, 1],
    ]);
    expect(file.lines!.branches(4)).toEqual({ covered: 1, total: 2 });
  });

  it('reads lcov 2 (VER, FNL/FNA, a never-taken branch as -) with runner and Windows paths', async () => {
    const coverage = await readCoverage([`${fixtures}lcov2.info`], {
      workspace: RUNNER_WORKSPACE,
    });
    expect(summary(coverage)).toEqual({
      'src/cart.c': { lines: { covered: 3, total: 4 }, branches: { covered: 1, total: 2 } },
      'src/util.c': { lines: { covered: 0, total: 2 }, branches: undefined },
    });
  });
});

describe('Cobertura', () => {
  it('counts class-level lines only, not the repeats under methods', async () => {
    const coverage = await readCoverage([`${fixtures}jest/cobertura-coverage.xml`], {
      workspace: JEST_WORKSPACE,
    });
    // durations.ts's <method parseDuration> lists line 24 (the declaration), which the class's
    // own <lines> (and lcov) do not: it is not an executable line.
    const lines = coverage.files.get('src/lib/durations.ts')!.lines!;
    expect(lines.get(24)).toBeUndefined();
    expect(lines.get(25)).toBe(22);
  });

  it("resolves filenames against coverage.py's padded <source>s, the one inside the workspace", async () => {
    const coverage = await readCoverage([`${fixtures}cobertura-coveragepy.xml`], {
      workspace: RUNNER_WORKSPACE,
    });
    expect(summary(coverage)).toEqual({
      'src/shop/cart.py': { lines: { covered: 3, total: 4 }, branches: { covered: 1, total: 2 } },
      'src/shop/price.py': { lines: { covered: 1, total: 2 }, branches: undefined },
    });
  });
});

describe('JaCoCo', () => {
  it('reads sourcefile lines (covered when ci > 0, branches mb + cb) under groups and packages', async () => {
    const coverage = await readCoverage([`${fixtures}jacoco.xml`], { workspace: '/work/shop' });
    expect(coverage.reports[0]!.format).toBe('jacoco');
    expect(summary(coverage)).toEqual({
      'com/example/Calculator.java': {
        lines: { covered: 3, total: 4 },
        branches: { covered: 1, total: 2 },
      },
      'com/example/util/Strings.java': { lines: { covered: 1, total: 2 }, branches: undefined },
    });
    // The report's own LINE counter: missed 2, covered 4.
    expect(overallLines(coverage)).toEqual({ covered: 4, total: 6 });
  });
});

describe('Go coverprofile', () => {
  it('spreads each block over its lines, strips the module path and keeps statement totals', async () => {
    const coverage = await readCoverage([`${fixtures}go-count.out`], {
      workspace: '/work/shop',
      goModule: 'example.com/shop',
    });
    const cart = coverage.files.get('cart/cart.go')!;
    expect([...cart.lines!.entries()]).toEqual([
      [10, 5],
      [11, 5],
      [12, 5],
      [14, 3],
      [15, 3], // blocks 14.40-15.16 (3) and 15.16-17.3 (0) share line 15: the larger wins
      [16, 0],
      [17, 0],
      [18, 3],
    ]);
    expect(cart.statements).toEqual({ covered: 3, total: 4 });
    expect(coverage.files.get('price/price.go')!.statements).toEqual({ covered: 2, total: 4 });
  });

  it('merges the blocks -coverpkg repeats by OR in set mode', async () => {
    const coverage = await readCoverage([`${fixtures}go-coverpkg-set.out`], {
      workspace: '/work/shop',
      goModule: 'example.com/shop',
    });
    expect(coverage.files.get('cart/cart.go')!.statements).toEqual({ covered: 2, total: 2 });
    expect(coverage.files.get('cart/cart.go')!.lines!.get(11)).toBe(1);
    expect(coverage.files.get('price/price.go')!.statements).toEqual({ covered: 0, total: 2 });
  });
});

describe('a stated format', () => {
  it('is used instead of detection', async () => {
    const coverage = await readCoverage([`${fixtures}coveragepy.lcov`], {
      workspace: RUNNER_WORKSPACE,
      format: 'lcov',
    });
    expect(coverage.reports[0]!.format).toBe('lcov');
  });

  it('that does not match the content fails on the content', async () => {
    await expect(
      readCoverage([`${fixtures}coveragepy.lcov`], { workspace: RUNNER_WORKSPACE, format: 'go' }),
    ).rejects.toThrow(/coveragepy\.lcov:1: the first line is not 'mode: set\|count\|atomic'/);
  });
});
