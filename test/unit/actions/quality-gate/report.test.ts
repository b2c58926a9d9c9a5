// The summary and comment text: the table always, details cut to the budget with a note of what
// was cut; annotations within the per-step limits.
import { describe, expect, it } from '@jest/globals';
import { annotate, gateMarkdown } from '../../../../src/actions/quality-gate/report.ts';
import { type GateResult, rule } from '../../../../src/quality/gate.ts';
import type { Runner } from '../../../../src/runner/runner.ts';

function failing(offenders: number, warnings = 0): GateResult {
  return {
    verdict: 'fail',
    failedRules: ['max-failed-tests'],
    rules: [
      rule('max-failed-tests', 'fail', {
        figure: `${offenders} failed of ${offenders}`,
        threshold: '≤ 0',
        offenders: Array.from({ length: offenders }, (_, i) => ({
          message: `failed test t${i}: ${'x'.repeat(100)}`,
          file: `/ws/test/t${i}.test.ts`,
          line: i + 1,
        })),
      }),
    ],
    warnings: Array.from({ length: warnings }, (_, i) => `warning ${i}`),
    reports: [],
    facts: {},
  };
}

describe('gateMarkdown', () => {
  it('keeps the table and cuts details to the budget, saying how many lines were cut', () => {
    const text = gateMarkdown(failing(150), 4000, '/ws');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4000);
    expect(text).toContain('| `max-failed-tests` | 150 failed of 150 | ≤ 0 |  | **fail** |');
    expect(text).toContain('- `test/t0.test.ts:1` failed test t0:');
    expect(text).toMatch(
      /_\d+ more detail lines cut to stay within GitHub's size limit: the `result` output has every rule's offenders\._/,
    );
  });

  it('lists every detail and the offenders not kept when it fits', () => {
    const text = gateMarkdown(failing(250), 1_000_000, '/ws');
    expect(text).toContain('- … and 50 more');
    expect(text).not.toContain('cut to stay within');
  });
});

describe('annotate', () => {
  it('gives 8 errors and 8 warnings, then one line each saying how many more', () => {
    const seen: { level: string; message: string; file?: string | undefined }[] = [];
    const runner = {
      annotate: (level: string, message: string, properties: { file?: string } = {}) =>
        void seen.push({ level, message, file: properties.file }),
    } as unknown as Runner;
    annotate(runner, failing(250, 12), '/ws');
    const errors = seen.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(9);
    expect(errors[0]).toEqual({
      level: 'error',
      message: expect.stringMatching(/^failed test t0/),
      file: 'test/t0.test.ts',
    });
    expect(errors[8]!.message).toBe(
      '242 more offending items not annotated (GitHub shows 10 per step): see the job summary and the result output.',
    );
    const warnings = seen.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(9);
    expect(warnings[8]!.message).toBe('4 more warnings: see the job summary.');
  });
});
